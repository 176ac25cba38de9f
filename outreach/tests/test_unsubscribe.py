"""The unsubscribe link of a marketing email: asks before it acts, withdraws consent once (by the page or
a mail program's one-click POST), and says so on the lead's timeline."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from leads.selectors import lead_timeline
from outreach import tracking
from outreach.models import Email, EmailKind
from outreach.tests.factories import EmailFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def email():
    email = EmailFactory(kind=EmailKind.MARKETING, subject="Spring news")
    lead = email.lead
    lead.marketing_consent, lead.consent_at, lead.consent_source = True, timezone.now(), "Double opt-in"
    lead.save()
    return email


def path_of(email) -> str:
    return f"/e/u/{tracking.unsubscribe_token(email)}/"


def unsubscribe_entries(lead):
    return [entry for entry in lead_timeline(lead) if entry.title == "Unsubscribed from marketing email"]


def test_opening_the_link_asks_first_and_changes_nothing(client, email):
    response = client.get(path_of(email))
    assert response.status_code == 200
    assert "Unsubscribe from marketing email?" in response.content.decode()
    email.lead.refresh_from_db()
    assert email.lead.marketing_consent


def test_confirming_withdraws_consent_and_shows_on_the_timeline(client, email):
    response = client.post(path_of(email))
    assert "You are unsubscribed" in response.content.decode()
    lead = email.lead
    lead.refresh_from_db()
    assert not lead.marketing_consent
    assert lead.consent_source == "Unsubscribed from an email (on the unsubscribe page)"
    email.refresh_from_db()
    assert email.unsubscribed_at == lead.consent_at
    assert email.unsubscribed_via == Email.Unsubscribe.PAGE
    [entry] = unsubscribe_entries(lead)
    assert entry.at == email.unsubscribed_at and entry.kind_label == "Consent"
    assert "Through the link in “Spring news”, on the unsubscribe page." in entry.detail


def test_unsubscribing_again_changes_nothing(client, email):
    client.post(path_of(email))
    email.lead.refresh_from_db()
    withdrawn_at = email.lead.consent_at
    second = client.post(path_of(email))
    assert "You are unsubscribed" in second.content.decode()
    email.lead.refresh_from_db()
    assert email.lead.consent_at == withdrawn_at
    assert len(unsubscribe_entries(email.lead)) == 1


def test_a_mail_program_unsubscribes_with_a_one_click_post_without_csrf_token(email):
    response = Client(enforce_csrf_checks=True).post(path_of(email), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    email.refresh_from_db()
    assert email.unsubscribed_via == Email.Unsubscribe.ONE_CLICK
    assert "one-click in their mail program" in unsubscribe_entries(email.lead)[0].detail


def test_the_unsubscribe_link_never_expires(client, email):
    long_ago = (timezone.now() - timedelta(days=3650)).timestamp()
    with mock.patch("django.core.signing.time.time", return_value=long_ago):
        path = path_of(email)
    client.post(path)
    email.lead.refresh_from_db()
    assert not email.lead.marketing_consent


def test_a_forged_link_withdraws_nothing(client, email):
    for signed in (tracking.unsubscribe_token(email)[:-2] + "xx", tracking.open_token(email), email.token):
        response = client.post(f"/e/u/{signed}/")
        assert response.status_code == 404
        assert "This unsubscribe link is not valid." in response.content.decode()
    email.lead.refresh_from_db()
    assert email.lead.marketing_consent


def test_the_lead_page_shows_the_unsubscribe(client, client_for, email, marketer):
    client.post(path_of(email))
    page = client_for(marketer).get(f"/leads/{email.lead.pk}/").content.decode()
    assert "Unsubscribed from marketing email" in page
