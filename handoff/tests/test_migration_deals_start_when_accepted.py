"""handoff/0002 on a database of the previous schema, where every hand-over opened a deal: the deals of
MQLs nobody accepted go (what people typed on them moves to the lead), accepted ones stay, and leads that a
never-accepted deal moved on wait in the inbox again. Runs on both engines."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from deals.models import Activity, Deal
from handoff.models import Handoff
from leads.models import Lead, LeadNote, LeadStageChange, LifecycleStage
from reports.feedback import rejection_reasons
from reports.filters import ReportFilters

BEFORE = [("leads", "0017_public_form_submissions_and_consent"), ("deals", "0006_rotting_days_within_smallint")]


def old_world(apps):
    """What the previous code left after a few weeks: one hand-over of each kind, each with its deal."""
    User = apps.get_model("auth", "User")
    Pipeline, Stage = apps.get_model("deals", "Pipeline"), apps.get_model("deals", "Stage")
    Deal, Activity = apps.get_model("deals", "Deal"), apps.get_model("deals", "Activity")
    Lead, Handoff = apps.get_model("leads", "Lead"), apps.get_model("leads", "Handoff")
    rep = User.objects.create(username="old_rep", first_name="Riley")
    # The default pipeline that deals/0001 made: its first two open stages and its won and lost stages.
    stages = Stage.objects.filter(pipeline=Pipeline.objects.get(is_default=True)).order_by("order")
    opened = [stage for stage in stages if stage.kind == "open"]
    stages = {
        "Qualification": opened[0],
        "Discovery": opened[1],
        "Won": next(stage for stage in stages if stage.kind == "won"),
        "Lost": next(stage for stage in stages if stage.kind == "lost"),
    }
    now = timezone.now()
    made = {}

    def handed(tag, *, outcome, lead_stage, deal_stage, **deal_fields):
        lead = Lead.objects.create(email=f"{tag}@old.example", email_key=f"{tag}@old.example", stage=lead_stage)
        handoff = Handoff.objects.create(
            lead=lead,
            rep=rep,
            score=60,
            due_at=now + datetime.timedelta(hours=24),
            outcome=outcome,
            responded_at=None if outcome == "pending" else now,
            rejection_reason="no_budget" if outcome == "rejected" else "",
            note="Budget next year" if outcome == "rejected" else "",
        )
        deal = Deal.objects.create(
            title=f"{tag} deal", lead=lead, stage=stages[deal_stage], owner=rep, handoff=handoff, **deal_fields
        )
        made[tag] = (lead.pk, handoff.pk, deal.pk)
        return deal

    handed("waiting", outcome="pending", lead_stage="mql", deal_stage="Qualification")
    dragged = handed(
        "dragged", outcome="pending", lead_stage="opportunity", deal_stage="Discovery", amount=Decimal("1500.50")
    )
    Lead.objects.filter(pk=dragged.lead_id).update(sql_at=now, opportunity_at=now)
    Activity.objects.create(deal=dragged, kind="call", subject="Called them before accepting", by=rep, at=now)
    rejected = handed(
        "rejected",
        outcome="rejected",
        lead_stage="nurture",
        deal_stage="Lost",
        lost_reason="rejected_mql",
        close_note="Budget next year",
        closed_at=now,
    )
    Activity.objects.create(deal=rejected, kind="email", subject="Asked about budget", body="No budget.", by=rep)
    accepted = handed("accepted", outcome="accepted", lead_stage="sql", deal_stage="Qualification", amount=9000)
    Activity.objects.create(deal=accepted, kind="meeting", subject="Kick-off", by=rep)
    by_hand = Deal.objects.create(title="Entered by hand", stage=stages["Discovery"], owner=rep, amount=700)
    made["by_hand"] = (None, None, by_hand.pk)
    return made


@pytest.mark.django_db(transaction=True)
def test_deals_of_unaccepted_mqls_go_accepted_ones_stay_and_nothing_typed_is_lost(capsys):
    executor = MigrationExecutor(connection)
    executor.migrate([*BEFORE, ("handoff", None)])
    executor.loader.build_graph()
    made = old_world(executor.loader.project_state(BEFORE).apps)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    # Accepted and hand-entered deals stay; the accepted hand-over points at its deal.
    assert set(Deal.objects.values_list("pk", flat=True)) == {made["accepted"][2], made["by_hand"][2]}
    assert Handoff.objects.get(pk=made["accepted"][1]).deal_id == made["accepted"][2]
    assert Activity.objects.filter(deal_id=made["accepted"][2]).count() == 1
    # Every hand-over stays, with its answer; the rejection is still in the feedback report.
    assert Handoff.objects.count() == 4
    rejected = Handoff.objects.get(pk=made["rejected"][1])
    assert (rejected.outcome, rejected.rejection_reason, rejected.note, rejected.deal) == (
        "rejected",
        "no_budget",
        "Budget next year",
        None,
    )
    today = timezone.localdate()
    table = rejection_reasons(ReportFilters(date_from=today - datetime.timedelta(days=1), date_to=today))
    assert [(group["total"], group["counts"]["no_budget"]) for group in table["groups"]] == [(1, 1)]
    # What people typed on the removed deals is on the leads' timelines.
    dragged_notes = " ".join(LeadNote.objects.filter(lead_id=made["dragged"][0]).values_list("body", flat=True))
    assert "Called them before accepting" in dragged_notes and "Amount: 1500.50" in dragged_notes
    rejected_notes = " ".join(LeadNote.objects.filter(lead_id=made["rejected"][0]).values_list("body", flat=True))
    assert "Asked about budget" in rejected_notes and "No budget." in rejected_notes
    assert "Close note" not in rejected_notes  # the close note was the rejection's own note, kept on it
    # The dragged MQL never was accepted: it waits in the inbox again, its false stages cleared.
    dragged = Lead.objects.get(pk=made["dragged"][0])
    assert (dragged.stage, dragged.sql_at, dragged.opportunity_at) == (LifecycleStage.MQL, None, None)
    change = LeadStageChange.objects.get(lead=dragged)
    assert (change.from_stage, change.to_stage, change.by) == ("opportunity", "mql", None)
    assert Lead.objects.get(pk=made["waiting"][0]).stage == LifecycleStage.MQL
    assert Lead.objects.get(pk=made["rejected"][0]).stage == LifecycleStage.NURTURE
    out = capsys.readouterr().out
    for counted in ("accepted deals kept: 1", "pending deals removed: 2", "rejected deals removed: 1"):
        assert counted in out
