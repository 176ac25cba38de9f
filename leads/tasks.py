"""Celery tasks of the leads app: thin wrappers over services, taking ids, safe to run twice."""

import logging
from functools import partial

from celery import shared_task
from django.db import DatabaseError, transaction
from django.utils import timezone

from leads import handoff, scoring
from leads.imports import run_import
from leads.models import Lead, RescoreRun

logger = logging.getLogger(__name__)

# Database hiccups (a dropped connection, a lock timeout) are retried with backoff; the services are
# idempotent, so a retry after a partial failure changes nothing twice.
RETRY = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 6,
    "acks_late": True,
    "reject_on_worker_lost": True,
}
SWEEP_BATCH = 2000


@shared_task(name="leads.score_lead", **RETRY)
def score_lead(lead_id: int) -> int | None:
    """Score one lead; if it qualifies, hand it over in the same run (exactly once, see hand_over_mql)."""
    lead = scoring.score_lead(lead_id=lead_id)
    if lead is None:
        return None
    if scoring.leads_ready_for_handover().filter(pk=lead_id).exists():
        handoff.hand_over_mql(lead_id=lead_id)
    return lead.score


@shared_task(name="leads.score_leads", **RETRY)
def score_leads(lead_ids: list[int]) -> int:
    """Score a batch of leads set-based (a batch of API events, an import batch), then hand over those
    that qualify."""
    ids = list(lead_ids)
    scoring.rescore_batch(Lead.objects.filter(pk__in=ids), ruleset=scoring.Ruleset.load(), now=timezone.now())
    for lead_id in scoring.leads_ready_for_handover().filter(pk__in=ids).values_list("pk", flat=True):
        handoff.hand_over_mql(lead_id=lead_id)
    return len(ids)


@shared_task(name="leads.hand_over_mql", **RETRY)
def hand_over_mql(lead_id: int) -> int | None:
    """Hand a qualified lead to sales; returns the hand-over id, or None if there was nothing to do."""
    result = handoff.hand_over_mql(lead_id=lead_id)
    return result.pk if result else None


@shared_task(name="leads.score_stale_leads", **RETRY)
def score_stale_leads(limit: int = SWEEP_BATCH) -> int:
    """Beat sweep: score, set-based, the leads whose score is older than their last event or request,
    then hand over those that qualify. Catches up on work whose Celery message was lost."""
    ruleset = scoring.Ruleset.load()
    ids = list(scoring.stale_leads().values_list("pk", flat=True)[:limit])
    if ids:
        scoring.rescore_batch(Lead.objects.filter(pk__in=ids), ruleset=ruleset, now=timezone.now())
    hand_over_ready_leads.delay()
    return len(ids)


@shared_task(name="leads.hand_over_ready_leads", **RETRY)
def hand_over_ready_leads(limit: int = 500) -> int:
    """Hand over every lead at or above the threshold still waiting in subscriber or lead (bounded batch)."""
    done = 0
    for lead_id in scoring.leads_ready_for_handover().order_by("pk").values_list("pk", flat=True)[:limit]:
        if handoff.hand_over_mql(lead_id=lead_id):
            done += 1
    return done


@shared_task(name="leads.rescore_leads", **RETRY)
def rescore_leads(run_id: int | None = None) -> int:
    """Rescore the whole base (nightly, as decay moves scores, and after rule changes), then hand over."""
    run = RescoreRun.objects.filter(pk=run_id).first() if run_id else RescoreRun.objects.create()
    if run is None or run.status == RescoreRun.Status.DONE:
        return 0
    RescoreRun.objects.filter(pk=run.pk).update(status=RescoreRun.Status.RUNNING, started_at=timezone.now())

    def progress(processed, total):
        RescoreRun.objects.filter(pk=run.pk).update(processed=processed, total=total)

    try:
        count = scoring.rescore_leads(on_progress=progress)
    except Exception:
        RescoreRun.objects.filter(pk=run.pk).update(status=RescoreRun.Status.FAILED)
        raise
    new_mqls = scoring.leads_ready_for_handover().count()
    RescoreRun.objects.filter(pk=run.pk).update(
        status=RescoreRun.Status.DONE, processed=count, total=count, new_mqls=new_mqls, finished_at=timezone.now()
    )
    hand_over_ready_leads.delay(limit=max(new_mqls, 1))
    return count


@shared_task(name="leads.reassign_overdue_mqls", **RETRY)
def reassign_overdue_mqls() -> int:
    """Beat: every few minutes, reassign MQLs whose SLA ran out (once each) and alert the managers."""
    return handoff.reassign_overdue_mqls()


@shared_task(name="leads.import_leads")
def import_leads(import_id: int) -> None:
    """Run a queued CSV import (see `leads.imports.run_import`); idempotent, so a redelivery is harmless."""
    run_import(import_id)


def enqueue_now(task, *args) -> None:
    """Send `task`; a broker that is down is logged, not raised (the sweeps catch up from the database)."""
    try:
        task.delay(*args)
    except Exception:  # kombu raises several unrelated types when Redis is unreachable
        logger.warning("Could not enqueue %s%s; the beat sweep will catch up", task.name, args, exc_info=True)


def enqueue(task, *args) -> None:
    """Send `task` once the current transaction commits (see `enqueue_now`)."""
    transaction.on_commit(partial(enqueue_now, task, *args))
