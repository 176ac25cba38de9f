"""handoff/0004 and leads/0026 on a database of the previous schema, where the SLA was one number on the
scoring settings row: it becomes the first row of the history, from 2000-01-01, and the hand-overs already
made keep it, so no answer of the past is judged differently. Runs on both engines."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from handoff.models import Handoff, Sla
from handoff.selectors import sla_hours_at
from reports import sales
from reports.filters import ReportFilters

BEFORE = [("handoff", "0003_deal_reverse_accessor"), ("leads", "0025_do_not_contact")]


def old_world(apps):
    """A 36-hour SLA, and two hand-overs of last week answered after 30 h and 40 h."""
    User, Lead = apps.get_model("auth", "User"), apps.get_model("leads", "Lead")
    Handoff, ScoringSettings = apps.get_model("handoff", "Handoff"), apps.get_model("leads", "ScoringSettings")
    ScoringSettings.objects.update_or_create(pk=1, defaults={"sla_hours": 36})
    rep = User.objects.create(username="old_rep")
    handed = timezone.now() - datetime.timedelta(days=7)
    for tag, hours in (("in_time", 30), ("late", 40)):
        lead = Lead.objects.create(email=f"{tag}@old.example", email_key=f"{tag}@old.example", stage="sql")
        Handoff.objects.create(
            lead=lead,
            rep=rep,
            score=60,
            handed_at=handed,
            due_at=handed + datetime.timedelta(hours=36),
            outcome="accepted",
            responded_at=handed + datetime.timedelta(hours=hours),
        )


@pytest.mark.django_db(transaction=True)
def test_the_old_setting_becomes_the_first_sla_and_past_answers_are_judged_as_before():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    old_world(executor.loader.project_state(BEFORE).apps)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(Sla.objects.values_list("hours", "effective_from", "set_by")) == [(36, datetime.date(2000, 1, 1), None)]
    assert sla_hours_at() == 36
    assert set(Handoff.objects.values_list("sla_hours", flat=True)) == {36}
    today = timezone.localdate()
    summary = sales.sales_report(ReportFilters(date_from=today - datetime.timedelta(days=30), date_to=today))["summary"]
    assert (summary["handed_over"], summary["answered_within_sla"]) == (2, 1)
