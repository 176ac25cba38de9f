"""In Chromium: a rep writes to a lead from its page with a template, previews it, sends it, and the local SMTP
server receives it while the lead's timeline shows it."""

import pytest
from playwright.sync_api import expect

from leads.tests.factories import LeadFactory
from outreach.tests.factories import EmailTemplateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_sends_a_templated_follow_up_from_the_lead_page(page, sign_in_browser, rep, smtp_server):
    lead = LeadFactory(first_name="Dana", last_name="Okafor", email="dana@acme.example")
    EmailTemplateFactory(name="After the webinar", subject="{{ lead.first_name }}, the recording", body="Hi!")
    sign_in_browser(rep)
    page.goto(lead.get_absolute_url())
    page.get_by_test_id("email-lead").click()
    page.get_by_label("Template").select_option(label="After the webinar")
    page.get_by_role("button", name="Use this template").click()
    expect(page.get_by_label("Subject")).to_have_value("{{ lead.first_name }}, the recording")
    page.get_by_test_id("preview-button").click()
    expect(page.get_by_test_id("preview-subject")).to_have_text("Dana, the recording")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Email sent: Dana, the recording")
    assert [message["To"] for message in smtp_server.messages] == ["dana@acme.example"]


def test_the_compose_page_fits_a_phone(page, sign_in_browser, rep):
    lead = LeadFactory()
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in_browser(rep)
    page.goto(f"/leads/{lead.pk}/email/")
    expect(page.get_by_test_id("send")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
