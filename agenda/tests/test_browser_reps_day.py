"""A rep's day end to end in Chromium (issue #23's "must show"): the rep starts on My day, accepts an MQL in
place, sends the new deal's lead a templated follow-up, the local SMTP server receives it, and opening the
email's tracking pixel records an email open on the lead, which raises its engagement."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deals.models import Deal
from handoff.models import Handoff
from leads.models import EventKind, LifecycleStage
from leads.tests.factories import LeadFactory
from outreach.models import Email
from outreach.tests.factories import EmailTemplateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_accepts_an_mql_from_my_day_and_follows_up_with_a_tracked_template(
    page, sign_in_browser, rep, smtp_server
):
    now = timezone.now()
    lead = LeadFactory(
        first_name="Noor", last_name="Haddad", email="noor@initech.example", stage=LifecycleStage.MQL, mql_at=now
    )
    due = now + datetime.timedelta(hours=5)
    handoff = Handoff.objects.create(lead=lead, rep=rep, score=61, handed_at=now, due_at=due)
    EmailTemplateFactory(
        name="After the demo", subject="{{ lead.first_name }}, your demo recap", body="Hi {{ lead.first_name }}!"
    )

    sign_in_browser(rep)
    page.wait_for_url("**/my-day/")
    page.locator(f"#handoff-{handoff.pk}").get_by_role("button", name="Accept").click()
    page.locator(f"#handoff-{handoff.pk}").get_by_test_id("created-deal").click()
    deal = Deal.objects.get(lead=lead)
    page.wait_for_url(f"**{deal.get_absolute_url()}")

    page.get_by_role("link", name="Email", exact=True).click()
    page.get_by_label("Template").select_option(label="After the demo")
    page.get_by_role("button", name="Use this template").click()
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("deal-emails")).to_contain_text("Noor, your demo recap")

    [message] = smtp_server.messages
    assert message["To"] == "noor@initech.example" and message["Subject"] == "Noor, your demo recap"
    html = message.get_body(preferencelist=("html",)).get_content()
    pixel = re.search(r'<img[^>]+src="([^"]+/e/o/[^"]+)"', html).group(1)
    assert not lead.events.filter(kind=EventKind.EMAIL_OPEN).exists()

    # The lead opens the email: its mail client fetches the pixel, signed in as nobody.
    opened = page.context.request.get(urlsplit(pixel).path, headers={"Cookie": ""})
    assert opened.status == 200 and opened.headers["content-type"] == "image/gif"
    assert lead.events.filter(kind=EventKind.EMAIL_OPEN).count() == 1
    assert Email.objects.get(lead=lead).opened_at is not None
    page.goto(lead.get_absolute_url())
    expect(page.get_by_test_id("timeline")).to_contain_text("Email open")
