import datetime

import pytest
from django.http import QueryDict

from reports.filters import ReportFilters, filters_from_query, preset_range

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("preset", "first_day"),
    [
        ("last_30", datetime.date(2026, 10, 25)),
        ("last_90", datetime.date(2026, 8, 26)),
        ("this_month", datetime.date(2026, 11, 1)),
        ("this_quarter", datetime.date(2026, 10, 1)),
        ("this_year", datetime.date(2026, 1, 1)),
    ],
)
def test_presets_end_today_and_start_where_their_name_says(preset, first_day):
    assert preset_range(preset, TODAY) == (first_day, TODAY)


def test_period_runs_from_midnight_to_midnight_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    filters = ReportFilters(date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2026, 10, 31))
    assert filters.start.isoformat() == "2026-10-01T00:00:00-04:00"
    assert filters.end.isoformat() == "2026-11-01T00:00:00-04:00"
    assert filters.days == 31


def test_dates_without_a_period_mean_custom_dates(manager):
    _, filters = filters_from_query(QueryDict("date_from=2026-10-01&date_to=2026-10-10"), user=manager)
    assert (filters.date_from, filters.date_to, filters.days) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 10, 10),
        10,
    )


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("period=custom&date_from=2026-10-01", "date_to", "Custom dates need both a From and a To date."),
        ("period=custom&date_from=2026-10-05&date_to=2026-10-01", "date_to", "on or after the From date"),
        ("period=custom&date_from=2020-01-01&date_to=2026-10-01", "date_to", "at most"),
        ("period=custom&date_from=yesterday&date_to=2026-10-01", "date_from", "Enter a valid date."),
        ("period=fortnight", "period", "Select a valid choice."),
        ("campaign=999999", "campaign", "Select a valid choice."),
    ],
)
def test_bad_input_is_explained_on_its_field_and_the_default_period_applies(manager, query, field, message):
    form, filters = filters_from_query(QueryDict(query), user=manager)
    assert message in " ".join(form.errors[field])
    assert filters.days == 30 and filters.campaign_id is None


def test_a_rep_has_no_owner_field_and_is_always_the_owner(rep, other_rep):
    form, filters = filters_from_query(QueryDict(f"owner={other_rep.pk}"), user=rep)
    assert "owner" not in form.fields
    assert filters.owner_id == rep.pk
