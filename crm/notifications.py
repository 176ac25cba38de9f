"""Tell people about work that arrived for them: an in-app notification and an email."""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from crm.models import Notification
from crm.text import fit_to, one_line

logger = logging.getLogger(__name__)


def notify(*, users, message: str, url: str = "", email_subject: str = "") -> list[Notification]:
    """Create one notification per user and, after the transaction commits, email those with an address.

    The message is cut to its column and the subject folded to one line: both are built from what people
    typed (a lead's name and company), and a notification too long to store would fail the work it reports.
    An email that cannot be sent is logged, never raised: the notification in the app is already there.
    """
    users = [user for user in users if user is not None]
    message = fit_to(Notification, "message", one_line(message))
    email_subject = one_line(email_subject, 200)
    notifications = Notification.objects.bulk_create(
        Notification(user=user, message=message, url=url) for user in users
    )
    if email_subject:
        link = f"\n\n{settings.SITE_URL.rstrip('/')}{url}" if url else ""
        messages = [(email_subject, message + link, None, [user.email]) for user in users if user.email]
        if messages:
            transaction.on_commit(partial(_send, tuple(messages)), robust=True)
    return notifications


def _send(messages):
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # SMTP is outside the app: its failures must not undo the work that was done
        logger.exception("Could not send %d notification email(s)", len(messages))


def mark_read(*, notification: Notification) -> None:
    """The person opened `notification`: it stops counting as unread (the first time is kept)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)


def mark_all_read(*, user) -> int:
    """Every unread notification of `user` is read now; returns how many there were."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
