"""Lifecycle moves, each recorded, and a manager's reassignment of leads."""

from django.db import transaction
from django.utils import timezone

from companies.services import mark_rollups_due
from leads.models import FUNNEL, REACHED_AT, Lead, LeadStageChange, LifecycleStage


class StageChangeNotAllowed(Exception):
    """A lifecycle move that the funnel's rules refuse; the message says why, for the user."""


def assign_owner(*, lead_ids, owner) -> int:
    """Give the selected leads to `owner` (a manager's bulk reassignment) in one UPDATE; returns how many."""
    return Lead.objects.filter(pk__in=lead_ids).update(owner=owner, updated_at=timezone.now())


@transaction.atomic
def change_stages(*, lead_ids, to: str, by, reason: str = "", note: str = "") -> int:
    """Move the selected leads (a page at most) to `to`, each through `change_stage` so each is recorded.

    All or nothing: one refused move (e.g. backwards without a reason) refuses the whole selection.
    """
    moved = 0
    for lead in Lead.objects.select_for_update().filter(pk__in=lead_ids):
        moved += change_stage(lead=lead, to=to, by=by, reason=reason, note=note)
    return moved


def is_backward(from_stage: str, to_stage: str) -> bool:
    """Moving down the funnel (e.g. opportunity → sql, customer → anything) rather than forward or aside."""
    if from_stage in FUNNEL and to_stage in FUNNEL:
        return FUNNEL.index(to_stage) < FUNNEL.index(from_stage)
    return from_stage == LifecycleStage.CUSTOMER


@transaction.atomic
def change_stage(*, lead: Lead, to: str, by=None, reason: str = "", note: str = "", at=None) -> bool:
    """Move `lead` to lifecycle stage `to` and record who, when, from, to and why.

    Forward moves and side exits (nurture, disqualified) need no reason; a move back down the funnel does,
    so that a lead never moves backwards silently. Reaching a funnel stage also marks the stages before it
    as reached (a subscriber handed over as an MQL has reached `lead` too). Returns False when the lead
    is already in `to` (nothing is recorded twice).
    """
    if to not in LifecycleStage.values:
        raise StageChangeNotAllowed(f"Unknown lifecycle stage: {to}.")
    if lead.stage == to:
        return False
    if is_backward(lead.stage, to) and not (reason or note):
        raise StageChangeNotAllowed(
            f"Moving a lead back from {LifecycleStage(lead.stage).label} to {LifecycleStage(to).label} needs a reason."
        )
    at = at or timezone.now()
    from_stage = lead.stage
    lead.stage = to
    changed = ["stage", "updated_at"]
    if to in FUNNEL:
        for stage in FUNNEL[1 : FUNNEL.index(to) + 1]:
            field = REACHED_AT[stage]
            if getattr(lead, field) is None:
                setattr(lead, field, at)
                changed.append(field)
    lead.save(update_fields=changed)
    mark_rollups_due([lead.account_id])  # its company's top stage may move
    LeadStageChange.objects.create(
        lead=lead, from_stage=from_stage, to_stage=to, by=by, reason=reason, note=note, at=at
    )
    return True
