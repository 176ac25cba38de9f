"""`seed_demo`'s hand-overs look like a team at work: MQLs handed over when they qualified, over weeks, and
answered hours to days later; the reports' speed to lead and MQL → SQL time read so."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from crm.models import Notification
from handoff.demo import READ_AFTER
from handoff.models import Handoff
from handoff.selectors import sla_hours_at
from leads.models import LeadStageChange, LifecycleStage
from leads.scoring.rescore import leads_ready_for_handover

pytestmark = pytest.mark.django_db


def seed_demo(settings, *args):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", *args, stdout=io.StringIO())


def test_the_demo_reports_speed_to_lead_and_mql_to_sql_time_in_hours_and_days(settings, client_for, manager):
    seed_demo(settings)
    client = client_for(manager)
    sales = client.get("/api/v1/reports/sales/", {"period": "last_90"}).json()["summary"]
    funnel = client.get("/api/v1/reports/funnel/", {"period": "last_90"}).json()
    mql_to_sql_days = next(row["median_days"] for row in funnel["stages"] if row["stage"] == "mql")
    assert 1 <= sales["speed_to_lead_hours"] <= 7 * 24
    assert 1 / 24 <= mql_to_sql_days <= 7
    # Most answers come within the SLA, not all.
    assert 0 < sales["answered_within_sla"] < sales["handed_over"]


def test_demo_hand_overs_happen_when_each_lead_qualified_and_the_dates_agree(settings):
    seed_demo(settings, "--scale", "1200")
    now = timezone.now()
    sla = timedelta(hours=sla_hours_at())
    handoffs = list(Handoff.objects.select_related("lead", "deal"))
    assert min(handoff.handed_at for handoff in handoffs) < now - timedelta(days=30)  # over weeks, not today
    assert Handoff.objects.filter(outcome=Handoff.Outcome.PENDING).exists()  # the newest wait in the inboxes
    for handoff in handoffs:
        lead = handoff.lead
        assert lead.created_at <= handoff.handed_at == lead.mql_at
        assert handoff.due_at == handoff.handed_at + sla
        to_mql = LeadStageChange.objects.get(lead=lead, to_stage=LifecycleStage.MQL)
        assert to_mql.at == handoff.handed_at
        if handoff.outcome == Handoff.Outcome.PENDING:
            continue
        assert handoff.handed_at < handoff.responded_at < now
        answer = LeadStageChange.objects.filter(lead=lead).exclude(to_stage=LifecycleStage.MQL).get()
        assert answer.at == handoff.responded_at
        if handoff.outcome == Handoff.Outcome.ACCEPTED:
            assert lead.sql_at == handoff.deal.created_at == handoff.responded_at
            assert handoff.deal.stage_changes.get().at == handoff.responded_at
    # Every demo lead that qualified was handed over: the scoring sweep finds nothing left to hand over.
    assert not leads_ready_for_handover().exists()
    # The reps read what came more than a day ago; only the newest notifications wait unread.
    unread = Notification.objects.filter(read_at__isnull=True)
    assert not unread.filter(created_at__lt=timezone.now() - READ_AFTER).exists()
    assert Notification.objects.filter(read_at__isnull=False).count() > 5 * unread.count()
