"""Marketing consent by double opt-in, and the unsubscribe link that withdraws it.

A box ticked on the public form proves nothing: anyone can type anyone's address. So the form never sets
consent; it asks for a confirmation (`request_confirmation`), a Celery task emails the address a signed
link that expires after CONSENT_CONFIRMATION_DAYS (`send_confirmation`), and consent, with its source and
time, is recorded only when that link is opened (`confirm`). Every confirmation email also carries an
unsubscribe link, signed but without expiry (`unsubscribe`): withdrawing consent must always work.

The request is a row (`ConsentRequest`), written with the capture: the Celery message is only a doorbell,
and the beat sweep sends what a lost message left unsent.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from crm.actors import CONSENT, as_relay
from crm.text import fit_to, one_line
from leads.models import ConsentRequest, Lead, email_key

logger = logging.getLogger(__name__)

CONFIRM_SALT = "leads.consent.confirm"
UNSUBSCRIBE_SALT = "leads.consent.unsubscribe"
# One confirmation email per lead per this long, however often the form is posted with its address.
RESEND_AFTER = timedelta(hours=24)


class ConsentLinkError(Exception):
    """A confirmation or unsubscribe link that cannot be honoured; the message says why, for the visitor."""


def request_confirmation(*, lead: Lead, campaign=None) -> ConsentRequest | None:
    """Ask `lead` to confirm marketing consent ticked on the public form: a request row now, its email once
    the transaction commits. Nothing for a lead that already consented, nor when a request of the last 24
    hours is still unanswered (the form cannot be used to flood an inbox)."""
    from leads.tasks import enqueue, send_consent_confirmation  # tasks import this module

    if lead.marketing_consent:
        return None
    recent = lead.consent_requests.filter(requested_at__gte=timezone.now() - RESEND_AFTER, confirmed_at__isnull=True)
    if recent.exists():
        return None
    request = ConsentRequest.objects.create(lead=lead, campaign=campaign, email=lead.email)
    enqueue(send_consent_confirmation, request.pk)
    return request


def confirm_token(request: ConsentRequest) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(request.pk))


def unsubscribe_token(lead: Lead) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(lead.pk))


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def confirmation_email(request: ConsentRequest) -> EmailMessage:
    """The double opt-in email: the link that records consent, and the one that withdraws it."""
    confirm_url = absolute(reverse("leads:consent_confirm", args=[confirm_token(request)]))
    unsubscribe_url = absolute(reverse("leads:consent_unsubscribe", args=[unsubscribe_token(request.lead)]))
    about = f" about {request.campaign.name}" if request.campaign else ""
    days = settings.CONSENT_CONFIRMATION_DAYS
    body = (
        f"Hello{' ' + request.lead.first_name if request.lead.first_name else ''},\n\n"
        f"Someone, we hope you, asked us to send news and offers{about} to {request.email}.\n"
        f"Please confirm within {days} days by opening this link:\n\n{confirm_url}\n\n"
        "If it was not you, ignore this email: nothing will be sent to you.\n\n"
        f"To stop all marketing email from us at any time: {unsubscribe_url}\n"
    )
    return EmailMessage(
        subject=one_line(f"Please confirm your subscription{about}", 200),
        body=body,
        to=[request.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def send_confirmation(*, request_id: int) -> bool:
    """Send the confirmation email of a request, once: the row is locked while it goes out and marked sent
    with it. An SMTP failure raises (the task retries with backoff) and leaves it unsent for the sweep.
    Returns whether an email went out."""
    with transaction.atomic():
        request = (
            ConsentRequest.objects.select_for_update(of=("self",))
            .select_related("lead", "campaign")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.sent_at or request.confirmed_at:
            return False
        confirmation_email(request).send(fail_silently=False)
        request.sent_at = timezone.now()
        request.save(update_fields=["sent_at"])
    return True


def unsent_requests(*, now=None):
    """Requests whose email has not gone out a minute after they were made, and that could still be
    confirmed: the beat sweep's work."""
    now = now or timezone.now()
    oldest = now - timedelta(days=settings.CONSENT_CONFIRMATION_DAYS)
    return ConsentRequest.objects.filter(
        sent_at__isnull=True, requested_at__lt=now - timedelta(minutes=1), requested_at__gte=oldest
    )


@transaction.atomic
def confirm(*, token: str) -> ConsentRequest:
    """Record the consent a confirmation link proves: on the lead, with its source and time (once; opening
    the link again changes nothing). Refused when the link is forged, has expired, or was sent to an
    address the lead no longer has."""
    max_age = timedelta(days=settings.CONSENT_CONFIRMATION_DAYS)
    try:
        request_id = int(signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=max_age))
    except signing.SignatureExpired as exc:
        raise ConsentLinkError("This confirmation link has expired. Fill in the form again to get a new one.") from exc
    except (signing.BadSignature, ValueError) as exc:
        raise ConsentLinkError("This confirmation link is not valid.") from exc
    request = (
        ConsentRequest.objects.select_for_update(of=("self",)).select_related("campaign").filter(pk=request_id).first()
    )
    if request is None:
        raise ConsentLinkError("This confirmation link is not valid any more.")
    if request.confirmed_at:
        return request
    lead = Lead.objects.select_for_update().get(pk=request.lead_id)
    if lead.email_key != email_key(request.email):
        raise ConsentLinkError("This link was sent to an address we no longer have for you.")
    now = timezone.now()
    source = f"Double opt-in: web form {request.campaign.slug}" if request.campaign else "Double opt-in"
    lead.marketing_consent, lead.consent_at = True, now
    lead.consent_source = fit_to(Lead, "consent_source", source)
    with as_relay(CONSENT):
        lead.save(update_fields=["marketing_consent", "consent_at", "consent_source", "updated_at"])
    request.confirmed_at = now
    request.save(update_fields=["confirmed_at"])
    return request


def unsubscribe(*, token: str) -> None:
    """Withdraw the marketing consent of the lead an unsubscribe link names, now; saying so again is harmless."""
    try:
        lead_id = int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError) as exc:
        raise ConsentLinkError("This unsubscribe link is not valid.") from exc
    if withdraw_consent(lead_id=lead_id, source="Unsubscribe link") is None:
        raise ConsentLinkError("We hold nothing for this address any more: nothing will be sent to it.")


@transaction.atomic
def withdraw_consent(*, lead_id: int, source: str, now=None) -> bool | None:
    """Withdraw the marketing consent of lead `lead_id`, recording when and `source` (how), as Relay's
    consent part in the audit history. Returns whether it changed anything (a lead that already said no
    stays as it is), None when there is no such lead. Every unsubscribe link ends here."""
    lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
    if lead is None:
        return None
    if not lead.marketing_consent and lead.consent_at:
        return False
    lead.marketing_consent, lead.consent_at = False, now or timezone.now()
    lead.consent_source = fit_to(Lead, "consent_source", source)
    with as_relay(CONSENT):
        lead.save(update_fields=["marketing_consent", "consent_at", "consent_source", "updated_at"])
    return True
