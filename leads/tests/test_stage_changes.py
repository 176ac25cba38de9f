import pytest

from leads.models import LeadStageChange, LifecycleStage
from leads.services.stages import StageChangeNotAllowed, change_stage
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_every_stage_change_is_recorded_with_who_from_to_and_why(rep):
    lead = LeadFactory(stage=LifecycleStage.MQL)
    assert change_stage(lead=lead, to=LifecycleStage.SQL, by=rep, reason="accepted")
    change = LeadStageChange.objects.get(lead=lead)
    assert (change.from_stage, change.to_stage, change.by, change.reason) == ("mql", "sql", rep, "accepted")
    lead.refresh_from_db()
    assert lead.stage == LifecycleStage.SQL
    assert lead.sql_at == change.at


def test_reaching_a_stage_marks_the_stages_before_it_as_reached():
    lead = LeadFactory(stage=LifecycleStage.SUBSCRIBER, lead_at=None)
    change_stage(lead=lead, to=LifecycleStage.MQL)
    lead.refresh_from_db()
    assert lead.lead_at is not None
    assert lead.mql_at is not None
    assert lead.sql_at is None


def test_moving_to_the_same_stage_records_nothing():
    lead = LeadFactory(stage=LifecycleStage.LEAD)
    assert change_stage(lead=lead, to=LifecycleStage.LEAD) is False
    assert not LeadStageChange.objects.exists()


def test_moving_back_down_the_funnel_needs_a_reason():
    lead = LeadFactory(stage=LifecycleStage.OPPORTUNITY)
    with pytest.raises(StageChangeNotAllowed, match="needs a reason"):
        change_stage(lead=lead, to=LifecycleStage.SQL)
    lead.refresh_from_db()
    assert lead.stage == LifecycleStage.OPPORTUNITY
    assert change_stage(lead=lead, to=LifecycleStage.SQL, reason="deal moved back to Qualification")


def test_side_exits_keep_the_stages_already_reached():
    lead = LeadFactory(stage=LifecycleStage.MQL)
    change_stage(lead=lead, to=LifecycleStage.MQL)
    lead.refresh_from_db()
    mql_at = lead.mql_at
    change_stage(lead=lead, to=LifecycleStage.NURTURE, reason="bad_timing")
    lead.refresh_from_db()
    assert lead.stage == LifecycleStage.NURTURE
    assert lead.mql_at == mql_at
