"""Reminders at the due time: an in-app notification and an email to the assignee, each once."""

import socket
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from agenda import services, tasks
from agenda.models import Task
from agenda.tests.factories import TaskFactory
from conftest import run_at_once
from crm.models import Notification
from crm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def due_task(**fields):
    fields.setdefault("assignee", UserFactory(role="Sales rep", email="rita@example.com", first_name="Rita"))
    return TaskFactory(due_at=timezone.now() - timedelta(minutes=1), **fields)


def test_a_task_come_due_reminds_its_assignee_once_in_the_app_and_by_email(smtp_server):
    task = due_task(title="Send the contract", note="Version 2, signed")
    assert tasks.send_due_reminders.delay().get() == {"reminded": 1, "emailed": 1}
    assert tasks.send_due_reminders.delay().get() == {"reminded": 0, "emailed": 0}
    (notification,) = Notification.objects.filter(user=task.assignee)
    assert notification.message == f"Task due: Send the contract (deal {task.deal})"
    assert notification.url == task.deal.get_absolute_url()
    (email,) = smtp_server.messages
    assert (email["Subject"], email["To"]) == ("Reminder: Send the contract", "rita@example.com")
    body = email.get_content()
    assert "Version 2, signed" in body and f"{settings.SITE_URL}{task.deal.get_absolute_url()}" in body
    task.refresh_from_db()
    assert task.reminded_at is not None and task.reminder_emailed_at is not None


def test_tasks_not_due_yet_or_done_are_not_reminded(smtp_server):
    TaskFactory(due_at=timezone.now() + timedelta(minutes=5))
    due_task(done_at=timezone.now())
    assert services.remind_due_tasks() == []
    assert services.send_reminder_emails() == 0
    assert not Notification.objects.exists() and smtp_server.messages == []


def test_a_snoozed_task_is_reminded_again_when_it_comes_due_again(smtp_server):
    task = due_task()
    tasks.send_due_reminders.delay()
    services.snooze_task(task=Task.objects.get(pk=task.pk), by=task.assignee, until="tomorrow")
    assert services.remind_due_tasks() == []  # not due until tomorrow
    tomorrow = timezone.now() + timedelta(days=1, minutes=1)
    assert services.remind_due_tasks(now=tomorrow) == [task.pk]
    services.send_reminder_emails(now=tomorrow)
    assert Notification.objects.filter(user=task.assignee).count() == 2
    assert len(smtp_server.messages) == 2


def test_with_the_mail_server_down_the_notification_stays_and_the_email_goes_next_time(settings, smtp_server):
    task = due_task()
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]
    assert tasks.send_due_reminders.delay().get() == {"reminded": 1, "emailed": 0}
    task.refresh_from_db()
    assert (task.reminder_emailed_at, task.reminder_email_lease) == (None, None)  # lease given back
    settings.EMAIL_PORT = smtp_server.port
    assert tasks.send_due_reminders.delay().get() == {"reminded": 0, "emailed": 1}
    assert Notification.objects.count() == 1 and len(smtp_server.messages) == 1


def test_the_sweep_sends_what_a_dead_worker_leased_but_not_what_a_live_one_holds(smtp_server):
    now = timezone.now()
    dead = due_task(reminded_at=now, reminder_email_lease=now - timedelta(seconds=1))
    live = due_task(reminded_at=now, reminder_email_lease=now + timedelta(minutes=4))
    assert services.send_reminder_emails() == 1
    dead.refresh_from_db(), live.refresh_from_db()
    assert dead.reminder_emailed_at is not None and live.reminder_emailed_at is None
    assert [message["To"] for message in smtp_server.messages] == [dead.assignee.email]


def test_a_snooze_while_the_email_goes_out_keeps_the_next_reminder_armed(monkeypatch, smtp_server):
    task = due_task()
    services.remind_due_tasks()
    real = services._reminder_email

    def snoozed_meanwhile(task_row):
        services.snooze_task(task=Task.objects.get(pk=task_row.pk), by=task_row.assignee, until="next_week")
        return real(task_row)

    monkeypatch.setattr(services, "_reminder_email", snoozed_meanwhile)
    assert services.send_reminder_email(task_id=task.pk) is False
    task.refresh_from_db()
    assert (task.reminded_at, task.reminder_emailed_at) == (None, None)


def test_beat_runs_the_reminders_every_minute():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "agenda.send_due_reminders")
    assert entry["schedule"] == 60.0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="concurrent writers need PostgreSQL (the SQLite test database is in memory)"
)
def test_two_runs_at_once_remind_and_email_each_task_once(smtp_server):
    reps = [UserFactory(role="Sales rep", email=f"rep{n}@example.com") for n in range(4)]
    due = [due_task(assignee=reps[n % 4], title=f"Task {n}") for n in range(40)]
    results = run_at_once(tasks.send_due_reminders, 2)
    assert sum(result["reminded"] for result in results) == len(due)
    assert Notification.objects.count() == len(due)
    assert sorted(message["Subject"] for message in smtp_server.messages) == sorted(
        f"Reminder: {task.title}" for task in due
    )
    assert not Task.objects.filter(reminder_emailed_at__isnull=True).exists()
