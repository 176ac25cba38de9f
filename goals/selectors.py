"""Reads of targets: a period's targets, the reps a quota form lists, and who changed which target when."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Q

from campaigns.models import Channel
from crm.people import display_name
from crm.roles import SALES_REP
from crm.templatetags.relay import money
from goals.models import Metric, PeriodKind, Target, period_start

HISTORY_ENTRIES = 50

# A target's place on the targets form: (metric, channel, rep id); "" and None for the total and the team.
TargetKey = tuple[str, str, int | None]


def key_of(target) -> TargetKey:
    return (target.metric, target.channel, target.rep_id)


def previous_period(start: date, kind: str) -> date:
    """The first day of the month or quarter before the one starting on `start`."""
    months = 3 if kind == PeriodKind.QUARTER else 1
    month = start.month - 1 - months
    return date(start.year + month // 12, month % 12 + 1, 1)


def recent_periods(today: date, kind: str, *, back: int = 12, ahead: int = 4) -> list[date]:
    """The periods a picker offers: `ahead` periods to come, this one, and `back` past ones, latest first."""
    months = 3 if kind == PeriodKind.QUARTER else 1
    start = period_start(today, kind)
    first = start.year * 12 + start.month - 1 + ahead * months
    return [date((first - i * months) // 12, (first - i * months) % 12 + 1, 1) for i in range(ahead + back + 1)]


def targets_of_period(kind: str, start: date):
    return Target.objects.filter(period_kind=kind, period_start=start).select_related("rep", "set_by")


def quota_holders():
    """Who may hold a revenue quota: the active sales reps."""
    return get_user_model().objects.filter(groups__name=SALES_REP, is_active=True).order_by("first_name", "username")


def quota_reps(kind: str, start: date):
    """The reps a period's quota rows are for: every active sales rep, and anyone holding a quota in it."""
    holders = Target.objects.filter(period_kind=kind, period_start=start, rep__isnull=False).values("rep")
    reps = Q(groups__name=SALES_REP, is_active=True) | Q(pk__in=holders)
    return get_user_model().objects.filter(reps).distinct().order_by("first_name", "username")


@dataclass
class TargetChange:
    at: datetime
    by: object
    target: str
    old: str
    new: str


def shown_value(metric: str, value) -> str:
    """A target's value as pages show it: "300 MQLs", "$250,000", or "no target"."""
    if value is None:
        return "no target"
    return f"{value:,.0f} MQLs" if metric == Metric.MQLS else money(value)


def target_label(metric: str, channel: str, rep) -> str:
    """ "MQLs delivered (Email)", "Revenue (quota): Ann Lee", "Revenue (quota): team"."""
    label = Metric(metric).label
    if channel:
        return f"{label} ({Channel(channel).label})"
    if metric == Metric.REVENUE:
        return f"{label}: {display_name(rep) if rep else 'team'}"
    return label


def period_history(kind: str, start: date, *, limit: int = HISTORY_ENTRIES) -> list[TargetChange]:
    """The latest changes to a period's targets, each from → to, newest first."""
    rows = (
        Target.history.filter(period_kind=kind, period_start=start)
        .select_related("history_user", "rep")
        .order_by("history_date", "history_id")
    )
    last_value, changes = {}, []
    for row in rows:
        old = last_value.get(row.id)
        new = None if row.history_type == "-" else row.value
        last_value[row.id] = new
        if old == new:
            continue
        label = target_label(row.metric, row.channel, row.rep)
        label = target_label(row.metric, row.channel, row.rep)
        shown = (shown_value(row.metric, value) for value in (old, new))
        changes.append(TargetChange(row.history_date, row.history_user, label, *shown))
    return changes[::-1][:limit]


def period_label(kind: str, start: date) -> str:
    """ "December 2026", "Q4 2026"."""
    if kind == PeriodKind.QUARTER:
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"{start:%B %Y}"


def listed_targets(kind: str, start: date) -> list[Target]:
    """A period's targets as the targets page lists them: marketing's first, reps by name, each labelled."""
    listed = list(targets_of_period(kind, start).order_by("metric", "channel", "rep__first_name", "rep__username"))
    for target in listed:
        target.label = target_label(target.metric, target.channel, target.rep)
        target.shown_value = shown_value(target.metric, target.value)
    return listed
