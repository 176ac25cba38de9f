"""The hand-over with a real Redis and a real Celery worker on PostgreSQL: exactly once, whatever happens."""

import os
import signal
import time

import psycopg2
import pytest
from django.db import connection

from conftest import wait_until
from crm.celery import app
from deals.models import Deal
from leads import tasks
from leads.models import Handoff, ScoringSettings
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reps(db):
    from crm.tests.factories import UserFactory

    return [UserFactory(role="Sales rep", username=f"irep{n}") for n in range(2)]


def qualified_lead():
    return LeadFactory(score=ScoringSettings.load().mql_threshold + 5)


def settled(lead, seconds=2.0):
    """Wait for the lead's deal, then a little longer so that a duplicate would have had time to land."""
    wait_until(lambda: Deal.objects.filter(lead=lead).exists(), timeout=20)
    time.sleep(seconds)


def test_the_same_hand_over_delivered_twice_to_two_processes_yields_one_deal(celery_worker, reps):
    lead = qualified_lead()
    for _ in range(3):
        tasks.hand_over_mql.delay(lead.pk)
    settled(lead)
    assert Handoff.objects.filter(lead=lead).count() == 1
    assert Deal.objects.filter(lead=lead).count() == 1


def _pid_running(task_name):
    active = app.control.inspect(timeout=1).active() or {}
    for running in active.values():
        for task in running:
            if task["name"] == task_name:
                return task["worker_pid"]
    return None


def test_a_worker_process_killed_mid_hand_over_leaves_it_done_once_after_redelivery(celery_worker, reps):
    lead = qualified_lead()
    settings = connection.settings_dict
    blocker = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )
    try:
        with blocker.cursor() as cursor:  # hold the lead's row lock: the task blocks inside its transaction
            cursor.execute("SELECT 1 FROM leads_lead WHERE id = %s FOR UPDATE", [lead.pk])
        tasks.hand_over_mql.delay(lead.pk)
        pid = wait_until(lambda: _pid_running("leads.hand_over_mql"), timeout=20)
        os.kill(pid, signal.SIGKILL)
        time.sleep(1)
    finally:
        blocker.rollback()
        blocker.close()
    settled(lead)
    assert Handoff.objects.filter(lead=lead).count() == 1
    assert Deal.objects.filter(lead=lead).count() == 1
