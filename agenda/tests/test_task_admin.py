"""Tasks in the Django admin: managers find and put right any task; moving its due time arms its reminder."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agenda.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_managers_find_tasks_in_the_admin(client_for, manager):
    task = TaskFactory(title="Send the contract")
    client = client_for(manager)
    assert "Send the contract" in client.get("/admin/agenda/task/", {"q": "contract"}).content.decode()
    assert client.get(f"/admin/agenda/task/{task.pk}/change/").status_code == 200


def test_reps_have_no_admin(client_for, rep):
    response = client_for(rep).get("/admin/agenda/task/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_moving_the_due_time_in_the_admin_reminds_again(client_for, manager):
    now = timezone.now()
    task = TaskFactory(due_at=now - timedelta(hours=1), reminded_at=now, reminder_emailed_at=now)
    later = timezone.localtime(now + timedelta(days=1))
    response = client_for(manager).post(
        f"/admin/agenda/task/{task.pk}/change/",
        {
            "title": task.title,
            "note": "",
            "deal": task.deal_id,
            "assignee": task.assignee_id,
            "due_at_0": later.strftime("%Y-%m-%d"),
            "due_at_1": later.strftime("%H:%M:%S"),
            "created_at_0": later.strftime("%Y-%m-%d"),
            "created_at_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    task.refresh_from_db()
    assert task.due_at.date() == later.date()
    assert task.reminded_at is None and task.reminder_emailed_at is None
