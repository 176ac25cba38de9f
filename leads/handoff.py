"""The hand-over of marketing-qualified leads to sales, the rep's answer, and the SLA on that answer.

The downstream effect of a hand-over (a deal in the pipeline) goes through two narrow functions of
`deals.services`: `open_deal_for_lead` and `close_deal_for_rejected_mql`.
"""

import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from crm.notifications import notify
from crm.roles import MANAGER, SALES_REP, is_manager
from leads.models import Handoff, Lead, LifecycleStage, RejectionReason, ScoringSettings, TerritoryRule
from leads.scoring import QUALIFYING_STAGES, score_lead
from leads.services import change_stage

logger = logging.getLogger(__name__)

# Rejections that mean "never a fit" default to disqualified; the others to nurture ("not now").
DISQUALIFYING_REASONS = {RejectionReason.NOT_A_FIT, RejectionReason.DUPLICATE}


class HandoffError(Exception):
    """An accept, reject or reassignment that cannot happen; the message says why, for the user."""


def active_reps():
    return get_user_model().objects.filter(is_active=True, groups__name=SALES_REP).order_by("pk")


def choose_rep(lead: Lead, *, exclude_ids=()):
    """The rep who gets `lead`: a matching territory rule's rep when active, else the next rep round-robin.

    The round-robin cursor row is locked, so two hand-overs at once never pick from the same position.
    Returns None when there is no active rep.
    """
    for rule in TerritoryRule.objects.select_related("rep").filter(rep__is_active=True, rep__groups__name=SALES_REP):
        if rule.rep_id not in exclude_ids and rule.matches(lead):
            return rule.rep
    reps = [rep for rep in active_reps() if rep.pk not in exclude_ids]
    if not reps:
        return None
    ScoringSettings.load()
    cursor = ScoringSettings.objects.select_for_update().get(pk=1)
    last = cursor.last_assigned_rep_id or 0
    rep = next((rep for rep in reps if rep.pk > last), reps[0])
    ScoringSettings.objects.filter(pk=1).update(last_assigned_rep=rep)
    return rep


def managers():
    return get_user_model().objects.filter(is_active=True, groups__name=MANAGER)


def hand_over_mql(*, lead_id: int) -> Handoff | None:
    """Make a qualified lead an MQL, assign it to a rep, open its deal and tell the rep: exactly once.

    Safe to run any number of times, by any number of workers at once: the lead row is locked, the state
    is checked again under the lock (only a subscriber or lead at or above the threshold qualifies), and
    a unique (lead, round) refuses a second hand-over. Returns the new hand-over, or None when nothing
    was (or is left) to do.
    """
    try:
        with transaction.atomic():
            return _hand_over(lead_id)
    except IntegrityError:
        # Another worker handed this lead over between our check and our insert: that one counts.
        logger.info("Lead %s was handed over concurrently; nothing to do", lead_id)
        return None


def _hand_over(lead_id: int) -> Handoff | None:
    from deals.services import open_deal_for_lead  # downstream: the narrow door into the pipeline

    lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
    qualification = ScoringSettings.load()
    threshold = qualification.mql_threshold
    if lead is None or lead.stage not in QUALIFYING_STAGES or lead.score < threshold:
        return None
    rep = choose_rep(lead)
    if rep is None:
        logger.warning("Lead %s qualified but there is no active sales rep; it will be retried", lead_id)
        return None
    now = timezone.now()
    handoff = Handoff.objects.create(
        lead=lead,
        round=lead.handoffs.count() + 1,
        rep=rep,
        score=lead.score,
        handed_at=now,
        due_at=now + timedelta(hours=qualification.sla_hours),
    )
    change_stage(
        lead=lead,
        to=LifecycleStage.MQL,
        reason="score_reached_threshold",
        note=f"Score {lead.score} ≥ {threshold}",
        at=now,
    )
    lead.owner = rep
    lead.save(update_fields=["owner", "updated_at"])
    open_deal_for_lead(lead=lead, owner=rep, handoff=handoff)
    notify(
        users=[rep],
        message=f"New MQL for you: {lead} ({lead.company or lead.email}), score {lead.score}.",
        url=reverse("leads:inbox"),
        email_subject=f"Relay: new MQL {lead}",
    )
    return handoff


def handoff_for_answer(*, handoff_id: int, by) -> Handoff:
    """The pending hand-over `by` may answer (its rep, or a manager), locked for the answer."""
    handoff = Handoff.objects.select_for_update().select_related("lead").filter(pk=handoff_id).first()
    if handoff is None:
        raise HandoffError("This MQL no longer exists.")
    if handoff.rep_id != by.pk and not is_manager(by):
        raise HandoffError("Only the rep this MQL was handed to, or a manager, can answer it.")
    if handoff.outcome != Handoff.Outcome.PENDING:
        raise HandoffError(f"This MQL was already {handoff.get_outcome_display().lower()}.")
    return handoff


@transaction.atomic
def accept_mql(*, handoff_id: int, by, note: str = "") -> Handoff:
    """The rep accepts the MQL: the lead becomes sales-qualified (`sql`) and its deal stays open."""
    handoff = handoff_for_answer(handoff_id=handoff_id, by=by)
    handoff.outcome = Handoff.Outcome.ACCEPTED
    handoff.responded_at = timezone.now()
    handoff.note = note
    handoff.save(update_fields=["outcome", "responded_at", "note"])
    change_stage(lead=handoff.lead, to=LifecycleStage.SQL, by=by, reason="accepted", note=note, at=handoff.responded_at)
    return handoff


@transaction.atomic
def reject_mql(*, handoff_id: int, by, reason: str, note: str = "", disqualify: bool | None = None) -> Handoff:
    """The rep rejects the MQL with a reason that flows back to marketing.

    "Not now" sends the lead to `nurture` with its engagement reset, so it can qualify again on new
    engagement; "never a fit" disqualifies it. `disqualify=None` picks by reason. The deal is closed lost
    with the reason "rejected MQL".
    """
    from deals.services import close_deal_for_rejected_mql

    if reason not in RejectionReason.values:
        raise HandoffError("Choose a rejection reason.")
    if reason == RejectionReason.OTHER and not note.strip():
        raise HandoffError("Say why in the note when the reason is Other.")
    handoff = handoff_for_answer(handoff_id=handoff_id, by=by)
    now = timezone.now()
    handoff.outcome = Handoff.Outcome.REJECTED
    handoff.responded_at = now
    handoff.rejection_reason = reason
    handoff.note = note
    handoff.save(update_fields=["outcome", "responded_at", "rejection_reason", "note"])
    lead = handoff.lead
    if disqualify is None:
        disqualify = reason in DISQUALIFYING_REASONS
    to = LifecycleStage.DISQUALIFIED if disqualify else LifecycleStage.NURTURE
    change_stage(lead=lead, to=to, by=by, reason=reason, note=note, at=now)
    if to == LifecycleStage.NURTURE:
        lead.engagement_reset_at = now
        lead.save(update_fields=["engagement_reset_at", "updated_at"])
        score_lead(lead_id=lead.pk, now=now)
    close_deal_for_rejected_mql(handoff=handoff, by=by, note=note)
    return handoff


def reassign_overdue_mqls(*, now=None, limit: int = 200) -> int:
    """SLA: hand each MQL not answered in time to the next rep, once, and alert the managers.

    Each hand-over is reassigned at most once (`reassigned_at`); a second miss only stays overdue in the
    reports. Works in bounded batches; returns how many were reassigned.
    """
    from deals.services import reassign_handoff_deal

    now = now or timezone.now()
    sla = timedelta(hours=ScoringSettings.load().sla_hours)
    reassigned = 0
    overdue = Handoff.objects.filter(outcome=Handoff.Outcome.PENDING, due_at__lt=now, reassigned_at__isnull=True)
    for handoff_id in overdue.order_by("due_at").values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            handoff = (
                Handoff.objects.select_for_update()
                .select_related("lead", "rep")
                .filter(pk=handoff_id, outcome=Handoff.Outcome.PENDING, reassigned_at__isnull=True)
                .first()
            )
            if handoff is None:
                continue
            new_rep = choose_rep(handoff.lead, exclude_ids={handoff.rep_id})
            if new_rep is None:
                continue
            missed_by = handoff.rep
            handoff.previous_rep = missed_by
            handoff.rep = new_rep
            handoff.reassigned_at = now
            handoff.due_at = now + sla
            handoff.save(update_fields=["previous_rep", "rep", "reassigned_at", "due_at"])
            lead = handoff.lead
            lead.owner = new_rep
            lead.save(update_fields=["owner", "updated_at"])
            reassign_handoff_deal(handoff=handoff, owner=new_rep)
            notify(
                users=[new_rep],
                message=f"MQL {lead} was reassigned to you: {missed_by} did not answer within the SLA.",
                url=reverse("leads:inbox"),
                email_subject=f"Relay: MQL {lead} reassigned to you",
            )
            notify(
                users=list(managers()),
                message=f"SLA missed: {missed_by} did not answer MQL {lead} in time; reassigned to {new_rep}.",
                url=lead.get_absolute_url(),
                email_subject=f"Relay: SLA missed on MQL {lead}",
            )
            reassigned += 1
    return reassigned
