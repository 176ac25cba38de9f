"""Migration helpers shared by the apps.

SQLite cannot add a NOT NULL column or a constraint in place: Django rebuilds the table (a new table, a
copy, a drop, a rename). Triggers on the table vanish with it, and a trigger on another table whose body
names it stops the rename ("error in trigger …: no such table"). Relay's report triggers
(reports/triggers.py) are both kinds for the leads, deals and hand-over tables, so a migration that
rebuilds one of them wraps its operations in `keeping_sqlite_triggers`: the triggers that name the table
are dropped first and created again, from their own stored SQL, afterwards. Other databases alter in
place; there the wrapper does nothing.
"""

from django.db import migrations

_dropped: dict[tuple[str, ...], list[tuple[str, str]]] = {}


def keeping_sqlite_triggers(tables: tuple[str, ...], *operations) -> list:
    """`operations`, preceded by dropping the SQLite triggers whose SQL names one of `tables` and followed by
    creating them again (in both directions of the migration)."""
    key = tuple(tables)

    def drop(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            triggers = [(name, sql) for name, sql in cursor.fetchall() if any(table in sql for table in key)]
        for name, _sql in triggers:
            schema_editor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}", params=None)
        _dropped[key] = triggers

    def restore(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for _name, sql in _dropped.pop(key, []):
            schema_editor.execute(sql, params=None)

    return [migrations.RunPython(drop, restore), *operations, migrations.RunPython(restore, drop)]
