"""The feedback report: what sales tells marketing about the leads each campaign and channel brings.

A lead's campaign is its first-touch campaign. MQL rejections and acceptance count the hand-overs answered
in the period (owner = the rep who answered; a rejected MQL never had a deal), deal losses the deals closed
lost in the period with a loss reason (owner = the deal's owner), sales notes the notes written in the period
by sales reps on leads (owner = the lead's owner).
"""

from django.db.models import Count, F, Max
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from campaigns.models import Channel
from crm import metrics
from crm.people import display_name
from crm.roles import SALES_REP
from deals.models import Deal, LostReason, Stage
from handoff.models import Handoff, RejectionReason
from leads.models import LeadNote
from reports.filters import ReportFilters, lead_channel, lead_filter

GROUPINGS = {"campaign": "Campaign", "channel": "Channel"}
LOSS_REASONS = list(LostReason.choices)
NOTES_PER_CAMPAIGN = 3
ANSWERED = (Handoff.Outcome.ACCEPTED, Handoff.Outcome.REJECTED)


def answered_handoffs(filters: ReportFilters):
    return Handoff.objects.filter(
        filters.in_range("responded_at"), lead_filter(filters, "lead__", owner="rep_id"), outcome__in=ANSWERED
    )


def lost_deals(filters: ReportFilters):
    return Deal.objects.filter(
        filters.in_range("closed_at"),
        lead_filter(filters, "lead__", owner="owner_id"),
        stage__kind=Stage.Kind.LOST,
        lost_reason__in=[value for value, _ in LOSS_REASONS],
    )


def _grouped_rows(queryset, *columns) -> list[dict]:
    """Counts per first-touch campaign, channel and `columns`, in one query: every table of the report is a
    sum of these few rows (a campaign's rows, or a channel's)."""
    return list(
        queryset.values(*columns, campaign=F("lead__first_touch_campaign_id"), channel=lead_channel("lead__"))
        .annotate(count=Count("pk"), name=Max("lead__first_touch_campaign__name"))
        .order_by()
    )


def _label(row, grouping: str) -> str:
    if grouping == "channel":
        return dict(Channel.choices).get(row["channel"], "No channel")
    return row["name"] or "No campaign"


def pivot(rows, reason_field: str, reasons: list[tuple[str, str]], grouping: str) -> dict:
    """A pivot table of `_grouped_rows`: one row per campaign or channel, one column per reason, with totals;
    and the same as Chart.js stacked-bar data."""
    table: dict = {}
    for row in rows:
        key = row[grouping]
        entry = table.setdefault(key, {"key": key or "", "label": _label(row, grouping), "counts": {}, "total": 0})
        entry["counts"][row[reason_field]] = entry["counts"].get(row[reason_field], 0) + row["count"]
        entry["total"] += row["count"]
    groups = sorted(table.values(), key=lambda entry: (-entry["total"], entry["label"]))
    for entry in groups:
        entry["counts"] = {value: entry["counts"].get(value, 0) for value, _ in reasons}
    return {
        "reasons": [{"value": value, "label": label} for value, label in reasons],
        "groups": groups,
        "chart": {
            "labels": [entry["label"] for entry in groups],
            "datasets": [
                {"label": label, "data": [entry["counts"][value] for entry in groups]}
                for value, label in reasons
                if any(entry["counts"][value] for entry in groups)
            ],
        },
    }


def _acceptance(rows) -> list[dict]:
    """Per first-touch campaign: MQLs accepted, rejected and the acceptance rate."""
    table: dict = {}
    for row in rows:
        entry = table.setdefault(
            row["campaign"],
            {"key": row["campaign"] or "", "label": _label(row, "campaign"), "accepted": 0, "rejected": 0},
        )
        entry["accepted" if row["outcome"] == Handoff.Outcome.ACCEPTED else "rejected"] += row["count"]
    for entry in table.values():
        entry["acceptance_rate"] = metrics.mql_acceptance_rate(accepted=entry["accepted"], rejected=entry["rejected"])
    return sorted(table.values(), key=lambda row: (-(row["accepted"] + row["rejected"]), row["label"]))


def _answers(filters: ReportFilters) -> list[dict]:
    return _grouped_rows(answered_handoffs(filters), "outcome", "rejection_reason")


def _rejections(answers) -> dict:
    rejected = [row for row in answers if row["outcome"] == Handoff.Outcome.REJECTED]
    reasons = list(RejectionReason.choices)
    return {grouping: pivot(rejected, "rejection_reason", reasons, grouping) for grouping in GROUPINGS}


def _losses(filters: ReportFilters) -> dict:
    rows = _grouped_rows(lost_deals(filters), "lost_reason")
    return {grouping: pivot(rows, "lost_reason", LOSS_REASONS, grouping) for grouping in GROUPINGS}


def rejection_reasons(filters: ReportFilters, grouping: str = "campaign") -> dict:
    return _rejections(_answers(filters))[grouping]


def loss_reasons(filters: ReportFilters, grouping: str = "campaign") -> dict:
    return _losses(filters)[grouping]


def acceptance_by_campaign(filters: ReportFilters) -> list[dict]:
    return _acceptance(_answers(filters))


def feedback_report(filters: ReportFilters) -> dict:
    """Every table of the report in three queries: answered hand-overs, lost deals, sales notes."""
    answers = _answers(filters)
    return {
        "rejections": _rejections(answers),
        "losses": _losses(filters),
        "acceptance": _acceptance(answers),
        "notes": latest_sales_notes(filters),
    }


def latest_sales_notes(filters: ReportFilters, per_campaign: int = NOTES_PER_CAMPAIGN) -> list[dict]:
    """The latest notes sales reps wrote in the period on leads of each first-touch campaign."""
    notes = (
        LeadNote.objects.filter(
            filters.in_range("created_at"),
            lead_filter(filters, "lead__"),
            author__groups__name=SALES_REP,
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("lead__first_touch_campaign_id")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=per_campaign)
        .select_related("lead", "lead__first_touch_campaign", "author")
        .order_by("lead__first_touch_campaign__name", "-created_at", "-pk")
    )
    campaigns: dict = {}
    for note in notes:
        campaign = note.lead.first_touch_campaign
        label = campaign.name if campaign else "No campaign"
        entry = campaigns.setdefault(
            campaign.pk if campaign else None, {"key": campaign.pk if campaign else "", "label": label, "notes": []}
        )
        entry["notes"].append(
            {
                "lead": str(note.lead),
                "lead_id": note.lead_id,
                "author": display_name(note.author),
                "created_at": note.created_at,
                "body": note.body,
            }
        )
    return list(campaigns.values())
