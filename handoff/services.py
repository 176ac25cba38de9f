"""The hand-over of marketing-qualified leads to sales, the rep's answer, and the SLA on that answer
(DOMAIN.md "The hand-over").

An MQL waits in its rep's inbox and is not a deal: only the rep's accept creates one, through the narrow
door `deals.services.open_deal_for_lead`; a rejection never does. Nothing but accept, reject or the SLA's
reassignment takes an MQL out of the inbox. This app is the only place that knows both a lead and a deal:
it also moves a lead along the funnel when its deal moves (`move_lead_with_its_deal`) and gives it to its
deal's new owner (`lead_follows_its_deal_owner`).
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone

from crm.actors import HAND_OVER, SCORING, SLA, as_relay
from crm.notifications import notify
from crm.roles import MANAGER, SALES_REP, is_manager
from crm.text import cut
from deals.models import Stage
from deals.services import first_open_stage, open_deal_for_lead, update_pipeline
from handoff.models import Handoff, HandoffFailure, RejectionReason, Sla, TerritoryRule
from handoff.selectors import sla_hours_at, sla_hours_on
from leads.models import Lead, LifecycleStage, ScoreRequest, ScoringSettings, StageChangeReason
from leads.scoring.rescore import leads_ready_for_handover
from leads.scoring.rules import QUALIFYING_STAGES
from leads.scoring.scorer import score_lead
from leads.services.stages import change_stage

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


class NoRepAvailable(Exception):
    """A lead qualified, but there is no active sales rep to hand it to."""


@dataclass
class HandoverRun:
    """What `hand_over_each` did: hand-overs made, and leads whose hand-over failed (each recorded)."""

    handed_over: int = 0
    failed: list[int] = field(default_factory=list)


# A failed hand-over is tried again after 1, 2, 4 … minutes, then every hour.
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
# Failures that are the database's, not the lead's: the task is retried as a whole (nothing was consumed).
INFRASTRUCTURE_ERRORS = (OperationalError, InterfaceError)


def hand_over_each(leads: dict[int, int | None]) -> HandoverRun:
    """Hand over each of `leads` (lead id → the ticket of its score request, or None) in its own
    transaction, so that one lead's failure neither undoes nor stops the others'.

    A lead whose hand-over raises is logged with its id and recorded as a `HandoffFailure`, which managers
    see and the beat sweep retries with backoff; its score request is consumed with that record. A lost
    database connection is not the lead's fault: it propagates, with nothing consumed, and the task's retry
    (or the beat sweep) does the rest.
    """
    run = HandoverRun()
    for lead_id, ticket in leads.items():
        try:
            if hand_over_mql(lead_id=lead_id, ticket=ticket):
                run.handed_over += 1
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception as exc:
            logger.exception("The hand-over of lead %s failed; it will be retried", lead_id)
            record_failure(lead_id=lead_id, error=exc, ticket=ticket)
            run.failed.append(lead_id)
    return run


def hand_over_mql(*, lead_id: int, ticket: int | None = None) -> Handoff | None:
    """Make a qualified lead an MQL, assign it to a rep and tell the rep: exactly once. No deal yet: the MQL
    waits in the rep's inbox until accepted (`accept_mql`).

    Safe to run any number of times, by any number of workers at once: the lead row is locked, the state
    is checked again under the lock (only a subscriber or lead at or above the threshold qualifies), and
    a unique (lead, round) refuses a second hand-over. The lead's score request (if `ticket` is still its
    ticket) and any earlier failure are consumed in the same transaction, so the work is either done and
    forgotten or not done and still asked for. Returns the new hand-over, or None when nothing was (or is
    left) to do; raises when the hand-over itself fails (see `hand_over_each`).
    """
    try:
        with as_relay(HAND_OVER), transaction.atomic():
            handoff = _hand_over(lead_id)
            _consume(lead_id, ticket)
            return handoff
    except IntegrityError:
        # Another worker handed this lead over between our check and our insert: that one counts.
        if Handoff.objects.filter(lead_id=lead_id, outcome=Handoff.Outcome.PENDING).exists():
            logger.info("Lead %s was handed over concurrently; nothing to do", lead_id)
            return None
        raise


def _consume(lead_id: int, ticket: int | None) -> None:
    HandoffFailure.objects.filter(lead_id=lead_id).delete()
    if ticket is not None:
        ScoreRequest.objects.filter(lead_id=lead_id, ticket=ticket).delete()


def record_failure(*, lead_id: int, error: Exception, ticket: int | None = None, now=None) -> HandoffFailure | None:
    """Record that the hand-over of `lead_id` failed with `error`, set its next try (1, 2, 4 … minutes,
    at most an hour), and consume its score request: the retry is this row's, not the queue's. Managers
    hear about a lead's first failure. Returns None when the lead no longer exists."""
    now = now or timezone.now()
    text = cut(f"{error.__class__.__name__}: {error}", 2000)
    with transaction.atomic():
        lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
        if lead is None:
            return None
        failure = HandoffFailure.objects.filter(lead=lead).first()
        if failure is None:
            failure = HandoffFailure(lead=lead, first_failed_at=now, attempts=0)
        failure.attempts += 1
        failure.error = text
        failure.last_failed_at = now
        failure.next_attempt_at = now + min(RETRY_FIRST * 2 ** min(failure.attempts - 1, 10), RETRY_MAX)
        failure.save()
        if ticket is not None:
            ScoreRequest.objects.filter(lead_id=lead_id, ticket=ticket).delete()
        if failure.attempts == 1:
            notify(
                users=list(managers()),
                message=f"The hand-over of {lead} failed ({error.__class__.__name__}); Relay will retry it.",
                url=reverse("handoff:failed_handoffs"),
            )
    return failure


def leads_to_catch_up(*, now=None):
    """Qualified leads that nothing is handing over right now: ready and without a hand-over (a worker died
    between scoring and hand-over, a rescore raised a score), or whose failed hand-over is due again."""
    now = now or timezone.now()
    return leads_ready_for_handover().exclude(handoff_failure__next_attempt_at__gt=now)


def catch_up(*, limit: int = 500, now=None) -> HandoverRun:
    """The beat sweep's hand-overs: up to `limit` of `leads_to_catch_up`, each in its own transaction."""
    ids = leads_to_catch_up(now=now).order_by("-score", "pk").values_list("pk", flat=True)[:limit]
    return hand_over_each(dict.fromkeys(ids))


def retry_failed_handoff(*, lead_id: int) -> Handoff:
    """A manager's "retry now": hand the lead over at once. Raises HandoffError with the reason when it fails
    again (recorded, like any failure) or when the lead no longer qualifies (its failure is then cleared)."""
    run = hand_over_each({lead_id: None})
    if run.failed:
        failure = HandoffFailure.objects.filter(lead_id=lead_id).first()
        raise HandoffError(f"The hand-over failed again: {failure.error if failure else 'the lead is gone'}")
    if run.handed_over:
        return Handoff.objects.filter(lead_id=lead_id).order_by("-round").first()
    HandoffFailure.objects.filter(lead_id=lead_id).delete()
    raise HandoffError("This lead does not qualify for a hand-over any more (its stage or score changed).")


def _hand_over(lead_id: int) -> Handoff | None:
    lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
    qualification = ScoringSettings.load()
    threshold = qualification.mql_threshold
    if lead is None or lead.stage not in QUALIFYING_STAGES or lead.score < threshold:
        return None
    rep = choose_rep(lead)
    if rep is None:
        raise NoRepAvailable("There is no active sales rep to hand this MQL to.")
    now = timezone.now()
    sla_hours = sla_hours_at(now)
    handoff = Handoff.objects.create(
        lead=lead,
        round=lead.handoffs.count() + 1,
        rep=rep,
        score=lead.score,
        handed_at=now,
        sla_hours=sla_hours,
        due_at=now + timedelta(hours=sla_hours),
    )
    with as_relay(SCORING):  # the score made it an MQL; the hand-over gives it to the rep
        change_stage(
            lead=lead,
            to=LifecycleStage.MQL,
            reason=StageChangeReason.SCORE_REACHED_THRESHOLD,
            note=f"Score {lead.score} ≥ {threshold}",
            at=now,
        )
    lead.owner = rep
    lead.save(update_fields=["owner", "updated_at"])
    notify(
        users=[rep],
        message=f"New MQL for you: {lead} ({lead.company or lead.email}), score {lead.score}.",
        url=reverse("handoff:inbox"),
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
    """The rep accepts the MQL: the lead becomes sales-qualified (`sql`) and its deal is created, in the
    pipeline's first open stage, owned by the rep, crediting the lead's first-touch campaign. Exactly one:
    the hand-over is locked and must still be pending, and its `deal` is unique."""
    handoff = handoff_for_answer(handoff_id=handoff_id, by=by)
    handoff.outcome = Handoff.Outcome.ACCEPTED
    handoff.responded_at = timezone.now()
    handoff.note = note
    handoff.deal = open_deal_for_lead(lead=handoff.lead, owner=handoff.rep, by=by)
    handoff.save(update_fields=["outcome", "responded_at", "note", "deal"])
    change_stage(
        lead=handoff.lead,
        to=LifecycleStage.SQL,
        by=by,
        reason=StageChangeReason.ACCEPTED,
        note=note,
        at=handoff.responded_at,
    )
    return handoff


@transaction.atomic
def reject_mql(*, handoff_id: int, by, reason: str, note: str = "", disqualify: bool | None = None) -> Handoff:
    """The rep rejects the MQL with a reason that flows back to marketing. No deal ever existed, so nothing
    is lost: the rejection is marketing's feedback, on the hand-over.

    "Not now" sends the lead to `nurture` with its engagement reset, so it can qualify again on new
    engagement; "never a fit" disqualifies it. `disqualify=None` picks by reason.
    """
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
    return handoff


def reassign_overdue_mqls(*, now=None, limit: int = 200) -> int:
    """SLA: hand each MQL not answered in time to the next rep, once, and alert the managers.

    Each hand-over is reassigned at most once (`reassigned_at`); a second miss only stays overdue in the
    reports. Works in bounded batches, each hand-over in its own transaction: one that raises is logged
    and the others go on (it stays overdue for the next run). Returns how many were reassigned.
    """
    now = now or timezone.now()
    sla = timedelta(hours=sla_hours_at(now))  # the next rep gets the SLA in force now
    reassigned = 0
    overdue = Handoff.objects.filter(outcome=Handoff.Outcome.PENDING, due_at__lt=now, reassigned_at__isnull=True)
    for handoff_id in overdue.order_by("due_at").values_list("pk", flat=True)[:limit]:
        try:
            with as_relay(SLA):
                reassigned += _reassign(handoff_id, now=now, sla=sla)
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception:
            logger.exception("Reassigning overdue hand-over %s failed; the next run tries again", handoff_id)
    return reassigned


@transaction.atomic
def _reassign(handoff_id: int, *, now, sla) -> bool:
    handoff = (
        Handoff.objects.select_for_update()
        .select_related("lead", "rep")
        .filter(pk=handoff_id, outcome=Handoff.Outcome.PENDING, reassigned_at__isnull=True)
        .first()
    )
    if handoff is None:
        return False
    new_rep = choose_rep(handoff.lead, exclude_ids={handoff.rep_id})
    if new_rep is None:
        return False
    missed_by = handoff.rep
    handoff.previous_rep = missed_by
    handoff.rep = new_rep
    handoff.reassigned_at = now
    handoff.due_at = now + sla
    handoff.save(update_fields=["previous_rep", "rep", "reassigned_at", "due_at"])
    lead = handoff.lead
    lead.owner = new_rep
    lead.save(update_fields=["owner", "updated_at"])
    notify(
        users=[new_rep],
        message=f"MQL {lead} was reassigned to you: {missed_by} did not answer within the SLA.",
        url=reverse("handoff:inbox"),
        email_subject=f"Relay: MQL {lead} reassigned to you",
    )
    notify(
        users=list(managers()),
        message=f"SLA missed: {missed_by} did not answer MQL {lead} in time; reassigned to {new_rep}.",
        url=lead.get_absolute_url(),
        email_subject=f"Relay: SLA missed on MQL {lead}",
    )
    return True


# --- A deal's lead follows its deal -------------------------------------------------------------------


def lead_stage_after(*, lead, from_stage: Stage, to_stage: Stage, first_open: Stage) -> tuple[str | None, str]:
    """Where the deal's lead goes when its deal moves (None: it stays) and the reason to record with it."""
    current = lead.stage
    if to_stage.kind == Stage.Kind.WON:
        return LifecycleStage.CUSTOMER, ""
    if to_stage.kind == Stage.Kind.LOST:
        return None, ""
    if current == LifecycleStage.CUSTOMER and from_stage.kind != Stage.Kind.WON:
        return None, ""  # another deal of a customer: the customer stays a customer
    reason = "deal reopened" if current == LifecycleStage.CUSTOMER else ""
    if to_stage.pk != first_open.pk and to_stage.order >= first_open.order:
        return LifecycleStage.OPPORTUNITY, reason
    # Back in the first stage: an opportunity (or a reopened customer) is sales-qualified again.
    if current in (LifecycleStage.OPPORTUNITY, LifecycleStage.CUSTOMER):
        return LifecycleStage.SQL, reason or f"deal moved back to {to_stage.name}"
    return None, ""


def move_lead_with_its_deal(sender, *, deal, from_stage, to_stage, by, at, **kwargs) -> None:
    """`deals.signals.deal_moved`: the deal's lead moves along the funnel (opportunity once past the first
    stage, customer when won; a move back is recorded with its reason), in the move's transaction. A lead
    waiting in an inbox (an MQL) is never moved by a deal: only accept, reject or the SLA take it out."""
    lead = deal.lead
    if lead is None or lead.stage == LifecycleStage.MQL:
        return
    target, reason = lead_stage_after(
        lead=lead, from_stage=from_stage, to_stage=to_stage, first_open=first_open_stage(to_stage.pipeline)
    )
    if target is not None:
        change_stage(lead=lead, to=target, by=by, reason=reason, at=at)


def lead_follows_its_deal_owner(sender, *, deal, by, **kwargs) -> None:
    """`deals.signals.deal_reassigned`: the deal's lead goes to the deal's new owner, in the reassignment's
    transaction, recorded in the lead's history as the reassigner's change. A lead waiting in an inbox (an
    MQL of a new round) stays with its rep: only accept, reject or the SLA take it out."""
    if deal.lead_id is None:
        return
    lead = Lead.objects.select_for_update().filter(pk=deal.lead_id).first()
    if lead is None or lead.stage == LifecycleStage.MQL or lead.owner_id == deal.owner_id:
        return
    lead.owner = deal.owner
    lead._history_user = by  # django-simple-history: who made the change, whatever the request
    lead.save(update_fields=["owner", "updated_at"])


def hand_over_qualified(sender, *, ready: dict, **kwargs) -> None:
    """`leads.signals.leads_qualified`: hand over the leads a scoring run found qualified, each in its own
    transaction (`hand_over_each`), consuming their score requests."""
    hand_over_each(ready)


# --- Settings -------------------------------------------------------------------------------------------


@transaction.atomic
def update_sales_settings(*, pipeline, by, sla_hours: int, effective_from, name: str, rotting_days: int) -> None:
    """Save the sales settings page: the hours a rep has to answer an MQL from a date on, and the pipeline's
    name and rotting days, together. Neither changes a score, so nothing is rescored. The SLA is set only
    when it changes what applies from that date (`set_sla`), so saving the pipeline adds no history."""
    if sla_hours != sla_hours_on(effective_from):
        set_sla(hours=sla_hours, effective_from=effective_from, by=by)
    update_pipeline(pipeline=pipeline, name=name, rotting_days=rotting_days)


def set_sla(*, hours: int, effective_from, by) -> Sla:
    """A new SLA from `effective_from` (today or later, in TIME_ZONE) on: hand-overs from that date are due
    `hours` after they arrive, and the reports judge their answers by it. Hand-overs already made keep the
    hours they were given, so no report of the past changes. A later setting for the same date replaces an
    earlier one; both stay in the history."""
    sla = Sla(hours=hours, effective_from=effective_from, set_by=by, set_at=timezone.now())
    sla.full_clean()
    sla.save()
    return sla
