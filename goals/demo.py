"""Demo data for `seed_demo`: this month's and last month's targets, from what the demo's funnel delivered over
its last 90 days (a tenth more than a month's share: a stretch the agreement page shows as amber or green).

The funnel's models are read through the app registry: goals sits below leads and deals."""

import math
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Sum
from django.utils import timezone

from goals.models import Metric, PeriodKind, Target, period_start
from goals.selectors import TargetKey, previous_period, quota_holders
from goals.services import set_targets

DAYS = 90
STRETCH = Decimal("1.1")


def seed(*, users, stdout):
    """Set the targets of this month and the one before unless there are targets already."""
    if Target.objects.exists():
        stdout.write("  goals: already there, nothing added")
        return
    values = demo_targets(since=timezone.now() - timedelta(days=DAYS))
    this_month = period_start(timezone.localdate(), PeriodKind.MONTH)
    for start in (previous_period(this_month, PeriodKind.MONTH), this_month):
        set_targets(by=users["manager"], period_kind=PeriodKind.MONTH, period_start=start, values=values)
    stdout.write(f"  goals: {len(values)} targets for last month and this one")


def _monthly(total, step: int) -> Decimal:
    """A month's share of a 90-day total, stretched, rounded up to `step`."""
    share = Decimal(total or 0) / (DAYS // 30) * STRETCH
    return Decimal(math.ceil(share / step) * step)


def demo_targets(*, since) -> dict[TargetKey, Decimal]:
    lead, deal = apps.get_model("leads", "Lead"), apps.get_model("deals", "Deal")
    mqls = lead.objects.filter(mql_at__gte=since)
    values: dict[TargetKey, Decimal] = {(Metric.MQLS, "", None): _monthly(mqls.count(), 5)}
    by_channel = mqls.exclude(first_touch_campaign=None).values("first_touch_campaign__channel")
    for row in by_channel.annotate(n=Count("id")).order_by():
        values[(Metric.MQLS, row["first_touch_campaign__channel"], None)] = _monthly(row["n"], 1)
    sourced = deal.objects.filter(created_at__gte=since, lead__isnull=False).aggregate(s=Sum("amount"))["s"]
    values[(Metric.SOURCED_PIPELINE, "", None)] = _monthly(sourced, 1000)
    won = deal.objects.filter(closed_at__gte=since, stage__kind="won")
    values[(Metric.REVENUE, "", None)] = _monthly(won.aggregate(s=Sum("amount"))["s"], 1000)
    reps = {row["owner"]: row["s"] for row in won.values("owner").annotate(s=Sum("amount")).order_by()}
    for rep in quota_holders().filter(pk__in=reps):  # a quota for each rep who closed something
        values[(Metric.REVENUE, "", rep.pk)] = _monthly(reps[rep.pk], 1000)
    return values
