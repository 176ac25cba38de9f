"""Celery tasks of the leads app: thin wrappers over services, taking ids, safe to run twice."""

import datetime
import logging
import smtplib
import threading
import time
from functools import partial

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction

from crm.actors import CONSENT, IMPORT, SCORING, as_relay
from leads.imports.run import resume_stalled_imports, run_import
from leads.scoring import queue, runs
from leads.services import consent, events
from leads.signals import leads_qualified

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
# Set while a drain chain runs (see score_stale_leads); each run of the chain sets it again, so that it
# expires soon after the chain dies with its worker.
DRAIN_KEY = "leads:scoring-drain"
DRAIN_SECONDS = 60


@shared_task(name="leads.score_stale_leads", **RETRY)
def score_stale_leads(limit: int = SWEEP_BATCH, drain: bool = False) -> int:
    """Score the leads queued for a new score (and any never scored), set-based, a batch at a time, and
    announce those that now qualify (`signals.leads_qualified`: the hand-over app hands them over, each in
    its own transaction, and consumes their requests). Rung by the doorbell after changes, and by beat every
    SCORING_SWEEP_SECONDS to catch up on rings whose message was lost; those runs take the newest requests.

    A run that finds more than `limit` waiting starts the drain: one chain of runs, oldest requests first,
    SWEEP_BATCH at a time, until the queue is empty. One chain at a time (a cache key says one is on), so
    a backlog (an import of 100,000 leads) never fills the broker with chains that a fresh event's ring
    would wait behind; and the chain works from the other end of the queue than the rings.
    """
    if drain:
        cache.set(DRAIN_KEY, True, timeout=DRAIN_SECONDS)
    with as_relay(SCORING):
        batch = queue.score_requested(limit=limit, newest_first=not drain)
        if batch.ready:
            leads_qualified.send(sender=score_stale_leads, ready=batch.ready)
    more = len(batch.ids) >= limit
    if drain and not more:
        cache.delete(DRAIN_KEY)
        # A ring that found more waiting while the key was set left them to this chain, and this run may
        # have read the queue before they were committed: look again now that the key is released.
        more, drain = queue.requests_waiting(), False
    if more and (drain or cache.add(DRAIN_KEY, True, timeout=DRAIN_SECONDS)):
        enqueue_now(score_stale_leads, SWEEP_BATCH, True)
    return len(batch.ids)


class Doorbell:
    """Rings `score_stale_leads` after a commit that queued leads for scoring, at most once per `delay`
    seconds per process, so that 500 events a second send a few messages, not 500.

    Each message is delivered `delay` seconds after it is sent, so the run it starts reads every commit
    made while its ring was covering (a request checks the doorbell only after its own commit). Run
    eagerly (no broker), every ring runs the task at once.
    """

    def __init__(self, task, *, delay: float, args: tuple = (), clock=time.time):
        self.task = task
        self.args = args
        self.delay = delay
        self.clock = clock
        self.covered_until = 0.0
        self.lock = threading.Lock()

    def ring(self) -> None:
        if self.task.app.conf.task_always_eager:
            enqueue_now(self.task, *self.args)
            return
        now = self.clock()
        with self.lock:
            if now < self.covered_until:
                return
            self.covered_until = now + self.delay
        try:
            self.task.apply_async(self.args, countdown=self.delay)
        except Exception:  # kombu raises several unrelated types when Redis is unreachable
            self.covered_until = 0.0
            logger.warning("Could not ring %s; the beat sweep will catch up", self.task.name, exc_info=True)


# A ring scores the newest requests only, a small batch that runs in a fraction of a second, hand-overs
# included: a fresh demo request is not held up by the hundreds of hand-overs a backlog's batch may bring.
# More than that waiting starts the drain.
RING_BATCH = 100
ring_scoring = Doorbell(score_stale_leads, delay=settings.SCORING_DOORBELL_SECONDS, args=(RING_BATCH,)).ring


@shared_task(name="leads.rescore_leads", **RETRY)
def rescore_leads(run_id: int | None = None) -> int:
    """Rescore the whole base (nightly, as decay moves scores, and after rule changes), then announce the
    leads that qualify (the hand-over app hands them over)."""
    with as_relay(SCORING):
        count, ready = runs.run_rescore(run_id=run_id)
        if ready:
            leads_qualified.send(sender=rescore_leads, ready=dict.fromkeys(ready))
    return count


@shared_task(name="leads.import_leads", **RETRY)
def import_leads(import_id: int) -> None:
    """Run a queued CSV import (see `leads.imports.run.run_import`); a redelivery, or a retry after a database
    error, goes on after its last committed batch."""
    with as_relay(IMPORT):
        run_import(import_id)


@shared_task(name="leads.resume_stalled_work", **RETRY)
def resume_stalled_work() -> dict[str, tuple[int, int]]:
    """Beat: send again the imports and rescores whose worker died (their progress stopped moving for
    STALLED_WORK_MINUTES), giving up on those whose runs keep dying (`leads.services.stalled`); returns
    (sent again, given up) of each."""
    return {"imports": resume_stalled_imports(), "rescores": runs.resume_stalled_rescores()}


# Email is outside the app: a refused connection or an SMTP error is retried with backoff, like the database.
EMAIL_RETRY = {**RETRY, "autoretry_for": (DatabaseError, smtplib.SMTPException, OSError)}


@shared_task(name="leads.send_consent_confirmation", **EMAIL_RETRY)
def send_consent_confirmation(request_id: int) -> bool:
    """Email the double opt-in link of a consent ticked on the public form (once; see `leads.services.consent`)."""
    with as_relay(CONSENT):
        return consent.send_confirmation(request_id=request_id)


@shared_task(name="leads.send_unsent_consent_confirmations", **RETRY)
def send_unsent_consent_confirmations(limit: int = 200) -> int:
    """Beat: send the confirmation emails a lost message or a failed retry left unsent; returns how many."""
    sent = 0
    for request_id in consent.unsent_requests().order_by("requested_at").values_list("pk", flat=True)[:limit]:
        try:
            sent += consent.send_confirmation(request_id=request_id)
        except (smtplib.SMTPException, OSError):
            logger.warning("Could not send consent confirmation %s; the next sweep tries again", request_id)
            break  # the mail server is down: the next sweep tries again
    return sent


# How long the sweep of a deleted lead waits, between two looks, for the transactions open at the deletion.
SWEEP_WAIT_SECONDS = 5


@shared_task(name="leads.sweep_deleted_leads", bind=True, **{**RETRY, "max_retries": 720})
def sweep_deleted_leads(self, lead_ids: list[int], deleted_by: str | None = None) -> int:
    """Delete what a concurrent event batch wrote for leads deleted meanwhile (`events.delete_left_behind`).

    Sent when the deletion commits. A batch whose transaction began before that may still write, so the
    sweep first waits until every transaction open at its first run has ended (`deleted_by`, the database's
    clock then), looking again every SWEEP_WAIT_SECONDS for up to an hour. Run eagerly (no broker) it cannot
    wait, and sweeps at once. Safe to run twice.
    """
    if deleted_by is None:
        deleted_by = events.database_now().isoformat()
    waiting = events.transactions_open_since(datetime.datetime.fromisoformat(deleted_by))
    if waiting and not self.request.is_eager:
        raise self.retry(args=(lead_ids, deleted_by), countdown=SWEEP_WAIT_SECONDS)
    return events.delete_left_behind(lead_ids)


def sweep_after_delete(sender, instance, **kwargs) -> None:
    """post_delete of a lead: sweep after the commit (see `sweep_deleted_leads`)."""
    enqueue(sweep_deleted_leads, [instance.pk])


def enqueue_now(task, *args) -> None:
    """Send `task`; a broker that is down is logged, not raised (the sweeps catch up from the database)."""
    try:
        task.delay(*args)
    except Exception:  # kombu raises several unrelated types when Redis is unreachable
        logger.warning("Could not enqueue %s%s; the beat sweep will catch up", task.name, args, exc_info=True)


def enqueue(task, *args) -> None:
    """Send `task` once the current transaction commits (see `enqueue_now`)."""
    transaction.on_commit(partial(enqueue_now, task, *args))
