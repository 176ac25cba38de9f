"""The funnel report: how a cohort of leads (created in the period) moved through the lifecycle stages.

"Reached stage N" is DOMAIN.md's "reached stage N or beyond": the lead's `<stage>_at` column is set
(every lead reached `subscriber`, at `created_at`). A lead that reached N but not N+1 dropped off at N; if it
now sits in `nurture` or `disqualified` it left through that side exit. All counts are conditional
aggregates of one query; the medians come from `reports.sql.medians` (window functions).
"""

from django.db.models import Count, F, Max, Q

from campaigns.models import Channel
from crm import metrics
from leads.models import FUNNEL, REACHED_AT, Lead, LifecycleStage
from reports.filters import ReportFilters, lead_channel, lead_filter
from reports.sql import days, duration, medians_of

SPLITS = [("", "No split"), ("channel", "Channel"), ("campaign", "Campaign")]
EXITS = (LifecycleStage.NURTURE, LifecycleStage.DISQUALIFIED)


def reached_field(stage) -> str:
    return "created_at" if stage == LifecycleStage.SUBSCRIBER else REACHED_AT[stage]


def reached(stage) -> Q:
    """The lead reached `stage` or went beyond it."""
    return Q() if stage == LifecycleStage.SUBSCRIBER else Q(**{f"{REACHED_AT[stage]}__isnull": False})


def not_reached(stage) -> Q:
    return Q(**{f"{REACHED_AT[stage]}__isnull": True})


def cohort(filters: ReportFilters):
    """Leads created in the period that match the channel, campaign and owner filters."""
    return Lead.objects.filter(filters.in_range("created_at"), lead_filter(filters))


def _reached_counts() -> dict:
    return {stage.value: Count("pk", filter=reached(stage)) for stage in FUNNEL}


def stage_counts(filters: ReportFilters) -> dict:
    """{stage: reached}, and for each stage but the last {"<stage>_<exit>": left through that exit there}."""
    aggregates = _reached_counts()
    for stage, following in zip(FUNNEL, FUNNEL[1:], strict=False):
        for exit_stage in EXITS:
            aggregates[f"{stage.value}_{exit_stage.value}"] = Count(
                "pk", filter=reached(stage) & not_reached(following) & Q(stage=exit_stage)
            )
    return cohort(filters).aggregate(**aggregates)


def funnel_report(filters: ReportFilters) -> dict:
    """Per stage: reached, conversion to the next stage, median days to it, drop-off and its exits, and the
    same counts over the previous period of the same length (with the differences)."""
    counts = stage_counts(filters)
    previous = cohort(filters.previous_period()).aggregate(**_reached_counts())
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
    if split == "channel":
        rows = cohort(filters).values(key=lead_channel()).annotate(**_reached_counts())
        label_of = dict(Channel.choices)
        named = [(row, label_of.get(row["key"], "No channel")) for row in rows]
    elif split == "campaign":
        rows = (
            cohort(filters)
            .values(key=F("first_touch_campaign_id"))
            .annotate(name=Max("first_touch_campaign__name"), **_reached_counts())
        )
        named = [(row, row["name"] or "No campaign") for row in rows]
    else:
        return []
    first, last = FUNNEL[0].value, FUNNEL[-1].value
    groups = [
        {
            "key": row["key"] or "",
            "label": label,
            "reached": {stage.value: row[stage.value] for stage in FUNNEL},
            "conversion": metrics.stage_conversion(reached_next=row[last], reached=row[first]),
        }
        for row, label in named
    ]
    return sorted(groups, key=lambda group: (-group["reached"][first], group["label"]))
