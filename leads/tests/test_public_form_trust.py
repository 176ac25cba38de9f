"""The public form is the anonymous door: anyone who knows an address can post it. It never replaces what
Relay knows, keeps what it would have changed for a marketer to apply, and never records consent: a ticked
box sends a double opt-in email (through a real SMTP server here), and only its link records consent."""

import itertools
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory
from handoff.models import Handoff
from leads.models import ConsentRequest, FormSubmission, Lead, LifecycleStage
from leads.services import consent
from leads.tasks import send_unsent_consent_confirmations
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

_addresses = (f"203.0.113.{n}" for n in itertools.count(1))


@pytest.fixture
def known(campaign):
    """A lead Relay knows well, first touched by another campaign."""
    first = CampaignFactory(slug="first-touch", name="First touch")
    return LeadFactory(
        email="known@example.com",
        first_name="Karin",
        last_name="Known",
        company="Known GmbH",
        job_title="Office Manager",
        phone="",
        first_touch_campaign=first,
        latest_touch_campaign=first,
        marketing_consent=False,
    )


def post_form(client, **fields):
    data = {"first_name": "Mallory", "last_name": "Forger", "email": "known@example.com", "website": "", **fields}
    return client.post("/capture/spring-webinar/", data, REMOTE_ADDR=next(_addresses))


def link_in(message, name: str) -> str:
    path = re.search(rf"https?://[^/\s]+(/consent/{name}/[^\s>]+/)", message.get_content()).group(1)
    return path


def test_a_visitor_cannot_rewrite_a_known_lead_and_what_they_sent_is_kept_for_a_marketer(client, known):
    response = post_form(client, company="Forged Ltd", job_title="VP Chief Head Director")
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name, lead.company, lead.job_title) == (
        "Karin",
        "Known",
        "Known GmbH",
        "Office Manager",
    )
    assert lead.latest_touch_campaign.slug == "first-touch"
    submission = FormSubmission.objects.get(lead=lead)
    assert submission.values == {
        "first_name": "Mallory",
        "last_name": "Forger",
        "company": "Forged Ltd",
        "job_title": "VP Chief Head Director",
        "latest_touch_campaign": "spring-webinar",
    }
    assert lead.events.get().kind == "form_submit"  # the visit itself is still engagement


def test_a_forged_job_title_does_not_push_a_known_lead_to_mql(client, known, rep):
    post_form(client, job_title="VP Chief Head Director")
    lead = Lead.objects.get()
    assert lead.job_title == "Office Manager"
    assert lead.stage == LifecycleStage.LEAD
    assert not Handoff.objects.exists()


def test_the_form_fills_what_the_lead_had_left_blank(client, known):
    known.job_title = ""
    known.save()
    post_form(client, first_name="Karin", last_name="Known", job_title="Buyer")
    lead = Lead.objects.get()
    assert lead.job_title == "Buyer"
    # Only the campaign it came through differed from what Relay had: kept, not applied.
    assert FormSubmission.objects.get().values == {"latest_touch_campaign": "spring-webinar"}


def test_a_marketer_sees_the_submitted_values_on_the_timeline_and_applies_them_in_one_click(
    client, client_for, known, marketer
):
    post_form(client, company="Forged Ltd")
    submission = FormSubmission.objects.get()
    page = client_for(marketer).get(f"/leads/{known.pk}/").content.decode()
    assert "Submitted on the public form" in page and "Company: Forged Ltd" in page
    assert "Apply these details" in page
    response = client_for(marketer).post(f"/leads/{known.pk}/submissions/{submission.pk}/apply/", follow=True)
    assert "were applied" in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.first_name, lead.company, lead.latest_touch_campaign.slug) == (
        "Mallory",
        "Forged Ltd",
        "spring-webinar",
    )
    assert lead.history.first().history_user == marketer
    submission.refresh_from_db()
    assert submission.applied_by == marketer
    again = client_for(marketer).post(f"/leads/{known.pk}/submissions/{submission.pk}/apply/", follow=True)
    assert "already applied" in again.content.decode()


def test_posting_again_and_again_keeps_one_pending_submission_with_the_latest_values(client, known):
    post_form(client, company="First Try Ltd")
    post_form(client, company="Second Try Ltd")
    assert FormSubmission.objects.get().values["company"] == "Second Try Ltd"


def test_a_rep_cannot_apply_a_submission(client, client_for, known, rep):
    post_form(client, company="Forged Ltd")
    submission = FormSubmission.objects.get()
    assert client_for(rep).post(f"/leads/{known.pk}/submissions/{submission.pk}/apply/").status_code == 403
    assert Lead.objects.get().company == "Known GmbH"
    assert "Apply these details" not in client_for(rep).get(f"/leads/{known.pk}/").content.decode()


def test_the_api_door_still_replaces_known_values(known, marketer):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(marketer)
    api.post("/api/v1/leads/", {"email": "KNOWN@example.com", "company_name": "Renamed AG"}, format="json")
    assert Lead.objects.get().company == "Renamed AG"


# --- Consent: double opt-in ------------------------------------------------------------------------------


def test_a_consent_tick_records_nothing_and_sends_a_confirmation_whose_link_records_consent(
    client, known, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_form(client, consent="on")
    lead = Lead.objects.get()
    assert lead.marketing_consent is False and lead.consent_at is None
    (message,) = smtp_server.messages
    assert message["To"] == "known@example.com"
    assert message["List-Unsubscribe"].strip().startswith("<http")
    request = ConsentRequest.objects.get()
    assert request.sent_at is not None

    page = client.get(link_in(message, "confirm"))
    assert page.status_code == 200 and "You are subscribed" in page.content.decode()
    lead.refresh_from_db()
    assert lead.marketing_consent is True
    assert lead.consent_source == "Double opt-in: web form spring-webinar"
    assert lead.consent_at >= request.requested_at

    gone = client.get(link_in(message, "unsubscribe"))
    assert "You are unsubscribed" in gone.content.decode()
    lead.refresh_from_db()
    assert (lead.marketing_consent, lead.consent_source) == (False, "Unsubscribe link")


def test_an_unticked_box_never_withdraws_consent_given_before(client, known):
    Lead.objects.update(marketing_consent=True, consent_at=timezone.now(), consent_source="API")
    post_form(client)
    assert Lead.objects.get().marketing_consent is True
    assert not ConsentRequest.objects.exists()


def test_posting_the_form_again_and_again_sends_one_confirmation_a_day(
    client, known, smtp_server, django_capture_on_commit_callbacks
):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            post_form(client, consent="on")
    assert ConsentRequest.objects.count() == 1
    assert len(smtp_server.messages) == 1


def test_an_expired_or_forged_link_records_nothing(client, known, settings):
    request = ConsentRequest.objects.create(lead=known, email=known.email)
    token = consent.confirm_token(request)
    assert client.get(f"/consent/confirm/{token}x/").status_code == 400
    assert client.get("/consent/confirm/not-a-token/").status_code == 400
    settings.CONSENT_CONFIRMATION_DAYS = 0
    expired = client.get(f"/consent/confirm/{token}/")
    assert expired.status_code == 400 and "expired" in expired.content.decode()
    assert Lead.objects.get().marketing_consent is False
    forged = signing.Signer(salt="another purpose").sign(str(known.pk))
    assert client.get(f"/consent/unsubscribe/{forged}/").status_code == 400


def test_a_link_sent_to_an_address_the_lead_no_longer_has_records_nothing(client, known):
    request = ConsentRequest.objects.create(lead=known, email=known.email)
    Lead.objects.filter(pk=known.pk).update(email="changed@example.com", email_key="changed@example.com")
    assert client.get(f"/consent/confirm/{consent.confirm_token(request)}/").status_code == 400
    assert Lead.objects.get().marketing_consent is False


def test_a_mail_program_unsubscribes_with_a_one_click_post(client, known):
    Lead.objects.update(marketing_consent=True, consent_at=timezone.now())
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        f"/consent/unsubscribe/{consent.unsubscribe_token(known)}/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert Lead.objects.get().marketing_consent is False


def test_a_confirmation_the_mail_server_refused_is_sent_by_the_sweep(known, smtp_server, settings):
    settings.EMAIL_PORT = 9  # nothing listens there: the task's sends fail
    request = ConsentRequest.objects.create(
        lead=known, email=known.email, requested_at=timezone.now() - timedelta(minutes=5)
    )
    assert send_unsent_consent_confirmations() == 0
    assert ConsentRequest.objects.get().sent_at is None
    settings.EMAIL_PORT = smtp_server.port
    assert send_unsent_consent_confirmations() == 1
    request.refresh_from_db()
    assert request.sent_at is not None
    assert len(smtp_server.messages) == 1
    assert send_unsent_consent_confirmations() == 0  # sent once


def test_a_new_visitor_becomes_a_lead_without_consent_until_they_confirm(
    client, campaign, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_form(client, email="fresh@example.com", consent="on")
    lead = Lead.objects.get(email="fresh@example.com")
    assert (lead.first_name, lead.marketing_consent) == ("Mallory", False)
    assert len(smtp_server.messages) == 1


def test_managers_and_reps_see_consent_requests_on_the_timeline(client, client_for, known, manager):
    post_form(client, consent="on")
    page = client_for(manager).get(f"/leads/{known.pk}/").content.decode()
    assert "Marketing consent ticked on the public form" in page
