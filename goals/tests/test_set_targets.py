from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from goals.models import Metric, PeriodKind, Target
from goals.selectors import period_history, previous_period, quota_reps
from goals.services import save_target, set_targets
from goals.tests.factories import TargetFactory

pytestmark = pytest.mark.django_db

DECEMBER = date(2026, 12, 1)
TEAM_MQLS = (Metric.MQLS, "", None)
TEAM_REVENUE = (Metric.REVENUE, "", None)


def values_of_period(start=DECEMBER, kind=PeriodKind.MONTH):
    return {
        (t.metric, t.channel, t.rep_id): t.value for t in Target.objects.filter(period_kind=kind, period_start=start)
    }


def test_setting_a_periods_targets_creates_changes_and_removes_them_at_once(manager, rep):
    TargetFactory(period_start=DECEMBER, metric=Metric.SOURCED_PIPELINE, value=50_000)
    TargetFactory(period_start=DECEMBER, metric=Metric.MQLS, channel="events", value=20)
    set_targets(
        by=manager,
        period_kind=PeriodKind.MONTH,
        period_start=DECEMBER,
        values={
            TEAM_MQLS: Decimal(300),
            (Metric.MQLS, "email", None): Decimal(80),
            (Metric.MQLS, "events", None): None,
            (Metric.SOURCED_PIPELINE, "", None): Decimal(60_000),
            TEAM_REVENUE: Decimal(100_000),
            (Metric.REVENUE, "", rep.pk): Decimal(40_000),
        },
    )
    assert values_of_period() == {
        TEAM_MQLS: 300,
        (Metric.MQLS, "email", None): 80,
        (Metric.SOURCED_PIPELINE, "", None): 60_000,
        TEAM_REVENUE: 100_000,
        (Metric.REVENUE, "", rep.pk): 40_000,
    }
    assert set(Target.objects.values_list("set_by", flat=True)) == {manager.pk}


def test_a_quarters_targets_are_apart_from_its_months(manager):
    set_targets(by=manager, period_kind=PeriodKind.MONTH, period_start=DECEMBER, values={TEAM_MQLS: Decimal(100)})
    quarter = date(2026, 10, 1)
    set_targets(by=manager, period_kind=PeriodKind.QUARTER, period_start=quarter, values={TEAM_MQLS: Decimal(280)})
    assert values_of_period() == {TEAM_MQLS: 100}
    assert values_of_period(quarter, PeriodKind.QUARTER) == {TEAM_MQLS: 280}


def test_a_failing_value_leaves_every_target_of_the_period_as_it_was(manager):
    TargetFactory(period_start=DECEMBER, metric=Metric.MQLS, value=300)
    with pytest.raises(ValidationError):
        set_targets(
            by=manager,
            period_kind=PeriodKind.MONTH,
            period_start=DECEMBER,
            values={TEAM_MQLS: Decimal(350), TEAM_REVENUE: Decimal(-1)},
        )
    assert values_of_period() == {TEAM_MQLS: 300}


def test_history_lists_each_change_from_and_to_with_who_and_only_real_changes(manager):
    def set_mqls(value):
        set_targets(by=manager, period_kind=PeriodKind.MONTH, period_start=DECEMBER, values={TEAM_MQLS: value})

    set_mqls(Decimal(300))
    set_mqls(Decimal(300))  # unchanged: no entry
    set_mqls(Decimal(320))
    set_mqls(None)
    changes = period_history(PeriodKind.MONTH, DECEMBER)
    assert [(c.target, c.old, c.new) for c in changes] == [
        ("MQLs delivered", "320 MQLs", "no target"),
        ("MQLs delivered", "300 MQLs", "320 MQLs"),
        ("MQLs delivered", "no target", "300 MQLs"),
    ]
    assert {c.by for c in changes} == {manager}


def test_a_second_target_for_the_same_period_metric_and_rep_is_refused_by_field(manager, rep):
    TargetFactory(period_start=DECEMBER, metric=Metric.REVENUE, rep=rep, value=10)
    duplicate = Target(period_start=DECEMBER, metric=Metric.REVENUE, rep=rep, value=20)
    with pytest.raises(ValidationError) as refused:
        save_target(by=manager, target=duplicate)
    assert "metric" in refused.value.message_dict


def test_the_previous_period_of_january_is_last_december_and_of_q1_last_q4():
    assert previous_period(date(2027, 1, 1), PeriodKind.MONTH) == date(2026, 12, 1)
    assert previous_period(date(2027, 1, 1), PeriodKind.QUARTER) == date(2026, 10, 1)
    assert previous_period(date(2026, 7, 1), PeriodKind.QUARTER) == date(2026, 4, 1)


def test_quota_rows_are_for_active_reps_and_anyone_who_holds_a_quota(rep, other_rep, manager, marketer):
    other_rep.is_active = False
    other_rep.save()
    assert list(quota_reps(PeriodKind.MONTH, DECEMBER)) == [rep]
    TargetFactory(period_start=DECEMBER, metric=Metric.REVENUE, rep=other_rep, value=5)
    assert set(quota_reps(PeriodKind.MONTH, DECEMBER)) == {rep, other_rep}
