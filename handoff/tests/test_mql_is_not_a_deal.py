"""The seam between marketing and sales (DOMAIN.md "The hand-over"): an MQL waits in its rep's inbox and is
not a deal; accept creates exactly one, reject none, and nothing else takes a lead out of the inbox."""

import pytest
from rest_framework.test import APIClient

from deals.models import Deal
from deals.tests.factories import DealFactory, stage_named
from handoff.models import Handoff
from handoff.services import accept_mql, hand_over_mql, reject_mql
from leads.models import LifecycleStage, ScoringSettings
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def waiting(rep):
    """A lead handed over to `rep`, waiting in the inbox."""
    lead = LeadFactory(score=ScoringSettings.load().mql_threshold, company="Waiting Ltd", first_name="Wanda")
    handoff = hand_over_mql(lead_id=lead.pk)
    assert handoff.rep == rep
    return handoff


def still_waiting(handoff):
    handoff.refresh_from_db()
    handoff.lead.refresh_from_db()
    return handoff.outcome == Handoff.Outcome.PENDING and handoff.lead.stage == LifecycleStage.MQL


def test_a_waiting_mql_is_in_the_inbox_and_nowhere_in_sales(client_for, rep, manager, waiting):
    assert not Deal.objects.exists()
    assert "Waiting Ltd" in client_for(rep).get("/inbox/").content.decode()
    for user in (rep, manager):
        assert "Waiting Ltd" not in client_for(user).get("/pipeline/").content.decode()
        assert api(user).get("/api/v1/deals/").json()["count"] == 0
    page = client_for(rep).get("/").content.decode()
    assert 'data-testid="inbox-waiting">1<' in page  # the nav's badge


def test_accepting_twice_creates_one_deal_in_the_first_stage_owned_by_the_rep_with_the_campaigns(
    client_for, rep, waiting
):
    client = client_for(rep)
    for _ in range(2):  # a double click
        client.post(f"/inbox/{waiting.pk}/accept/")
    deal = Deal.objects.get()
    waiting.refresh_from_db()
    assert waiting.deal == deal
    assert (deal.lead, deal.owner, deal.stage) == (waiting.lead, rep, stage_named("Qualification"))
    assert deal.source_campaign == waiting.lead.first_touch_campaign
    assert "Waiting Ltd" in client.get("/pipeline/").content.decode()


def test_rejecting_creates_no_deal(client_for, rep, waiting):
    client_for(rep).post(f"/inbox/{waiting.pk}/reject/", {"reason": "no_budget", "outcome": "nurture"})
    waiting.refresh_from_db()
    assert waiting.outcome == Handoff.Outcome.REJECTED
    assert not Deal.objects.exists()


def test_the_deals_api_cannot_tie_a_deal_to_a_lead_that_waits_in_an_inbox(rep, manager, waiting):
    for user in (rep, manager):
        created = api(user).post("/api/v1/deals/", {"title": "Sneaky", "lead": waiting.lead_id}, format="json")
        assert created.status_code == 400
        assert "lead" in created.json()
    mine = DealFactory(owner=rep, lead=None)
    changed = api(rep).patch(f"/api/v1/deals/{mine.pk}/", {"lead": waiting.lead_id}, format="json")
    assert (changed.status_code, list(changed.json())) == (400, ["lead"])
    assert still_waiting(waiting)
    assert Deal.objects.filter(lead=waiting.lead).count() == 0


def test_moving_an_older_deal_of_a_waiting_lead_leaves_the_lead_in_the_inbox(client_for, rep, waiting):
    """A lead that re-qualified while an earlier deal of theirs is still open: moving that deal on the board
    or through the API moves the deal, never the lead out of the inbox."""
    old = DealFactory(owner=rep, lead=waiting.lead, stage=stage_named("Qualification"))
    response = client_for(rep).post(f"/deals/{old.pk}/move/", {"stage": stage_named("Discovery").pk})
    assert response.status_code in (200, 302)
    moved = api(rep).post(f"/api/v1/deals/{old.pk}/move/", {"stage": stage_named("Closed won").pk}, format="json")
    assert moved.status_code == 200
    old.refresh_from_db()
    assert old.stage == stage_named("Closed won")
    assert still_waiting(waiting)
    # Only the rep's answer takes it out: accepting now opens the new deal and the lead moves on.
    accept_mql(handoff_id=waiting.pk, by=rep)
    waiting.refresh_from_db()
    assert waiting.deal is not None and waiting.deal != old


def test_a_rejected_mql_adds_nothing_to_a_reps_closed_deals(rep, waiting):
    reject_mql(handoff_id=waiting.pk, by=rep, reason="not_a_fit")
    assert not Deal.objects.filter(owner=rep).exists()
