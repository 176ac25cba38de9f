"""The outbox: an email is queued, sent once through a real SMTP server, retried when the server refuses,
failed with the server's reason after the last attempt, and finished by the sweep when its worker died."""

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import SmtpInbox
from crm.models import Notification
from deals.tests.factories import DealFactory
from leads.selectors import lead_timeline
from leads.tests.factories import LeadFactory
from outreach import sending, tasks
from outreach.models import Email, EmailKind
from outreach.tests.factories import EmailTemplateFactory

pytestmark = pytest.mark.django_db


class RefusingInbox(SmtpInbox):
    """A mail server that refuses every recipient, as a full mailbox or a bad address does."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        return "550 5.1.1 Mailbox unavailable"


@pytest.fixture
def refusing_server(smtp_server, settings):
    """`smtp_server`'s settings, pointed at a second server on another port that refuses every recipient."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = RefusingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_PORT = port
    yield inbox
    controller.stop()


def queue(lead, sender, django_capture_on_commit_callbacks, **kwargs):
    kwargs.setdefault("subject", "Hello {{ lead.first_name }}")
    kwargs.setdefault("body", "Hi {{ lead.first_name }},\n\nThe recording: https://relay.example/rec\n\n{{ rep.name }}")
    with django_capture_on_commit_callbacks(execute=True):
        return sending.queue_email(lead=lead, sender=sender, **kwargs)


def test_a_queued_email_goes_out_through_smtp_once_and_is_marked_sent(
    smtp_server, rep, django_capture_on_commit_callbacks
):
    lead = LeadFactory(first_name="Dana", email="dana@acme.example")
    email = queue(lead, rep, django_capture_on_commit_callbacks)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error) == (Email.Status.SENT, 1, "")
    assert email.sent_at is not None and email.claimed_at is None
    (message,) = smtp_server.messages
    assert message["To"] == "dana@acme.example" and message["Subject"] == "Hello Dana"
    assert message["Message-ID"] == f"<{email.token}@localhost>"
    assert "Hi Dana," in message.get_body(("plain",)).get_content()
    assert "/e/o/" in message.get_body(("html",)).get_content()  # the message is build_message's


def test_the_task_run_twice_sends_once(smtp_server, rep, django_capture_on_commit_callbacks):
    lead = LeadFactory()
    email = queue(lead, rep, django_capture_on_commit_callbacks)
    assert tasks.send_email.delay(email.pk).get() is False
    assert len(smtp_server.messages) == 1
    assert [entry.kind for entry in lead_timeline(lead)].count("email") == 1


def test_a_second_worker_cannot_claim_an_email_another_holds(rep):
    email = Email.objects.create(lead=LeadFactory(), sender=rep, to_address="a@example.com", subject="s", body="b")
    assert sending.claim(email_id=email.pk) is not None
    assert sending.claim(email_id=email.pk) is None
    email.refresh_from_db()
    assert email.attempts == 1


@pytest.fixture
def eager_retries():
    """Eager tasks retry in place (instead of raising Celery's Retry to the caller), as a worker would."""
    from crm.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_a_refusing_server_is_retried_then_the_email_fails_with_its_reason(
    refusing_server, eager_retries, rep, client_for, django_capture_on_commit_callbacks
):
    lead = LeadFactory(first_name="Dana")
    email = queue(lead, rep, django_capture_on_commit_callbacks)
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert email.attempts == sending.MAX_ATTEMPTS
    assert email.error == "550 5.1.1 Mailbox unavailable"
    (notification,) = Notification.objects.filter(user=rep)
    assert "not sent" in notification.message and "550 5.1.1 Mailbox unavailable" in notification.message
    page = client_for(rep).get(lead.get_absolute_url()).content.decode()
    assert "Email not sent: Hello Dana" in page
    assert "Failed: 550 5.1.1 Mailbox unavailable" in page


def test_a_failed_attempt_releases_the_claim_and_says_when_to_try_again(smtp_server, settings, rep):
    settings.EMAIL_PORT = 1  # nothing listens there: the connection is refused
    email = Email.objects.create(lead=LeadFactory(), sender=rep, to_address="a@example.com", subject="s", body="b")
    with pytest.raises(sending.SendFailed):
        sending.send_email(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == Email.Status.QUEUED and email.claimed_at is None
    assert email.error.startswith("Could not reach the mail server")
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=sending.RETRY_SECONDS - 5)


def test_the_sweep_finishes_an_email_a_dead_worker_held(smtp_server, rep):
    email = Email.objects.create(lead=LeadFactory(), sender=rep, to_address="a@example.com", subject="s", body="b")
    Email.objects.filter(pk=email.pk).update(
        claimed_at=timezone.now() - sending.CLAIM_LEASE - timedelta(seconds=1), attempts=1
    )
    assert tasks.send_queued_emails.delay().get() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.SENT, 2)
    assert len(smtp_server.messages) == 1


def test_the_sweep_sends_an_email_whose_message_was_lost(smtp_server, rep):
    email = Email.objects.create(
        lead=LeadFactory(), sender=rep, to_address="a@example.com", subject="s", body="b",
        queued_at=timezone.now() - timedelta(minutes=2),
    )  # fmt: skip
    assert sending.send_due_emails() == 1
    email.refresh_from_db()
    assert email.status == Email.Status.SENT


def test_the_sweep_leaves_a_live_claim_and_a_fresh_email_alone(smtp_server, rep):
    lead = LeadFactory()
    Email.objects.create(lead=lead, sender=rep, to_address="a@example.com", subject="s", body="b")
    Email.objects.create(
        lead=lead, sender=rep, to_address="a@example.com", subject="s", body="b", claimed_at=timezone.now(),
        queued_at=timezone.now() - timedelta(minutes=3),
    )  # fmt: skip
    assert sending.send_due_emails() == 0
    assert smtp_server.messages == []


def test_a_lead_who_asked_not_to_be_contacted_since_is_not_written_to(smtp_server, rep):
    lead = LeadFactory()
    email = Email.objects.create(lead=lead, sender=rep, to_address=lead.email, subject="s", body="b")
    type(lead).objects.filter(pk=lead.pk).update(do_not_contact=True)
    assert sending.send_email(email_id=email.pk) is False
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED and "asked not to be contacted" in email.error
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    ("lead_fields", "kind", "reason"),
    [
        ({"do_not_contact": True}, EmailKind.SALES, "asked not to be contacted"),
        ({"do_not_contact": True, "marketing_consent": True}, EmailKind.MARKETING, "asked not to be contacted"),
        ({"marketing_consent": False}, EmailKind.MARKETING, "has not agreed to receive marketing emails"),
        ({"email": ""}, EmailKind.SALES, "has no email address"),
    ],
)
def test_queueing_is_refused_for_a_lead_relay_may_not_write_to(rep, lead_fields, kind, reason):
    lead = LeadFactory.build(**lead_fields)
    template = EmailTemplateFactory(kind=kind)
    with pytest.raises(ValidationError) as refused:
        sending.queue_email(lead=lead, sender=rep, subject="s", body="b", template=template)
    assert reason in refused.value.message_dict["lead"][0]
    assert not Email.objects.exists()


def test_the_sent_email_shows_on_the_deal_and_company_pages(
    smtp_server, rep, client_for, django_capture_on_commit_callbacks
):
    from companies.tests.factories import CompanyFactory

    company = CompanyFactory(name="Acme")
    lead = LeadFactory(first_name="Dana", account=company)
    deal = DealFactory(owner=rep, lead=lead, account=company)
    queue(lead, rep, django_capture_on_commit_callbacks, deal=deal)
    client = client_for(rep)
    panel = client.get(reverse("outreach:deal_emails", args=[deal.pk])).content.decode()
    assert "Hello Dana" in panel and 'data-testid="email-status">Sent' in panel
    company_page = client.get(company.get_absolute_url()).content.decode()
    assert company_page.count("Email sent to Dana") == 1
    lead_page = client.get(lead.get_absolute_url()).content.decode()
    assert lead_page.count("Email sent: Hello Dana") == 1 and "The recording: https://relay.example/rec" in lead_page
