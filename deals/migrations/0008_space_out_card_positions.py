"""Space out the cards of every board column, keeping each column's order (position, newest first), so
that placing a card takes a free position between its neighbours instead of shifting the column
(`deals.positions`). One UPDATE with window functions over every deal, whatever the number of columns;
rows already in place are not written. 50,000 deals in 7 columns on PostgreSQL: 4.4–6.8 s on a busy
2-core machine, mostly the table's ten indexes. Backwards: positions 0, 1, 2... per column, as before."""

from django.db import migrations

# The layout of `deals.positions` when this was written (copied: a migration keeps what it did).
MAX_POSITION = 2**31 - 1
FIRST = 2**30
STEP = 1024


def _respace(apps, schema_editor, *, first, step):
    Deal = apps.get_model("deals", "Deal")
    connection = schema_editor.connection
    table = connection.ops.quote_name(Deal._meta.db_table)
    # Per column: `step` apart from `first` on; a column too long for that (over a million cards) gets a
    # smaller step, and past half the range the whole range, as `deals.positions.layout` does.
    sql = f"""
        UPDATE {table} SET position = spaced.position
        FROM (
            SELECT id,
                CASE WHEN wide >= 2 THEN first_position ELSE whole END
                + rank * CASE WHEN wide >= step_wanted THEN step_wanted WHEN wide >= 2 THEN wide ELSE whole END
                AS position
            FROM (
                SELECT id, rank, (max_position - first_position) / (cards + 2) AS wide,
                    max_position / (cards + 2) AS whole, first_position, step_wanted
                FROM (
                    SELECT id,
                        ROW_NUMBER() OVER (PARTITION BY stage_id ORDER BY position, id DESC) - 1 AS rank,
                        COUNT(*) OVER (PARTITION BY stage_id) AS cards,
                        %s AS max_position, %s AS first_position, %s AS step_wanted
                    FROM {table}
                ) AS ranked
            ) AS sized
        ) AS spaced
        WHERE {table}.id = spaced.id AND {table}.position <> spaced.position
    """  # noqa: S608 - the table comes from the model, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [MAX_POSITION, first, step])


def space_out(apps, schema_editor):
    _respace(apps, schema_editor, first=FIRST, step=STEP)


def pack(apps, schema_editor):
    """Back to 0, 1, 2... (the previous code shifted columns by adding to every position)."""
    _respace(apps, schema_editor, first=0, step=1)


class Migration(migrations.Migration):
    dependencies = [("deals", "0007_deals_no_longer_point_at_handoffs")]

    operations = [migrations.RunPython(space_out, pack, elidable=True)]
