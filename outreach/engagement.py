"""What a lead does with an email from Relay: opens it, clicks its links, unsubscribes.

The first open of an email and the first click on each of its links record one engagement event on the
lead (leads' events service, so scoring counts them like any other event); later opens and clicks only
add to the counts. "First" is decided by the database, not by a read before the write: a conditional
update for the open, the unique (email, url) constraint for a click, and the events' external_id behind
both, so two requests racing each other record one event.
"""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from leads.models import EventKind
from leads.services.consent import withdraw_consent
from leads.services.events import record_events
from outreach.models import Email, EmailClick, EmailKind


def _record_event(email: Email, *, kind: str, external_id: str, now, **properties) -> None:
    item = {"index": 0, "lead": email.lead_id, "kind": kind, "occurred_at": now, "external_id": external_id}
    record_events(items=[{**item, "properties": {"email": email.pk, **properties}}])


@transaction.atomic
def record_open(*, email_token: str, now=None) -> bool:
    """Count an open of the email named by `email_token`; the first one records an email_open event on its
    lead. Returns whether this was the first open (False too for an unknown email)."""
    now = now or timezone.now()
    email = Email.objects.filter(token=email_token).only("pk", "lead_id").first()
    if email is None:
        return False
    emails = Email.objects.filter(pk=email.pk)
    # Of two first opens at once, PostgreSQL makes the second wait for the first's row, then finds it opened.
    first = emails.filter(opened_at__isnull=True).update(opened_at=now, open_count=F("open_count") + 1)
    if not first:
        emails.update(open_count=F("open_count") + 1)
        return False
    _record_event(email, kind=EventKind.EMAIL_OPEN, external_id=f"email:{email.pk}:open", now=now)
    return True


@transaction.atomic
def record_click(*, email_token: str, url: str, now=None) -> bool:
    """Count a click on `url` in the email named by `email_token`; the first click on each link records an
    email_click event on its lead. Returns whether this was the link's first click."""
    now = now or timezone.now()
    email = Email.objects.filter(token=email_token).only("pk", "lead_id").first()
    if email is None:
        return False
    # A racing first click waits on the unique index, fails, and reads the winner's row (get_or_create).
    click, first = EmailClick.objects.get_or_create(email=email, url=url, defaults={"first_at": now})
    if not first:
        EmailClick.objects.filter(pk=click.pk).update(count=F("count") + 1)
    Email.objects.filter(pk=email.pk).update(
        click_count=F("click_count") + 1, clicked_at=Coalesce(F("clicked_at"), Value(now))
    )
    if first:
        external_id = f"email:{email.pk}:click:{click.pk}"
        _record_event(email, kind=EventKind.EMAIL_CLICK, external_id=external_id, now=now, url=url)
    return first


@transaction.atomic
def unsubscribe(*, email_token: str, via: str, now=None) -> Email | None:
    """Withdraw the marketing consent of the lead a marketing email went to, from that email's unsubscribe
    link (`via`: the page or a mail program's one-click POST). The email keeps when and how, which the
    lead's timeline shows; saying so again changes nothing. None for an unknown email."""
    now = now or timezone.now()
    email = Email.objects.select_for_update().filter(token=email_token, kind=EmailKind.MARKETING).first()
    if email is None:
        return None
    if email.unsubscribed_at:
        return email
    source = f"Unsubscribed from an email ({Email.Unsubscribe(via).label})"
    if withdraw_consent(lead_id=email.lead_id, source=source, now=now):
        email.unsubscribed_at, email.unsubscribed_via = now, via
        email.save(update_fields=["unsubscribed_at", "unsubscribed_via"])
    return email
