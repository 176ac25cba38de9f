"""Shared pieces of the fuzz tests (test_api_schema_fuzz.py, test_hostile_input_properties.py): how many examples,
hostile values, and a tally of the requests sent per endpoint and of their 5xx answers.

FUZZ_EXAMPLES sets the examples per operation or page (CI's default keeps each suite's fuzzing near a minute);
FUZZ_REPORT names a file the tallies are appended to, as JSON lines, which `python -m crm.tests.fuzzing FILE`
adds up per endpoint:

    FUZZ_EXAMPLES=400 FUZZ_REPORT=/tmp/fuzz.jsonl pytest crm/tests/test_api_schema_fuzz.py \\
        crm/tests/test_hostile_input_properties.py && python -m crm.tests.fuzzing /tmp/fuzz.jsonl
"""

import base64
import datetime
import json
import os
import sys
import traceback
from collections import defaultdict

from django.core.signals import got_request_exception
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,  # the same examples on every run in CI; a longer run by hand explores further
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Values that broke Relay once or sit on an edge: integers past what the columns hold (and digits int() refuses),
# dates Python or a time zone cannot move past, months and cursors of every shape.
NUMBER_EDGES = [
    *["", " ", "0", "-1", "1", "1.5", "1e400", "-1e400", "NaN", "inf", "²", "٣"],
    *[str(2**31 - 1), str(2**31), str(2**63 - 1), str(2**63), str(2**64), "9" * 40, "9" * 5000],
]
DATE_EDGES = [
    *["0001-01-01", "9999-12-31", "0000-01-01", "10000-01-01", "1899-12-31", "2201-01-01", "2024-02-30"],
    *["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59.999999Z"],
    *["99999999999999999999-01", "9999-12", "0001-01", "0-1", "2026-13"],
]
CURSOR_EDGES = [
    *["x_1", "0001-01-01T00:00:00+14:00_1", "9999-12-31T23:59:59-14:00_1", f"2026-01-01T00:00:00_{2**64}"],
    *[base64.b64encode(f"p={edge}".encode()).decode() for edge in ["x", *DATE_EDGES, str(2**64)]],
]
EDGES = [*NUMBER_EDGES, *DATE_EDGES, *CURSOR_EDGES, "mine", "team", "custom", "csv", "<script>", "\x00"]
ZONES = st.sampled_from(
    [datetime.UTC, datetime.timezone(datetime.timedelta(hours=14)), datetime.timezone(datetime.timedelta(hours=-14))]
)
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
DATES = st.dates().map(datetime.date.isoformat)  # years 1 to 9999
TIMES = st.datetimes(timezones=st.none() | ZONES).map(datetime.datetime.isoformat)
NUMBERS = st.integers(min_value=-(2**70), max_value=2**70).map(str)
# DRF cursors ("o=offset&r=reverse&p=position", base64) and the lead page's ("position_id").
CURSORS = st.one_of(
    st.builds(
        lambda position, offset, reverse: base64.b64encode(f"o={offset}&r={reverse}&p={position}".encode()).decode(),
        st.one_of(TIMES, DATES, NUMBERS, TEXT),
        NUMBERS,
        st.sampled_from(["0", "1", "x"]),
    ),
    st.builds(lambda position, pk: f"{position}_{pk}", st.one_of(TIMES, NUMBERS, TEXT), NUMBERS),
)
HOSTILE = st.one_of(st.sampled_from(EDGES), NUMBERS, DATES, TIMES, TEXT, CURSORS)
# Days within a year of the first or the last one Python has: a day or a time zone more and they overflow.
EARLY_OR_LATE = st.one_of(
    st.dates(max_value=datetime.date(1, 12, 31)), st.dates(min_value=datetime.date(9999, 1, 1))
).map(datetime.date.isoformat)
MONTHS = st.builds(
    lambda year, month: f"{year}-{month:02d}",
    st.one_of(st.integers(min_value=-1, max_value=10_001), st.integers(min_value=-(10**25), max_value=10**25)),
    st.integers(min_value=-1, max_value=13),
)
# A parameter's values, by what its name says it holds: its own edges first, then anything hostile.
KINDS = {
    "month": st.one_of(st.sampled_from(DATE_EDGES), MONTHS, HOSTILE),
    "date": st.one_of(st.sampled_from(DATE_EDGES), EARLY_OR_LATE, DATES, TIMES, HOSTILE),
    "cursor": st.one_of(st.sampled_from(CURSOR_EDGES), CURSORS, HOSTILE),
    "number": st.one_of(st.sampled_from(NUMBER_EDGES), NUMBERS, HOSTILE),
}


def values_for(name: str):
    if "month" in name:
        return KINDS["month"]
    if any(part in name for part in ("date", "created", "_from", "_to")):
        return KINDS["date"]
    if name in ("cursor", "after", "before"):
        return KINDS["cursor"]
    return KINDS["number"]


def custom_period(first: datetime.date, days: int) -> dict:
    last = first + datetime.timedelta(days=min(days, (datetime.date.max - first).days))
    return {"period": "custom", "date_from": first.isoformat(), "date_to": last.isoformat()}


# A report's custom period that the form's own checks let through (From before To, at most 3 years), at the
# edges of the calendar: only the bounds on the dates stop it.
PERIODS = st.builds(
    custom_period,
    st.one_of(st.dates(max_value=datetime.date(1, 12, 31)), st.dates(min_value=datetime.date(9996, 1, 1)), st.dates()),
    st.integers(min_value=0, max_value=1200),
)


def query_strings(names: list[str]):
    """Query parameters: any of `names`, each with values of its kind (a whole custom period where there is
    one), and a few more, repeated or unknown."""
    known = st.fixed_dictionaries({}, optional={name: values_for(name) for name in names})
    if {"date_from", "date_to"} <= set(names):
        known = st.one_of(known, st.builds(lambda params, period: {**params, **period}, known, PERIODS))
    more = st.lists(st.tuples(st.sampled_from([*names, "page", "sort", "format"]), HOSTILE), max_size=2)
    return st.builds(lambda params, extra: [*params.items(), *extra], known, more)


def json_values():
    """Any JSON value, with hostile strings and numbers among the leaves."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        HOSTILE,
    )
    containers = lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3)  # noqa: E731
    return st.recursive(leaves, containers, max_leaves=8)


class ServerErrors:
    """The exception of the last request that raised one (Django's got_request_exception), with its traceback."""

    def __init__(self):
        self.last = ""

    def remember(self, sender, **kwargs):
        kind, error, trace = sys.exc_info()
        self.last = f"{kind.__name__}: {error}\n" + "".join(traceback.format_tb(trace)[-3:])

    def __enter__(self):
        got_request_exception.connect(self.remember)
        return self

    def __exit__(self, *exc_info):
        got_request_exception.disconnect(self.remember)


class Tally:
    """Requests sent per endpoint and their 5xx; appended to FUZZ_REPORT (JSON lines) when set."""

    def __init__(self):
        self.counts = defaultdict(lambda: [0, 0])

    def record(self, endpoint: str, status: int) -> bool:
        """Count an answer; False when it is a 5xx."""
        counts = self.counts[endpoint]
        counts[0] += 1
        counts[1] += status >= 500
        return status < 500

    def save(self, test: str) -> None:
        path = os.environ.get("FUZZ_REPORT")
        if not path:
            return
        with open(path, "a") as report:
            for endpoint, (tried, errors) in sorted(self.counts.items()):
                report.write(json.dumps({"test": test, "endpoint": endpoint, "tried": tried, "5xx": errors}) + "\n")


def summary(path: str) -> str:
    """The tallies of a FUZZ_REPORT file added up per endpoint, as a table."""
    totals = defaultdict(lambda: [0, 0])
    with open(path) as report:
        for line in report:
            row = json.loads(line)
            for index, name in enumerate(("tried", "5xx")):
                totals[row["endpoint"]][index] += row[name]
    width = max(len(endpoint) for endpoint in totals)
    lines = [f"{'endpoint':<{width}}  {'inputs':>7}  {'5xx':>4}"]
    rows = [(endpoint, *counts) for endpoint, counts in sorted(totals.items())]
    rows.append(("all", *(sum(column) for column in zip(*totals.values(), strict=True))))
    lines += [f"{name:<{width}}  {tried:>7}  {errors:>4}" for name, tried, errors in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(summary(sys.argv[1]) + "\n")
