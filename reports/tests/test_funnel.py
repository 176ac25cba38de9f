import datetime
from decimal import Decimal

import pytest

from reports import funnel
from reports.filters import ReportFilters

pytestmark = pytest.mark.django_db

OCT = ReportFilters(date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2026, 10, 31), preset="custom")


def by_stage(report):
    return {row["stage"]: row for row in report["stages"]}


def test_funnel_counts_each_stage_the_october_cohort_reached(funnel_data):
    report = funnel.funnel_report(OCT)
    assert report["cohort"] == 6
    assert [row["reached"] for row in report["stages"]] == [6, 5, 4, 2, 2, 1]


def test_stage_conversion_is_next_stage_over_this_stage(funnel_data):
    stages = by_stage(funnel.funnel_report(OCT))
    assert stages["subscriber"]["conversion"] == Decimal(5) / Decimal(6)
    assert stages["lead"]["conversion"] == Decimal("0.8")
    assert stages["mql"]["conversion"] == Decimal("0.5")
    assert stages["sql"]["conversion"] == Decimal(1)
    assert stages["opportunity"]["conversion"] == Decimal("0.5")
    assert stages["customer"]["conversion"] is None
    assert funnel.funnel_report(OCT)["overall_conversion"] == Decimal(1) / Decimal(6)


def test_median_days_between_stages_takes_the_middle_of_the_cohort(funnel_data):
    stages = by_stage(funnel.funnel_report(OCT))
    assert stages["subscriber"]["median_days"] == 0  # created as leads
    assert stages["lead"]["median_days"] == 2.5  # 2, 2, 3, 4 days: mean of the middle two
    assert stages["mql"]["median_days"] == 1.5  # 1 and 2 days
    assert stages["sql"]["median_days"] == 3  # 2 and 4 days
    assert stages["opportunity"]["median_days"] == 10  # a single customer
    assert stages["customer"]["median_days"] is None


def test_drop_off_counts_who_stopped_at_each_stage_and_through_which_exit(funnel_data):
    stages = by_stage(funnel.funnel_report(OCT))
    assert [stages[s]["dropped"] for s in ("subscriber", "lead", "mql", "sql", "opportunity")] == [1, 1, 2, 0, 1]
    assert stages["mql"]["left_nurture"] == 1
    assert stages["mql"]["left_disqualified"] == 1
    assert stages["lead"]["left_nurture"] == stages["lead"]["left_disqualified"] == 0


def test_previous_period_of_the_same_length_and_the_deltas(funnel_data):
    report = funnel.funnel_report(OCT)
    assert report["previous_period"] == {"date_from": datetime.date(2026, 8, 31), "date_to": datetime.date(2026, 9, 30)}
    stages = by_stage(report)
    assert [row["previous_reached"] for row in report["stages"]] == [1, 1, 1, 0, 0, 0]
    assert stages["subscriber"]["reached_delta"] == 5
    assert stages["lead"]["previous_conversion"] == Decimal(1)
    assert stages["lead"]["conversion_delta"] == Decimal("-0.2")
    assert stages["mql"]["previous_conversion"] == Decimal(0)
    assert stages["sql"]["previous_conversion"] is None  # nobody reached sql in September
    assert stages["sql"]["conversion_delta"] is None


def test_split_by_channel_gives_one_row_per_channel(funnel_data):
    groups = {group["label"]: group for group in funnel.funnel_by_group(OCT, "channel")}
    assert set(groups) == {"Events / webinar", "Paid search", "Content / SEO"}
    assert list(groups["Events / webinar"]["reached"].values()) == [3, 3, 2, 2, 2, 1]
    assert list(groups["Paid search"]["reached"].values()) == [2, 2, 2, 0, 0, 0]
    assert list(groups["Content / SEO"]["reached"].values()) == [1, 0, 0, 0, 0, 0]
    assert groups["Events / webinar"]["conversion"] == Decimal(1) / Decimal(3)
    assert groups["Paid search"]["conversion"] == Decimal(0)


def test_split_by_campaign_uses_the_first_touch_campaign(funnel_data):
    groups = {group["label"]: group["reached"]["subscriber"] for group in funnel.funnel_by_group(OCT, "campaign")}
    assert groups == {"Spring webinar": 3, funnel_data.b.name: 2, "No campaign": 1}


def test_channel_campaign_and_owner_filters_narrow_the_cohort(funnel_data, rep):
    from dataclasses import replace

    assert funnel.funnel_report(replace(OCT, channel="paid_search"))["cohort"] == 2
    assert funnel.funnel_report(replace(OCT, channel="content"))["cohort"] == 1
    assert funnel.funnel_report(replace(OCT, campaign_id=funnel_data.a.pk))["cohort"] == 3
    assert funnel.funnel_report(replace(OCT, owner_id=rep.pk))["cohort"] == 2


def test_an_empty_period_has_zero_counts_and_no_ratios(funnel_data):
    empty = ReportFilters(date_from=datetime.date(2025, 1, 1), date_to=datetime.date(2025, 1, 31))
    report = funnel.funnel_report(empty)
    assert report["cohort"] == 0
    assert report["overall_conversion"] is None
    assert all(row["conversion"] is None and row["median_days"] is None for row in report["stages"])
    assert funnel.funnel_by_group(empty, "channel") == []
