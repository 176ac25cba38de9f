"""Demo data for `seed_demo`: tasks on most open deals (some overdue, some due today, some done), a few on the
reps' leads and on companies for the marketer, so that My day and the task panels have work to show."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from agenda.models import Task
from companies.models import Company
from deals.models import Deal, Stage
from leads.models import Lead

DEAL_TASKS = ["Send the contract", "Prepare the ROI sheet", "Check in after the trial", "Schedule the kickoff"]
LEAD_TASKS = ["Call back about the webinar", "Send the case study", "Ask who decides on tooling"]
COMPANY_TASKS = ["Review the account's contacts", "Plan the next campaign touch"]


def seed(*, users, stdout):
    """Add the demo tasks unless there are tasks already."""
    if Task.objects.exists():
        stdout.write("  agenda: already there, nothing added")
        return
    rng = random.Random(23)  # the same demo every time
    now = timezone.now()
    tasks = []
    for deal in Deal.objects.filter(stage__kind=Stage.Kind.OPEN).order_by("id"):
        if rng.random() < 0.7:
            tasks.append(_task(rng, now, deal.owner, rng.choice(DEAL_TASKS), deal=deal))
        if rng.random() < 0.3:
            tasks.append(_task(rng, now, deal.owner, rng.choice(DEAL_TASKS), deal=deal, done=True))
    reps = [users["rep1"], users["rep2"]]
    for lead in Lead.objects.filter(owner__in=reps).order_by("id")[:12]:
        tasks.append(_task(rng, now, lead.owner, rng.choice(LEAD_TASKS), lead=lead))
    for company in Company.objects.order_by("id")[:4]:
        tasks.append(_task(rng, now, users["marketer"], rng.choice(COMPANY_TASKS), company=company))
    Task.objects.bulk_create(tasks, batch_size=500)
    stdout.write(f"  agenda: {len(tasks)} tasks on deals, leads and companies")


def _task(rng, now, assignee, title, *, done=False, **record) -> Task:
    """A task due from a week ago to two weeks ahead, in working hours. Those already due count as reminded:
    seeding does not send a pile of late reminders."""
    day = timezone.localdate(now) + timedelta(days=rng.randint(-7, 14) if not done else rng.randint(-20, -1))
    due_at = timezone.make_aware(datetime.combine(day, time(rng.randint(9, 17), rng.choice([0, 30]))))
    reminded = due_at if due_at <= now else None
    return Task(
        title=title,
        assignee=assignee,
        created_by=assignee,
        due_at=due_at,
        done_at=due_at if done else None,
        done_by=assignee if done else None,
        reminded_at=reminded,
        reminder_emailed_at=reminded,
        created_at=min(now, due_at) - timedelta(days=rng.randint(1, 10)),
        **record,
    )
