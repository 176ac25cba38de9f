"""Score requests: every change queues its lead for scoring in its own transaction; scoring answers the
requests it read, keeps those renewed meanwhile, and a burst of events rings the worker a few times only."""

import time

import pytest
import redis
from django.core.cache import cache

from conftest import require_postgres, start_worker, wait_until
from crm.tests.factories import UserFactory
from leads.models import Lead, ScoreRequest
from leads.scoring import queue
from leads.scoring.queue import request_scores
from leads.services.events import record_events
from leads.tasks import DRAIN_KEY, Doorbell, score_stale_leads
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_a_request_is_one_row_per_lead_and_asking_again_renews_its_ticket():
    lead = LeadFactory()
    request_scores([lead.pk, lead.pk])
    first = ScoreRequest.objects.get()
    request_scores([lead.pk])
    renewed = ScoreRequest.objects.get()
    assert renewed.lead_id == lead.pk and renewed.ticket != first.ticket


def test_scoring_answers_the_requests_it_read_and_keeps_one_renewed_since():
    answered, renewed = LeadFactory.create_batch(2)
    request_scores([answered.pk, renewed.pk])
    read = list(ScoreRequest.objects.values_list("lead_id", "ticket"))
    request_scores([renewed.pk])  # a new event for this lead after the scoring run read the queue
    queue._delete_requests(read)
    assert list(ScoreRequest.objects.values_list("lead_id", flat=True)) == [renewed.pk]


def test_events_queue_their_leads_and_scoring_moves_score_and_last_event_time_in_one_write():
    lead = LeadFactory(job_title="VP Marketing")
    result = record_events(items=[{"index": 0, "lead": lead.pk, "kind": "demo_request"}])
    assert result.stored == 1
    lead.refresh_from_db()
    assert lead.scored_at is None and lead.last_event_at is None  # the lead row was not written

    assert queue.score_requested(limit=10).ids == [lead.pk]
    lead.refresh_from_db()
    newest = lead.events.get()
    assert lead.last_event_at == newest.occurred_at and lead.score > 0
    assert not ScoreRequest.objects.exists()


def test_a_run_takes_the_newest_requests_first_so_a_fresh_event_does_not_wait_behind_an_import():
    imported, fresh = LeadFactory.create_batch(2)
    Lead.objects.update(scored_at="2026-01-01T00:00:00Z")
    request_scores([imported.pk])
    request_scores([fresh.pk])
    assert queue.score_requested(limit=1).ids == [fresh.pk]
    assert list(ScoreRequest.objects.values_list("lead_id", flat=True)) == [imported.pk]


def test_the_sweep_takes_leads_never_scored_too_and_sends_itself_again_when_full():
    queued = LeadFactory.create_batch(3)
    never_scored = LeadFactory()
    Lead.objects.filter(pk__in=[lead.pk for lead in queued]).update(scored_at="2026-01-01T00:00:00Z")
    request_scores([lead.pk for lead in queued])
    # A batch of 2 takes two requests; the task sends itself again until the queue and the unscored are done.
    assert score_stale_leads(limit=2) == 2
    assert not ScoreRequest.objects.exists()
    assert not Lead.objects.filter(scored_at__isnull=True).exists()
    never_scored.refresh_from_db()
    assert never_scored.scored_at is not None


def test_a_backlog_is_drained_by_one_chain_oldest_first_while_rings_take_the_newest():
    leads = LeadFactory.create_batch(5)
    Lead.objects.update(scored_at="2026-01-01T00:00:00Z")
    for lead in leads:  # oldest request first
        request_scores([lead.pk])
    cache.set(DRAIN_KEY, True)  # a drain chain is already on
    try:
        assert score_stale_leads(limit=2) == 2  # a ring: the two newest, and no second chain
        waiting = set(ScoreRequest.objects.values_list("lead_id", flat=True))
        assert waiting == {lead.pk for lead in leads[:3]}
        assert score_stale_leads(limit=1, drain=True) == 1  # the chain goes on until the queue is empty
        assert not ScoreRequest.objects.exists()
        assert cache.get(DRAIN_KEY) is None  # and says it is done
    finally:
        cache.delete(DRAIN_KEY)
    scored = [Lead.objects.get(pk=lead.pk).scored_at for lead in leads[:3]]
    assert scored == sorted(scored)  # oldest request scored first


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class RecordedTask:
    """The broker side of a Celery task (outside the app): remembers each send and its countdown."""

    name = "recorded"

    def __init__(self, *, eager=False):
        self.sent = []
        self.app = type("App", (), {"conf": type("Conf", (), {"task_always_eager": eager})()})()

    def apply_async(self, args=(), countdown=None):
        self.sent.append(countdown)

    def delay(self, *args):
        self.sent.append("now")


def test_the_doorbell_rings_once_per_interval_and_each_message_waits_out_that_interval():
    task, clock = RecordedTask(), Clock()
    ring = Doorbell(task, delay=0.25, clock=clock).ring
    for _ in range(100):  # a burst within one interval
        ring()
    assert task.sent == [0.25]
    clock.now += 0.24
    ring()
    assert task.sent == [0.25]  # still covered: the message sent at 1000.0 runs at 1000.25 or later
    clock.now += 0.02
    ring()
    assert task.sent == [0.25, 0.25]


def test_run_eagerly_every_ring_runs_the_task_at_once():
    task = RecordedTask(eager=True)
    ring = Doorbell(task, delay=0.25).ring
    ring()
    ring()
    assert task.sent == ["now", "now"]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_single_events_rings_a_few_times_and_a_real_worker_scores_every_lead(
    private_redis, broker_at, client
):
    require_postgres()
    broker_at(private_redis.url)
    client.force_login(UserFactory(role="Marketer", username="burst"))
    leads = LeadFactory.create_batch(40)
    Lead.objects.update(scored_at="2026-01-01T00:00:00Z")
    started = time.monotonic()
    for n in range(200):
        response = client.post(
            "/api/v1/events/",
            {"lead": leads[n % 40].pk, "kind": "page_view", "external_id": f"burst-{n}"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    seconds = time.monotonic() - started
    messages = redis.Redis.from_url(private_redis.url).llen("celery")
    # At most one message per 0.25 s interval (plus the first), not one per event.
    assert 1 <= messages <= seconds / 0.25 + 2
    assert ScoreRequest.objects.count() == 40

    worker = start_worker(private_redis.url, "burst", ".celery-burst.log")
    try:
        wait_until(lambda: not ScoreRequest.objects.exists(), timeout=20)
    finally:
        worker.stop()
    assert not Lead.objects.filter(scored_at__lt="2026-01-02T00:00:00Z").exists()
    assert all(lead.last_event_at is not None for lead in Lead.objects.all())


def test_a_batch_queues_each_stored_lead_once_and_a_resent_batch_renews_nothing(django_capture_on_commit_callbacks):
    first, second = LeadFactory.create_batch(2)
    items = [
        {"index": 0, "lead": first.pk, "kind": "page_view", "external_id": "a"},
        {"index": 1, "lead": first.pk, "kind": "email_click", "external_id": "b"},
        {"index": 2, "lead": second.pk, "kind": "download"},
    ]
    with django_capture_on_commit_callbacks(execute=False) as rings:
        result = record_events(items=items)
    assert (result.stored, result.duplicates) == (3, 0) and len(rings) == 1
    queued = dict(ScoreRequest.objects.values_list("lead_id", "ticket"))
    assert sorted(queued) == sorted([first.pk, second.pk])
    assert first.events.count() == 2 and second.events.get().campaign_id is None

    with django_capture_on_commit_callbacks(execute=False) as rings:
        again = record_events(items=items[:2])  # a resent delivery: nothing stored, no request renewed
    assert (again.stored, again.duplicates) == (0, 2) and rings == []
    assert dict(ScoreRequest.objects.values_list("lead_id", "ticket")) == queued


def test_a_drain_that_ends_looks_again_for_requests_a_ring_left_to_it(monkeypatch):
    read_early, committed_late = LeadFactory.create_batch(2)
    Lead.objects.update(scored_at="2026-01-01T00:00:00Z")
    request_scores([read_early.pk])
    answer = queue.score_requested
    late = []

    def read_then_a_commit_lands(**kwargs):
        ids = answer(**kwargs)
        if not late:  # committed after the drain's read; its ring found the key set and left it to the drain
            late.append(committed_late.pk)
            request_scores(late)
        return ids

    monkeypatch.setattr(queue, "score_requested", read_then_a_commit_lands)
    cache.set(DRAIN_KEY, True)
    try:
        assert score_stale_leads(limit=5, drain=True) == 1  # fewer than a batch: the chain would end here
        assert not ScoreRequest.objects.exists()  # but it looked again and a new chain scored the late one
        assert cache.get(DRAIN_KEY) is None
    finally:
        cache.delete(DRAIN_KEY)
