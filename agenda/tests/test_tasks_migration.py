"""agenda/0002 on a database of the previous schema, where a deal's tasks were activities of kind "task":
each becomes a Task for the deal's owner, due at 09:00 local on its date, done when it was, and the activity
goes; other activities stay. Runs on both engines."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from agenda.models import Task
from deals.models import Activity

BEFORE = [("agenda", "0001_initial"), ("deals", "0009_deal_account")]


def old_world(apps):
    User, Stage = apps.get_model("auth", "User"), apps.get_model("deals", "Stage")
    Deal, Activity = apps.get_model("deals", "Deal"), apps.get_model("deals", "Activity")
    owner = User.objects.create(username="old_owner")
    logger = User.objects.create(username="old_logger")
    deal = Deal.objects.create(title="Old deal", stage=Stage.objects.filter(kind="open").first(), owner=owner)
    now = timezone.now()
    future = timezone.localdate() + datetime.timedelta(days=3)
    Activity.objects.create(deal=deal, kind="task", subject="Send the contract", body="v2", due_date=future, by=logger)
    Activity.objects.create(
        deal=deal, kind="task", subject="Old call", due_date=future, done=True, done_at=now, by=logger
    )
    Activity.objects.create(deal=deal, kind="call", subject="Discovery call", by=logger)
    return deal.pk, owner.pk, logger.pk, future, now


@pytest.mark.django_db(transaction=True)
def test_deal_task_activities_become_tasks_for_the_deal_owner():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    deal_id, owner_id, logger_id, future, done_at = old_world(executor.loader.project_state(BEFORE).apps)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    open_task, done_task = Task.objects.order_by("title").reverse()
    assert (open_task.title, open_task.note, open_task.deal_id) == ("Send the contract", "v2", deal_id)
    assert (open_task.assignee_id, open_task.created_by_id) == (owner_id, logger_id)
    assert timezone.localtime(open_task.due_at) == timezone.make_aware(
        datetime.datetime.combine(future, datetime.time(9, 0))
    )
    assert open_task.done_at is None and open_task.reminded_at is None  # reminded at its due time
    assert done_task.done_at == done_at and done_task.reminded_at is not None  # no late reminder
    assert list(Activity.objects.values_list("kind", "subject")) == [("call", "Discovery call")]
