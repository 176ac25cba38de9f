"""The forecast report on hand-worked data: per month and category, the overdue deals apart, closed won per
month, per rep and for the team, and the accuracy of past months' snapshots.

Today is Wednesday 18 Nov 2026; the period is this quarter and the next (Oct 2026 – Mar 2027).
Rep:       A Demo 40 % 10,000 commit, closes 25 Nov        → Nov: weighted 4,000
           B Proposal 60 % 5,000 best case, closes 10 Dec  → Dec: weighted 3,000
           C Qualification 10 % 2,000 pipeline, closed 10 Nov (passed) → Overdue: weighted 200
           D Negotiation 80 % 1,000 omitted, closes 5 Jan  → Jan: weighted 800
           won 3,000 on 2 Nov, won 4,500 on 20 Oct; lost (commit) and undated and May deals: not forecast
Other rep: I Discovery 20 % 4,000 commit, closes 30 Nov    → Nov: weighted 800
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from deals.tests.factories import DealFactory, stage_named
from reports.filters import ReportFilters
from reports.forecast import forecast_range, forecast_report
from reports.models import ForecastSnapshot

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 18)
PERIOD = ReportFilters(date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2027, 3, 31), preset="custom")


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def deals(rep, other_rep):
    def deal(owner, stage, amount, close=None, category="pipeline", closed=None):
        return DealFactory(
            owner=owner,
            stage=stage_named(stage),
            amount=Decimal(amount),
            expected_close_date=close,
            forecast_category=category,
            closed_at=at(closed) if closed else None,
        )

    deal(rep, "Demo", "10000", datetime.date(2026, 11, 25), "commit")
    deal(rep, "Proposal", "5000", datetime.date(2026, 12, 10), "best_case")
    deal(rep, "Qualification", "2000", datetime.date(2026, 11, 10))
    deal(rep, "Negotiation", "1000", datetime.date(2027, 1, 5), "omitted")
    deal(rep, "Closed won", "3000", datetime.date(2026, 11, 30), closed=datetime.date(2026, 11, 2))
    deal(rep, "Closed won", "4500", datetime.date(2026, 10, 31), closed=datetime.date(2026, 10, 20))
    deal(rep, "Closed lost", "9000", datetime.date(2026, 11, 20), "commit", closed=datetime.date(2026, 11, 3))
    deal(rep, "Demo", "700")
    deal(rep, "Demo", "800", datetime.date(2027, 5, 1), "commit")
    deal(other_rep, "Discovery", "4000", datetime.date(2026, 11, 30), "commit")


def row_for(rows, month):
    return next(row for row in rows if (row["overdue"] if month == "overdue" else row["month"] == month))


def test_the_default_period_is_this_quarter_and_the_next():
    assert forecast_range("this_and_next_quarter", TODAY) == (datetime.date(2026, 10, 1), datetime.date(2027, 3, 31))
    assert forecast_range("last_quarter", TODAY) == (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    assert forecast_range("next_quarter", datetime.date(2026, 12, 31)) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 3, 31),
    )


def test_team_sums_per_month_and_category(deals):
    report = forecast_report(PERIOD, today=TODAY)
    assert [row["month"] for row in report["team"]][1:] == report["months"]
    assert len(report["months"]) == 6
    november = row_for(report["team"], datetime.date(2026, 11, 1))
    assert november["open_deals"] == 2
    assert november["open_amount"] == Decimal(14000)
    assert november["weighted"] == Decimal(4800)
    assert (november["commit"], november["best_case"], november["pipeline"], november["omitted"]) == (14000, 0, 0, 0)
    assert november["won"] == Decimal(3000)
    december = row_for(report["team"], datetime.date(2026, 12, 1))
    assert (december["open_amount"], december["weighted"], december["best_case"]) == (5000, 3000, 5000)
    january = row_for(report["team"], datetime.date(2027, 1, 1))
    assert (january["omitted"], january["weighted"]) == (1000, 800)
    october = row_for(report["team"], datetime.date(2026, 10, 1))
    assert (october["open_deals"], october["won"]) == (0, 4500)


def test_overdue_deals_are_counted_apart_not_in_their_month_nor_this_one(deals):
    report = forecast_report(PERIOD, today=TODAY)
    overdue = report["team"][0]
    assert overdue["overdue"] is True
    assert (overdue["open_deals"], overdue["open_amount"], overdue["weighted"], overdue["pipeline"]) == (
        1,
        2000,
        200,
        2000,
    )
    november = row_for(report["team"], datetime.date(2026, 11, 1))
    assert november["pipeline"] == 0  # the overdue deal of 10 Nov is not in November
    assert sum(row["open_deals"] for row in report["team"]) == 5  # A, B, C, D and I; never twice


def test_a_deal_due_today_is_not_overdue(rep):
    DealFactory(owner=rep, stage=stage_named("Demo"), amount=Decimal(100), expected_close_date=TODAY)
    report = forecast_report(PERIOD, today=TODAY)
    assert report["team"][0]["open_deals"] == 0
    assert row_for(report["team"], datetime.date(2026, 11, 1))["open_deals"] == 1


def test_each_rep_has_their_own_rows(deals, rep, other_rep):
    reps = {row["rep_id"]: row["rows"] for row in forecast_report(PERIOD, today=TODAY)["reps"]}
    assert set(reps) == {rep.pk, other_rep.pk}
    assert row_for(reps[rep.pk], datetime.date(2026, 11, 1))["commit"] == 10000
    assert row_for(reps[other_rep.pk], datetime.date(2026, 11, 1))["commit"] == 4000
    assert reps[other_rep.pk][0]["open_deals"] == 0


def test_the_owner_filter_keeps_only_that_owners_figures(deals, other_rep):
    report = forecast_report(ReportFilters(**{**PERIOD.__dict__, "owner_id": other_rep.pk}), today=TODAY)
    assert [row["rep_id"] for row in report["reps"]] == [other_rep.pk]
    assert row_for(report["team"], datetime.date(2026, 11, 1))["open_amount"] == 4000


def test_accuracy_compares_each_snapshot_of_a_past_month_with_what_closed_won(deals, rep, other_rep):
    october = datetime.date(2026, 10, 1)
    snap = ForecastSnapshot.objects.create
    snap(taken_on=datetime.date(2026, 10, 5), owner=rep, close_month=october, commit=6000, best_case=2000)
    snap(taken_on=datetime.date(2026, 10, 5), owner=other_rep, close_month=october, commit=1000)
    snap(taken_on=datetime.date(2026, 10, 12), owner=rep, close_month=october, commit=3000, best_case=1000)
    snap(taken_on=datetime.date(2026, 11, 16), owner=rep, close_month=datetime.date(2026, 11, 1), commit=1)
    accuracy = forecast_report(PERIOD, today=TODAY)["accuracy"]
    assert [month["month"] for month in accuracy] == [october]  # November is not over
    first, second = accuracy[0]["snapshots"]
    assert first["taken_on"] == datetime.date(2026, 10, 5)
    assert first["team"]["commit"] == 7000
    assert first["team"]["won"] == 4500
    assert first["team"]["won_to_commit"] == Decimal(4500) / Decimal(7000)
    assert first["team"]["won_to_commit_and_best_case"] == Decimal("0.5")
    by_rep = {line["label"]: line for line in first["reps"]}
    assert by_rep[rep.get_full_name() or rep.username]["won_to_commit"] == Decimal("0.75")
    assert by_rep[rep.get_full_name() or rep.username]["won_to_commit_and_best_case"] == Decimal("0.5625")
    assert by_rep[other_rep.get_full_name() or other_rep.username]["won_to_commit"] == 0
    assert second["team"]["won_to_commit"] == Decimal("1.5")


def test_accuracy_without_a_forecast_shows_no_ratio(rep):
    ForecastSnapshot.objects.create(
        taken_on=datetime.date(2026, 10, 5), owner=rep, close_month=datetime.date(2026, 10, 1)
    )
    line = forecast_report(PERIOD, today=TODAY)["accuracy"][0]["snapshots"][0]["team"]
    assert line["won_to_commit"] is None  # "—" on the page, never a fake 0


def test_the_report_takes_a_fixed_number_of_queries(deals, django_assert_num_queries, rep):
    ForecastSnapshot.objects.create(
        taken_on=datetime.date(2026, 10, 5), owner=rep, close_month=datetime.date(2026, 10, 1)
    )
    with django_assert_num_queries(4):  # open deals, won deals, snapshots, names
        forecast_report(PERIOD, today=TODAY)
