"""Creating, editing, completing, reopening and snoozing tasks, and who may do which."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agenda import services
from agenda.access import can_edit_task, task_assignees_for, tasks_visible_to
from agenda.models import Task
from agenda.tests.factories import TaskFactory
from companies.tests.factories import CompanyFactory
from crm.tests.factories import UserFactory
from deals.models import Deal
from deals.tests.factories import DealFactory
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def test_a_rep_adds_a_task_on_a_deal_for_themselves(rep):
    deal = DealFactory()
    task = services.create_task(by=rep, title="Send the contract", due_at=timezone.now(), deal=deal)
    assert (task.assignee, task.created_by, task.record) == (rep, rep, deal)


def test_a_rep_cannot_give_a_task_to_someone_else(rep, other_rep):
    with pytest.raises(services.TaskNotAllowed):
        services.create_task(by=rep, title="Yours", due_at=timezone.now(), lead=LeadFactory(), assignee=other_rep)
    assert not Task.objects.exists()


def test_a_manager_gives_a_task_to_any_active_user_with_a_role(manager, rep, marketer):
    company = CompanyFactory()
    for person in (rep, marketer):
        task = services.create_task(by=manager, title="Look", due_at=timezone.now(), company=company, assignee=person)
        assert task.assignee == person
    roleless = UserFactory(username="nobody")
    inactive = UserFactory(role="Sales rep", username="gone", is_active=False)
    for person in (roleless, inactive):
        with pytest.raises(services.TaskNotAllowed):
            services.create_task(by=manager, title="No", due_at=timezone.now(), company=company, assignee=person)
    assert set(task_assignees_for(manager)) == {manager, rep, marketer}


def test_a_marketer_adds_tasks_on_leads_and_companies_but_not_deals(marketer):
    services.create_task(by=marketer, title="Check", due_at=timezone.now(), lead=LeadFactory())
    services.create_task(by=marketer, title="Check", due_at=timezone.now(), company=CompanyFactory())
    with pytest.raises(services.TaskNotAllowed):
        services.create_task(by=marketer, title="Check", due_at=timezone.now(), deal=DealFactory())
    assert Task.objects.count() == 2


def test_a_task_needs_exactly_one_record_and_a_title(rep):
    with pytest.raises(ValidationError):
        services.create_task(by=rep, title="Two", due_at=timezone.now(), lead=LeadFactory(), deal=DealFactory())
    with pytest.raises(ValidationError):
        services.create_task(by=rep, title="", due_at=timezone.now(), lead=LeadFactory())
    assert not Task.objects.exists()


def test_assignee_creator_and_managers_edit_others_only_read(rep, other_rep, manager, marketer):
    task = TaskFactory(assignee=rep, created_by=manager)
    assert [can_edit_task(user, task) for user in (rep, manager, other_rep, marketer)] == [True, True, False, False]
    assert list(tasks_visible_to(other_rep)) == [task]
    assert list(tasks_visible_to(UserFactory(username="nobody"))) == []


def test_completing_a_deal_task_keeps_the_first_time_and_stops_the_deal_rotting(rep):
    task = TaskFactory(assignee=rep)
    services.complete_task(task=task, by=rep)
    first = task.done_at
    assert Deal.objects.get(pk=task.deal_id).last_activity_at == first
    again = services.complete_task(task=Task.objects.get(pk=task.pk), by=rep)
    assert again.done_at == first
    services.reopen_task(task=again, by=rep)
    assert Task.objects.get(pk=task.pk).done_at is None


@pytest.mark.parametrize(
    ("today", "until", "expected"),
    [
        (date(2026, 12, 9), "tomorrow", date(2026, 12, 10)),  # a Wednesday
        (date(2026, 12, 9), "next_week", date(2026, 12, 14)),  # the next Monday
        (date(2026, 12, 14), "next_week", date(2026, 12, 21)),  # on a Monday: a week later
        (date(2026, 12, 13), "next_week", date(2026, 12, 14)),  # on a Sunday: tomorrow is Monday
    ],
)
def test_a_snooze_moves_the_day_and_keeps_the_time(today, until, expected):
    due = at(date(2026, 12, 1), 14, 30)
    assert services.snoozed_until(due, until, today=today) == at(expected, 14, 30)


def test_snoozing_moves_the_due_time_and_arms_the_reminder_again(rep):
    task = TaskFactory(assignee=rep, due_at=timezone.now() - timedelta(hours=2))
    Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now(), reminder_emailed_at=timezone.now())
    task.refresh_from_db()
    services.snooze_task(task=task, by=rep, until="tomorrow")
    task.refresh_from_db()
    assert timezone.localdate(task.due_at) == timezone.localdate() + timedelta(days=1)
    assert (task.reminded_at, task.reminder_emailed_at) == (None, None)


def test_an_unknown_snooze_is_refused(rep):
    with pytest.raises(ValidationError):
        services.snooze_task(task=TaskFactory(assignee=rep), by=rep, until="someday")


def test_moving_the_due_time_or_the_assignee_arms_the_reminder_again(manager, rep, other_rep):
    task = TaskFactory(assignee=rep)
    Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now())
    task.refresh_from_db()
    services.update_task(task=task, by=manager, title="Renamed")
    assert Task.objects.get(pk=task.pk).reminded_at is not None
    services.update_task(task=task, by=manager, assignee=other_rep)
    assert Task.objects.get(pk=task.pk).reminded_at is None


def test_a_rep_cannot_hand_their_task_to_someone_else(rep, other_rep):
    task = TaskFactory(assignee=rep)
    with pytest.raises(services.TaskNotAllowed):
        services.update_task(task=task, by=rep, assignee=other_rep)
    assert Task.objects.get(pk=task.pk).assignee == rep


def test_what_a_role_sees_follows_the_records_it_sees(rep, monkeypatch):
    """A rule that hides some leads hides their tasks too (today every role sees every record)."""
    seen, hidden = LeadFactory(), LeadFactory()
    on_seen = TaskFactory(deal=None, lead=seen)
    TaskFactory(deal=None, lead=hidden)
    on_deal = TaskFactory()
    monkeypatch.setattr("agenda.access.leads_visible_to", lambda user: Lead.objects.filter(pk=seen.pk))
    assert set(tasks_visible_to(rep)) == {on_seen, on_deal}
