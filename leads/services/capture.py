"""Capture from every door and merge duplicates; a lead edited by hand; the public form's kept submissions.

Every door (the form at /leads/new/, the public capture form, the API, the CSV import) creates or merges
through `capture_lead` (one lead) or the set-based merge in `leads.imports.run` that applies the same rules
(`merge_contact`, `touch`).

Merge rules, for a lead captured again with the same email (any spelling of it: `models.email_key`):
- a blank value never overwrites a stored one; a non-empty new value replaces the stored one (the latest
  thing a person told us about themselves is the freshest: new job title, new phone);
- the email keeps the spelling it was first captured with;
- the first-touch campaign (and the source channel and capture door that come with it) is set once;
  the latest-touch campaign moves to the campaign of the newest touch;
- the event is always recorded and `last_event_at` is the newest event's time (for events sent through
  the API or an import, as soon as the lead is scored again);
- consent is only changed by an explicit answer (True: opted in, False: opted out), with when and where.

Those are the rules of the doors whose users are known: the API (a marketer's or manager's token), the
import and the forms of signed-in users. The public form is anonymous: anyone who knows an address can post
it, so on a known lead it only fills blank fields (and a missing latest touch); what it would have
replaced is kept as a `FormSubmission` on the lead's timeline for a marketer to apply in one click
(`apply_form_submission`); and it never records consent: a ticked box asks for a double opt-in
(`leads.services.consent`).

The company (`account`, the Company record beside the typed `company`) follows the same trust: a new lead,
or a known one without a company, is linked by `companies.services.company_for` (its `company_domain`, its
email's domain, its typed company). Only the known doors change a company a lead already has, by an
explicit `account` or `company_domain`; the public form never does.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import Campaign
from companies.models import Company
from companies.services import CompanyHint, company_for, mark_rollups_due
from crm.actors import PUBLIC_FORM, as_relay
from crm.history import save_without_history
from crm.text import fit_to, one_line
from leads.models import (
    CONTACT_FIELDS,
    CaptureSource,
    CompanySize,
    EventKind,
    FormSubmission,
    Lead,
    LeadEvent,
    LifecycleStage,
)
from leads.scoring.queue import request_scores
from leads.services.events import check_event_time, check_properties

COMPANY_SIZES = frozenset(CompanySize.values)

# The doors anyone can use without signing in: they fill blanks and never replace or consent (capture_lead).
UNTRUSTED_SOURCES = frozenset({CaptureSource.WEB_FORM})

# The engagement a capture records when the caller does not say which.
DEFAULT_EVENT_KIND = {
    CaptureSource.WEB_FORM: EventKind.FORM_SUBMIT,
    CaptureSource.API: EventKind.OTHER,
    CaptureSource.IMPORT: EventKind.OTHER,
    CaptureSource.MANUAL: EventKind.OTHER,
}


@dataclass(frozen=True)
class CaptureResult:
    """What `capture_lead` did: the lead, whether it is new, and the event it recorded."""

    lead: Lead
    created: bool
    event: LeadEvent


def normalize_company_size(value: str) -> str:
    """ "11–50", "11 - 50" or "11-50" → "11-50"; an unknown band is returned as given (validation refuses it)."""
    cleaned = (value or "").strip().replace("–", "-").replace(" ", "").replace(",", "")
    if cleaned.lower() in ("5000+", ">5000", "5001+"):
        return CompanySize.S5000_PLUS
    return cleaned if cleaned in COMPANY_SIZES else (value or "").strip()


def clean_contact(data: dict) -> dict:
    """The contact fields of `data`, stripped; missing keys and None become blanks."""
    cleaned = {name: str(data.get(name) or "").strip() for name in CONTACT_FIELDS}
    cleaned["company_size"] = normalize_company_size(cleaned["company_size"])
    return cleaned


def merge_contact(lead: Lead, contact: dict, *, blanks_only: bool = False) -> list[str]:
    """Copy the non-empty values of `contact` onto `lead` (with `blanks_only`, onto its blank fields only);
    returns the fields that changed."""
    changed = []
    for name, value in contact.items():
        current = getattr(lead, name)
        if value and current != value and not (blanks_only and current):
            setattr(lead, name, value)
            changed.append(name)
    return changed


def touch(lead: Lead, campaign: Campaign | None, occurred_at: datetime, *, blanks_only: bool = False) -> list[str]:
    """Record a campaign touch: the first one sticks (with its channel), the latest one moves forward
    (with `blanks_only`, only a lead without one gets it)."""
    if campaign is None:
        return []
    changed = []
    if lead.first_touch_campaign_id is None:
        lead.first_touch_campaign = campaign
        lead.source_channel = campaign.channel
        changed += ["first_touch_campaign", "source_channel"]
    # An event replayed from the past does not make its campaign the latest touch.
    is_newest = lead.last_event_at is None or occurred_at >= lead.last_event_at
    moves = lead.latest_touch_campaign_id is None if blanks_only else is_newest
    if moves and lead.latest_touch_campaign_id != campaign.pk:
        lead.latest_touch_campaign = campaign
        changed.append("latest_touch_campaign")
    return changed


def proposed_changes(lead: Lead, contact: dict, campaign: Campaign | None) -> dict:
    """What a capture from the anonymous door would have replaced on `lead`: each non-blank field for which
    it brings another non-blank value, and the latest-touch campaign (by slug)."""
    proposed = {
        name: value for name, value in contact.items() if value and getattr(lead, name) and getattr(lead, name) != value
    }
    if campaign is not None and lead.latest_touch_campaign_id not in (None, campaign.pk):
        proposed["latest_touch_campaign"] = campaign.slug
    return proposed


def consent_source_label(source: str, campaign: Campaign | None) -> str:
    label = CaptureSource(source).label
    return fit_to(Lead, "consent_source", f"{label}: {campaign.slug}" if campaign else label)


@transaction.atomic
def capture_lead(
    *,
    data: dict,
    source: str,
    campaign: Campaign | None = None,
    event_kind: str | None = None,
    occurred_at: datetime | None = None,
    by=None,
    consent: bool | None = None,
    properties: dict | None = None,
    account: Company | None = None,
    company_domain: str = "",
) -> CaptureResult:
    """Create the lead for `data["email"]` or merge into the one that has it, and record the event.

    The single entry point of every door, so the merge rules (module docstring) hold everywhere. Two
    captures of the same new email at the same moment cannot make two leads: the database refuses the
    second insert (unique `email_key`), and the loser merges into the winner's row, locked.

    The anonymous door (UNTRUSTED_SOURCES: the public form) is held to less: on a known lead it only fills
    blanks, keeps what it would have replaced as a `FormSubmission` for a marketer to apply, and never
    sets consent (`consent` must be None: the form asks for a double opt-in instead, `leads.services.consent`).

    `account` (a Company) or `company_domain` (a web domain) say which company the lead works for; without
    them the company is found from the email's domain and the typed company (module docstring).
    """
    email = (data.get("email") or "").strip()
    if not email:
        raise ValidationError({"email": "An email address is required."})
    if source not in CaptureSource.values:
        raise ValidationError({"source": f"Unknown capture source: {source}."})
    trusted = source not in UNTRUSTED_SOURCES
    if not trusted and consent is not None:
        raise ValueError("The anonymous door never sets consent: ask for a double opt-in instead.")
    if not trusted and (account is not None or company_domain):
        raise ValueError("The anonymous door never chooses a lead's company.")
    kind = event_kind or DEFAULT_EVENT_KIND[source]
    properties = check_properties(properties)
    occurred_at = check_event_time(occurred_at) if occurred_at else timezone.now()
    contact = clean_contact(data)

    lead = Lead.objects.select_for_update().with_email(email).first()
    created = False
    if lead is None:
        lead = Lead(email=email, source=source, stage=LifecycleStage.LEAD, lead_at=timezone.now())
        merge_contact(lead, contact)
        touch(lead, campaign, occurred_at)
        _apply_consent(lead, consent, source, campaign, occurred_at)
        link_account(lead, account=account, company_domain=company_domain)
        lead.last_event_at = occurred_at
        lead.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                lead.save(force_insert=True)
            created = True
            mark_rollups_due([lead.account_id])
        except IntegrityError:
            # Someone captured the same email between our look-up and our insert: merge into theirs.
            lead = Lead.objects.select_for_update().with_email(email).get()
    if not created:
        if not trusted:
            proposed = proposed_changes(lead, contact, campaign)
            if proposed:
                keep_submission(lead=lead, campaign=campaign, values=proposed, at=occurred_at)
        changed = merge_contact(lead, contact, blanks_only=not trusted)
        changed += touch(lead, campaign, occurred_at, blanks_only=not trusted)
        changed += _apply_consent(lead, consent, source, campaign, occurred_at)
        was_account = lead.account_id
        changed += link_account(lead, account=account, company_domain=company_domain, relink=trusted)
        if lead.last_event_at is None or occurred_at > lead.last_event_at:
            lead.last_event_at = occurred_at
            changed.append("last_event_at")
        if changed == ["last_event_at"]:
            # A repeat visit moves only the newest event's time: nothing for the audit history to record.
            save_without_history(lead, update_fields=[*changed, "updated_at"])
        elif changed:
            lead.full_clean(validate_constraints=False)
            lead.save(update_fields=[*changed, "updated_at"])
        if "account" in changed:
            mark_rollups_due([was_account, lead.account_id])

    event = LeadEvent(
        lead=lead,
        kind=kind,
        campaign=campaign,
        occurred_at=occurred_at,
        properties={"source": source, **({"by": by.get_username()} if by else {}), **properties},
    )
    event.full_clean(validate_constraints=False)
    event.save()
    request_scores([lead.pk])
    return CaptureResult(lead=lead, created=created, event=event)


def keep_submission(*, lead: Lead, campaign: Campaign | None, values: dict, at: datetime) -> FormSubmission:
    """Keep what the public form would have changed on `lead`, for a marketer to apply. One pending
    submission per lead and campaign: a newer one replaces its values (the latest thing said wins, as in
    the merge rules), so posting the form again and again cannot bury the lead's timeline."""
    pending = FormSubmission.objects.filter(lead=lead, campaign=campaign, applied_at__isnull=True).first()
    if pending is None:
        return FormSubmission.objects.create(lead=lead, campaign=campaign, values=values, submitted_at=at)
    pending.values, pending.submitted_at = values, at
    pending.save(update_fields=["values", "submitted_at"])
    return pending


@transaction.atomic
def capture_from_public_form(*, data: dict, campaign: Campaign, referrer: str = "") -> bool:
    """A visitor's submission of the public form (validated by CaptureForm): captured through the anonymous
    door, and, when they ticked the consent box, a double opt-in asked for. Returns whether the visitor has
    a confirmation email to look for (the box was ticked and the lead had not consented yet)."""
    from leads.services import consent  # consent's emails are sent by tasks, which import this module

    contact = {name: value for name, value in data.items() if name not in ("consent", "website")}
    with as_relay(PUBLIC_FORM):  # a visitor, not a user: the audit history names the door
        result = capture_lead(
            data=contact,
            source=CaptureSource.WEB_FORM,
            campaign=campaign,
            event_kind=EventKind.FORM_SUBMIT,
            properties={"referrer": one_line(referrer, 500)},
        )
    if not data.get("consent") or result.lead.marketing_consent:
        return False
    consent.request_confirmation(lead=result.lead, campaign=campaign)
    return True


@transaction.atomic
def apply_form_submission(*, lead: Lead, submission_id: int, by) -> FormSubmission:
    """Apply what a visitor submitted on the public form to the lead, as an edit by `by` (a marketer or a
    manager): the authenticated door's rules, so a non-empty value replaces the stored one and the
    submission's campaign becomes the latest touch. Recorded in the audit history and on the timeline."""
    submission = FormSubmission.objects.select_for_update().filter(pk=submission_id, lead=lead).first()
    if submission is None:
        raise ValidationError("This submission does not exist.")
    if submission.applied_at is not None:
        raise ValidationError("This submission was already applied.")
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    values = dict(submission.values)
    changed = merge_contact(lead, clean_contact({name: values.get(name) for name in CONTACT_FIELDS}))
    slug = values.get("latest_touch_campaign")
    if slug:
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is not None and lead.latest_touch_campaign_id != campaign.pk:
            lead.latest_touch_campaign = campaign
            changed.append("latest_touch_campaign")
    if changed:
        lead.full_clean(validate_constraints=False)
        lead.save(update_fields=[*changed, "updated_at"])
        request_scores([lead.pk])
    submission.applied_at = timezone.now()
    submission.applied_by = by
    submission.save(update_fields=["applied_at", "applied_by"])
    return submission


def link_account(lead: Lead, *, account: Company | None = None, company_domain: str = "", relink=False) -> list[str]:
    """Give `lead` its company: `account` when given, else the one `company_for` finds for its
    `company_domain`, email and typed company. A lead that has a company keeps it unless `relink` (a known
    door) and an `account` or a `company_domain` say otherwise. Returns ["account"] when it changed."""
    if lead.account_id is not None and not (relink and (account is not None or company_domain)):
        return []
    if account is None:
        account = company_for(hint=CompanyHint.of(lead, domain=company_domain))
    if account is None or account.pk == lead.account_id:
        return []
    lead.account = account
    return ["account"]


def _apply_consent(lead, consent, source, campaign, at) -> list[str]:
    if consent is None:
        return []
    lead.marketing_consent = consent
    lead.consent_at = at
    lead.consent_source = consent_source_label(source, campaign)
    return ["marketing_consent", "consent_at", "consent_source"]


@transaction.atomic
def update_lead(*, lead: Lead, data: dict, by) -> Lead:
    """Save a lead edited by hand. Here a blank does clear a field: the user chose to remove it.

    A change of the consent box is recorded as an answer given by hand, now. An `account` in `data` is the
    company chosen by hand (None: none); without it, a lead without a company is linked to the one its email
    or typed company names.
    """
    before, was_account = Lead.objects.values_list("marketing_consent", "account").get(pk=lead.pk)
    for name, value in data.items():
        setattr(lead, name, value)
    if "company_size" in data:
        lead.company_size = normalize_company_size(lead.company_size)
    if "account" not in data:
        link_account(lead)  # after the size is normalised: a company created here starts with it
    if lead.marketing_consent != before:
        lead.consent_at = timezone.now()
        lead.consent_source = fit_to(Lead, "consent_source", f"{CaptureSource.MANUAL.label} by {by.get_username()}")
    lead.full_clean()
    lead.save()
    if lead.account_id != was_account:
        mark_rollups_due([was_account, lead.account_id])
    request_scores([lead.pk])
    return lead
