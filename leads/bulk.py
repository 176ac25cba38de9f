"""Plain multi-row INSERTs for the two hot paths that write hundreds of thousands of rows (CSV import and
demo/benchmark data). Django's bulk_create prepares every value of every row through its field classes,
which costs more than the database's own work at that scale; here values are adapted once, by type.
"""

import itertools
import json
from datetime import datetime

from django.db import connection

CHUNK = 500


def insert_rows(table: str, columns: list[str], rows, *, returning: bool = False, chunk: int = CHUNK) -> list[int]:
    """INSERT already-adapted `rows`, `chunk` per statement; with `returning`, the new ids in row order."""
    ids, rows = [], iter(rows)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    suffix = " RETURNING id" if returning else ""
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, chunk)):
            values = ", ".join([placeholders] * len(batch))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}{suffix}"  # noqa: S608 - no user input
            cursor.execute(sql, [value for row in batch for value in row])
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    return ids


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

    def value(instance, field):
        raw = field.pre_save(instance, True)  # applies auto_now / auto_now_add
        if isinstance(raw, datetime):
            return adapt(raw)
        if isinstance(raw, dict | list):
            return json.dumps(raw)
        return raw

    rows = ([value(instance, field) for field in fields] for instance in objects)
    ids = insert_rows(meta.db_table, [field.column for field in fields], rows, returning=True)
    for instance, pk in zip(objects, ids, strict=True):
        instance.pk = pk
        instance._state.adding = False
