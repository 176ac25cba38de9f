"""Writes of the reports app that are not roll-ups: the weekly forecast snapshot."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models.functions import TruncMonth
from django.utils import timezone

from deals.models import Deal
from reports.forecast import forecast_sums
from reports.models import ForecastSnapshot
from reports.sales import HUNDRED, OPEN


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the week `day` falls in."""
    return day - datetime.timedelta(days=day.weekday())


@transaction.atomic
def snapshot_forecast(*, today: datetime.date | None = None) -> int:
    """Record this week's forecast: per owner and expected close month (this month on), the open deals'
    amount, weighted amount and category sums; returns how many owner-months it
    snapshotted (0: the week's snapshot was there). Once per week: a run that finds the
    week's snapshot does nothing (so a run on Tuesday catches up a Monday beat missed), and two runs at once
    write each row once (the unique constraint, and the second's inserts ignored)."""
    today = today or timezone.localdate()
    taken_on = week_of(today)
    if ForecastSnapshot.objects.filter(taken_on=taken_on).exists():
        return 0
    rows = (
        Deal.objects.filter(OPEN, expected_close_date__gte=today.replace(day=1))
        .values("owner_id", month=TruncMonth("expected_close_date"))
        .annotate(**forecast_sums())
        .order_by()
    )
    snapshots = [
        ForecastSnapshot(
            taken_on=taken_on,
            owner_id=row["owner_id"],
            close_month=row["month"],
            commit=row["commit"],
            best_case=row["best_case"],
            pipeline=row["pipeline"],
            omitted=row["omitted"],
            weighted=Decimal(row["weighted_x100"]) / HUNDRED,
            open_amount=row["open_amount"],
            open_deals=row["open_deals"],
        )
        for row in rows
    ]
    return len(ForecastSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True))
