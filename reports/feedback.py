"""The feedback report: what sales tells marketing about the leads each campaign and channel brings.

A lead's campaign is its first-touch campaign. MQL rejections and acceptance count the hand-overs answered
in the period (owner = the rep who answered), deal losses the deals closed lost in the period with a loss
reason (owner = the deal's owner; "rejected MQL" is left out: those are the MQL rejections), sales notes the
notes written in the period by sales reps on leads (owner = the lead's owner).
"""

from django.db.models import Count, F, Max, Q
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from campaigns.models import Channel
from crm import metrics
from crm.roles import SALES_REP
from deals.models import Deal, LostReason, Stage
from leads.models import Handoff, LeadNote, RejectionReason
from reports.filters import ReportFilters, lead_channel, lead_filter

GROUPINGS = {"campaign": "Campaign", "channel": "Channel"}
LOSS_REASONS = [(value, label) for value, label in LostReason.choices if value != LostReason.REJECTED_MQL]
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


def _group_values(grouping: str) -> dict:
    if grouping == "channel":
        return {"key": lead_channel("lead__")}
    return {"key": F("lead__first_touch_campaign_id")}


def _group_labels(rows, grouping: str) -> dict:
    if grouping == "channel":
        names = dict(Channel.choices)
        return {row["key"]: names.get(row["key"], "No channel") for row in rows}
    return {row["key"]: row.get("name") or "No campaign" for row in rows}


def reasons_by_group(queryset, reason_field: str, reasons: list[tuple[str, str]], grouping: str) -> dict:
    """A pivot table: one row per campaign or channel, one column per reason, with totals; and the same as
    Chart.js stacked-bar data."""
    rows = list(
        queryset.values(**_group_values(grouping), reason=F(reason_field))
        .annotate(count=Count("pk"), name=Max("lead__first_touch_campaign__name"))
        .order_by()
    )
    labels = _group_labels(rows, grouping)
    table: dict = {}
    for row in rows:
        entry = table.setdefault(
            row["key"], {"key": row["key"] or "", "label": labels[row["key"]], "counts": {}, "total": 0}
        )
        entry["counts"][row["reason"]] = entry["counts"].get(row["reason"], 0) + row["count"]
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


def rejection_reasons(filters: ReportFilters, grouping: str = "campaign") -> dict:
    rejected = answered_handoffs(filters).filter(outcome=Handoff.Outcome.REJECTED)
    return reasons_by_group(rejected, "rejection_reason", list(RejectionReason.choices), grouping)


def loss_reasons(filters: ReportFilters, grouping: str = "campaign") -> dict:
    return reasons_by_group(lost_deals(filters), "lost_reason", LOSS_REASONS, grouping)


def acceptance_by_campaign(filters: ReportFilters) -> list[dict]:
    """Per first-touch campaign: MQLs accepted, rejected and the acceptance rate."""
    rows = (
        answered_handoffs(filters)
        .values(key=F("lead__first_touch_campaign_id"))
        .annotate(
            name=Max("lead__first_touch_campaign__name"),
            accepted=Count("pk", filter=Q(outcome=Handoff.Outcome.ACCEPTED)),
            rejected=Count("pk", filter=Q(outcome=Handoff.Outcome.REJECTED)),
        )
        .order_by()
    )
    table = [
        {
            "key": row["key"] or "",
            "label": row["name"] or "No campaign",
            "accepted": row["accepted"],
            "rejected": row["rejected"],
            "acceptance_rate": metrics.mql_acceptance_rate(accepted=row["accepted"], rejected=row["rejected"]),
        }
        for row in rows
    ]
    return sorted(table, key=lambda row: (-(row["accepted"] + row["rejected"]), row["label"]))


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
                "author": note.author.get_full_name() or note.author.username,
                "created_at": note.created_at,
                "body": note.body,
            }
        )
    return list(campaigns.values())
