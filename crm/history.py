"""Who changed what on a campaign, lead or deal: the audit trail managers read on each record's page.

django-simple-history stores a copy of the row on every `save()`, with the signed-in user (through
`HistoryRequestMiddleware`; None for Relay: a worker, a command, or work run `crm.actors.as_relay`, whose
part is the row's change reason). Set-based writes — imports (bulk_create, bulk_update), the SQL
rescoring, board re-ordering (QuerySet.update), the benchmark's and the demo's generators — store none by
design: they are the hot paths, and what they change is derived or recorded elsewhere (events, stage
changes). Each model's `HistoricalRecords(excluded_fields=...)` leaves its derived fields out.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models
from django.utils import formats, timezone

from crm.actors import actor_name
from crm.people import display_name
from crm.roles import is_manager

AUDIT_ENTRIES = 20
# Saves that touched only excluded fields leave rows identical to the one before; read a few more rows
# than we show so that those do not shorten the list.
ROWS_READ = AUDIT_ENTRIES * 3
EMPTY = "—"


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
