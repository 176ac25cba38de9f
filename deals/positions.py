"""Where a card sits in its board column: `Deal.position`, read in the order (position, newest id first).

Positions leave gaps, so that a card placed on top, at an index or at the end takes a free number between
its neighbours and no other card is written. A column starts in the middle of the integer range
(`FIRST`) with `STEP` between cards: about a million cards fit above its first card (new deals go on
top) and as many below. Only when two neighbours leave no number free (adjacent positions, two cards
sharing one, or the edge of the range) is the column re-spaced, all of it in one UPDATE (`respace`),
evenly again. Callers lock the column first (`deals.services.lock_columns`).
"""

from django.db import connection

from deals.models import MAX_POSITION, Deal

STEP = 1024
FIRST = 2**30


def layout(cards: int) -> tuple[int, int]:
    """(first position, step) for `cards` cards spaced evenly, with room for one more at either end.

    `STEP` apart from `FIRST` on; a column too long for that (over a million cards) gets a smaller step, and
    past half the range the whole range. `respace`'s SQL computes the same."""
    wide = (MAX_POSITION - FIRST) // (cards + 2)
    if wide >= STEP:
        return FIRST, STEP
    if wide >= 2:
        return FIRST, wide
    step = MAX_POSITION // (cards + 2)
    if step < 2:
        raise OverflowError(f"{cards} cards do not fit in one column.")
    return step, step


def spaced(rank: int, cards: int) -> int:
    """The position of the card at `rank` (0: top) of a column of `cards` cards laid out evenly."""
    first, step = layout(cards)
    return first + rank * step


def between(before: int | None, after: int | None) -> int | None:
    """A free position strictly between the positions of two neighbouring cards (None: the column's top or
    end), or None when there is none. On top and at the end a step away from the neighbour while the
    range allows, else halfway to its edge; between two cards halfway."""
    if before is None and after is None:
        return FIRST
    low = -1 if before is None else before
    high = MAX_POSITION + 1 if after is None else after
    if high - low < 2:
        return None
    if before is None and after - STEP > low:
        return after - STEP
    if after is None and before + STEP < high:
        return before + STEP
    return (low + high) // 2


def respace(stage_id: int, *, exclude: int | None = None, then: int | None = None) -> int:
    """Space the cards of `stage_id`'s column evenly (`layout`), keeping their order, in one UPDATE; rows
    whose position does not change are not written. `exclude`: a card left out (the one being moved,
    which then takes a free place). `then`: another column whose cards join this one after its own, in
    their order (a deleted stage's deals; the caller moves them). Returns the number of rows written."""
    table = connection.ops.quote_name(Deal._meta.db_table)
    stages = [stage_id] if then is None else [stage_id, then]
    where = f"stage_id IN ({', '.join(['%s'] * len(stages))})"
    params: list = [*stages]
    if exclude is not None:
        where += " AND id <> %s"
        params.append(exclude)
    sql = respace_sql(table, where=where, order=f"CASE WHEN stage_id = {int(stage_id)} THEN 0 ELSE 1 END, ")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*layout_params(), *params])
        return cursor.rowcount


def layout_params() -> list[int]:
    """The geometry `respace_sql` reads, as parameters (read when called: tests shrink it)."""
    return [MAX_POSITION, FIRST, STEP]


def respace_sql(table: str, *, where: str, order: str = "", partition: str = "") -> str:
    """One UPDATE giving each card of the selected rows `layout(n)`'s position for its rank, n being the
    number of cards in its partition (one column, or every column with partition "stage_id"). Both engines
    (SQLite ≥ 3.33 for UPDATE ... FROM). Parameters: `layout_params()`, then those of `where`."""
    over = f"PARTITION BY {partition} " if partition else ""
    return f"""
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
                        ROW_NUMBER() OVER ({over}ORDER BY {order}position, id DESC) - 1 AS rank,
                        COUNT(*) OVER ({over.strip()}) AS cards,
                        %s AS max_position, %s AS first_position, %s AS step_wanted
                    FROM {table} WHERE {where}
                ) AS ranked
            ) AS sized
        ) AS spaced
        WHERE {table}.id = spaced.id AND {table}.position <> spaced.position
    """  # noqa: S608 - the table comes from the model, values are parameters
