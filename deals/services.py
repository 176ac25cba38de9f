"""Writes on deals (provisional: the narrow functions the MQL hand-over calls; merged with issue #6)."""

from django.db import transaction
from django.utils import timezone

from deals.models import Deal, DealStageChange, LostReason, Pipeline, Stage


def first_open_stage(pipeline: Pipeline | None = None) -> Stage:
    pipeline = pipeline or Pipeline.default()
    return pipeline.stages.filter(kind=Stage.Kind.OPEN).order_by("order").first()


@transaction.atomic
def open_deal_for_lead(*, lead, owner, handoff=None) -> Deal:
    """The hand-over's door into the pipeline: a deal in the first stage, sourced from the lead's campaign."""
    stage = first_open_stage()
    name = lead.full_name or lead.email
    deal = Deal.objects.create(
        title=f"{lead.company} — {name}" if lead.company else name,
        lead=lead,
        company=lead.company,
        contact_name=lead.full_name,
        contact_email=lead.email,
        stage=stage,
        owner=owner,
        source_campaign=lead.first_touch_campaign,
        handoff=handoff,
    )
    DealStageChange.objects.create(deal=deal, from_stage=None, to_stage=stage, by=None, at=deal.created_at)
    return deal


@transaction.atomic
def close_deal_for_rejected_mql(*, handoff, by, note: str = "") -> Deal | None:
    """A rejected MQL's deal is closed lost with the reason "rejected MQL"."""
    deal = Deal.objects.select_for_update().filter(handoff=handoff).first()
    if deal is None or deal.closed_at:
        return deal
    lost = deal.stage.pipeline.stages.get(kind=Stage.Kind.LOST)
    now = timezone.now()
    DealStageChange.objects.create(deal=deal, from_stage=deal.stage, to_stage=lost, by=by, at=now)
    deal.stage, deal.closed_at, deal.stage_changed_at = lost, now, now
    deal.lost_reason, deal.close_note = LostReason.REJECTED_MQL, note
    deal.save(update_fields=["stage", "closed_at", "stage_changed_at", "lost_reason", "close_note", "updated_at"])
    return deal


def reassign_handoff_deal(*, handoff, owner) -> int:
    """The deal follows its MQL to the rep it was reassigned to."""
    return Deal.objects.filter(handoff=handoff, closed_at__isnull=True).update(owner=owner, updated_at=timezone.now())
