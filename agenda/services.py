"""Writes on tasks: create, edit, tick done, reopen, snooze; and the reminders sent at their due time.

A reminder is sent once, by beat's `agenda.send_due_reminders`, in two steps, each safe when two beats run
at once or a worker dies:

1. `remind_due_tasks` claims the open tasks come due (`SELECT ... FOR UPDATE SKIP LOCKED`: two runs take
   different rows) and, in the same transaction, creates each assignee's notification and stamps
   `reminded_at`. Either both are there, or neither and the next run does it.
2. `send_reminder_emails` sends the email of every reminded task whose `reminder_emailed_at` is empty. Each
   is first leased to one worker by a conditional UPDATE of `reminder_email_lease` (committed at once, no
   transaction held over SMTP), then sent, then stamped. A worker that dies before the stamp leaves its lease
   to run out; the next sweep after REMINDER_EMAIL_LEASE_SECONDS sends it again.

The one window left is at-least-once, not exactly-once: a worker that dies after the mail server accepted
the email and before the stamp committed (a few milliseconds) makes the sweep send it a second time. No
email is ever lost for it, and no database can close that window without the mail server's help.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agenda.access import can_add_tasks_on, task_assignees_for
from agenda.models import Task
from crm.notifications import notify
from crm.people import display_name
from crm.text import one_line
from deals.models import Deal

logger = logging.getLogger(__name__)

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
        arm_reminder(task)
    task.full_clean()
    task.save()
    return task


def arm_reminder(task: Task) -> None:
    """Send the reminder again at the task's (new) due time: clear what says it was sent."""
    task.reminded_at = task.reminder_emailed_at = task.reminder_email_lease = None


@transaction.atomic
def complete_task(*, task: Task, by) -> Task:
    """Tick a task done (once: the first time is kept). Finishing a deal's task is activity on the deal, so
    it stops the deal rotting."""
    now = timezone.now()
    if not Task.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=now, done_by=by, updated_at=now):
        task.refresh_from_db(fields=["done_at", "done_by"])
        return task
    task.done_at, task.done_by = now, by
    if task.deal_id:
        Deal.objects.filter(pk=task.deal_id).update(last_activity_at=now)
    return task


@transaction.atomic
def reopen_task(*, task: Task, by) -> Task:
    """Undo "done": the task is open again, at the same due time (a reminder already sent is not sent again)."""
    task.done_at = task.done_by = None
    task.save(update_fields=["done_at", "done_by", "updated_at"])
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
    arm_reminder(task)
    task.save(update_fields=["due_at", "reminded_at", "reminder_emailed_at", "reminder_email_lease", "updated_at"])
    return task


# --- Reminders ------------------------------------------------------------------------------------------

# Tasks reminded, and reminder emails sent, per run of the beat task at most (the next run takes the rest).
REMINDER_BATCH = 200


def remind_due_tasks(*, now=None, limit: int = REMINDER_BATCH) -> list[int]:
    """Step 1: the in-app notification of each open task come due and not yet reminded, and its
    `reminded_at`, in one transaction (see the module's docstring). Returns the tasks' ids."""
    now = now or timezone.now()
    with transaction.atomic():
        tasks = list(
            Task.objects.open()
            .filter(reminded_at__isnull=True, due_at__lte=now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("assignee", "lead", "deal", "company")
            .order_by("due_at", "id")[:limit]
        )
        for task in tasks:
            notify(users=[task.assignee], message=_reminder_line(task), url=task.record.get_absolute_url())
        Task.objects.filter(pk__in=[task.pk for task in tasks]).update(reminded_at=now)
    return [task.pk for task in tasks]


def _reminder_line(task: Task) -> str:
    return f"Task due: {task.title} ({task.record_kind.lower()} {task.record})"


def reminder_emails_due(*, now=None):
    """Reminded open tasks whose email has not gone out and that no live worker holds: step 2's work."""
    now = now or timezone.now()
    return Task.objects.open().filter(
        Q(reminder_email_lease__isnull=True) | Q(reminder_email_lease__lt=now),
        reminded_at__isnull=False,
        reminder_emailed_at__isnull=True,
    )


def send_reminder_email(*, task_id: int, now=None) -> bool:
    """Step 2 for one task: lease it, email its assignee, stamp it (see the module's docstring). Returns
    whether this call sent it; an SMTP failure gives the lease back and raises, for the next sweep."""
    now = now or timezone.now()
    lease = now + timedelta(seconds=settings.REMINDER_EMAIL_LEASE_SECONDS)
    if not reminder_emails_due(now=now).filter(pk=task_id).update(reminder_email_lease=lease):
        return False  # sent already, done, re-armed, or another worker holds it
    task = Task.objects.select_related("assignee", "lead", "deal", "company").get(pk=task_id)
    held = Task.objects.filter(pk=task_id, reminder_email_lease=lease)
    if task.assignee.email:
        try:
            _reminder_email(task).send(fail_silently=False)
        except Exception:
            held.update(reminder_email_lease=None)
            raise
    # Only under our own lease: a snooze meanwhile cleared it, and its reminder is still to come.
    return bool(held.update(reminder_emailed_at=timezone.now()))


def _reminder_email(task: Task) -> EmailMessage:
    due = timezone.localtime(task.due_at)
    link = f"{settings.SITE_URL.rstrip('/')}{task.record.get_absolute_url()}"
    body = (
        f"Hello {display_name(task.assignee)},\n\n{_reminder_line(task)}, due {due:%a %b %-d, %H:%M}.\n"
        + (f"\n{task.note}\n" if task.note else "")
        + f"\nOpen it in Relay: {link}\n"
    )
    # Well inside the lease: a mail server that hangs must not outlive it (the sweep would send again).
    timeout = max(1, settings.REMINDER_EMAIL_LEASE_SECONDS // 3)
    return EmailMessage(
        subject=one_line(f"Reminder: {task.title}", 200),
        body=body,
        to=[task.assignee.email],
        connection=get_connection(timeout=timeout),
    )


def send_reminder_emails(*, now=None, limit: int = REMINDER_BATCH) -> int:
    """Step 2 for every reminder email due, oldest first; stops at the first SMTP failure (the mail server is
    down: the next run tries again). Returns how many this run sent."""
    sent = 0
    ids = reminder_emails_due(now=now).order_by("reminded_at", "id").values_list("pk", flat=True)[:limit]
    for task_id in list(ids):
        try:
            sent += send_reminder_email(task_id=task_id, now=now)
        except OSError:  # smtplib.SMTPException is one, as are refused connections and timeouts
            logger.warning("Could not send the reminder of task %s; the next run tries again", task_id)
            break
    return sent
