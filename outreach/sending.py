"""The outbox: an email is a row first (`queue_email`), then a worker claims it, sends it and marks it sent.

The row is the source of truth and the Celery message only its doorbell. A worker takes an email by a
conditional UPDATE (`claim`): queued, and claimed by nobody or by a worker whose lease ran out. Two deliveries
of the same task therefore send it once, and a worker that died mid-send leaves a claim that the beat sweep
(`send_queued_emails`) takes over when its lease has passed. An SMTP failure releases the claim, records the
server's answer and when to try again; after MAX_ATTEMPTS the email is failed and its sender told why.

A worker that dies after the mail server accepted the message but before the row says "sent" leaves a claim
the sweep will send again: at-least-once, the only promise SMTP allows. The window is one UPDATE wide.
"""

import logging
import smtplib
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db.models import F, Q
from django.utils import timezone

from crm.notifications import notify
from crm.text import cut, fit_to
from leads.models import Lead
from outreach.models import Email, EmailKind, EmailTemplate
from outreach.rendering import MergeError, merge_context, render_message

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A worker holds its claim this long; past it the claim is taken to be a dead worker's. Longer than SEND_TIMEOUT.
CLAIM_LEASE = timedelta(minutes=5)
# Seconds an SMTP conversation may stall before the attempt fails (Django waits forever by default).
SEND_TIMEOUT = 60
# The first retry comes this many seconds after a failure, doubling each time, at most RETRY_MAX_SECONDS.
RETRY_SECONDS = 30
RETRY_MAX_SECONDS = 600
# The sweep leaves an email to its own task for this long (queued, or due again) before taking it itself.
SWEEP_GRACE = timedelta(minutes=1)
SWEEP_BATCH = 100


class SendFailed(Exception):
    """An attempt the mail server refused (or that could not reach it); the email is due again."""


def retry_delay(attempts: int) -> int:
    """Seconds before the attempt after `attempts` failed ones: 30, 60, 120, 240 (as Celery's backoff counts)."""
    return min(RETRY_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)


# --- Who may be written to -------------------------------------------------------------------------------


def refusal(*, lead: Lead, kind: str) -> str:
    """Why Relay may not email `lead` an email of `kind` ("" when it may): the person's own wishes first."""
    if not lead.email:
        return f"{lead} has no email address."
    if lead.do_not_contact:
        return f"{lead} asked not to be contacted: Relay sends them no email."
    if kind == EmailKind.MARKETING and not lead.marketing_consent:
        return f"{lead} has not agreed to receive marketing emails: send a one-to-one email instead."
    return ""


# --- Queue --------------------------------------------------------------------------------------------------


def queue_email(
    *, lead: Lead, sender, subject: str, body: str, template: EmailTemplate | None = None, deal=None, company=None
) -> Email:
    """Fill in the merge fields of `subject` and `body` for `lead` and queue the email from `sender`; the send
    task is rung once the transaction commits. ValidationError, by field, for a lead Relay may not write to
    ("lead") or a subject or body whose merge fields cannot be filled in."""
    from leads.tasks import enqueue
    from outreach import tasks  # tasks import this module

    kind = template.kind if template else EmailKind.SALES
    if reason := refusal(lead=lead, kind=kind):
        raise ValidationError({"lead": reason})
    try:
        rendered = render_message(subject=subject, body=body, context=merge_context(lead=lead, rep=sender, deal=deal))
    except MergeError as exc:
        raise ValidationError({"body": str(exc)}) from exc
    if not rendered.subject:
        raise ValidationError({"subject": "An email needs a subject."})
    email = Email.objects.create(
        lead=lead,
        deal=deal,
        company=company or (deal.account if deal else None) or lead.account,
        template=template,
        kind=kind,
        sender=sender,
        to_address=lead.email,
        subject=rendered.subject,
        body=rendered.body,
    )
    enqueue(tasks.send_email, email.pk)  # after the commit; a broker that is down is logged (the sweep sends it)
    return email


# --- Send ---------------------------------------------------------------------------------------------------


def claim(*, email_id: int, now=None) -> Email | None:
    """Take the queued email for this worker (one conditional UPDATE: only one taker wins), counting the
    attempt; None when it is sent, failed, or held by a live claim."""
    now = now or timezone.now()
    taken = (
        Email.objects.filter(pk=email_id, status=Email.Status.QUEUED)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE))
        .update(claimed_at=now, attempts=F("attempts") + 1, next_attempt_at=None)
    )
    if not taken:
        return None
    return Email.objects.select_related("lead", "sender", "template").get(pk=email_id)


def send_email(*, email_id: int) -> bool:
    """Send the email `email_id` once: claim it, send what `outreach.message.build_message` builds, mark it
    sent. Returns whether it went out. Raises SendFailed when the server refused and an attempt is left (the
    task retries); after the last attempt the email is failed and its sender notified, without raising. A lead
    who asked not to be contacted (or withdrew consent) since the email was queued is not written to."""
    from outreach.message import build_message  # the message, its links and headers: the tracking module's

    email = claim(email_id=email_id)
    if email is None:
        return False
    if reason := refusal(lead=email.lead, kind=email.kind):
        _fail(email, f"Not sent: {reason}")
        return False
    try:
        build_message(email, connection=get_connection(timeout=SEND_TIMEOUT)).send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        return _attempt_failed(email, server_said(exc))
    held = Email.objects.filter(pk=email.pk, claimed_at=email.claimed_at)
    held.update(status=Email.Status.SENT, sent_at=timezone.now(), claimed_at=None, error="")
    return True


def server_said(exc: Exception) -> str:
    """What the mail server answered, as the rep should read it ("550 Mailbox unavailable")."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(exc.recipients.values()), (None, b""))
        return f"{code} {_text(message)}".strip()
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}".strip()
    if isinstance(exc, smtplib.SMTPException):
        return str(exc) or type(exc).__name__
    return f"Could not reach the mail server ({exc.strerror or exc})."


def _text(message) -> str:
    return message.decode(errors="replace") if isinstance(message, bytes) else str(message)


def _attempt_failed(email: Email, error: str) -> bool:
    if email.attempts >= MAX_ATTEMPTS:
        _fail(email, error)
        return False
    due = timezone.now() + timedelta(seconds=retry_delay(email.attempts))
    held = Email.objects.filter(pk=email.pk, claimed_at=email.claimed_at)
    held.update(claimed_at=None, next_attempt_at=due, error=fit_to(Email, "error", error))
    logger.warning("Email %s: attempt %s failed (%s); next at %s", email.pk, email.attempts, error, due)
    raise SendFailed(error)


def _fail(email: Email, error: str) -> None:
    """The email will not be sent: its row says why, and its sender hears of it (once: only the claim holder
    gets here)."""
    held = Email.objects.filter(pk=email.pk, claimed_at=email.claimed_at, status=Email.Status.QUEUED)
    if held.update(status=Email.Status.FAILED, claimed_at=None, error=error):
        notify(
            users=[email.sender],
            message=f"Email to {email.lead} not sent ({cut(email.subject, 60)}): {error}",
            url=email.lead.get_absolute_url(),
        )


# --- The sweep ----------------------------------------------------------------------------------------------


def due_emails(*, now=None):
    """Queued emails no worker is on: never claimed or due again for over SWEEP_GRACE (a lost message, a lost
    retry), or claimed by a worker whose lease ran out (it died mid-send)."""
    now = now or timezone.now()
    waiting = Q(claimed_at__isnull=True) & (
        Q(next_attempt_at__lt=now - SWEEP_GRACE) | Q(next_attempt_at__isnull=True, queued_at__lt=now - SWEEP_GRACE)
    )
    return Email.objects.filter(status=Email.Status.QUEUED).filter(waiting | Q(claimed_at__lt=now - CLAIM_LEASE))


def send_due_emails(*, limit: int = SWEEP_BATCH) -> int:
    """Send the emails `due_emails` finds, oldest first, at most `limit`; stop at the first the server refuses
    (it is down: the next sweep tries again). Returns how many went out."""
    sent = 0
    for email_id in due_emails().order_by("queued_at").values_list("pk", flat=True)[:limit]:
        try:
            sent += send_email(email_id=email_id)
        except SendFailed:
            break
    return sent
