"""Who changed what on a campaign, lead or deal: the audit trail managers read on each record's page.

django-simple-history stores a copy of the row on every `save()`, with the signed-in user (through
`HistoryRequestMiddleware`; None for Relay: a worker, a command, or work run `crm.actors.as_relay`, whose
part is the row's change reason). Set-based writes — imports (bulk_create, bulk_update), the SQL
rescoring, board re-ordering (QuerySet.update), the benchmark's and the demo's generators — store none by
design: they are the hot paths, and what they change is derived or recorded elsewhere (events, stage
changes). Each model's `HistoricalRecords(excluded_fields=...)` leaves its derived fields out.

A record written set-based has no history row, so its first change would have nothing to diff against.
Instead of writing a row per record at creation (a second copy of every lead an import or the benchmark
writes), the first `save()` of a record without history first keeps a baseline: its stored values before
the change (`keep_baseline`: one INSERT … SELECT, which writes nothing when the record has history). The
panel diffs against it and does not list it.
"""

import functools
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connections, models, router
from django.utils import formats, timezone

from crm.actors import actor_name
from crm.people import display_name
from crm.roles import is_manager

AUDIT_ENTRIES = 20
# Saves that touched only excluded fields leave rows identical to the one before; read a few more rows
# than we show so that those do not shorten the list.
ROWS_READ = AUDIT_ENTRIES * 3
EMPTY = "—"
# The change reason of a baseline row (`keep_baseline`): a record's values before its first recorded change.
BASELINE = "values before the first recorded change"


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class AuditEntry:
    at: datetime
    by: object  # the user, or None for Relay
    action: str
    changes: list[FieldChange] = field(default_factory=list)
    part: str | None = None  # the part of Relay that made it, when no user did and it is known

    @property
    def actor(self) -> str:
        return actor_name(self.by, self.part)


def save_without_history(instance: models.Model, **save_kwargs) -> None:
    """`instance.save(**save_kwargs)` without an audit row: for saves that change only excluded fields."""
    instance.skip_history_when_saving = True  # django-simple-history checks that the attribute exists
    try:
        instance.save(**save_kwargs)
    finally:
        del instance.skip_history_when_saving


def keep_baseline(sender, instance, raw=False, update_fields=None, using=None, **kwargs) -> None:
    """`pre_save` of a model with history: before the first recorded change of a record that has no history
    (written set-based), store its values as they are in the database, so that the change shows what it
    changed. One statement, the first time an instance saves a tracked field; none after (its record has
    history from then on). A save of untracked fields only (a card dragged on the board) needs none: its
    own row holds the same tracked values."""
    if raw or hasattr(instance, "skip_history_when_saving") or getattr(instance, "_has_history", False):
        return
    if instance._state.adding or instance.pk is None:
        instance._has_history = True  # its save records it as created
        return
    tracked = getattr(sender, sender._meta.simple_history_manager_attribute).model.tracked_fields
    if update_fields is not None and not {f.name for f in tracked} & set(update_fields):
        return
    connection = connections[using or router.db_for_write(sender, instance=instance)]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_baseline_sql(sender, connection.vendor), [now, BASELINE, instance.pk, instance.pk])
    instance._has_history = True


@functools.cache
def _baseline_sql(model, vendor: str) -> str:
    """INSERT a baseline row (`keep_baseline`) for the record whose id is the 3rd and 4th parameters, copied
    from its table, unless its history has a row already; the 1st and 2nd are its date and change reason."""
    historical = getattr(model, model._meta.simple_history_manager_attribute).model
    quote = connections[router.db_for_write(model)].ops.quote_name
    columns = ", ".join(quote(f.column) for f in historical.tracked_fields)
    meta = historical._meta
    history_columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    )
    history_table, table = quote(meta.db_table), quote(model._meta.db_table)
    record_id = quote(meta.get_field(model._meta.pk.attname).column)
    return (
        f"INSERT INTO {history_table} ({columns}, {history_columns})"  # noqa: S608 - names from the models
        f" SELECT {columns}, %s, %s, '~', NULL FROM {table} WHERE {quote(model._meta.pk.column)} = %s"
        f" AND NOT EXISTS (SELECT 1 FROM {history_table} WHERE {record_id} = %s)"
    )


def audit_context(user, record: models.Model) -> dict:
    """The History panel's context for a record page: the trail for managers; for others, nothing at all."""
    return {"audit": audit_trail(record) if is_manager(user) else None, "audit_limit": AUDIT_ENTRIES}


def audit_trail(record: models.Model, *, limit: int = AUDIT_ENTRIES) -> list[AuditEntry]:
    """The newest `limit` changes of `record`, newest first, each with its field diffs (old → new).

    Reads the history in one query and the related rows it names (owners, stages, campaigns) in one
    query per related model, whatever the number of entries.
    """
    rows = list(record.history.select_related("history_user").order_by("-history_date", "-history_id")[: ROWS_READ + 1])
    entries, diffs = [], []
    for index, newer in enumerate(rows):
        older = rows[index + 1] if index + 1 < len(rows) else None
        part = newer.history_change_reason if newer.history_user_id is None else None
        if newer.history_change_reason == BASELINE:
            continue  # what the record held before: only a base for the next row's diff
        if newer.history_type == "+":
            entries.append(AuditEntry(at=newer.history_date, by=newer.history_user, action="Created", part=part))
            diffs.append([])
        elif older is not None:
            changes = newer.diff_against(older).changes
            if changes or newer.history_type == "-":
                action = "Deleted" if newer.history_type == "-" else "Changed"
                entries.append(AuditEntry(at=newer.history_date, by=newer.history_user, action=action, part=part))
                diffs.append(changes)
        if len(entries) == limit:
            break
    labels = _related_labels(type(record), [change for changes in diffs for change in changes])
    for entry, changes in zip(entries, diffs, strict=True):
        entry.changes = [_field_change(type(record), change, labels) for change in changes]
    return entries


def _related_labels(model, changes) -> dict[tuple[type, object], str]:
    """`str()` of every related row the changes point to, one query per related model."""
    wanted: dict[type, set] = {}
    for change in changes:
        model_field = model._meta.get_field(change.field)
        if model_field.is_relation:
            ids = {value for value in (change.old, change.new) if value is not None}
            wanted.setdefault(model_field.related_model, set()).update(ids)
    labels = {}
    for related, ids in wanted.items():
        for pk, row in related._base_manager.in_bulk(ids).items():
            labels[related, pk] = display_name(row) if hasattr(row, "get_full_name") else str(row)
    return labels


def _field_change(model, change, labels) -> FieldChange:
    model_field = model._meta.get_field(change.field)
    return FieldChange(
        label=str(model_field.verbose_name).capitalize(),
        old=_shown(model_field, change.old, labels),
        new=_shown(model_field, change.new, labels),
    )


def _shown(model_field, value, labels) -> str:
    """A value as the record's page would show it: choice labels, names of related rows, local times."""
    if value is None or value == "":
        return EMPTY
    if model_field.is_relation:
        return labels.get((model_field.related_model, value), f"#{value} (deleted)")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)
