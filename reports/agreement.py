"""The agreement between marketing and sales: each commitment of a month or quarter (goals.Target) beside its
actual to date and a run-rate projection to the period's end.

Every actual is a reports figure counted as the reports count it (activity, reports.counts): MQLs reached
(counts.mqls_reached), the acceptance rate and SLA compliance (sales.answer_figures), speed to lead
(sales.speed_to_lead), revenue closed won (counts.won_in_period); marketing-sourced pipeline is the amount of
the deals created in the period by accepting an MQL (a deal with a hand-over). The projection is the actual
divided by the elapsed share of the period (days in TIME_ZONE, today included): 12 MQLs after 10 of 30 days
project 36. The page reads a fixed number of queries whatever the number of targets or reps.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from campaigns.models import Channel
from crm import metrics
from crm.people import display_name
from crm.roles import MANAGER, MARKETER, SALES_REP, has_role
from deals.models import Deal
from goals.models import Metric, PeriodKind, Target, period_end, period_start
from reports import counts
from reports.filters import ReportFilters, sees_only_own_figures
from reports.sales import answer_figures, deals_for, speed_to_lead
from reports.sql import NO_GROUP, hours

AMBER_SHARE = Decimal("0.9")  # a projection of at least 90 % of the target is amber, below it red
PICKER_MONTHS, PICKER_QUARTERS = 12, 4
MONTH_RE, QUARTER_RE = re.compile(r"^(\d{4})-(\d{2})$"), re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Period:
    """A month or a quarter, named in the query string as 2026-11 or 2026-Q4."""

    kind: str
    start: datetime.date

    @property
    def end(self) -> datetime.date:
        """The first day after the period."""
        return period_end(self.start, self.kind)

    @property
    def slug(self) -> str:
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.QUARTER:
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        return f"{self.start:%B %Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def elapsed_days(self, today: datetime.date) -> int:
        """Days of the period gone by, today included (0 before it starts, all of them after it ends)."""
        return max(0, min(self.days, (today - self.start).days + 1))

    def filters(self) -> ReportFilters:
        """The reports' filters over the whole period (a period not over yet has no figures after today)."""
        last_day = self.end - datetime.timedelta(days=1)
        return ReportFilters(date_from=self.start, date_to=last_day, preset="custom")


def range_query(period: Period) -> str:
    """The reports' query string for the period (their custom dates), for the links to the records behind."""
    filters = period.filters()
    return urlencode({"period": "custom", "date_from": filters.date_from, "date_to": filters.date_to})


def current_period(today: datetime.date, kind: str = PeriodKind.MONTH) -> Period:
    return Period(kind, period_start(today, kind))


def parse_period(text: str | None, today: datetime.date) -> Period | None:
    """The period a query string names (None when it names none or cannot be read)."""
    text = (text or "").strip()
    try:
        if match := MONTH_RE.match(text):
            return Period(PeriodKind.MONTH, datetime.date(int(match[1]), int(match[2]), 1))
        if match := QUARTER_RE.match(text):
            return Period(PeriodKind.QUARTER, datetime.date(int(match[1]), 3 * int(match[2]) - 2, 1))
    except ValueError:
        return None
    return None


def recent_periods(today: datetime.date) -> list[Period]:
    """The picker: this month and the months before it, then this quarter and the quarters before it."""
    months, quarters = [current_period(today)], [current_period(today, PeriodKind.QUARTER)]
    while len(months) < PICKER_MONTHS:
        months.append(current_period(months[-1].start - datetime.timedelta(days=1)))
    while len(quarters) < PICKER_QUARTERS:
        quarters.append(current_period(quarters[-1].start - datetime.timedelta(days=1), PeriodKind.QUARTER))
    return months + quarters


def projection(actual, period: Period, today: datetime.date) -> Decimal | None:
    """The actual at the pace so far, carried to the end of the period: actual ÷ elapsed share."""
    if actual is None:
        return None
    return metrics.ratio(Decimal(actual) * period.days, period.elapsed_days(today))


def status(projected, target) -> str | None:
    """green: on pace to meet the target; amber: within 10 % of it; red: further behind; None: no target."""
    if projected is None or target is None:
        return None
    if projected >= target:
        return "green"
    return "amber" if projected >= AMBER_SHARE * target else "red"


def commitment(label: str, actual, target, period: Period, today: datetime.date, **extra) -> dict:
    projected = projection(actual, period, today)
    return {
        "label": label,
        "actual": actual,
        "target": target,
        "projection": projected,
        "status": status(projected, target),
        "attainment": metrics.ratio(actual, target),
        **extra,
    }


def _targets(period: Period) -> dict:
    """{(metric, channel, rep id): value} of the period's targets (a number of MQLs is a whole number)."""
    rows = Target.objects.filter(period_kind=period.kind, period_start=period.start)
    return {
        (row.metric, row.channel, row.rep_id): int(row.value) if row.metric == Metric.MQLS else row.value
        for row in rows
    }


def _revenue_by_rep(filters: ReportFilters) -> dict:
    rows = deals_for(filters).filter(counts.won_in_period(filters)).values("owner_id").annotate(won=Sum("amount"))
    return {row["owner_id"]: row["won"] for row in rows.order_by()}


def sourced_pipeline(filters: ReportFilters) -> Decimal:
    """The amount of the deals created in the period by accepting an MQL."""
    created = filters.in_range("created_at")
    return Deal.objects.filter(created, handoff__isnull=False).aggregate(total=Sum("amount", default=0))["total"]


def agreement(period: Period, *, user_id: int | None = None, today: datetime.date | None = None) -> dict:
    """The agreement's figures. `user_id`: the only rep whose own quota row is shown (a sales rep's view);
    None shows every rep's."""
    today = today or timezone.localdate()
    filters = period.filters()
    targets = _targets(period)
    by_channel = counts.mqls_reached_by_channel(filters)
    answers = answer_figures(filters)
    revenue = _revenue_by_rep(filters)
    speed = hours(speed_to_lead(filters).get(NO_GROUP))
    row = {"period": period, "today": today}

    def target(metric, channel="", rep_id=None):
        return targets.get((metric, channel, rep_id))

    mqls = sum(by_channel.values())
    channels = [
        commitment(
            f"MQLs from {name}",
            by_channel.get(value, 0),
            target(Metric.MQLS, value),
            period,
            today,
            key=f"mqls-{value}",
            query=f"view=activity&channel={value}",
        )
        for value, name in Channel.choices
        if (Metric.MQLS, value, None) in targets
    ]
    rep_ids = {rep for metric, _, rep in targets if metric == Metric.REVENUE and rep} | set(revenue) - {None}
    if user_id is not None:
        rep_ids &= {user_id}
    names = {user.pk: display_name(user) for user in get_user_model().objects.filter(pk__in=rep_ids)}
    reps = [
        commitment(
            names.get(rep, ""),
            revenue.get(rep, Decimal(0)),
            target(Metric.REVENUE, rep_id=rep),
            period,
            today,
            key=f"rep-{rep}",
            query=f"owner={rep}",
        )
        for rep in rep_ids
    ]
    return row | {
        "targets_set": bool(targets),
        "mqls": commitment("MQLs delivered", mqls, target(Metric.MQLS), period, today),
        "channels": channels,
        "answers": answers,
        "sourced_pipeline": commitment(
            "Marketing-sourced pipeline", sourced_pipeline(filters), target(Metric.SOURCED_PIPELINE), period, today
        ),
        "revenue": commitment(
            "Revenue closed won (team)", sum(revenue.values(), Decimal(0)), target(Metric.REVENUE), period, today
        ),
        "reps": sorted(reps, key=lambda rep: (-rep["actual"], rep["label"])),
        "speed_to_lead_hours": speed,
        "elapsed_days": period.elapsed_days(today),
    }


def attainment(user, *, today: datetime.date | None = None) -> dict:
    """This month's own attainment for a home page: a rep's revenue against their quota; marketing's MQLs
    against the month's MQL target (what a marketer sees); a manager sees both, the team's. Three queries."""
    today = today or timezone.localdate()
    period = current_period(today)
    filters = period.filters()
    targets = _targets(period)
    strip = {"period": period}
    if has_role(user, SALES_REP, MANAGER):
        own = sees_only_own_figures(user)
        won = deals_for(filters).filter(counts.won_in_period(filters), **({"owner": user} if own else {}))
        revenue = won.aggregate(total=Sum("amount", default=0))["total"]
        quota = targets.get((Metric.REVENUE, "", user.pk if own else None))
        strip["revenue"] = {"actual": revenue, "target": quota, "attainment": metrics.ratio(revenue, quota), "own": own}
    if has_role(user, MARKETER, MANAGER):
        mqls, target = counts.mqls_reached(filters), targets.get((Metric.MQLS, "", None))
        strip["mqls"] = {"actual": mqls, "target": target, "attainment": metrics.ratio(mqls, target)}
    return strip
