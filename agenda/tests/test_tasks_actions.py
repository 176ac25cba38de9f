"""The task row's buttons: done, snooze, reopen; htmx gets the row back, a plain POST a redirect."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.models import Task
from agenda.tests.factories import TaskFactory
from crm.tests.factories import UserFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_done_answers_htmx_with_the_row_and_ticks_the_task(client_for, rep):
    task = TaskFactory(assignee=rep, title="Send the quote")
    response = client_for(rep).post(reverse("agenda:task_done", args=[task.pk]), **HTMX)
    assert response.status_code == 200
    assert response.templates[0].name == "agenda/partials/task_row.html"
    assert "<s>Send the quote</s>" in response.content.decode()
    assert Task.objects.get(pk=task.pk).done_at is not None


def test_done_without_htmx_goes_back_to_the_record(client_for, rep):
    task = TaskFactory(assignee=rep)
    response = client_for(rep).post(reverse("agenda:task_done", args=[task.pk]))
    assert response.status_code == 302
    assert response.url == task.deal.get_absolute_url()


def test_the_row_shows_the_record_overdue_in_red_and_the_initials(client_for, rep):
    lead = LeadFactory(first_name="Ada", last_name="Byron")
    task = TaskFactory(assignee=rep, deal=None, lead=lead, due_at=timezone.now() - timedelta(hours=1))
    rep.first_name, rep.last_name = "Rita", "Moreno"
    rep.save()
    html = client_for(rep).post(reverse("agenda:task_reopen", args=[task.pk]), **HTMX).content.decode()
    assert f'href="{lead.get_absolute_url()}"' in html
    assert "text-danger" in html and "overdue" in html
    assert ">RM<" in html
    assert "Tomorrow" in html and "Next week" in html and "Open" in html


def test_snooze_to_next_week_moves_the_task(client_for, rep):
    task = TaskFactory(assignee=rep)
    response = client_for(rep).post(reverse("agenda:task_snooze", args=[task.pk]), {"until": "next_week"}, **HTMX)
    assert response.status_code == 200
    due = timezone.localdate(Task.objects.get(pk=task.pk).due_at)
    assert due.weekday() == 0 and due > timezone.localdate()


def test_a_bad_snooze_is_a_400_and_changes_nothing(client_for, rep):
    task = TaskFactory(assignee=rep)
    response = client_for(rep).post(reverse("agenda:task_snooze", args=[task.pk]), {"until": "never"}, **HTMX)
    assert response.status_code == 400
    assert Task.objects.get(pk=task.pk).due_at == task.due_at


def test_someone_elses_task_is_read_only_and_a_roleless_user_sees_none(client_for, other_rep, rep):
    task = TaskFactory(assignee=rep)
    assert client_for(other_rep).post(reverse("agenda:task_done", args=[task.pk])).status_code == 403
    assert Task.objects.get(pk=task.pk).done_at is None

    nobody = UserFactory(username="nobody")
    assert client_for(nobody).post(reverse("agenda:task_done", args=[task.pk])).status_code == 403


def test_the_actions_take_only_post(client_for, rep):
    task = TaskFactory(assignee=rep)
    assert client_for(rep).get(reverse("agenda:task_done", args=[task.pk])).status_code == 405
