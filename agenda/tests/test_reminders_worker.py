"""Reminders through the path production uses: beat embedded in a real worker on PostgreSQL and Redis, mail
through a real SMTP server. A worker killed while an email is on its way leaves nothing unsent: its lease
runs out and the next worker's sweep sends it; nothing is reminded twice."""

import asyncio
import os
import signal
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from agenda.models import Task
from agenda.tests.factories import TaskFactory
from conftest import require_postgres, start_worker, wait_until
from crm.models import Notification
from crm.tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TASKS = 6
HELD = 3  # the email the mail server holds while the worker is killed
LEASE_SECONDS = 4


@pytest.fixture
def workers():
    """Every worker the test starts, stopped before the database is flushed (a killed one is only reaped)."""
    started = []
    yield started
    for worker in started:
        worker.stop()


def start(workers, broker_url: str, smtp_port: int, name: str):
    env = {
        "REMINDER_SWEEP_SECONDS": "1",
        "REMINDER_EMAIL_LEASE_SECONDS": str(LEASE_SECONDS),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
    }
    worker = start_worker(broker_url, name, f".celery-{name}.log", env, beat=True)
    workers.append(worker)
    return worker


def hold_one_email(inbox, number: int):
    """Make the mail server sit on the `number`-th email it is sent, without accepting it, until released:
    the moment a worker has leased a reminder and not stamped it. Returns (reached, release) events."""
    reached, release = threading.Event(), threading.Event()
    seen = []
    accept = inbox.handle_DATA

    async def handle_data(server, session, envelope):
        seen.append(envelope)
        if len(seen) != number:
            return await accept(server, session, envelope)
        reached.set()
        while not release.is_set():
            await asyncio.sleep(0.05)
        return "451 4.3.0 Try again later"  # never accepted: its sender is dead by now

    inbox.handle_DATA = handle_data
    return reached, release


def test_a_worker_killed_while_sending_a_reminder_leaves_nothing_unsent_and_nothing_twice(
    private_redis, broker_at, smtp_server, workers
):
    require_postgres()
    broker_at(private_redis.url)
    rep = UserFactory(role="Sales rep", email="rita@example.com")
    due = timezone.now() - timedelta(minutes=1)
    titles = sorted(f"Call customer {n}" for n in range(TASKS))
    for title in titles:
        TaskFactory(assignee=rep, title=title, due_at=due)
    reached, release = hold_one_email(smtp_server, HELD)

    worker = start(workers, private_redis.url, smtp_server.port, "reminders-killed")
    assert reached.wait(timeout=60), "no reminder email reached the mail server"
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)
    killed_at = time.monotonic()
    release.set()
    held = Task.objects.filter(reminder_emailed_at__isnull=True)
    assert held.exists()  # the held email was leased, not stamped
    assert Notification.objects.filter(user=rep).count() == TASKS  # the claim had committed

    start(workers, private_redis.url, smtp_server.port, "reminders-next")
    wait_until(lambda: not Task.objects.filter(reminder_emailed_at__isnull=True).exists(), timeout=60)
    assert time.monotonic() - killed_at >= LEASE_SECONDS - 1  # sent again only once the lease ran out
    assert sorted(message["Subject"].removeprefix("Reminder: ") for message in smtp_server.messages) == titles
    assert Notification.objects.filter(user=rep).count() == TASKS
