import io
from datetime import timedelta

import pytest
from django.utils import timezone

from crm.demo import seed_users
from deals.tests.factories import DealFactory, stage_named
from goals import demo
from goals.models import Metric, PeriodKind, Target, period_start
from goals.selectors import previous_period
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_demo_targets_are_this_and_last_months_from_the_demos_volumes_and_added_once():
    users = seed_users()
    now = timezone.now()
    LeadFactory.create_batch(27, mql_at=now - timedelta(days=10))  # 9 a month, 10 with the stretch
    DealFactory(owner=users["rep1"], amount=30_000, stage=stage_named("Closed won"), closed_at=now)
    demo.seed(users=users, stdout=io.StringIO())
    this_month = period_start(timezone.localdate(), PeriodKind.MONTH)
    for start in (this_month, previous_period(this_month, PeriodKind.MONTH)):
        targets = Target.objects.filter(period_start=start)
        assert targets.get(metric=Metric.MQLS, channel="").value == 10
        assert targets.get(metric=Metric.REVENUE, rep=None).value == 11_000
        assert targets.get(metric=Metric.REVENUE, rep=users["rep1"]).value == 11_000
        assert not targets.filter(rep=users["rep2"]).exists()  # closed nothing: no quota to stretch
    out = io.StringIO()
    demo.seed(users=users, stdout=out)
    assert "already there" in out.getvalue()
    assert Target.objects.filter(period_start=this_month, metric=Metric.MQLS, channel="").count() == 1
