"""Refresh the daily cohort rollups (reports.models) and tell readers which days they cannot use.

A day's rollup rows are exact when the day is not stale: every change to a lead, its deals or its
hand-overs marks the lead's creation day stale in the same transaction (reports.triggers). Readers take
the rollup for the clean days of their period and count the stale days live, so a figure never lags.
`refresh` recomputes the stale days; the beat runs it every minute, so the live part stays small.

The rollup is keyed by the day in the site's time zone, the triggers mark UTC days: a UTC day touches at
most two local days, and both count as stale.
"""

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from deals.models import Deal, Stage
from handoff.models import Handoff
from leads.models import Lead
from reports.filters import start_of_day
from reports.models import CampaignDay, FunnelDay, StaleDay

ATTRIBUTION_FIELDS = {"first": "first_touch_campaign", "last": "latest_touch_campaign"}

# How a lead counts in its campaign's figures: the live count and the rollup both use these.
LEAD_COUNTS = {
    "leads": Q(),
    "mqls": Q(mql_at__isnull=False),
    "sqls": Q(sql_at__isnull=False),
    "opportunities": Q(opportunity_at__isnull=False),
    "customers": Q(customer_at__isnull=False),
}
HANDOFF_COUNTS = {
    "mqls_accepted": Q(outcome=Handoff.Outcome.ACCEPTED),
    "mqls_rejected": Q(outcome=Handoff.Outcome.REJECTED),
}
COHORT_FIGURES = (*LEAD_COUNTS, "revenue", *HANDOFF_COUNTS)


def local_days_of(utc_days: Iterable[datetime.date]) -> set[datetime.date]:
    """The days in the site's time zone that overlap the given UTC days."""
    zone = timezone.get_current_timezone()
    days = set()
    for utc_day in utc_days:
        start = datetime.datetime.combine(utc_day, datetime.time.min, tzinfo=datetime.UTC)
        days.add(start.astimezone(zone).date())
        days.add((start + datetime.timedelta(days=1, microseconds=-1)).astimezone(zone).date())
    return days


def stale_days() -> set[datetime.date]:
    """The local days the rollups cannot answer for, which must be counted live (one query)."""
    return local_days_of(StaleDay.objects.values_list("day", flat=True).distinct().order_by())


def within(days: set[datetime.date], date_from=None, date_to=None) -> set[datetime.date]:
    return {day for day in days if (date_from is None or day >= date_from) and (date_to is None or day <= date_to)}


def created_on(days: Iterable[datetime.date], field: str = "created_at") -> Q:
    """`field` falls on one of `days` (local): one range per run of consecutive days."""
    condition = Q(pk__in=[])
    ordered = sorted(days)
    index = 0
    while index < len(ordered):
        last = index
        while last + 1 < len(ordered) and ordered[last + 1] == ordered[last] + datetime.timedelta(days=1):
            last += 1
        start, end = start_of_day(ordered[index]), start_of_day(ordered[last] + datetime.timedelta(days=1))
        condition |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
        index = last + 1
    return condition


def credited(attribution: str, prefix: str = "") -> dict:
    """What a lead's figures are grouped by: the campaign credited with the lead (None: no campaign) and,
    for a lead without one, its source channel (the channel filter of the "Unattributed" row)."""
    touch = f"{prefix}{ATTRIBUTION_FIELDS[attribution]}"
    channel = Case(When(**{f"{touch}__isnull": True}, then=F(f"{prefix}source_channel")), default=Value(""))
    return {"campaign": F(touch), "unattributed_channel": channel}


def campaign_day_rows(days: set[datetime.date] | None, attributions=tuple(ATTRIBUTION_FIELDS)) -> list[CampaignDay]:
    """The CampaignDay rows of `days` (every day when None), computed from leads, deals and hand-overs: three
    grouped queries per attribution. Leads without a campaign make the rows without one."""
    rows: dict[tuple, CampaignDay] = {}

    def add(queryset, prefix: str, attribution: str, figures: dict) -> None:
        on_days = Q() if days is None else created_on(days, f"{prefix}created_at")
        grouped = (
            queryset.filter(on_days)
            .values(day=TruncDate(f"{prefix}created_at"), **credited(attribution, prefix))
            .annotate(**figures)
            .order_by()
        )
        for values in grouped:
            key = (values.pop("campaign"), attribution, values.pop("day"), values.pop("unattributed_channel") or "")
            row = rows.setdefault(
                key, CampaignDay(campaign_id=key[0], attribution=attribution, day=key[2], source_channel=key[3])
            )
            for name, value in values.items():
                setattr(row, name, value or 0)

    won = Deal.objects.filter(stage__kind=Stage.Kind.WON, lead__isnull=False)  # a deal without a lead has no day
    for attribution in attributions:
        lead_figures = {name: Count("pk", filter=condition) for name, condition in LEAD_COUNTS.items()}
        add(Lead.objects.all(), "", attribution, lead_figures)
        add(won, "lead__", attribution, {"revenue": Sum("amount")})
        handoff_figures = {name: Count("pk", filter=condition) for name, condition in HANDOFF_COUNTS.items()}
        add(Handoff.objects.all(), "lead__", attribution, handoff_figures)
    return list(rows.values())


# The funnel rollup's flag for each stage after the first, and the lead column it summarises.
REACHED_FLAGS = {
    "reached_lead": "lead_at",
    "reached_mql": "mql_at",
    "reached_sql": "sql_at",
    "reached_opportunity": "opportunity_at",
    "reached_customer": "customer_at",
}
FUNNEL_KEYS = ("source_channel", "first_touch_campaign_id", "owner_id", "stage")


def funnel_day_rows(days: set[datetime.date] | None) -> list[FunnelDay]:
    """The FunnelDay rows of `days` (every day when None): leads counted per day and combination."""
    flags = {
        flag: ExpressionWrapper(Q(**{f"{column}__isnull": False}), output_field=BooleanField())
        for flag, column in REACHED_FLAGS.items()
    }
    grouped = (
        Lead.objects.filter(Q() if days is None else created_on(days))
        .values(*FUNNEL_KEYS, day=TruncDate("created_at"), **flags)
        .annotate(leads=Count("pk"))
        .order_by()
    )
    return [FunnelDay(**values) for values in grouped]


def _take_stale_days() -> list[datetime.date]:
    """Delete the stale marks this transaction can see and return their days. Marks written meanwhile by
    transactions not yet committed stay, so their days are refreshed next time."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {StaleDay._meta.db_table} RETURNING day")  # noqa: S608
        values = {row[0] for row in cursor.fetchall()}
    return sorted(value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value) for value in values)


def refresh(*, everything: bool = False) -> int:
    """Recompute the rollup rows of the stale days (of every day with `everything`); returns how many days."""
    with transaction.atomic():
        utc_days = _take_stale_days()
        days = None if everything else local_days_of(utc_days)
        if days == set():
            return 0
        for model, rows in ((CampaignDay, campaign_day_rows), (FunnelDay, funnel_day_rows)):
            model.objects.filter(Q() if days is None else Q(day__in=days)).delete()
            model.objects.bulk_create(rows(days), batch_size=2000)
    return FunnelDay.objects.values("day").distinct().count() if everything else len(days)
