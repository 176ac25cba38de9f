"""What a deal may point at: a rep ties deals to their own leads only, gives them to nobody, credits live
campaigns, starts them in an open stage of the pipeline (the attack test's finding: a rep moved another
rep's lead by creating a deal on it through the API and moving the deal)."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.tests.factories import CampaignFactory
from deals.models import Deal, Pipeline, Stage
from deals.tests.factories import DealFactory, stage_named
from leads.models import LifecycleStage
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def signed_in(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return signed_in


@pytest.fixture
def sams_lead(other_rep):
    return LeadFactory(owner=other_rep, stage=LifecycleStage.SQL, email="sams.lead@example.com")


def unchanged(lead, *, stage, owner) -> bool:
    lead.refresh_from_db()
    return (lead.stage, lead.owner) == (stage, owner)


# --- The attack, three ways -----------------------------------------------------------------------------


def test_a_rep_cannot_create_a_deal_on_another_reps_lead_through_the_api_and_move_it(api, rep, other_rep, sams_lead):
    created = api(rep).post("/api/v1/deals/", {"title": "Hijack", "lead": sams_lead.pk}, format="json")
    assert created.status_code == 400
    assert "lead" in created.json()
    assert not Deal.objects.filter(lead=sams_lead).exists()
    # Had the deal existed, its move would have taken Sam's lead along: nothing of the kind can happen.
    for deal in Deal.objects.filter(title="Hijack"):
        api(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": stage_named("Demo").pk}, format="json")
    assert unchanged(sams_lead, stage=LifecycleStage.SQL, owner=other_rep)


def test_a_rep_cannot_point_their_own_deal_at_another_reps_lead(api, rep, other_rep, sams_lead):
    deal = DealFactory(owner=rep, title="Mine")
    for method in ("patch", "put"):
        response = getattr(api(rep), method)(
            f"/api/v1/deals/{deal.pk}/", {"title": "Mine", "lead": sams_lead.pk}, format="json"
        )
        assert response.status_code == 400, method
        assert "lead" in response.json(), method
    deal.refresh_from_db()
    assert deal.lead is None
    api(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": stage_named("Demo").pk}, format="json")
    assert unchanged(sams_lead, stage=LifecycleStage.SQL, owner=other_rep)


def test_a_lead_posted_by_hand_to_the_deal_form_ties_no_deal_to_it(client_for, rep, other_rep, sams_lead):
    """The deal pages offer no lead at all: a lead id added to the form by hand is not read."""
    client = client_for(rep)
    response = client.post(reverse("deals:deal_create"), {"title": "Hijack", "amount": "10", "lead": sams_lead.pk})
    assert response.status_code == 302
    deal = Deal.objects.get(title="Hijack")
    assert deal.lead is None
    client.post(reverse("deals:deal_detail", args=[deal.pk]), {"title": "Hijack", "amount": "10", "lead": sams_lead.pk})
    client.post(reverse("deals:deal_move", args=[deal.pk]), {"stage": stage_named("Demo").pk})
    deal.refresh_from_db()
    assert (deal.lead, deal.stage.name) == (None, "Demo")
    assert unchanged(sams_lead, stage=LifecycleStage.SQL, owner=other_rep)


# --- What a rep may do ------------------------------------------------------------------------------


def test_a_rep_ties_a_deal_to_their_own_lead_and_moving_it_moves_the_lead(api, rep):
    lead = LeadFactory(owner=rep, stage=LifecycleStage.SQL)
    created = api(rep).post("/api/v1/deals/", {"title": "Mine", "lead": lead.pk}, format="json")
    assert created.status_code == 201
    moved = api(rep).post(f"/api/v1/deals/{created.json()['id']}/move/", {"stage": stage_named("Demo").pk})
    assert moved.status_code == 200
    assert unchanged(lead, stage=LifecycleStage.OPPORTUNITY, owner=rep)


def test_a_manager_ties_a_deal_to_any_lead_and_the_rep_keeps_it_while_editing(api, manager, rep, other_rep, sams_lead):
    created = api(manager).post(
        "/api/v1/deals/", {"title": "Shared", "lead": sams_lead.pk, "owner": rep.pk}, format="json"
    )
    assert created.status_code == 201
    url = f"/api/v1/deals/{created.json()['id']}/"
    # The lead the deal already has stays valid for the rep who owns the deal: editing it never fails on it.
    kept = api(rep).put(url, {"title": "Shared, renamed", "lead": sams_lead.pk}, format="json")
    assert kept.status_code == 200, kept.json()
    assert Deal.objects.get(title="Shared, renamed").lead == sams_lead


# --- Owner, campaign and stage ------------------------------------------------------------------------


def test_a_rep_giving_a_deal_away_is_told_which_field_is_wrong(api, rep, other_rep):
    refused = api(rep).post("/api/v1/deals/", {"title": "For Sam", "owner": other_rep.pk}, format="json")
    assert refused.status_code == 400
    assert "owner" in refused.json()
    assert not Deal.objects.filter(title="For Sam").exists()


def test_a_manager_cannot_make_a_marketer_own_a_deal(api, client_for, manager, marketer, rep):
    deal = DealFactory(owner=rep, title="Kept")
    refused = api(manager).patch(f"/api/v1/deals/{deal.pk}/", {"owner": marketer.pk}, format="json")
    assert refused.status_code == 400
    assert "owner" in refused.json()
    page = client_for(manager).get(reverse("deals:deal_detail", args=[deal.pk]))
    assert page.context["form"].fields["owner"].queryset.filter(pk=marketer.pk).count() == 0
    posted = client_for(manager).post(
        reverse("deals:deal_detail", args=[deal.pk]), {"title": "Kept", "amount": "1", "owner": marketer.pk}
    )
    assert posted.status_code == 200
    assert "owner" in posted.context["form"].errors
    deal.refresh_from_db()
    assert deal.owner == rep


def test_deals_credit_live_campaigns_and_keep_an_archived_one_they_already_credit(api, client_for, rep):
    live = CampaignFactory(name="Live")
    archived = CampaignFactory(name="Old", archived_at=timezone.now())
    refused = api(rep).post("/api/v1/deals/", {"title": "New", "source_campaign": archived.pk}, format="json")
    assert refused.status_code == 400
    assert "source_campaign" in refused.json()
    form = client_for(rep).get(reverse("deals:deal_create")).context["form"]
    assert set(form.fields["source_campaign"].queryset) == {live}
    deal = DealFactory(owner=rep, title="Old deal", source_campaign=archived)
    page = client_for(rep).get(reverse("deals:deal_detail", args=[deal.pk]))
    assert set(page.context["form"].fields["source_campaign"].queryset) == {live, archived}
    saved = client_for(rep).post(
        reverse("deals:deal_detail", args=[deal.pk]),
        {"title": "Old deal, renamed", "amount": "1", "source_campaign": archived.pk},
    )
    assert saved.status_code == 302
    deal.refresh_from_db()
    assert (deal.title, deal.source_campaign) == ("Old deal, renamed", archived)


def test_a_deal_starts_only_in_an_open_stage_of_the_pipeline(api, client_for, rep):
    other = Pipeline.objects.create(name="Renewals")
    foreign = Stage.objects.create(pipeline=other, name="Renewal call", order=1, probability=50)
    for stage in (foreign, stage_named("Closed won")):
        refused = api(rep).post("/api/v1/deals/", {"title": "Odd", "stage": stage.pk}, format="json")
        assert refused.status_code == 400, stage
        assert "stage" in refused.json(), stage
        posted = client_for(rep).post(reverse("deals:deal_create"), {"title": "Odd", "amount": "1", "stage": stage.pk})
        assert posted.status_code == 200, stage
        assert "stage" in posted.context["form"].errors, stage
    assert not Deal.objects.filter(title="Odd").exists()


def test_a_deal_moves_only_to_a_stage_of_its_own_pipeline(api, rep):
    other = Pipeline.objects.create(name="Renewals")
    foreign = Stage.objects.create(pipeline=other, name="Renewal call", order=1, probability=50)
    deal = DealFactory(owner=rep)
    response = api(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": foreign.pk}, format="json")
    assert response.status_code == 400
    assert "stage" in response.json()
    deal.refresh_from_db()
    assert deal.stage.name == "Qualification"
