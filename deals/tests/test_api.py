import pytest
from rest_framework.test import APIClient

from deals.models import Deal, DealStageChange
from deals.tests.factories import DealFactory, stage_named
from leads.models import LifecycleStage
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def signed_in(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return signed_in


def test_every_role_lists_deals_and_anonymous_is_refused(api, marketer, rep, manager):
    DealFactory(owner=rep, title="Listed")
    for user in (marketer, rep, manager):
        response = api(user).get("/api/v1/deals/")
        assert response.status_code == 200
        assert response.json()["results"][0]["title"] == "Listed"
    assert api(None).get("/api/v1/deals/").status_code in (401, 403)


def test_a_rep_creates_a_deal_owned_by_them_and_cannot_create_for_others(api, rep, other_rep):
    response = api(rep).post("/api/v1/deals/", {"title": "API deal", "amount": "700.00"}, format="json")
    assert response.status_code == 201
    assert response.json()["owner"] == rep.pk
    assert response.json()["stage_name"] == "Qualification"
    refused = api(rep).post("/api/v1/deals/", {"title": "For Sam", "owner": other_rep.pk}, format="json")
    assert refused.status_code == 400
    assert "owner" in refused.json()
    assert not Deal.objects.filter(title="For Sam").exists()


def test_a_marketer_cannot_create_or_edit_deals(api, marketer, rep):
    deal = DealFactory(owner=rep)
    assert api(marketer).post("/api/v1/deals/", {"title": "x"}, format="json").status_code == 403
    assert api(marketer).patch(f"/api/v1/deals/{deal.pk}/", {"title": "x"}, format="json").status_code == 403


def test_a_negative_amount_is_a_field_error(api, rep):
    response = api(rep).post("/api/v1/deals/", {"title": "Bad", "amount": "-1"}, format="json")
    assert response.status_code == 400
    assert "amount" in response.json()


def test_moving_a_deal_through_the_api_updates_the_lead(api, rep):
    lead = LeadFactory(stage=LifecycleStage.SQL)
    deal = DealFactory(owner=rep, lead=lead)
    response = api(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": stage_named("Demo").pk}, format="json")
    lead.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["stage_name"] == "Demo"
    assert lead.stage == LifecycleStage.OPPORTUNITY


def test_moving_to_lost_without_a_reason_is_refused_through_the_api(api, rep):
    deal = DealFactory(owner=rep)
    response = api(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": stage_named("Closed lost").pk}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["stage"][0]
    ok = api(rep).post(
        f"/api/v1/deals/{deal.pk}/move/",
        {"stage": stage_named("Closed lost").pk, "lost_reason": "price", "note": "Too dear"},
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()["lost_reason"] == "price"


def test_a_rep_cannot_move_or_edit_another_reps_deal_through_the_api(api, rep, other_rep):
    deal = DealFactory(owner=other_rep, title="Sam's deal")
    move = api(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": stage_named("Demo").pk}, format="json")
    edit = api(rep).patch(f"/api/v1/deals/{deal.pk}/", {"title": "Mine now"}, format="json")
    deal.refresh_from_db()
    assert (move.status_code, edit.status_code) == (403, 403)
    assert (deal.stage.name, deal.title) == ("Qualification", "Sam's deal")
    assert not DealStageChange.objects.filter(deal=deal).exists()


def test_the_stage_is_changed_only_by_the_move_action(api, rep):
    deal = DealFactory(owner=rep)
    response = api(rep).patch(f"/api/v1/deals/{deal.pk}/", {"stage": stage_named("Demo").pk}, format="json")
    assert response.status_code == 400
    assert "move" in response.json()["stage"][0]


def test_a_manager_reassigns_through_the_api(api, manager, rep, other_rep):
    deal = DealFactory(owner=rep)
    response = api(manager).patch(f"/api/v1/deals/{deal.pk}/", {"owner": other_rep.pk}, format="json")
    deal.refresh_from_db()
    assert response.status_code == 200
    assert deal.owner == other_rep
    own = DealFactory(owner=rep)
    refused = api(rep).patch(f"/api/v1/deals/{own.pk}/", {"owner": other_rep.pk}, format="json")
    own.refresh_from_db()
    assert refused.status_code == 400
    assert "owner" in refused.json()
    assert own.owner == rep
