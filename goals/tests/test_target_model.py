from datetime import date

import pytest
from django.db import IntegrityError, transaction

from goals.models import Metric, PeriodKind, Target, period_end, period_start

pytestmark = pytest.mark.django_db


def test_periods_start_on_the_first_of_their_month_or_quarter_and_end_where_the_next_begins():
    assert period_start(date(2026, 11, 17), PeriodKind.MONTH) == date(2026, 11, 1)
    assert period_start(date(2026, 11, 17), PeriodKind.QUARTER) == date(2026, 10, 1)
    assert period_end(date(2026, 12, 1), PeriodKind.MONTH) == date(2027, 1, 1)
    assert period_end(date(2026, 10, 1), PeriodKind.QUARTER) == date(2027, 1, 1)


def test_one_target_per_period_metric_channel_and_rep_the_team_included(rep, other_rep):
    def target(**fields):
        return Target.objects.create(period_start=date(2026, 12, 1), **fields)

    target(metric=Metric.REVENUE, value=100_000)
    target(metric=Metric.REVENUE, rep=rep, value=40_000)
    target(metric=Metric.REVENUE, rep=other_rep, value=60_000)
    target(metric=Metric.MQLS, value=300)
    target(metric=Metric.MQLS, channel="email", value=80)
    for duplicate in ({"metric": Metric.REVENUE}, {"metric": Metric.REVENUE, "rep": rep}, {"metric": Metric.MQLS}):
        with pytest.raises(IntegrityError), transaction.atomic():
            target(value=1, **duplicate)
    with pytest.raises(IntegrityError), transaction.atomic():
        target(metric=Metric.REVENUE, channel="email", value=1)  # channels split MQLs only
    assert Target.objects.count() == 5
