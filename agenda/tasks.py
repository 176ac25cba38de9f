"""Celery tasks of the agenda: thin wrappers over `agenda.services`, safe to run twice or at once."""

from celery import shared_task

from agenda import services
from leads.tasks import RETRY


@shared_task(name="agenda.send_due_reminders", **RETRY)
def send_due_reminders() -> dict[str, int]:
    """Beat, every REMINDER_SWEEP_SECONDS: remind the assignees of the tasks come due (a notification, once),
    then send every reminder email not sent yet, including those a dead worker left (see `agenda.services`)."""
    reminded = services.remind_due_tasks()
    return {"reminded": len(reminded), "emailed": services.send_reminder_emails()}
