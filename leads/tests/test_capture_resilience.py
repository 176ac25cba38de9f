"""Capture to hand-over with a real Redis and a real worker: fast, and nothing lost while Redis is down."""

import time

import pytest

from conftest import require_postgres, start_worker, wait_until
from crm.tests.factories import UserFactory
from handoff.models import Handoff
from leads.models import Lead, ScoreRequest

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

QUALIFIED = {"job_title": "VP Marketing", "company_size": "1001-5000", "industry": "Software", "country": "US"}


@pytest.fixture
def api(client):
    client.force_login(UserFactory(role="Marketer", username="integration"))
    return client


def test_an_event_posted_to_the_api_puts_the_mql_in_a_reps_inbox_within_seconds(celery_worker, api):
    rep = UserFactory(role="Sales rep", username="fast-rep")
    response = api.post("/api/v1/leads/", {"email": "quick@example.com", **QUALIFIED}, content_type="application/json")
    assert response.status_code == 201
    lead_id = response.json()["id"]
    wait_until(lambda: Lead.objects.filter(pk=lead_id, scored_at__isnull=False).exists(), timeout=10)
    assert not Handoff.objects.filter(lead_id=lead_id).exists()  # 35 points of fit: not yet an MQL
    sent = time.monotonic()
    response = api.post(
        "/api/v1/events/", {"email": "QUICK@example.com", "kind": "demo_request"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    handoff = wait_until(lambda: Handoff.objects.filter(lead_id=lead_id).first(), timeout=10)
    assert handoff.rep == rep
    assert time.monotonic() - sent < 5


def test_with_redis_stopped_capture_succeeds_and_the_sweep_scores_the_lead_once_redis_is_back(
    private_redis, broker_at, api
):
    require_postgres()
    broker_at(private_redis.url)
    private_redis.stop()
    started = time.monotonic()
    response = api.post(
        "/api/v1/leads/", {"email": "offline@example.com", **QUALIFIED}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert time.monotonic() - started < 15  # the failed publish is bounded, not a hang
    lead = Lead.objects.get(email="offline@example.com")
    assert lead.scored_at is None and ScoreRequest.objects.filter(lead=lead).exists()

    private_redis.start()
    worker = start_worker(private_redis.url, "sweeper", ".celery-sweeper.log")
    try:
        from leads.tasks import score_stale_leads

        score_stale_leads.delay()  # what beat sends every minute
        wait_until(lambda: Lead.objects.filter(pk=lead.pk, scored_at__isnull=False).exists(), timeout=20)
    finally:
        worker.stop()
    lead.refresh_from_db()
    assert lead.fit_score == 35
    assert not ScoreRequest.objects.filter(lead=lead).exists()


def test_redis_lost_under_a_running_worker_loses_no_capture_nor_event_and_the_sweep_hands_the_lead_over(
    private_redis, broker_at, api
):
    require_postgres()
    rep = UserFactory(role="Sales rep", username="sweep-rep")
    broker_at(private_redis.url)
    worker = start_worker(private_redis.url, "survivor", ".celery-survivor.log")
    try:
        private_redis.stop()
        lead_data = {"email": "dark@example.com", **QUALIFIED}
        response = api.post("/api/v1/leads/", lead_data, content_type="application/json")
        assert response.status_code == 201, response.content
        event = {"email": "dark@example.com", "kind": "demo_request"}
        response = api.post("/api/v1/events/", event, content_type="application/json")
        assert response.status_code == 201, response.content
        lead = Lead.objects.get(email="dark@example.com")
        assert lead.scored_at is None and ScoreRequest.objects.filter(lead=lead).exists()
        assert lead.events.count() == 2

        private_redis.start()  # the same port: the worker that kept running reconnects by itself
        from leads.tasks import score_stale_leads

        score_stale_leads.delay()
        handoff = wait_until(lambda: Handoff.objects.filter(lead=lead).first(), timeout=45)
    finally:
        worker.stop()
    lead.refresh_from_db()
    assert handoff.rep == rep and lead.owner == rep
    assert lead.stage == "mql" and lead.fit_score == 35
    assert lead.events.count() == 2
