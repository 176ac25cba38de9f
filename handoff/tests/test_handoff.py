from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory
from crm.models import Notification
from crm.tests.factories import UserFactory
from deals.models import Deal
from deals.tests.factories import DealFactory
from handoff.models import Handoff, HandoffFailure, TerritoryRule
from handoff.services import (
    HandoffError,
    accept_mql,
    hand_over_each,
    hand_over_mql,
    reassign_overdue_mqls,
    reject_mql,
)
from leads.models import LeadStageChange, LifecycleStage, ScoringSettings
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reps():
    return [UserFactory(role="Sales rep", username=f"rep{n}") for n in range(1, 4)]


def qualified_lead(**fields):
    return LeadFactory(score=ScoringSettings.load().mql_threshold, **fields)


def test_hand_over_makes_an_mql_waiting_in_a_reps_inbox_and_no_deal(reps, django_capture_on_commit_callbacks):
    lead = qualified_lead(company="Acme", first_touch_campaign=None)
    with django_capture_on_commit_callbacks(execute=True):
        handoff = hand_over_mql(lead_id=lead.pk)
    lead.refresh_from_db()
    assert lead.stage == LifecycleStage.MQL
    assert lead.owner == handoff.rep
    assert lead.mql_at is not None
    change = LeadStageChange.objects.get(lead=lead)
    assert (change.from_stage, change.to_stage, change.by) == ("lead", "mql", None)
    assert change.reason == "score_reached_threshold"
    assert handoff.outcome == Handoff.Outcome.PENDING
    assert not Deal.objects.exists()  # an MQL is not a deal (DOMAIN.md "The hand-over")
    assert Notification.objects.filter(user=handoff.rep, url="/inbox/").exists()
    assert mail.outbox[0].to == [handoff.rep.email]


def test_hand_over_twice_changes_nothing_the_second_time(reps):
    lead = qualified_lead()
    assert hand_over_mql(lead_id=lead.pk)
    assert hand_over_mql(lead_id=lead.pk) is None
    assert Handoff.objects.filter(lead=lead).count() == 1
    assert LeadStageChange.objects.filter(lead=lead).count() == 1


def test_lead_below_the_threshold_or_past_lead_is_not_handed_over(reps):
    below = LeadFactory(score=ScoringSettings.load().mql_threshold - 1)
    customer = qualified_lead(stage=LifecycleStage.CUSTOMER)
    assert hand_over_mql(lead_id=below.pk) is None
    assert hand_over_mql(lead_id=customer.pk) is None
    assert not Deal.objects.exists()


def test_reps_get_mqls_round_robin_skipping_inactive_ones(reps):
    reps[1].is_active = False
    reps[1].save()
    owners = [hand_over_mql(lead_id=qualified_lead().pk).rep for _ in range(4)]
    assert owners == [reps[0], reps[2], reps[0], reps[2]]


def test_territory_rule_routes_by_country_before_round_robin(reps):
    TerritoryRule.objects.create(field="country", value="DE, AT", rep=reps[2])
    assert hand_over_mql(lead_id=qualified_lead(country="de").pk).rep == reps[2]
    assert hand_over_mql(lead_id=qualified_lead(country="US").pk).rep == reps[0]


def test_no_active_rep_leaves_the_lead_waiting_and_tells_the_managers_why(manager):
    lead = qualified_lead()
    run = hand_over_each({lead.pk: None})
    assert (run.handed_over, run.failed) == (0, [lead.pk])
    lead.refresh_from_db()
    assert lead.stage == LifecycleStage.LEAD
    assert "no active sales rep" in HandoffFailure.objects.get(lead=lead).error
    assert Notification.objects.filter(user=manager, url="/handoffs/failed/").exists()


def test_accepting_an_mql_makes_the_lead_sql_and_creates_exactly_one_deal(reps):
    campaign = CampaignFactory()
    handoff = hand_over_mql(lead_id=qualified_lead(company="Acme", first_touch_campaign=campaign).pk)
    accept_mql(handoff_id=handoff.pk, by=handoff.rep)
    handoff.refresh_from_db()
    assert handoff.outcome == Handoff.Outcome.ACCEPTED
    assert handoff.lead.stage == LifecycleStage.SQL
    assert LeadStageChange.objects.filter(lead=handoff.lead, to_stage="sql", by=handoff.rep).exists()
    deal = Deal.objects.get(lead=handoff.lead)
    assert handoff.deal == deal and deal.handoff == handoff
    assert (deal.owner, deal.stage.name, deal.title, deal.closed_at) == (handoff.rep, "Qualification", "Acme", None)
    assert deal.source_campaign == campaign
    with pytest.raises(HandoffError, match="already accepted"):
        accept_mql(handoff_id=handoff.pk, by=handoff.rep)
    assert Deal.objects.count() == 1


def test_rep_rejects_not_now_the_lead_goes_to_nurture_with_engagement_reset(reps):
    handoff = hand_over_mql(lead_id=qualified_lead(job_title="Engineer").pk)
    reject_mql(handoff_id=handoff.pk, by=handoff.rep, reason="bad_timing", note="Budget next year")
    lead = handoff.lead
    lead.refresh_from_db()
    assert lead.stage == LifecycleStage.NURTURE
    assert lead.engagement_reset_at is not None
    assert lead.score < ScoringSettings.load().mql_threshold
    change = LeadStageChange.objects.get(lead=lead, to_stage="nurture")
    assert (change.by, change.reason, change.note) == (handoff.rep, "bad_timing", "Budget next year")
    handoff.refresh_from_db()
    assert (handoff.rejection_reason, handoff.note, handoff.deal) == ("bad_timing", "Budget next year", None)
    assert not Deal.objects.exists()  # a rejected MQL never had a deal: nothing is "lost"


def test_rep_rejects_never_a_fit_and_the_lead_is_disqualified(reps):
    handoff = hand_over_mql(lead_id=qualified_lead().pk)
    reject_mql(handoff_id=handoff.pk, by=handoff.rep, reason="not_a_fit")
    handoff.lead.refresh_from_db()
    assert handoff.lead.stage == LifecycleStage.DISQUALIFIED


def test_only_the_assigned_rep_or_a_manager_answers_and_only_once(reps, manager):
    handoff = hand_over_mql(lead_id=qualified_lead().pk)
    other = next(rep for rep in reps if rep != handoff.rep)
    with pytest.raises(HandoffError, match="Only the rep"):
        accept_mql(handoff_id=handoff.pk, by=other)
    accept_mql(handoff_id=handoff.pk, by=manager)
    with pytest.raises(HandoffError, match="already accepted"):
        reject_mql(handoff_id=handoff.pk, by=handoff.rep, reason="no_need")


def test_reject_needs_a_known_reason_and_a_note_for_other(reps):
    handoff = hand_over_mql(lead_id=qualified_lead().pk)
    with pytest.raises(HandoffError, match="Choose a rejection reason"):
        reject_mql(handoff_id=handoff.pk, by=handoff.rep, reason="bored")
    with pytest.raises(HandoffError, match="Say why"):
        reject_mql(handoff_id=handoff.pk, by=handoff.rep, reason="other")


def test_sla_miss_reassigns_to_the_next_rep_once_and_alerts_managers(reps, manager):
    handoff = hand_over_mql(lead_id=qualified_lead().pk)
    first_rep = handoff.rep
    later = timezone.now() + timedelta(hours=25)
    assert reassign_overdue_mqls(now=later) == 1
    handoff.refresh_from_db()
    assert handoff.rep != first_rep
    assert handoff.previous_rep == first_rep
    assert handoff.lead.owner == handoff.rep
    assert handoff.lead.stage == LifecycleStage.MQL and not Deal.objects.exists()  # still waiting, in another inbox
    assert Notification.objects.filter(user=manager, message__startswith="SLA missed").count() == 1
    assert reassign_overdue_mqls(now=later + timedelta(hours=48)) == 0  # once only


def test_the_database_refuses_a_second_hand_over_pointing_at_one_deal(reps):
    deal = DealFactory(owner=reps[0])
    first, second = (
        Handoff.objects.create(lead=qualified_lead(), rep=reps[0], score=60, due_at=timezone.now()) for _ in range(2)
    )
    Handoff.objects.filter(pk=first.pk).update(deal=deal)
    with pytest.raises(IntegrityError), transaction.atomic():
        Handoff.objects.filter(pk=second.pk).update(deal=deal)
