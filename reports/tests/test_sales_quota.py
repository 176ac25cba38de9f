"""The sales report's quota attainment (revenue won ÷ the revenue target of the period, from goals) and its
average deal size and sales cycle against the previous period of the same length.

October 2026 (31 days; the previous period is 31 Aug – 30 Sep):
  rep won 4,000 (1 → 11 Oct: 10 days) and 6,000 (5 → 25 Oct: 20 days); other rep won 2,000 (10 → 14 Oct: 4 days)
  → revenue 12,000, average 4,000, median cycle 10 days.
  September: rep won 3,000 (1 → 7 Sep: 6 days) → average 3,000, cycle 6: changes +1,000 and +4 days.
Targets: October, team 15,000 and rep 8,000; Q4, team 50,000.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from deals.tests.factories import DealFactory, stage_named
from goals.models import Metric, PeriodKind, Target
from reports import sales
from reports.filters import ReportFilters

pytestmark = pytest.mark.django_db
OCT = ReportFilters(date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2026, 10, 31), preset="custom")
Q4 = ReportFilters(date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2026, 12, 31), preset="custom")


def at(month: int, day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, month, day, 12))  # noqa: DTZ001 - in the site time zone


@pytest.fixture
def won(rep, other_rep):
    for owner, amount, created, closed in (
        (rep, "4000", at(10, 1), at(10, 11)),
        (rep, "6000", at(10, 5), at(10, 25)),
        (other_rep, "2000", at(10, 10), at(10, 14)),
        (rep, "3000", at(9, 1), at(9, 7)),
    ):
        DealFactory(
            owner=owner, stage=stage_named("Closed won"), amount=Decimal(amount), created_at=created, closed_at=closed
        )


@pytest.fixture
def targets(rep, manager):
    def target(value, rep=None, kind=PeriodKind.MONTH):
        Target.objects.create(
            period_kind=kind,
            period_start=datetime.date(2026, 10, 1),
            metric=Metric.REVENUE,
            rep=rep,
            value=value,
            set_by=manager,
        )

    target(15000)
    target(8000, rep=rep)
    target(50000, kind=PeriodKind.QUARTER)


def test_attainment_of_the_team_and_each_rep_against_the_months_targets(won, targets, rep, other_rep):
    report = sales.sales_report(OCT)
    assert report["summary"]["revenue_target"] == 15000
    assert report["summary"]["quota_attainment"] == Decimal("0.8")
    reps = {row["rep_id"]: row for row in report["reps"]}
    assert reps[rep.pk]["quota_attainment"] == Decimal("1.25")
    assert reps[other_rep.pk]["quota_attainment"] is None  # no target: "—"


def test_a_quarter_is_measured_against_the_quarters_target(won, targets):
    summary = sales.sales_report(Q4)["summary"]
    assert (summary["revenue_target"], summary["quota_attainment"]) == (50000, Decimal("0.24"))


def test_without_a_target_attainment_is_unknown_not_zero(won):
    summary = sales.sales_report(OCT)["summary"]
    assert summary["revenue_target"] is None
    assert summary["quota_attainment"] is None


def test_the_owner_filter_measures_the_owner_against_their_own_quota(won, targets, rep):
    summary = sales.sales_report(ReportFilters(**{**OCT.__dict__, "owner_id": rep.pk}))["summary"]
    assert (summary["revenue_target"], summary["quota_attainment"]) == (8000, Decimal("1.25"))


def test_deal_size_and_cycle_against_the_previous_period(won):
    summary = sales.sales_report(OCT)["summary"]
    assert summary["previous_period"].date_from == datetime.date(2026, 8, 31)
    assert (summary["average_deal_size"], summary["previous_average_deal_size"]) == (4000, 3000)
    assert summary["average_deal_size_change"] == 1000
    assert (summary["sales_cycle_days"], summary["previous_sales_cycle_days"]) == (10, 6)
    assert summary["sales_cycle_days_change"] == 4


def test_the_page_shows_attainment_and_the_changes_to_a_rep_for_their_own_figures(client_for, won, targets, rep):
    html = client_for(rep).get("/reports/sales/?period=custom&date_from=2026-10-01&date_to=2026-10-31").content.decode()
    assert "Quota attainment" in html
    assert "125" in html  # 10,000 ÷ 8,000
    assert "the quota of $8,000" in html
    assert "vs previous period $3,000 (+$2,000" in html  # their average: 5,000 against 3,000


def test_the_page_says_when_there_is_no_target(client_for, manager, won):
    html = (
        client_for(manager)
        .get("/reports/sales/?period=custom&date_from=2026-10-01&date_to=2026-10-31")
        .content.decode()
    )
    assert "no revenue target for this period" in html
