import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import timezone

from handoff.models import Handoff
from handoff.services import set_sla
from reports import sales
from reports.filters import ReportFilters

pytestmark = pytest.mark.django_db

OCT = ReportFilters(date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2026, 10, 31), preset="custom")
EMPTY = ReportFilters(date_from=datetime.date(2025, 1, 1), date_to=datetime.date(2025, 1, 31), preset="custom")


def test_win_rate_average_deal_size_and_cycle_count_deals_closed_in_the_period(funnel_data):
    summary = sales.sales_report(OCT)["summary"]
    # D10 closed in September does not count; a rejected MQL (H3, H4) never had a deal to lose.
    assert (summary["won"], summary["lost"]) == (3, 2)
    assert summary["win_rate"] == Decimal("0.6")
    assert summary["revenue"] == Decimal("20000")
    assert summary["average_deal_size"].quantize(Decimal("0.01")) == Decimal("6666.67")
    assert summary["sales_cycle_days"] == 10  # 10, 20 and 4 days


def test_pipeline_weighted_value_velocity_and_rotting_deals(funnel_data):
    summary = sales.sales_report(OCT)["summary"]
    assert summary["open_deals"] == 3
    assert summary["pipeline_value"] == Decimal("26000")
    assert summary["weighted_pipeline_value"] == Decimal("14100")  # 20,000 × 60 % + 5,000 × 40 % + 1,000 × 10 %
    assert summary["sales_velocity"].quantize(Decimal("0.01")) == Decimal("1200.00")  # 3 × 0.6 × 6,666.67 / 10
    assert summary["rotting_deals"] == 1  # D8 had an activity yesterday, D9 moved today


def test_rotting_follows_the_pipeline_setting(funnel_data):
    funnel_data.deals["D7"].stage.pipeline.__class__.objects.update(rotting_days=30)
    assert sales.sales_report(OCT)["summary"]["rotting_deals"] == 0


def test_sla_compliance_and_speed_to_lead_count_hand_overs_made_in_the_period(funnel_data):
    summary = sales.sales_report(OCT)["summary"]
    assert summary["handed_over"] == 5
    assert summary["answered_within_sla"] == 2  # 4 h and 6 h; 48 h, 25 h and a pending one are late
    assert summary["sla_compliance"] == Decimal("0.4")
    assert summary["speed_to_lead_hours"] == 15.5  # 2 h (a call before accepting), 6, 25, 48


def test_sla_compliance_judges_each_hand_over_by_the_sla_it_was_given(funnel_data, manager):
    # The MQLs answered after 25 h and 48 h were handed over under a 48-hour SLA: both were in time.
    Handoff.objects.filter(handed_at__month=10, responded_at__isnull=False).update(sla_hours=48)
    assert sales.sales_report(OCT)["summary"]["answered_within_sla"] == 4
    # A new SLA set today changes no answer of October's.
    set_sla(hours=1, effective_from=timezone.localdate(), by=manager)
    assert sales.sales_report(OCT)["summary"]["answered_within_sla"] == 4


def test_forecast_groups_open_deals_by_expected_close_month(funnel_data):
    forecast = sales.forecast_by_month(OCT, today=datetime.date(2026, 11, 30))  # both close dates ahead
    assert [(row["label"], row["deals"], row["amount"], row["weighted_amount"]) for row in forecast] == [
        ("Dec 2026", 2, Decimal("25000"), Decimal("14000")),
        ("No date", 1, Decimal("1000"), Decimal("100")),
    ]


def test_rep_table_gives_each_reps_deals_win_rate_sla_and_speed(funnel_data, rep, other_rep):
    rows = {row["rep_id"]: row for row in sales.rep_table(OCT)}
    assert set(rows) == {rep.pk, other_rep.pk}
    mine, theirs = rows[rep.pk], rows[other_rep.pk]
    assert (mine["won"], mine["lost"], mine["revenue"]) == (2, 1, Decimal("14000"))
    assert mine["win_rate"] == Decimal(2) / Decimal(3)
    assert (mine["handed_over"], mine["within_sla"]) == (3, 1)
    assert mine["speed_to_lead_hours"] == 25  # 2 h and 48 h
    assert (theirs["won"], theirs["lost"], theirs["revenue"]) == (1, 1, Decimal("6000"))
    assert theirs["win_rate"] == Decimal("0.5")  # rejecting two MQLs did not lower it
    assert theirs["sla_compliance"] == Decimal("0.5")
    assert theirs["speed_to_lead_hours"] == 15.5  # 6 h and 25 h


def test_owner_filter_keeps_only_that_reps_deals_and_hand_overs(funnel_data, rep):
    summary = sales.sales_report(replace(OCT, owner_id=rep.pk))["summary"]
    assert (summary["won"], summary["lost"], summary["handed_over"], summary["open_deals"]) == (2, 1, 3, 2)
    assert [row["rep_id"] for row in sales.rep_table(replace(OCT, owner_id=rep.pk))] == [rep.pk]


def test_an_empty_period_has_no_ratios(funnel_data):
    summary = sales.sales_report(EMPTY)["summary"]
    assert (summary["won"], summary["lost"], summary["handed_over"]) == (0, 0, 0)
    for figure in ("win_rate", "average_deal_size", "sales_cycle_days", "sales_velocity", "sla_compliance"):
        assert summary[figure] is None, figure
    assert summary["speed_to_lead_hours"] is None
    assert sales.rep_table(EMPTY) == []
