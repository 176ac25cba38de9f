"""The funnel report: how a cohort of leads (created in the period) moved through the lifecycle stages.

"Reached stage N" is DOMAIN.md's "reached stage N or beyond": the lead's `<stage>_at` column is set
(every lead reached `subscriber`, at `created_at`). A lead that reached N but not N+1 dropped off at N; if it
now sits in `nurture` or `disqualified` it left through that side exit. All counts are conditional
aggregates, read from the daily FunnelDay rollup for the days it is current for and counted live for the
others (reports.rollups); the medians are computed over the cohort's leads by `reports.sql.medians_of`.
"""

from django.db.models import Count, F, Max, Q, Sum

from campaigns.models import Channel
from crm import metrics
from leads.models import FUNNEL, REACHED_AT, Lead, LifecycleStage
from reports import rollups
from reports.filters import ReportFilters, lead_channel, lead_filter
from reports.models import FunnelDay
from reports.sql import days, duration, medians_of

SPLITS = [("", "No split"), ("channel", "Channel"), ("campaign", "Campaign")]
EXITS = (LifecycleStage.NURTURE, LifecycleStage.DISQUALIFIED)
REACHED_KEYS = [stage.value for stage in FUNNEL]


def reached_field(stage) -> str:
    return "created_at" if stage == LifecycleStage.SUBSCRIBER else REACHED_AT[stage]


def reached(stage, rolled_up: bool = False) -> Q:
    """The lead reached `stage` or went beyond it (on a FunnelDay row: its leads did)."""
    if stage == LifecycleStage.SUBSCRIBER:
        return Q()
    if rolled_up:
        return Q(**{f"reached_{stage.value}": True})
    return Q(**{f"{REACHED_AT[stage]}__isnull": False})


def not_reached(stage, rolled_up: bool = False) -> Q:
    if rolled_up:
        return Q(**{f"reached_{stage.value}": False})
    return Q(**{f"{REACHED_AT[stage]}__isnull": True})


def cohort(filters: ReportFilters):
    """Leads created in the period that match the channel, campaign and owner filters."""
    return Lead.objects.filter(filters.in_range("created_at"), lead_filter(filters))


def cohort_parts(filters: ReportFilters, stale: set, condition: Q | None = None) -> list[tuple]:
    """The cohort as (queryset, rolled_up) parts that together count each lead once: the FunnelDay rows of
    the period's clean days, and the leads of its stale days (reports.rollups). `condition` narrows both
    further (on fields FunnelDay shares with Lead)."""
    condition = lead_filter(filters) & (condition or Q())
    days = rollups.within(stale, filters.date_from, filters.date_to)
    rows = FunnelDay.objects.filter(condition, day__gte=filters.date_from, day__lte=filters.date_to)
    parts = [(rows.exclude(day__in=days), True)]
    if days:
        parts.append((Lead.objects.filter(condition, rollups.created_on(days)), False))
    return parts


def cohort_size(filters: ReportFilters, condition: Q | None = None) -> int:
    """How many leads were created in the period (matching the filters and `condition`)."""
    parts = cohort_parts(filters, rollups.stale_days(), condition)
    return _added_up(parts, lambda rolled_up: {"leads": _tally(Q(), rolled_up)})["leads"]


def _tally(condition: Q, rolled_up: bool):
    return Sum("leads", filter=condition, default=0) if rolled_up else Count("pk", filter=condition)


def _reached_counts(rolled_up: bool) -> dict:
    return {stage.value: _tally(reached(stage, rolled_up), rolled_up) for stage in FUNNEL}


def _exit_counts(rolled_up: bool) -> dict:
    """For each stage but the last: "<stage>_<exit>" = reached it, not the next, and left through that exit."""
    counts = _reached_counts(rolled_up)
    for stage, following in zip(FUNNEL, FUNNEL[1:], strict=False):
        for exit_stage in EXITS:
            condition = reached(stage, rolled_up) & not_reached(following, rolled_up) & Q(stage=exit_stage)
            counts[f"{stage.value}_{exit_stage.value}"] = _tally(condition, rolled_up)
    return counts


def _added_up(parts, aggregates) -> dict:
    """`aggregates(rolled_up)` over every part, added up."""
    totals: dict = {}
    for queryset, rolled_up in parts:
        for name, value in queryset.aggregate(**aggregates(rolled_up)).items():
            totals[name] = totals.get(name, 0) + (value or 0)
    return totals


def stage_counts(filters: ReportFilters, stale: set | None = None) -> dict:
    """{stage: reached}, and for each stage but the last {"<stage>_<exit>": left through that exit there}."""
    return _added_up(cohort_parts(filters, rollups.stale_days() if stale is None else stale), _exit_counts)


def funnel_report(filters: ReportFilters) -> dict:
    """Per stage: reached, conversion to the next stage, median days to it, drop-off and its exits, and the
    same counts over the previous period of the same length (with the differences)."""
    stale = rollups.stale_days()
    counts = stage_counts(filters, stale)
    previous = _added_up(cohort_parts(filters.previous_period(), stale), _reached_counts)
    durations = medians_of(
        cohort(filters),
        {
            stage.value: duration(reached_field(following), reached_field(stage))
            for stage, following in zip(FUNNEL, FUNNEL[1:], strict=False)
        },
    )
    stages = []
    for index, stage in enumerate(FUNNEL):
        following = FUNNEL[index + 1] if index + 1 < len(FUNNEL) else None
        row = {
            "stage": stage.value,
            "label": stage.label,
            "reached": counts[stage.value],
            "previous_reached": previous[stage.value],
            "reached_delta": counts[stage.value] - previous[stage.value],
            "conversion": None,
            "previous_conversion": None,
            "conversion_delta": None,
            "median_days": None,
            "dropped": None,
            "left_nurture": None,
            "left_disqualified": None,
        }
        if following is not None:
            row["conversion"] = metrics.stage_conversion(
                reached_next=counts[following.value], reached=counts[stage.value]
            )
            row["previous_conversion"] = metrics.stage_conversion(
                reached_next=previous[following.value], reached=previous[stage.value]
            )
            if row["conversion"] is not None and row["previous_conversion"] is not None:
                row["conversion_delta"] = row["conversion"] - row["previous_conversion"]
            row["median_days"] = days(durations[stage.value])
            row["dropped"] = counts[stage.value] - counts[following.value]
            row["left_nurture"] = counts[f"{stage.value}_nurture"]
            row["left_disqualified"] = counts[f"{stage.value}_disqualified"]
        stages.append(row)
    first, last = FUNNEL[0].value, FUNNEL[-1].value
    previous_period = filters.previous_period()
    return {
        "cohort": counts[first],
        "overall_conversion": metrics.stage_conversion(reached_next=counts[last], reached=counts[first]),
        "stages": stages,
        "previous_period": {"date_from": previous_period.date_from, "date_to": previous_period.date_to},
    }


def funnel_by_group(filters: ReportFilters, split: str) -> list[dict]:
    """One row per channel or first-touch campaign: how many of the cohort reached each stage."""
    if split not in ("channel", "campaign"):
        return []
    key = lead_channel() if split == "channel" else F("first_touch_campaign_id")
    rows: dict = {}
    for queryset, rolled_up in cohort_parts(filters, rollups.stale_days()):
        counts = _reached_counts(rolled_up)
        grouped = queryset.values(key=key).annotate(name=Max("first_touch_campaign__name"), **counts).order_by()
        for values in grouped:
            row = rows.setdefault(values["key"], {"name": values["name"], **dict.fromkeys(REACHED_KEYS, 0)})
            for name in REACHED_KEYS:
                row[name] += values[name]
    if split == "channel":
        label_of = dict(Channel.choices)
        named = [(key, row, label_of.get(key, "No channel")) for key, row in rows.items()]
    else:
        named = [(key, row, row["name"] or "No campaign") for key, row in rows.items()]
    first, last = FUNNEL[0].value, FUNNEL[-1].value
    groups = [
        {
            "key": key or "",
            "label": label,
            "reached": {name: row[name] for name in REACHED_KEYS},
            "conversion": metrics.stage_conversion(reached_next=row[last], reached=row[first]),
        }
        for key, row, label in named
    ]
    return sorted(groups, key=lambda group: (-group["reached"][first], group["label"]))
