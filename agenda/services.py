"""Writes on tasks: create, edit, tick done, reopen, snooze; and the reminders sent at their due time."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agenda.access import can_add_tasks_on, task_assignees_for
from agenda.models import Task
from deals.models import Deal

# The fields `update_task` may change.
EDITABLE_FIELDS = ("title", "note", "due_at", "assignee")
SNOOZES = {"tomorrow": "Tomorrow", "next_week": "Next week"}


class TaskNotAllowed(Exception):
    """A task on a record or for an assignee the user may not choose; the message says why, for the user."""


def _check_assignee(*, by, assignee) -> None:
    if assignee != by and not task_assignees_for(by).filter(pk=assignee.pk).exists():
        raise TaskNotAllowed("Only a manager can give a task to someone else, and only to a person with a role.")


@transaction.atomic
def create_task(*, by, title: str, due_at, lead=None, deal=None, company=None, assignee=None, note: str = "") -> Task:
    """Add a task on exactly one lead, deal or company, for `assignee` (by default its creator): a sales rep
    and a marketer plan their own work, a manager gives work to anyone with a role. Its reminder is armed."""
    records = [record for record in (lead, deal, company) if record is not None]
    if len(records) != 1:
        raise ValidationError("A task is on exactly one lead, deal or company.")
    if not can_add_tasks_on(by, records[0]):
        raise TaskNotAllowed(f"You cannot add tasks on a {records[0]._meta.verbose_name}.")
    assignee = assignee or by
    _check_assignee(by=by, assignee=assignee)
    task = Task(
        title=title, note=note, due_at=due_at, lead=lead, deal=deal, company=company, assignee=assignee, created_by=by
    )
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def update_task(*, task: Task, by, **changes) -> Task:
    """Change a task's title, note, due time or assignee (`EDITABLE_FIELDS`); a new due time or assignee
    arms the reminder again."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown task fields: {', '.join(sorted(unknown))}")
    if "assignee" in changes and changes["assignee"].pk != task.assignee_id:
        _check_assignee(by=by, assignee=changes["assignee"])
    rearm = any(field in changes and changes[field] != getattr(task, field) for field in ("due_at", "assignee"))
    for field, value in changes.items():
        setattr(task, field, value)
    if rearm:
        _arm_reminder(task)
    task.full_clean()
    task.save()
    return task


def _arm_reminder(task: Task) -> None:
    task.reminded_at = task.reminder_emailed_at = task.reminder_email_lease = None


@transaction.atomic
def complete_task(*, task: Task, by) -> Task:
    """Tick a task done (once: the first time is kept). Finishing a deal's task is activity on the deal, so
    it stops the deal rotting."""
    now = timezone.now()
    if not Task.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=now, updated_at=now):
        task.refresh_from_db(fields=["done_at"])
        return task
    task.done_at = now
    if task.deal_id:
        Deal.objects.filter(pk=task.deal_id).update(last_activity_at=now)
    return task


@transaction.atomic
def reopen_task(*, task: Task, by) -> Task:
    """Undo "done": the task is open again, at the same due time (a reminder already sent is not sent again)."""
    task.done_at = None
    task.save(update_fields=["done_at", "updated_at"])
    return task


def snoozed_until(due_at: datetime, until: str, *, today=None) -> datetime:
    """Where a snooze moves `due_at`: to tomorrow or to next Monday (counted from today in the site's time
    zone), at the same local time of day."""
    today = today or timezone.localdate()
    if until == "tomorrow":
        day = today + timedelta(days=1)
    elif until == "next_week":
        day = today + timedelta(days=7 - today.weekday())
    else:
        raise ValidationError(f"Snooze until {', '.join(SNOOZES)}, not {until!r}.")
    local = timezone.localtime(due_at)
    return timezone.make_aware(datetime.combine(day, local.time()))


@transaction.atomic
def snooze_task(*, task: Task, by, until: str) -> Task:
    """Put a task off until tomorrow or next week (`snoozed_until`); its reminder comes again then."""
    task.due_at = snoozed_until(task.due_at, until)
    _arm_reminder(task)
    task.save(update_fields=["due_at", "reminded_at", "reminder_emailed_at", "reminder_email_lease", "updated_at"])
    return task
