"""The hand-over with a real Redis and a real Celery worker on PostgreSQL: exactly once, whatever happens."""

import os
import signal
import time

import pytest
from django.db import connection

from conftest import BASE_DIR, lock_rows, require_postgres, start_worker, wait_until
from crm.celery import app
from deals.models import Deal
from handoff import tasks
from handoff.models import Handoff
from leads.models import ScoringSettings
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reps(db):
    from crm.tests.factories import UserFactory

    return [UserFactory(role="Sales rep", username=f"irep{n}") for n in range(2)]


def qualified_lead():
    return LeadFactory(score=ScoringSettings.load().mql_threshold + 5)


def _backend_waiting_for_a_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def settled(lead, seconds=2.0):
    """Wait for the lead's hand-over, then a little longer so that a duplicate would have had time to land."""
    wait_until(lambda: Handoff.objects.filter(lead=lead).exists(), timeout=20)
    time.sleep(seconds)


def test_the_hand_over_sweep_delivered_three_times_at_once_yields_one_hand_over_and_no_deal(celery_worker, reps):
    lead = qualified_lead()
    for _ in range(3):
        tasks.hand_over_ready_leads.delay()
    settled(lead)
    assert Handoff.objects.filter(lead=lead).count() == 1
    assert not Deal.objects.filter(lead=lead).exists()  # only the rep's accept makes one


def _pid_running(task_name):
    active = app.control.inspect(timeout=1).active() or {}
    for running in active.values():
        for task in running:
            if task["name"] == task_name:
                return task["worker_pid"]
    return None


def test_a_worker_process_killed_mid_hand_over_leaves_it_done_once_after_redelivery(celery_worker, reps):
    lead = qualified_lead()
    # Hold the lead's row lock: the task blocks inside its transaction.
    blocker = lock_rows("SELECT 1 FROM leads_lead WHERE id = %s FOR UPDATE", [lead.pk])
    try:
        tasks.hand_over_ready_leads.delay()
        pid = wait_until(lambda: _pid_running("handoff.hand_over_ready_leads"), timeout=20)
        os.kill(pid, signal.SIGKILL)
        time.sleep(1)
    finally:
        blocker.close()
    settled(lead)
    assert Handoff.objects.filter(lead=lead).count() == 1
    assert not Deal.objects.filter(lead=lead).exists()  # only the rep's accept makes one


def test_a_worker_killed_mid_batch_has_its_task_redelivered_to_a_new_worker_and_done_once(
    private_redis, broker_at, reps
):
    """The whole worker dies (SIGKILL, as when a host is lost) after handing over the first lead of a batch
    and while waiting to hand over the second: a new worker gets the unacknowledged task after the
    visibility timeout, skips the lead already handed over and finishes the batch."""
    require_postgres()
    leads = [qualified_lead() for _ in range(3)]
    broker_at(private_redis.url)
    holder = lock_rows("SELECT 1 FROM leads_lead WHERE id = %s FOR UPDATE", [leads[1].pk])
    doomed = start_worker(private_redis.url, "doomed", ".celery-doomed.log")
    try:
        tasks.hand_over_ready_leads.delay()
        wait_until(lambda: Handoff.objects.filter(lead=leads[0]).exists(), timeout=20)
        wait_until(_backend_waiting_for_a_lock, timeout=10)  # the worker, stuck on the second lead
        os.killpg(doomed.process.pid, signal.SIGKILL)
        doomed.process.wait(timeout=10)
    finally:
        holder.close()
        doomed.stop()
    assert not Handoff.objects.filter(lead__in=leads[1:]).exists()
    short_timeout = {"CELERY_VISIBILITY_TIMEOUT": "3"}
    successor = start_worker(private_redis.url, "successor", ".celery-successor.log", short_timeout)
    try:
        wait_until(lambda: Handoff.objects.filter(lead__in=leads).count() == 3, timeout=30)
        time.sleep(2)  # room for a duplicate to land
    finally:
        successor.stop()
    for lead in leads:
        assert Handoff.objects.filter(lead=lead).count() == 1
    assert not Deal.objects.filter(lead__in=leads).exists()


def test_a_database_connection_dropped_mid_hand_over_is_retried_and_done_once(celery_worker, reps):
    lead = qualified_lead()
    holder = lock_rows("SELECT 1 FROM leads_lead WHERE id = %s FOR UPDATE", [lead.pk])
    try:
        sent = tasks.hand_over_ready_leads.delay()
        backend = wait_until(_backend_waiting_for_a_lock, timeout=20)  # the worker, inside its transaction
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    finally:
        holder.close()
    settled(lead)
    assert Handoff.objects.filter(lead=lead).count() == 1
    assert not Deal.objects.filter(lead=lead).exists()  # only the rep's accept makes one
    log = (BASE_DIR / ".celery-test-worker.log").read_text()
    assert f"handoff.hand_over_ready_leads[{sent.id}] retry" in log
