"""Properties of the daily stats CSV upload for any file a marketer could upload: the only failure is
StatsFileUnreadable (with its message) or a refused line with its reason, and well-formed days are stored
exactly as the file says."""

import csv
import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from campaigns.models import MAX_DAILY_IMPRESSIONS, MAX_DAILY_SPEND
from campaigns.services import CSV_COLUMNS, StatsFileUnreadable, import_daily_stats_csv
from crm.tests.properties import WITH_DATABASE, rolled_back

any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=25)
numbers = st.integers(min_value=-(10**25), max_value=10**25).map(str)
amounts = st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str)
days = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 1, 1)).map(str)
cells = st.one_of(any_text, numbers, amounts, days)
# The header in any case, order and spacing (with an extra column sometimes).
headers = st.permutations([*CSV_COLUMNS, "note"]).flatmap(
    lambda names: st.tuples(*[st.sampled_from([name, f" {name.upper()} ", name.title()]) for name in names])
)


def csv_file(rows, line_end="\r\n") -> SimpleUploadedFile:
    buffer = io.StringIO(newline="")
    quoting = csv.QUOTE_MINIMAL if line_end == "\r\n" else csv.QUOTE_ALL
    csv.writer(buffer, lineterminator=line_end, quoting=quoting).writerows(rows)
    return SimpleUploadedFile("stats.csv", buffer.getvalue().encode(), content_type="text/csv")


files = st.one_of(
    st.binary(max_size=300).map(lambda content: SimpleUploadedFile("stats.csv", content)),
    st.builds(lambda header, rows: csv_file([header, *rows]), headers, st.lists(st.lists(cells, max_size=6))),
)


@WITH_DATABASE
@given(files)
@example(csv_file([CSV_COLUMNS, ["2026-01-01", str(10**20), "1", "1"]]))
@example(csv_file([CSV_COLUMNS, ["2026-01-01", "5", "1", "1e30"]]))
@example(SimpleUploadedFile("stats.csv", b"date,impressions,clicks,spend\r2026-01-01,5,1,1\r"))
@example(csv_file([CSV_COLUMNS, ["2026-01-01", "x" * 200_000, "1", "1"]]))
def test_any_upload_is_saved_or_refused_with_a_reason(campaign, upload):
    with rolled_back():
        try:
            result = import_daily_stats_csv(campaign=campaign, file=upload)
        except StatsFileUnreadable as exc:
            assert str(exc)
            return
        assert all(problems and all(problems.values()) for _line, problems in result.errors)
        assert campaign.daily_stats.count() == result.created


def well_formed_days():
    """Distinct days that happened (within ten years), clicks ≤ impressions, figures within their bounds, spend in
    cents."""
    today = timezone.localdate()
    day = st.dates(min_value=today - datetime.timedelta(days=3000), max_value=today)
    figures = st.integers(min_value=0, max_value=MAX_DAILY_IMPRESSIONS).flatmap(
        lambda impressions: st.tuples(st.just(impressions), st.integers(min_value=0, max_value=impressions))
    )
    spend = st.decimals(min_value=0, max_value=MAX_DAILY_SPEND, places=2)
    return st.dictionaries(day, st.tuples(figures, spend), min_size=1, max_size=20)


@WITH_DATABASE
@given(well_formed_days(), st.sampled_from(["\r\n", "\n", "\r"]))
def test_well_formed_days_round_trip(campaign, days, line_end):
    rows = [[day.isoformat(), impressions, clicks, spend] for day, ((impressions, clicks), spend) in days.items()]
    with rolled_back():
        result = import_daily_stats_csv(campaign=campaign, file=csv_file([CSV_COLUMNS, *rows], line_end))
        assert (result.created, result.errors) == (len(days), [])
        stored = {stat.date: ((stat.impressions, stat.clicks), stat.spend) for stat in campaign.daily_stats.all()}
        assert stored == days
