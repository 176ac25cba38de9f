from decimal import Decimal

import pytest

from campaigns.tests.factories import CampaignFactory
from deals.models import Deal, DealStageChange, LostReason
from deals.services import DealMoveNotAllowed, move_deal, open_deal_for_lead
from deals.tests.factories import DealFactory, stage_named
from leads.models import LeadStageChange, LifecycleStage
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_move_deal_records_who_moved_it_from_where_to_where(rep):
    deal = DealFactory(owner=rep)
    move_deal(deal=deal, to_stage=stage_named("Demo"), by=rep)
    deal.refresh_from_db()
    change = DealStageChange.objects.get(deal=deal)
    assert deal.stage.name == "Demo"
    assert (change.from_stage.name, change.to_stage.name, change.by) == ("Qualification", "Demo", rep)
    assert (change.from_name, change.to_name) == ("Qualification", "Demo")
    assert deal.stage_changed_at == change.at
    assert deal.closed_at is None


def test_moving_a_deal_past_qualification_makes_its_lead_an_opportunity(rep):
    lead = LeadFactory(stage=LifecycleStage.SQL)
    deal = DealFactory(owner=rep, lead=lead)
    move_deal(deal=deal, to_stage=stage_named("Discovery"), by=rep)
    lead.refresh_from_db()
    assert lead.stage == LifecycleStage.OPPORTUNITY
    assert lead.opportunity_at is not None
    assert LeadStageChange.objects.filter(lead=lead, to_stage="opportunity", by=rep).exists()


def test_winning_a_deal_makes_its_lead_a_customer_and_closes_it(rep):
    lead = LeadFactory(stage=LifecycleStage.OPPORTUNITY)
    deal = DealFactory(owner=rep, lead=lead, stage=stage_named("Negotiation"))
    move_deal(deal=deal, to_stage=stage_named("Closed won"), by=rep)
    deal.refresh_from_db()
    lead.refresh_from_db()
    assert lead.stage == LifecycleStage.CUSTOMER
    assert deal.closed_at is not None


def test_reopening_a_won_deal_moves_the_lead_back_with_a_reason_and_clears_closed_at(rep):
    lead = LeadFactory(stage=LifecycleStage.SQL)
    deal = DealFactory(owner=rep, lead=lead, stage=stage_named("Negotiation"))
    move_deal(deal=deal, to_stage=stage_named("Closed won"), by=rep)
    move_deal(deal=deal, to_stage=stage_named("Proposal"), by=rep)
    deal.refresh_from_db()
    lead.refresh_from_db()
    assert deal.closed_at is None
    assert lead.stage == LifecycleStage.OPPORTUNITY
    back = LeadStageChange.objects.filter(lead=lead).first()
    assert (back.from_stage, back.to_stage, back.reason) == ("customer", "opportunity", "deal reopened")


def test_moving_back_to_qualification_makes_the_opportunity_sales_qualified_again_with_a_reason(rep):
    lead = LeadFactory(stage=LifecycleStage.SQL)
    deal = DealFactory(owner=rep, lead=lead)
    move_deal(deal=deal, to_stage=stage_named("Demo"), by=rep)
    move_deal(deal=deal, to_stage=stage_named("Qualification"), by=rep)
    lead.refresh_from_db()
    assert lead.stage == LifecycleStage.SQL
    assert LeadStageChange.objects.filter(lead=lead).first().reason == "deal moved back to Qualification"


def test_losing_a_deal_requires_a_reason(rep):
    deal = DealFactory(owner=rep)
    with pytest.raises(DealMoveNotAllowed, match="reason"):
        move_deal(deal=deal, to_stage=stage_named("Closed lost"), by=rep)
    deal.refresh_from_db()
    assert deal.stage.name == "Qualification"
    assert not DealStageChange.objects.filter(deal=deal).exists()
    move_deal(deal=deal, to_stage=stage_named("Closed lost"), by=rep, lost_reason=LostReason.PRICE, note="Too dear")
    deal.refresh_from_db()
    assert (deal.lost_reason, deal.close_note) == ("price", "Too dear")
    assert deal.closed_at is not None


def test_a_lost_deal_keeps_its_lead_stage(rep):
    lead = LeadFactory(stage=LifecycleStage.OPPORTUNITY)
    deal = DealFactory(owner=rep, lead=lead, stage=stage_named("Demo"))
    move_deal(deal=deal, to_stage=stage_named("Closed lost"), by=rep, lost_reason=LostReason.TIMING)
    lead.refresh_from_db()
    assert lead.stage == LifecycleStage.OPPORTUNITY


def test_a_closed_deal_cannot_jump_from_won_to_lost(rep):
    deal = DealFactory(owner=rep, stage=stage_named("Closed won"))
    with pytest.raises(DealMoveNotAllowed, match="reopen"):
        move_deal(deal=deal, to_stage=stage_named("Closed lost"), by=rep, lost_reason=LostReason.PRICE)


def _column(stage):
    return list(Deal.objects.filter(stage=stage).order_by("position", "-id").values_list("title", flat=True))


def test_moving_a_card_to_a_place_keeps_the_column_order(rep):
    demo = stage_named("Demo")
    for index, title in enumerate(["A", "B", "C"]):
        DealFactory(owner=rep, title=title, stage=demo, position=index)
    moved = DealFactory(owner=rep, title="X")
    move_deal(deal=moved, to_stage=demo, by=rep, position=2)
    assert _column(demo) == ["A", "B", "X", "C"]
    move_deal(deal=moved, to_stage=demo, by=rep, position=0)
    assert _column(demo) == ["X", "A", "B", "C"]
    move_deal(deal=moved, to_stage=demo, by=rep, position=10)
    assert _column(demo) == ["A", "B", "C", "X"]


def test_placing_a_card_between_cards_that_share_a_position_keeps_their_order(rep):
    demo = stage_named("Demo")
    first, second, third = (DealFactory(owner=rep, stage=demo, position=0) for _ in range(3))
    order = _column(demo)  # newest first among equal positions
    moved = DealFactory(owner=rep, title="X")
    move_deal(deal=moved, to_stage=demo, by=rep, position=1)
    assert _column(demo) == [order[0], "X", order[1], order[2]]


def test_a_new_deal_for_an_accepted_lead_credits_its_first_campaign_and_leaves_the_lead_stage(rep):
    campaign = CampaignFactory()
    lead = LeadFactory(stage=LifecycleStage.MQL, company="Acme", first_touch_campaign=campaign)
    deal = open_deal_for_lead(lead=lead, owner=rep, by=rep)
    lead.refresh_from_db()
    assert deal.stage.name == "Qualification"
    assert (deal.title, deal.owner, deal.source_campaign, deal.lead) == ("Acme", rep, campaign, lead)
    assert (deal.contact_email, deal.contact_name) == (lead.email, lead.full_name)
    assert deal.amount == Decimal("0")
    assert lead.stage == LifecycleStage.MQL
    assert DealStageChange.objects.filter(deal=deal, from_stage=None).count() == 1
