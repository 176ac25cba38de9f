"""The anonymous door in a real browser: a visitor who types a known lead's address changes nothing that
Relay knew, a marketer applies what they sent from the timeline, and consent comes only from the link of
the confirmation email (sent through a real SMTP server)."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.tests.factories import CampaignFactory
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_cannot_rewrite_a_known_lead_a_marketer_applies_what_they_sent_and_the_link_sets_consent(
    page, sign_in_browser, marketer, smtp_server, settings, live_server
):
    settings.SITE_URL = live_server.url
    CampaignFactory(slug="winter-webinar", name="Winter webinar")
    known = LeadFactory(
        email="karin@known.example", first_name="Karin", last_name="Known", company="Known GmbH", job_title="Buyer"
    )

    page.goto("/capture/winter-webinar/")
    page.get_by_label("First name").fill("Karin")
    page.get_by_label("Last name").fill("Known")
    page.get_by_label("Work email").fill("KARIN@known.example")
    page.get_by_label("Company").fill("Forged Ltd")
    page.get_by_label("Job title").fill("VP Chief Head Director")
    page.get_by_label("Send me news and offers").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    expect(page.get_by_test_id("confirm-consent")).to_be_visible()

    lead = Lead.objects.get(pk=known.pk)
    assert (lead.company, lead.job_title, lead.marketing_consent) == ("Known GmbH", "Buyer", False)

    sign_in_browser(marketer)
    page.goto(f"/leads/{known.pk}/")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Submitted on the public form (Winter webinar)")
    expect(timeline).to_contain_text("Company: Forged Ltd")
    expect(timeline).to_contain_text("Job title: VP Chief Head Director")
    page.get_by_test_id("apply-submission").click()
    expect(page.get_by_text("The details submitted on the public form were applied.")).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text("Applied by")
    lead.refresh_from_db()
    assert (lead.company, lead.job_title) == ("Forged Ltd", "VP Chief Head Director")
    assert lead.marketing_consent is False

    (message,) = smtp_server.messages
    assert message["To"] == "karin@known.example"  # the address Relay knows, not the one typed
    confirm = re.search(r"http://\S+/consent/confirm/\S+/", message.get_content()).group(0)
    page.goto(confirm)
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()
    lead.refresh_from_db()
    assert lead.marketing_consent is True
    assert lead.consent_source == "Double opt-in: web form winter-webinar"
    page.goto(f"/leads/{known.pk}/")
    expect(page.get_by_test_id("timeline")).to_contain_text("Marketing consent confirmed (double opt-in)")
