"""SQL building blocks the report selectors share: durations between two timestamps and their medians.

Medians are computed in the database: on PostgreSQL with percentile_cont; on SQLite a window function numbers
the rows of each group in order of the value and counts them, and only the middle row (odd count) or the two
middle rows (even count) of each group leave the database; their mean is the median. Nothing loads every row.
"""

import datetime

from django.db import connections
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Func, Q, Value
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

NO_GROUP = "__all__"


def duration(end, start) -> ExpressionWrapper:
    """`end - start` for two datetime expressions (or field names), as an interval."""
    end = F(end) if isinstance(end, str) else end
    start = F(start) if isinstance(start, str) else start
    return ExpressionWrapper(end - start, output_field=DurationField())


class Hours(Func):
    """A whole number of hours (an integer expression) as an interval, to add to a timestamp: PostgreSQL's
    make_interval; SQLite keeps an interval as its microseconds."""

    arity = 1
    output_field = DurationField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="make_interval(hours => %(expressions)s)", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s * 3600000000)", **extra_context)


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5), an ordered-set aggregate: one sort, NULLs skipped, and for an even
    count the mean of the two middle values, as the window-function version computes it."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def _on_postgresql(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def medians(queryset, value, *, group=None) -> dict:
    """The median of `value` (an expression) over `queryset`, per value of `group` (a field path), in one
    query. Rows where `value` is NULL are left out. Without `group` the result has the single key NO_GROUP.
    Returns {group value: median}; a group without rows is absent.

    On PostgreSQL percentile_cont skips NULLs itself, so the rows are not filtered on `value`: a filter
    would compute `value` (often a subquery) a second time for every row. A group whose values are all
    NULL comes back with a NULL median and is dropped."""
    if _on_postgresql(queryset):
        rows = queryset.annotate(_value=value)
        median = Median("_value", output_field=value.output_field)
        if not group:
            found = rows.aggregate(median=median)["median"]
            return {} if found is None else {NO_GROUP: found}
        found = rows.values(group).annotate(median=median).values_list(group, "median").order_by()
        return {key: middle for key, middle in found if middle is not None}
    partition = [F(group)] if group else []
    rows = (
        queryset.annotate(_value=value)
        .filter(_value__isnull=False)
        .annotate(
            _group=F(group) if group else Value(NO_GROUP),
            _position=Window(RowNumber(), partition_by=partition or None, order_by=[F("_value").asc(), F("pk").asc()]),
            _count=Window(Count("pk"), partition_by=partition or None),
        )
        .filter(Q(_position=(F("_count") + 1) / 2) | Q(_position=(F("_count") + 2) / 2))
        .values_list("_group", "_value")
        .order_by()
    )
    middles: dict = {}
    for key, middle in rows:
        middles.setdefault(key, []).append(middle)
    return {key: _mean(values) for key, values in middles.items()}


def medians_with_overall(queryset, value, *, group: str) -> dict:
    """`medians` per value of `group` (never NULL) and, under NO_GROUP, over every row: one query on
    PostgreSQL (GROUP BY ROLLUP, so the rows are read once; NULLs skipped by percentile_cont, as in
    `medians`), two on SQLite."""
    if not _on_postgresql(queryset):
        return {**medians(queryset, value, group=group), **medians(queryset, value)}
    rows = queryset.annotate(_value=value).values_list(group, "_value").order_by()
    sql, params = rows.query.sql_with_params()
    rolled_up = f"""
        SELECT grouped.g, percentile_cont(0.5) WITHIN GROUP (ORDER BY grouped.v)
        FROM ({sql}) AS grouped (g, v) GROUP BY ROLLUP (grouped.g)
    """  # noqa: S608 - the inner SQL is the ORM's, its values are parameters
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(rolled_up, params)
        return {NO_GROUP if key is None else key: middle for key, middle in cursor.fetchall() if middle is not None}


def medians_of(queryset, values: dict) -> dict:
    """The median of each named expression of `values` over `queryset`, in one query (one scan, one window
    per expression; NULLs sort last and are not counted). Returns {name: median or None}."""
    if _on_postgresql(queryset):
        return queryset.aggregate(
            **{name: Median(value, output_field=value.output_field) for name, value in values.items()}
        )
    annotations, middle = {}, Q(pk__in=[])
    for index, value in enumerate(values.values()):
        annotations[f"_v{index}"] = value
    windows = {}
    for index in range(len(values)):
        value = F(f"_v{index}")
        windows[f"_p{index}"] = Window(RowNumber(), order_by=[value.asc(nulls_last=True), F("pk").asc()])
        windows[f"_n{index}"] = Window(Count(f"_v{index}"))
        count = F(f"_n{index}")
        middle |= Q(**{f"_p{index}": (count + 1) / 2}) | Q(**{f"_p{index}": (count + 2) / 2})
    fields = [f"_{kind}{index}" for index in range(len(values)) for kind in "vpn"]
    rows = queryset.annotate(**annotations).annotate(**windows).filter(middle).values_list(*fields).order_by()
    found: dict[int, list] = {index: [] for index in range(len(values))}
    for row in rows:
        for index in range(len(values)):
            value, position, count = row[3 * index : 3 * index + 3]
            if value is not None and position in ((count + 1) // 2, (count + 2) // 2):
                found[index].append(value)
    return {name: _mean(found[index]) if found[index] else None for index, name in enumerate(values)}


def median(queryset, value):
    """The median of `value` over the whole queryset, or None when no row has a value."""
    return medians(queryset, value).get(NO_GROUP)


def _mean(values):
    if isinstance(values[0], datetime.timedelta):
        return sum(values, datetime.timedelta()) / len(values)
    return sum(values) / len(values)


def days(interval: datetime.timedelta | None) -> float | None:
    """An interval in days (fractional), None stays None."""
    return None if interval is None else interval.total_seconds() / 86400


def hours(interval: datetime.timedelta | None) -> float | None:
    return None if interval is None else interval.total_seconds() / 3600
