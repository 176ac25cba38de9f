"""Writes on leads: capture from every door, merge duplicates, record engagement, move stages, add notes.

Every lifecycle move goes through `change_stage`, which records it. Every door (the form at /leads/new/,
the public capture form, the API, the CSV import) creates or merges through `capture_lead` (one lead)
or the set-based merge in `leads.imports` that applies the same rules (`merge_contact`, `touch`).

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
(`leads.consent`).
"""

import functools
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from campaigns.models import Campaign
from crm.actors import PUBLIC_FORM, as_relay
from crm.history import save_without_history
from crm.prepared import Prepared
from crm.text import fit_to, one_line
from leads.bulk import existing_ids, insert_rows, upsert_clause
from leads.models import (
    EVENT_PROPERTIES_MAX_BYTES,
    EVENT_PROPERTIES_MAX_DEPTH,
    FUNNEL,
    REACHED_AT,
    CaptureSource,
    CompanySize,
    EventKind,
    FormSubmission,
    Lead,
    LeadEvent,
    LeadNote,
    LeadStageChange,
    LifecycleStage,
    ScoreRequest,
    email_key,
)

COMPANY_SIZES = frozenset(CompanySize.values)
SCORE_REQUEST_COLUMNS = ["lead_id", "ticket", "requested_at"]
EVENT_COLUMNS = ["lead_id", "kind", "campaign_id", "occurred_at", "properties", "external_id", "created_at"]

# The contact fields every door may fill; merges apply "blanks never overwrite" to exactly these.
CONTACT_FIELDS = ("first_name", "last_name", "phone", "company", "job_title", "company_size", "industry", "country")

# The doors anyone can use without signing in: they fill blanks and never replace or consent (capture_lead).
UNTRUSTED_SOURCES = frozenset({CaptureSource.WEB_FORM})

# The engagement a capture records when the caller does not say which.
DEFAULT_EVENT_KIND = {
    CaptureSource.WEB_FORM: EventKind.FORM_SUBMIT,
    CaptureSource.API: EventKind.OTHER,
    CaptureSource.IMPORT: EventKind.OTHER,
    CaptureSource.MANUAL: EventKind.OTHER,
}


class StageChangeNotAllowed(Exception):
    """A lifecycle move that the funnel's rules refuse; the message says why, for the user."""


@dataclass(frozen=True)
class CaptureResult:
    """What `capture_lead` did: the lead, whether it is new, and the event it recorded."""

    lead: Lead
    created: bool
    event: LeadEvent


@dataclass
class EventBatchResult:
    """What `record_events` did: events stored, resent events ignored, and the items refused (by index)."""

    stored: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def as_body(self) -> dict:
        """The API's answer (EventBatchResultSerializer's shape, built directly: plain numbers and lists)."""
        return {"stored": self.stored, "duplicates": self.duplicates, "failed": self.failed, "errors": self.errors}


def request_scores(lead_ids) -> None:
    """Queue `lead_ids` for a new score in the current transaction, and ring the scoring doorbell once it
    commits.

    One narrow upsert per lead (a `ScoreRequest` with a fresh ticket), not a write of the lead row: nothing
    is lost while the broker is down, since the `score_stale_leads` sweep scores every queued lead.
    """
    from leads import tasks  # tasks import this module

    ids = sorted(set(lead_ids))  # sorted: concurrent batches lock their requests in one order
    if not ids:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = ((lead_id, secrets.randbits(62), now) for lead_id in ids)
    insert_rows(ScoreRequest._meta.db_table, SCORE_REQUEST_COLUMNS, rows, update_on_conflict="lead_id")
    transaction.on_commit(tasks.ring_scoring, robust=True)


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


def check_properties(properties) -> dict:
    """Event properties must be a JSON object of at most EVENT_PROPERTIES_MAX_BYTES once encoded, nested at
    most EVENT_PROPERTIES_MAX_DEPTH levels, whose texts a database can store (`unstorable_text`)."""
    properties = properties or {}
    if not isinstance(properties, dict):
        raise ValidationError({"properties": "Properties must be a JSON object."})
    problem = unstorable_text(properties)
    if problem:
        raise ValidationError({"properties": problem})
    if len(json.dumps(properties, default=str)) > EVENT_PROPERTIES_MAX_BYTES:
        raise ValidationError({"properties": f"Properties are limited to {EVENT_PROPERTIES_MAX_BYTES} bytes of JSON."})
    return properties


def unstorable_text(value) -> str:
    """Why the JSON value `value` cannot be stored, or "" when it can.

    PostgreSQL refuses a NUL character (\\u0000) in JSON and in text, and a text holding half of a UTF-16
    surrogate pair (\\ud800–\\udfff, which a JSON document may spell but which is not a character) cannot
    even be encoded to send it: either fails the whole statement, and with it every good event of the
    batch. The walk is iterative and bounded in depth, so a deeply nested document cannot exhaust the stack.
    """
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > EVENT_PROPERTIES_MAX_DEPTH:
            return f"Properties can be nested at most {EVENT_PROPERTIES_MAX_DEPTH} levels deep."
        if isinstance(item, dict):
            stack.extend((part, depth + 1) for pair in item.items() for part in pair)
        elif isinstance(item, list):
            stack.extend((part, depth + 1) for part in item)
        elif isinstance(item, str):
            if "\x00" in item:
                return "Text cannot contain the NUL character (\\u0000)."
            try:
                item.encode()
            except UnicodeEncodeError:
                return "Text cannot contain half of a UTF-16 surrogate pair (\\ud800–\\udfff)."
    return ""


# Events are refused when dated outside this window: an event more than a day ahead of the server's clock
# would never decay and would freeze the lead's latest touch; one before 1970 is a broken clock or field.
EVENT_TIME_LEEWAY = timedelta(days=1)
EARLIEST_EVENT = datetime(1970, 1, 1, tzinfo=UTC)


def check_event_time(occurred_at: datetime, now: datetime | None = None) -> datetime:
    """`occurred_at`, if it lies between 1970 and a day ahead of now; else a ValidationError on the field."""
    now = now or timezone.now()
    if occurred_at > now + EVENT_TIME_LEEWAY:
        message = f"An event cannot be dated more than a day ahead of the server's clock ({now:%Y-%m-%d %H:%M} UTC)."
        raise ValidationError({"occurred_at": message})
    if occurred_at < EARLIEST_EVENT:
        raise ValidationError({"occurred_at": "An event cannot be dated before 1970."})
    return occurred_at


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
) -> CaptureResult:
    """Create the lead for `data["email"]` or merge into the one that has it, and record the event.

    The single entry point of every door, so the merge rules (module docstring) hold everywhere. Two
    captures of the same new email at the same moment cannot make two leads: the database refuses the
    second insert (unique `email_key`), and the loser merges into the winner's row, locked.

    The anonymous door (UNTRUSTED_SOURCES: the public form) is held to less: on a known lead it only fills
    blanks, keeps what it would have replaced as a `FormSubmission` for a marketer to apply, and never
    sets consent (`consent` must be None: the form asks for a double opt-in instead, `leads.consent`).
    """
    email = (data.get("email") or "").strip()
    if not email:
        raise ValidationError({"email": "An email address is required."})
    if source not in CaptureSource.values:
        raise ValidationError({"source": f"Unknown capture source: {source}."})
    trusted = source not in UNTRUSTED_SOURCES
    if not trusted and consent is not None:
        raise ValueError("The anonymous door never sets consent: ask for a double opt-in instead.")
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
        lead.last_event_at = occurred_at
        lead.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                lead.save(force_insert=True)
            created = True
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
        if lead.last_event_at is None or occurred_at > lead.last_event_at:
            lead.last_event_at = occurred_at
            changed.append("last_event_at")
        if changed == ["last_event_at"]:
            # A repeat visit moves only the newest event's time: nothing for the audit history to record.
            save_without_history(lead, update_fields=[*changed, "updated_at"])
        elif changed:
            lead.full_clean(validate_constraints=False)
            lead.save(update_fields=[*changed, "updated_at"])

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
    from leads import consent  # consent's emails are sent by tasks, which import this module

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

    A change of the consent box is recorded as an answer given by hand, now.
    """
    before = Lead.objects.only("marketing_consent").get(pk=lead.pk).marketing_consent
    for name, value in data.items():
        setattr(lead, name, value)
    if "company_size" in data:
        lead.company_size = normalize_company_size(lead.company_size)
    if lead.marketing_consent != before:
        lead.consent_at = timezone.now()
        lead.consent_source = fit_to(Lead, "consent_source", f"{CaptureSource.MANUAL.label} by {by.get_username()}")
    lead.full_clean()
    lead.save()
    request_scores([lead.pk])
    return lead


def add_note(*, lead: Lead, author, body: str) -> LeadNote:
    """Add a note to a lead; sales notes are how marketing hears what happened to the leads it sent."""
    note = LeadNote(lead=lead, author=author, body=body.strip())
    note.full_clean()
    note.save()
    return note


def assign_owner(*, lead_ids, owner, by=None) -> int:
    """Give the selected leads to `owner` (a manager's bulk reassignment) in one UPDATE; returns how many."""
    return Lead.objects.filter(pk__in=lead_ids).update(owner=owner, updated_at=timezone.now())


@transaction.atomic
def change_stages(*, lead_ids, to: str, by, reason: str = "", note: str = "") -> int:
    """Move the selected leads (a page at most) to `to`, each through `change_stage` so each is recorded.

    All or nothing: one refused move (e.g. backwards without a reason) refuses the whole selection.
    """
    moved = 0
    for lead in Lead.objects.select_for_update().filter(pk__in=lead_ids):
        moved += change_stage(lead=lead, to=to, by=by, reason=reason, note=note)
    return moved


class StoredEvents(NamedTuple):
    """What `store_events` did with its rows."""

    stored: list[tuple[int, str]]  # (lead, external_id) of each row that went in
    missing: list[int]  # the positions (in the rows given) of the rows whose lead does not exist

    @property
    def lead_ids(self) -> list[int]:
        return [lead_id for lead_id, _external_id in self.stored]


def store_events(rows: list[tuple]) -> StoredEvents:
    """Insert event `rows` (EVENT_COLUMNS, adapted) whose lead exists, and queue their leads for scoring.
    An event whose external_id is already stored for its lead (a resent delivery, a resend racing this
    batch, or a repeat earlier in `rows`) is skipped by the unique index. The lead row is not written here:
    scoring sets its score and `last_event_at` together, soon after.

    On PostgreSQL one prepared statement (`store_events_statement`) checks the leads and writes both tables,
    atomic without a transaction block: an event from the API then costs one round trip to the database
    instead of five (the leads, BEGIN, the events, the score requests, COMMIT), which is most of the
    server's work for a single event. The rows go in as one array per column, so the statement has nine
    parameters whatever their number, and the batch is not split: it stays all or nothing.
    """
    if not rows:
        return StoredEvents([], [])
    if connection.vendor != "postgresql":
        known = existing_ids(Lead, {row[0] for row in rows})
        missing = [position for position, row in enumerate(rows) if row[0] not in known]
        kept = [row for row in rows if row[0] in known]
        with transaction.atomic():
            stored = insert_rows(
                LeadEvent._meta.db_table,
                EVENT_COLUMNS,
                kept,
                returning="lead_id, external_id",
                ignore_conflicts=True,
            )
            request_scores(lead_id for lead_id, _external_id in stored)
        return StoredEvents(stored, missing)
    from leads import tasks  # tasks import this module

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        columns = [list(column) for column in zip(*rows, strict=True)]
        store_events_statement().execute(cursor, [*columns, secrets.randbits(62), now])
        result = cursor.fetchall()
    stored = [(lead_id, external_id) for lead_id, external_id, missing in result if missing is None]
    if stored:
        transaction.on_commit(tasks.ring_scoring, robust=True)
    return StoredEvents(stored, [missing for _lead, _external_id, missing in result if missing is not None])


@functools.cache
def store_events_statement() -> Prepared:
    """The PostgreSQL statement of `store_events`. The events arrive as one array per column (so that one
    prepared statement serves every batch size) and go in, in order, if their lead exists and their
    external_id is not stored for that lead. Each lead with a new event gets a score request with a fresh
    ticket (one for the whole statement: a renewed request only has to differ from the ticket a scoring run
    read), written in lead order as `request_scores` writes them, so that concurrent batches take their
    locks in one order. It returns a row (lead id, external id, NULL) for each event stored and (NULL, NULL,
    position) for each whose lead does not exist."""
    events, requests = LeadEvent._meta, ScoreRequest._meta
    db_types = {field.column: field.db_type(connection) for field in events.concrete_fields}
    columns = ", ".join(EVENT_COLUMNS)
    arrays = ", ".join(["%s"] * len(EVENT_COLUMNS))
    leads = Lead._meta.db_table
    sql = f"""
        WITH incoming AS (
            SELECT event.*, EXISTS (SELECT 1 FROM {leads} lead WHERE lead.id = event.lead_id) AS known
            FROM unnest({arrays}) WITH ORDINALITY AS event ({columns}, ordinal)
        ),
        stored AS (
            INSERT INTO {events.db_table} ({columns}) SELECT {columns} FROM incoming WHERE known ORDER BY ordinal
            ON CONFLICT DO NOTHING RETURNING lead_id, external_id
        ),
        requested AS (
            INSERT INTO {requests.db_table} ({", ".join(SCORE_REQUEST_COLUMNS)})
            SELECT DISTINCT lead_id, %s, %s FROM stored ORDER BY lead_id
            {upsert_clause("lead_id", SCORE_REQUEST_COLUMNS)}
        )
        SELECT lead_id, external_id, NULL FROM stored
        UNION ALL
        SELECT NULL, NULL, ordinal - 1 FROM incoming WHERE NOT known
    """  # noqa: S608 - table and column names only; every value is a parameter
    types = tuple(f"{db_types[column]}[]" for column in EVENT_COLUMNS) + ("bigint", db_types["created_at"])
    return Prepared("relay_store_events", sql, types)


def database_now() -> datetime:
    """The database server's clock (the one `transactions_open_since` compares with); elsewhere, ours."""
    if connection.vendor != "postgresql":
        return timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def transactions_open_since(moment: datetime) -> bool:
    """Whether another client session has a transaction that began at or before `moment` (PostgreSQL; on
    SQLite, which runs one writer at a time, never). Such a transaction may have read a lead as existing
    before `moment` and write about it later. Autovacuum and other server processes do not count."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        # The activity view is read once per transaction unless told otherwise: read it now.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND xact_start <= %s)",
            [moment],
        )
        return cursor.fetchone()[0]


def delete_left_behind(lead_ids) -> int:
    """Delete the events and score requests of those of `lead_ids` that no longer exist: rows a batch wrote
    after the lead's deletion had cascaded (there is no database constraint to refuse them, see
    LeadEvent.lead). Returns the number of events deleted."""
    gone = set(lead_ids) - existing_ids(Lead, lead_ids)
    if not gone:
        return 0
    ScoreRequest.objects.filter(lead_id__in=gone).delete()
    deleted, _ = LeadEvent.objects.filter(lead_id__in=gone).delete()
    return deleted


def unknown_lead(lead_id) -> dict:
    """The field error of an event whose lead id is not a lead's, wherever the event was refused."""
    return {"lead": [f"No lead with id {lead_id}."]}


def record_events(*, items: list[dict], by=None) -> EventBatchResult:
    """Store a batch of engagement events, set-based: the good ones are kept, the bad ones reported.

    Each item is a dict with `index` (its position in the request), `lead` (an id) or `email`, `kind`,
    optional `occurred_at`, `campaign` (a slug), `properties` and `external_id`. Items are looked up in a
    handful of queries whatever the batch size. An `external_id` names an event of its lead: an event
    whose external_id its lead already has (or that repeats one earlier in the batch) is a resent delivery
    and is ignored, unless it says something else (another kind, or another time it gives explicitly):
    then it is refused, with the field, rather than dropped in silence. Events do not create leads: an
    unknown lead id or email is an error (capture the lead first).
    """
    result = EventBatchResult()
    now = timezone.now()
    keys = {email_key(item["email"]) for item in items if not item.get("lead") and item.get("email")}
    slugs = {item["campaign"] for item in items if item.get("campaign")}
    id_by_key = dict(Lead.objects.with_email_keys(keys).values_list("email_key", "pk")) if keys else {}
    campaign_ids = dict(Campaign.objects.filter(slug__in=slugs).values_list("slug", "pk")) if slugs else {}

    rows, sent, refused = [], [], []
    adapt_time = connection.ops.adapt_datetimefield_value
    for item in items:
        problems = {}
        lead_id = item.get("lead")
        if not lead_id:
            lead_id = id_by_key.get(email_key(item.get("email") or ""))
            if lead_id is None:
                problems["email"] = ["No lead with this email; create it with POST /api/v1/leads/ first."]
        slug = item.get("campaign")
        if slug and slug not in campaign_ids:
            problems["campaign"] = [f"No campaign with slug {slug!r}."]
        if problems:
            refused.append((item, problems))
            continue
        properties = json.dumps(item["properties"]) if item.get("properties") else "{}"
        occurred_at = adapt_time(item.get("occurred_at") or now)
        external_id = item.get("external_id") or ""
        rows.append(
            (lead_id, item["kind"], campaign_ids.get(slug), occurred_at, properties, external_id, adapt_time(now))
        )
        sent.append(item)
    stored = store_events(rows)
    result.stored = len(stored.stored)
    for position in stored.missing:
        result.errors.append({"index": sent[position]["index"], "errors": unknown_lead(rows[position][0])})
    conflicts = _external_id_conflicts(rows, sent, stored)
    result.errors += conflicts
    result.duplicates = len(rows) - len(stored.stored) - len(stored.missing) - len(conflicts)
    # An item refused for its email or campaign hears about its lead id too: one more query, only then.
    known = existing_ids(Lead, {item["lead"] for item, _ in refused if item.get("lead")})
    for item, problems in refused:
        if item.get("lead") and item["lead"] not in known:
            problems = {**unknown_lead(item["lead"]), **problems}
        result.errors.append({"index": item["index"], "errors": problems})
    result.errors.sort(key=lambda error: error["index"])
    return result


def _external_id_conflicts(rows, sent, stored: StoredEvents) -> list[dict]:
    """The errors of the rows that were not stored because their lead already has their external_id, and
    that differ from the stored event: another kind, or another time given explicitly. One query, only when
    some row with an external_id was not stored."""
    missing, went_in = set(stored.missing), set(stored.stored)
    skipped = []
    for position, row in enumerate(rows):
        pair = (row[0], row[5])
        if not row[5] or position in missing:
            continue
        if pair in went_in:
            went_in.discard(pair)  # its first row in the batch went in; a repeat of it did not
        else:
            skipped.append(position)
    if not skipped:
        return []
    pairs = {(rows[position][0], rows[position][5]) for position in skipped}
    known = LeadEvent.objects.with_external_ids(
        {lead_id for lead_id, _ in pairs}, {external_id for _, external_id in pairs}
    )
    original = {
        (lead_id, external_id): (kind, occurred_at)
        for lead_id, external_id, kind, occurred_at in known.order_by("id").values_list(
            "lead_id", "external_id", "kind", "occurred_at"
        )
        if (lead_id, external_id) in pairs
    }
    errors = []
    for position in skipped:
        item, (lead_id, kind, *_rest) = sent[position], rows[position]
        stored_kind, stored_at = original.get((lead_id, item["external_id"]), (kind, None))
        given_at = item.get("occurred_at")
        if stored_kind != kind or (given_at is not None and stored_at is not None and given_at != stored_at):
            message = (
                f"This lead already has an event with external_id {item['external_id']!r}, of another kind or time "
                "(a resend must repeat the event; a new event needs an id of its own)."
            )
            errors.append({"index": item["index"], "errors": {"external_id": [message]}})
    return errors


def is_backward(from_stage: str, to_stage: str) -> bool:
    """Moving down the funnel (e.g. opportunity → sql, customer → anything) rather than forward or aside."""
    if from_stage in FUNNEL and to_stage in FUNNEL:
        return FUNNEL.index(to_stage) < FUNNEL.index(from_stage)
    return from_stage == LifecycleStage.CUSTOMER


@transaction.atomic
def change_stage(*, lead: Lead, to: str, by=None, reason: str = "", note: str = "", at=None) -> bool:
    """Move `lead` to lifecycle stage `to` and record who, when, from, to and why.

    Forward moves and side exits (nurture, disqualified) need no reason; a move back down the funnel does,
    so that a lead never moves backwards silently. Reaching a funnel stage also marks the stages before it
    as reached (a subscriber handed over as an MQL has reached `lead` too). Returns False when the lead
    is already in `to` (nothing is recorded twice).
    """
    if to not in LifecycleStage.values:
        raise StageChangeNotAllowed(f"Unknown lifecycle stage: {to}.")
    if lead.stage == to:
        return False
    if is_backward(lead.stage, to) and not (reason or note):
        raise StageChangeNotAllowed(
            f"Moving a lead back from {LifecycleStage(lead.stage).label} to {LifecycleStage(to).label} needs a reason."
        )
    at = at or timezone.now()
    from_stage = lead.stage
    lead.stage = to
    changed = ["stage", "updated_at"]
    if to in FUNNEL:
        for stage in FUNNEL[1 : FUNNEL.index(to) + 1]:
            field = REACHED_AT[stage]
            if getattr(lead, field) is None:
                setattr(lead, field, at)
                changed.append(field)
    lead.save(update_fields=changed)
    LeadStageChange.objects.create(
        lead=lead, from_stage=from_stage, to_stage=to, by=by, reason=reason, note=note, at=at
    )
    return True
