"""Celery tasks of email from Relay: thin wrappers over `outreach.sending` and `outreach.replies`, taking ids,
safe to run twice."""

from celery import shared_task
from django.conf import settings

from leads.tasks import RETRY
from outreach import replies, sending

# A refused or unreachable mail server is retried with backoff (30 s, 1, 2, 4 min: `sending.retry_delay`),
# MAX_ATTEMPTS in all; the row counts the attempts, so the last one fails the email instead of raising.
SEND_RETRY = {
    **RETRY,
    "autoretry_for": (*RETRY["autoretry_for"], sending.SendFailed),
    "retry_backoff": sending.RETRY_SECONDS,
    "retry_backoff_max": sending.RETRY_MAX_SECONDS,
    "retry_jitter": False,
    "max_retries": sending.MAX_ATTEMPTS,
}


@shared_task(name="outreach.send_email", **SEND_RETRY)
def send_email(email_id: int) -> bool:
    """Send one queued email (once, whoever else was sent the same message); see `outreach.sending`."""
    return sending.send_email(email_id=email_id)


@shared_task(name="outreach.send_queued_emails", **RETRY)
def send_queued_emails() -> int:
    """Beat, every minute: send the queued emails whose message was lost, whose retry did not come, or whose
    worker died holding them; returns how many went out."""
    return sending.send_due_emails()


@shared_task(name="outreach.read_replies", ignore_result=True)
def read_replies() -> int:
    """Beat, every minute when IMAP_URL is set: store the replies waiting in the replies mailbox
    (`outreach.replies.read_replies`). A run that fails leaves the messages unseen for the next one."""
    if not settings.IMAP_URL:
        return 0
    return replies.read_replies()
