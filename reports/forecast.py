"""The forecast report: open deals by expected close month, the forecast categories their owners set, and how
past forecasts (the weekly `ForecastSnapshot`s) compared with what closed won.

Per owner and month, in three queries whatever the number of deals, reps or months: the open deals (amount,
weighted amount, each category's sum), the deals won (by the month they closed in, site time zone) and the
snapshots of the past months. Open deals whose expected close date has passed are "Overdue": one row of their
own, never in the month they slipped from nor in the current one. Deals without a date are not forecast.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Count, Q, Sum, Value, When
from django.db.models.functions import TruncMonth

from crm import metrics
from crm.people import display_name
from deals.models import ForecastCategory
from goals.models import PeriodKind, period_end, period_start
from reports.filters import ReportFilters
from reports.models import ForecastSnapshot
from reports.sales import HUNDRED, OPEN, WON, amount_times_probability, deals_for

CATEGORIES = [name for name, _ in ForecastCategory.choices]
FIGURES = ("open_deals", "open_amount", "weighted", *CATEGORIES, "won")
FORECAST_PRESETS = [
    ("this_and_next_quarter", "This quarter and the next"),
    ("this_quarter", "This quarter"),
    ("next_quarter", "Next quarter"),
    ("last_quarter", "Last quarter"),
    ("this_year", "This year"),
    ("custom", "Custom dates"),
]
DEFAULT_FORECAST_PRESET = "this_and_next_quarter"


def forecast_range(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a forecast period: whole quarters, ahead of today as well as behind."""
    this_quarter = period_start(today, PeriodKind.QUARTER)
    next_quarter = period_end(this_quarter, PeriodKind.QUARTER)
    day = datetime.timedelta(days=1)
    if preset == "this_quarter":
        return this_quarter, next_quarter - day
    if preset == "next_quarter":
        return next_quarter, period_end(next_quarter, PeriodKind.QUARTER) - day
    if preset == "last_quarter":
        return period_start(this_quarter - day, PeriodKind.QUARTER), this_quarter - day
    if preset == "this_year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    return this_quarter, period_end(next_quarter, PeriodKind.QUARTER) - day


def months_of(filters: ReportFilters) -> list[datetime.date]:
    """The first day of every month the period touches."""
    months, month = [], filters.date_from.replace(day=1)
    while month <= filters.date_to:
        months.append(month)
        month = period_end(month, PeriodKind.MONTH)
    return months


def empty_figures() -> dict:
    return dict.fromkeys(FIGURES, Decimal(0)) | {"open_deals": 0}


def forecast_sums() -> dict:
    """The aggregates of a group of open deals, the page's and the snapshot's: how many, their amount, amount ×
    probability (÷ 100 in Python) and each category's amount."""
    return {
        "open_deals": Count("pk"),
        "open_amount": Sum("amount", default=0),
        "weighted_x100": Sum(amount_times_probability(), default=0),
        **{name: Sum("amount", filter=Q(forecast_category=name), default=0) for name in CATEGORIES},
    }


def _open_rows(filters: ReportFilters, months: list, today: datetime.date):
    """Open deals per owner, overdue or not, and expected close month (in the period, or overdue)."""
    overdue = Case(
        When(expected_close_date__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    in_months = Q(expected_close_date__gte=months[0], expected_close_date__lt=period_end(months[-1], PeriodKind.MONTH))
    return (
        deals_for(filters)
        .filter(OPEN, in_months | Q(expected_close_date__lt=today))
        .values("owner_id", overdue=overdue, month=TruncMonth("expected_close_date"))
        .annotate(**forecast_sums())
        .order_by()
    )


def _won_rows(filters: ReportFilters, months: list):
    """Deals won per owner and the month (site time zone) they closed in."""
    start = ReportFilters(
        date_from=months[0], date_to=period_end(months[-1], PeriodKind.MONTH) - datetime.timedelta(days=1)
    )
    return (
        deals_for(filters)
        .filter(WON, start.in_range("closed_at"))
        .values("owner_id", month=TruncMonth("closed_at"))
        .annotate(won=Sum("amount", default=0))
        .order_by()
    )


def _month_of(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def forecast_report(filters: ReportFilters, *, today: datetime.date) -> dict:
    """The team's and each rep's figures per month, the overdue deals apart, and the accuracy of past months."""
    months = months_of(filters)
    cells: dict[tuple, dict] = {}  # (owner id, month or "overdue") → figures
    for row in _open_rows(filters, months, today):
        key = (row["owner_id"], "overdue" if row["overdue"] else _month_of(row["month"]))
        figures = cells.setdefault(key, empty_figures())
        figures["open_deals"] += row["open_deals"]
        figures["open_amount"] += row["open_amount"]
        figures["weighted"] += Decimal(row["weighted_x100"]) / HUNDRED
        for name in CATEGORIES:
            figures[name] += row[name]
    won = {(row["owner_id"], _month_of(row["month"])): row["won"] for row in _won_rows(filters, months)}
    for key, amount in won.items():
        cells.setdefault(key, empty_figures())["won"] = amount
    past = [month for month in months if month < today.replace(day=1)]
    snapshots = _snapshots(filters, past)
    names = _names({owner for owner, _ in cells} | {s.owner_id for s in snapshots})
    slots = ["overdue", *months]
    return {
        "months": months,
        "team": [_line(slot, _total(cells, slot)) for slot in slots],
        "reps": [
            {
                "rep_id": owner,
                "rep": name,
                "rows": [_line(slot, cells.get((owner, slot), empty_figures())) for slot in slots],
            }
            for owner, name in names
            if any((owner, slot) in cells for slot in slots)
        ],
        "accuracy": _accuracy(past, snapshots, won, names),
    }


def _total(cells: dict, slot) -> dict:
    total = empty_figures()
    for (_, cell_slot), figures in cells.items():
        if cell_slot == slot:
            for name in FIGURES:
                total[name] += figures[name]
    return total


def _line(slot, figures: dict) -> dict:
    overdue = slot == "overdue"
    return {"overdue": overdue, "month": None if overdue else slot, **figures}


def _names(owner_ids: set) -> list[tuple[int, str]]:
    users = get_user_model().objects.filter(pk__in=list(owner_ids))
    return sorted(((user.pk, display_name(user)) for user in users), key=lambda pair: (pair[1], pair[0]))


def _snapshots(filters: ReportFilters, months: list) -> list:
    if not months:
        return []
    snapshots = ForecastSnapshot.objects.filter(close_month__in=months)
    if filters.owner_id:
        snapshots = snapshots.filter(owner_id=filters.owner_id)
    return list(snapshots.order_by("close_month", "taken_on", "owner_id"))


def _accuracy(months: list, snapshots: list, won: dict, names: list) -> list[dict]:
    """Per past month and snapshot: what was forecast (commit; commit + best case) against what then closed
    won in the month, for the team and each rep. A rep who closed nothing counts 0 against the forecast."""
    name_of = dict(names)
    result = []
    for month in months:
        taken = {}
        for snapshot in (s for s in snapshots if s.close_month == month):
            taken.setdefault(snapshot.taken_on, []).append(snapshot)
        if not taken:
            continue
        rows = []
        for taken_on, group in taken.items():
            reps = [
                _accuracy_line(name_of.get(s.owner_id, ""), s.commit, s.best_case, won.get((s.owner_id, month), 0))
                for s in group
            ]
            closed = sum(won.get((owner, m), 0) for owner, m in won if m == month)
            team = _accuracy_line("Team", sum(s.commit for s in group), sum(s.best_case for s in group), closed)
            rows.append({"taken_on": taken_on, "team": team, "reps": reps})
        result.append({"month": month, "snapshots": rows})
    return result


def _accuracy_line(label: str, commit, best_case, won) -> dict:
    upside = commit + best_case
    return {
        "label": label,
        "commit": commit,
        "commit_and_best_case": upside,
        "won": won,
        "won_to_commit": metrics.ratio(won, commit),
        "won_to_commit_and_best_case": metrics.ratio(won, upside),
    }
