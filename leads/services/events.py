"""Engagement events: checked, stored set-based (one statement on PostgreSQL), and swept when their lead is deleted."""

import functools
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Campaign
from crm.bulk_insert import existing_ids, insert_rows, upsert_clause
from crm.prepared import Prepared
from leads.models import (
    EVENT_PROPERTIES_MAX_BYTES,
    EVENT_PROPERTIES_MAX_DEPTH,
    Lead,
    LeadEvent,
    ScoreRequest,
    email_key,
)
from leads.scoring.queue import SCORE_REQUEST_COLUMNS, request_scores

EVENT_COLUMNS = ["lead_id", "kind", "campaign_id", "occurred_at", "properties", "external_id", "created_at"]


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


def record_events(*, items: list[dict]) -> EventBatchResult:
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
