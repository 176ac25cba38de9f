"""The sales report: how the pipeline converts and how fast reps answer the MQLs marketing hands over.

Deals closed in the period give the win rate, average deal size and sales cycle; open deals (now) give the
pipeline value, weighted forecast and rotting count; hand-overs made in the period give SLA compliance and
speed to lead. The owner filter is the deal's owner and the hand-over's rep; channel and campaign are those
of the deal's lead (a deal without a lead only shows when neither is filtered).
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from crm import metrics
from crm.people import display_name
from deals.models import Activity, Deal, Stage
from deals.selectors import rotting
from goals.models import Metric, PeriodKind, Target
from handoff.models import Handoff
from reports.filters import ReportFilters, lead_filter
from reports.sql import NO_GROUP, Hours, days, duration, hours, median, medians_with_overall

WON = Q(stage__kind=Stage.Kind.WON)
LOST = Q(stage__kind=Stage.Kind.LOST)
OPEN = Q(stage__kind=Stage.Kind.OPEN)
HUNDRED = Decimal(100)


def amount_times_probability():
    """amount × probability (a percentage): summed exactly, then divided by 100 in Python."""
    money = DecimalField(max_digits=20, decimal_places=2)
    return ExpressionWrapper(F("amount") * F("stage__probability"), output_field=money)


def deals_for(filters: ReportFilters):
    return Deal.objects.filter(lead_filter(filters, "lead__", owner="owner_id"))


def handoffs_for(filters: ReportFilters):
    """Hand-overs made in the period."""
    return Handoff.objects.filter(filters.in_range("handed_at"), lead_filter(filters, "lead__", owner="rep_id"))


class Earliest(Func):
    """The earlier of two timestamps either of which may be NULL (NULL only when both are). PostgreSQL's
    LEAST skips NULLs and names each argument once (a subquery argument runs once); SQLite's MIN does not
    skip them, so there each side falls back on the other."""

    function = "LEAST"
    arity = 2

    def as_sqlite(self, compiler, connection, **extra_context):
        first, second = self.get_source_expressions()
        both = Func(Coalesce(first, second), Coalesce(second, first), function="MIN", output_field=self.output_field)
        return both.as_sql(compiler, connection, **extra_context)


def first_response():
    """When the rep first answered a hand-over: the earliest of accept/reject and the first activity on its
    deal (NULL when neither happened)."""
    activities = Activity.objects.filter(deal=OuterRef("deal")).values("deal")
    first_activity = activities.annotate(first=Min("at")).values("first")
    return Earliest("responded_at", Subquery(first_activity), output_field=DateTimeField())


def within_sla() -> Q:
    """Answered within the SLA each hand-over was given when it was made (`Handoff.sla_hours`): a later change
    of the SLA never rewrites the past."""
    return Q(responded_at__isnull=False, responded_at__lte=F("handed_at") + Hours("sla_hours"))


def answer_figures(filters: ReportFilters) -> dict:
    """Hand-overs answered in the period (accepted, rejected: the acceptance rate's counts), and those made
    in it (handed over, within the SLA: SLA compliance's), in one query."""
    answered, handed = filters.in_range("responded_at"), filters.in_range("handed_at")
    figures = Handoff.objects.filter(answered | handed, lead_filter(filters, "lead__", owner="rep_id")).aggregate(
        accepted=Count("pk", filter=answered & Q(outcome=Handoff.Outcome.ACCEPTED)),
        rejected=Count("pk", filter=answered & Q(outcome=Handoff.Outcome.REJECTED)),
        handed_over=Count("pk", filter=handed),
        within_sla=Count("pk", filter=handed & within_sla()),
    )
    return {
        **figures,
        "acceptance_rate": metrics.mql_acceptance_rate(accepted=figures["accepted"], rejected=figures["rejected"]),
        "sla_compliance": metrics.sla_compliance(within_sla=figures["within_sla"], handed_over=figures["handed_over"]),
    }


def speed_to_lead(filters: ReportFilters) -> dict:
    """The median time from hand-over to first response: {rep id: interval, NO_GROUP: over every rep}."""
    return medians_with_overall(handoffs_for(filters), duration(first_response(), "handed_at"), group="rep_id")


def _deal_rows(filters: ReportFilters, now) -> dict:
    """Per deal owner: deals won and lost in the period (and the amount won), and their open deals now."""
    closed = filters.in_range("closed_at")
    rows = (
        deals_for(filters)
        .values("owner_id")
        .annotate(
            won=Count("pk", filter=WON & closed),
            lost=Count("pk", filter=LOST & closed),
            won_amount=Sum("amount", filter=WON & closed, default=0),
            open_deals=Count("pk", filter=OPEN),
            pipeline_value=Sum("amount", filter=OPEN, default=0),
            weighted_x100=Sum(amount_times_probability(), filter=OPEN, default=0),
            rotting=Count("pk", filter=OPEN & rotting(now)),
        )
        .order_by()
    )
    return {row.pop("owner_id"): row for row in rows}


def _answer_rows(filters: ReportFilters) -> dict:
    """Per rep: hand-overs made in the period, and how many of them were answered within the SLA."""
    rows = (
        handoffs_for(filters)
        .values("rep_id")
        .annotate(handed_over=Count("pk"), within_sla=Count("pk", filter=within_sla()))
        .order_by()
    )
    return {row.pop("rep_id"): row for row in rows}


def _totals(rows: dict, names) -> dict:
    return {name: sum(row[name] for row in rows.values()) for name in names}


def sales_report(filters: ReportFilters, *, now=None) -> dict:
    """The summary, the forecast and the rep table. The deal and hand-over figures are read once, per owner,
    and the summary adds them up."""
    now = now or timezone.now()
    deals, answers, speed = _deal_rows(filters, now), _answer_rows(filters), speed_to_lead(filters)
    targets = revenue_targets(filters)
    summary = _summary(filters, deals, answers, speed)
    return {
        "summary": summary | _against_targets_and_previous(filters, summary, targets),
        "forecast": forecast_by_month(filters, today=timezone.localdate(now)),
        "reps": _with_attainment(_reps(deals, answers, speed), targets),
    }


def revenue_targets(filters: ReportFilters) -> dict:
    """The revenue quotas of the period, {rep id: amount, None: the team's}: the targets whose month or quarter
    begins in it. A quarter's quota and its months' are the same money told twice, so one kind is read: the
    months' for a period of up to 31 days, the quarters' for a longer one, the other kind when that one has
    none. With the owner filter, that owner's quota only."""
    targets = Target.objects.filter(
        metric=Metric.REVENUE, period_start__gte=filters.date_from, period_start__lte=filters.date_to
    )
    if filters.owner_id:
        targets = targets.filter(rep_id=filters.owner_id)
    sums: dict[str, dict] = {PeriodKind.MONTH: {}, PeriodKind.QUARTER: {}}
    for row in targets.values("period_kind", "rep_id").annotate(total=Sum("value")).order_by():
        sums[row["period_kind"]][row["rep_id"]] = row["total"]
    first, second = (
        (PeriodKind.MONTH, PeriodKind.QUARTER) if filters.days <= 31 else (PeriodKind.QUARTER, PeriodKind.MONTH)
    )
    return {
        rep_id: sums[first].get(rep_id, sums[second].get(rep_id)) for rep_id in sums[first].keys() | sums[second].keys()
    }


def _against_targets_and_previous(filters: ReportFilters, summary: dict, targets: dict) -> dict:
    """Quota attainment (the team's, or the filtered owner's), and average deal size and sales cycle in the
    previous period of the same length, with the change."""
    quota = targets.get(filters.owner_id) if filters.owner_id else targets.get(None)
    previous = filters.previous_period()
    won = deals_for(previous).filter(WON, previous.in_range("closed_at"))
    figures = won.aggregate(won=Count("pk"), won_amount=Sum("amount", default=0))
    average = metrics.average_deal_size(won_amount=figures["won_amount"], won=figures["won"])
    cycle = days(median(won, duration("closed_at", "created_at")))
    return {
        "revenue_target": quota,
        "quota_attainment": metrics.ratio(summary["revenue"], quota),
        "previous_period": previous,
        "previous_average_deal_size": average,
        "average_deal_size_change": _change(summary["average_deal_size"], average),
        "previous_sales_cycle_days": cycle,
        "sales_cycle_days_change": _change(summary["sales_cycle_days"], cycle),
    }


def _change(now, before):
    """now − before, or None when either is unknown ("—")."""
    if now is None or before is None:
        return None
    return now - before


def _with_attainment(reps: list[dict], targets: dict) -> list[dict]:
    for row in reps:
        row["revenue_target"] = targets.get(row["rep_id"])
        row["quota_attainment"] = metrics.ratio(row["revenue"], row["revenue_target"])
    return reps


def rep_table(filters: ReportFilters) -> list[dict]:
    """The rep table alone (its CSV): no forecast, no sales cycle."""
    return _reps(_deal_rows(filters, timezone.now()), _answer_rows(filters), speed_to_lead(filters))


def _summary(filters: ReportFilters, deals: dict, answers: dict, speed: dict) -> dict:
    """The headline figures of the sales report."""
    figures = _totals(deals, ("won", "lost", "won_amount", "open_deals", "pipeline_value", "weighted_x100", "rotting"))
    handed = _totals(answers, ("handed_over", "within_sla"))
    won_in_period = deals_for(filters).filter(WON, filters.in_range("closed_at"))
    cycle = days(median(won_in_period, duration("closed_at", "created_at")))
    win_rate = metrics.win_rate(won=figures["won"], lost=figures["lost"])
    average = metrics.average_deal_size(won_amount=figures["won_amount"], won=figures["won"])
    return {
        "won": figures["won"],
        "lost": figures["lost"],
        "revenue": Decimal(figures["won_amount"]),
        "win_rate": win_rate,
        "average_deal_size": average,
        "sales_cycle_days": cycle,
        "open_deals": figures["open_deals"],
        "pipeline_value": Decimal(figures["pipeline_value"]),
        "weighted_pipeline_value": Decimal(figures["weighted_x100"]) / HUNDRED,
        "sales_velocity": metrics.sales_velocity(
            open_deals=figures["open_deals"], win_rate=win_rate, average_deal_size=average, cycle_days=cycle
        ),
        "rotting_deals": figures["rotting"],
        "handed_over": handed["handed_over"],
        "answered_within_sla": handed["within_sla"],
        "sla_compliance": metrics.sla_compliance(within_sla=handed["within_sla"], handed_over=handed["handed_over"]),
        "speed_to_lead_hours": hours(speed.get(NO_GROUP)),
    }


def forecast_by_month(filters: ReportFilters, *, today: datetime.date | None = None) -> list[dict]:
    """Open deals by expected close month: count, amount and weighted amount. Deals whose expected close date
    has passed come first, as one "Overdue" row: counted in the current month they would hide a slipping
    pipeline behind the month ahead. Deals without a date come last."""
    today = today or timezone.localdate()
    overdue = Case(
        When(expected_close_date__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    rows = (
        deals_for(filters)
        .filter(OPEN)
        .values(overdue=overdue, month=TruncMonth("expected_close_date"))
        .annotate(deals=Count("pk"), total=Sum("amount"), weighted_x100=Sum(amount_times_probability()))
        .order_by(F("month").asc(nulls_last=True))
    )
    late = {"month": None, "label": "Overdue", "overdue": True, "deals": 0, "amount": 0, "weighted_amount": 0}
    ahead = []
    for row in rows:
        weighted = row["weighted_x100"] / HUNDRED
        if row["overdue"]:  # one row per month the overdue deals were due in: added up
            late["deals"] += row["deals"]
            late["amount"] += row["total"]
            late["weighted_amount"] += weighted
            continue
        label = row["month"].strftime("%b %Y") if row["month"] else "No date"
        ahead.append(
            {
                "month": row["month"],
                "label": label,
                "overdue": False,
                "deals": row["deals"],
                "amount": row["total"],
                "weighted_amount": weighted,
            }
        )
    return [late, *ahead] if late["deals"] else ahead


def _reps(deals: dict, answers: dict, speed: dict) -> list[dict]:
    """Per rep: deals won and revenue, win rate (closed in the period), SLA compliance and speed to lead
    (hand-overs made in the period). A rep without any of those in the period has no row."""
    rows: dict[int, dict] = {}
    for user_id in deals.keys() | answers.keys():
        closed = deals.get(user_id, {"won": 0, "lost": 0, "won_amount": 0})
        answered = answers.get(user_id, {"handed_over": 0, "within_sla": 0})
        if closed["won"] or closed["lost"] or answered["handed_over"]:
            rows[user_id] = {
                "rep_id": user_id,
                "won": closed["won"],
                "lost": closed["lost"],
                "revenue": Decimal(closed["won_amount"]),
                "handed_over": answered["handed_over"],
                "within_sla": answered["within_sla"],
            }
    names = {user.pk: display_name(user) for user in get_user_model().objects.filter(pk__in=list(rows))}
    table = []
    for user_id, row in rows.items():
        row["rep"] = names.get(user_id, "")
        row["win_rate"] = metrics.win_rate(won=row["won"], lost=row["lost"])
        row["sla_compliance"] = metrics.sla_compliance(within_sla=row["within_sla"], handed_over=row["handed_over"])
        row["speed_to_lead_hours"] = hours(speed.get(user_id))
        table.append(row)
    return sorted(table, key=lambda row: (-row["revenue"], row["rep"]))
