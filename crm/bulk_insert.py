"""Plain multi-row INSERTs, and COPY on PostgreSQL, for the two hot paths that write hundreds of thousands
of rows (CSV import and demo/benchmark data). Django's bulk_create prepares every value of every row
through its field classes, which costs more than the database's own work at that scale; here values are
adapted once, by type.
"""

import io
import itertools
import json
import operator
from datetime import date, datetime

from django.db import connection, models

from crm.bounds import MAX_ID

CHUNK = 500


def insert_rows(
    table: str,
    columns: list[str],
    rows,
    *,
    returning: str = "",
    ignore_conflicts: bool = False,
    update_on_conflict: str = "",
    chunk: int = CHUNK,
) -> list:
    """INSERT already-adapted `rows`, `chunk` per statement; with `returning` (a column, e.g. "id"), that
    column of each inserted row, in row order (with several columns, "a, b", a tuple per row). With
    `ignore_conflicts`, a row that would break a unique constraint is skipped (and not returned). With
    `update_on_conflict` (a unique column), a row whose key is already stored updates the other columns of
    that row instead (an upsert; keys must not repeat)."""
    ids, rows = [], iter(rows)
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if update_on_conflict:
        suffix = upsert_clause(update_on_conflict, columns)
    suffix += f" RETURNING {returning}" if returning else ""
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, chunk)):
            values = values_placeholders(len(columns), len(batch))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}{suffix}"  # noqa: S608 - no user input
            cursor.execute(sql, [value for row in batch for value in row])
            if returning:
                ids += [row if "," in returning else row[0] for row in cursor.fetchall()]
    return ids


def values_placeholders(width: int, count: int) -> str:
    """The parameter markers of a VALUES list of `count` rows, `width` columns each: "(%s, %s), (%s, %s)"."""
    row = "(" + ", ".join(["%s"] * width) + ")"
    return ", ".join([row] * count)


def upsert_clause(key: str, columns) -> str:
    """ON CONFLICT on the unique column `key`: the stored row takes the incoming value of every other column."""
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns if column != key)
    return f" ON CONFLICT ({key}) DO UPDATE SET {updates}"


def existing_ids(model, ids) -> set[int]:
    """Which of `ids` are primary keys of `model`'s rows, in plain SQL (`CHUNK` ids per statement). An id past
    what the column holds is no row's, and is not sent: SQLite cannot bind it (a 500)."""
    table, pk = model._meta.db_table, model._meta.pk.column
    found, ids = set(), iter(sorted(value for value in ids if 1 <= value <= MAX_ID))
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(ids, CHUNK)):
            placeholders = ", ".join(["%s"] * len(batch))
            cursor.execute(f"SELECT {pk} FROM {table} WHERE {pk} IN ({placeholders})", batch)  # noqa: S608
            found.update(row[0] for row in cursor.fetchall())
    return found


def insert_objects(objects: list) -> None:
    """Insert unsaved model instances of one model and set their primary keys (like bulk_create, faster).

    Every concrete column is written from the instance as it is, so defaults must already be applied
    (they are when the instance was built with the model's constructor).
    """
    if not objects:
        return
    meta = objects[0]._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    adapt = connection.ops.adapt_datetimefield_value

    # How to read each column's value, decided once per field rather than once per value.
    def reader(field):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return lambda instance: adapt(field.pre_save(instance, True))
        attname = field.attname
        if isinstance(field, models.DateTimeField):
            return lambda instance: adapt(getattr(instance, attname))
        if isinstance(field, models.JSONField):
            return lambda instance: json.dumps(getattr(instance, attname))
        return operator.attrgetter(attname)

    readers = [reader(field) for field in fields]
    rows = ([read(instance) for read in readers] for instance in objects)
    columns = [field.column for field in fields]
    if connection.vendor == "postgresql":
        # COPY returns nothing: the primary keys are taken from the table's sequence first.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objects)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        copy_rows(meta.db_table, [meta.pk.column, *columns], ([pk, *row] for pk, row in zip(ids, rows, strict=True)))
    else:
        ids = insert_rows(meta.db_table, columns, rows, returning="id")
    for instance, pk in zip(objects, ids, strict=True):
        instance.pk = pk
        instance._state.adding = False


# COPY's text format: columns split by tabs, rows by newlines, NULL written \N, and a backslash escapes.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    kind = type(value)
    if kind is str:  # most values: returned as they are unless they hold a character to escape
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)
        return value
    convert = _COPY_TEXT.get(kind)
    return convert(value) if convert else str(value).translate(_COPY_ESCAPES)


_COPY_TEXT = {
    type(None): lambda value: "\\N",
    int: str,
    bool: lambda value: "t" if value else "f",
    datetime: datetime.isoformat,
    date: date.isoformat,
    dict: lambda value: json.dumps(value).translate(_COPY_ESCAPES),
    list: lambda value: json.dumps(value).translate(_COPY_ESCAPES),
}


def copy_rows(table: str, columns: list[str], rows) -> None:
    """PostgreSQL only: load `rows` (sequences of plain values in `columns` order: text, numbers, booleans,
    dates and times, None, dicts and lists for JSON columns) into `table` with one COPY. For thousands of
    rows with nothing to return it is about a third cheaper than a multi-row INSERT, which the database
    has to parse and plan. A unique or other constraint broken by any row fails the whole COPY with
    Django's IntegrityError, as an INSERT would."""
    buffer = io.StringIO()
    buffer.writelines("\t".join([_copy_text(value) for value in row]) + "\n" for row in rows)
    buffer.seek(0)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN", buffer)


def instance_builder(model, **common):
    """A fast constructor of unsaved `model` instances sharing the `common` values: `build(email=...)`,
    other values given by attname.

    `Model(**kwargs)` looks up the default of every field it was not given, per instance; a positional
    call with a prepared row skips that and is about 3× faster, which counts when an import builds a
    hundred thousand leads. Callable defaults (dict, timezone.now) are still called for each instance.
    """
    fields = model._meta.concrete_fields
    template = model(**common)
    base = [getattr(template, field.attname) for field in fields]
    position = {field.attname: index for index, field in enumerate(fields)}
    fresh = [
        (index, field.default)
        for index, field in enumerate(fields)
        if field.name not in common and field.attname not in common and field.has_default() and callable(field.default)
    ]

    def build(**values):
        row = base.copy()
        for index, default in fresh:
            row[index] = default()
        for attname, value in values.items():
            row[position[attname]] = value
        return model(*row)

    return build
