import pytest

from deals.models import DealStageChange
from deals.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db


def test_dragging_a_card_saves_the_move_and_returns_fresh_headers(client_for, rep):
    deal = DealFactory(owner=rep, amount=1000)
    response = client_for(rep).post(
        f"/deals/{deal.pk}/move/?owner=mine", {"stage": stage_named("Demo").pk, "position": 0}, HTTP_HX_REQUEST="true"
    )
    deal.refresh_from_db()
    assert response.status_code == 200
    assert deal.stage.name == "Demo"
    html = response.content.decode()
    assert f'data-stage-header="{stage_named("Demo").pk}"' in html
    assert "400 weighted" in html
    assert "HX-Request" in response["Vary"]


def test_dropping_before_a_card_puts_it_there(client_for, rep):
    demo = stage_named("Demo")
    first = DealFactory(owner=rep, stage=demo, position=0, title="First")
    DealFactory(owner=rep, stage=demo, position=1, title="Second")
    moved = DealFactory(owner=rep, title="Moved")
    client_for(rep).post(f"/deals/{moved.pk}/move/", {"stage": demo.pk, "before": first.pk}, HTTP_HX_REQUEST="true")
    titles = list(demo.deals.order_by("position", "-id").values_list("title", flat=True))
    assert titles == ["Moved", "First", "Second"]


def test_a_rep_cannot_move_another_reps_deal(client_for, rep, other_rep):
    deal = DealFactory(owner=other_rep)
    response = client_for(rep).post(
        f"/deals/{deal.pk}/move/", {"stage": stage_named("Demo").pk}, HTTP_HX_REQUEST="true"
    )
    deal.refresh_from_db()
    assert response.status_code == 403
    assert deal.stage.name == "Qualification"
    assert not DealStageChange.objects.filter(deal=deal).exists()


def test_a_failed_drag_answers_400_with_the_reason(client_for, rep):
    deal = DealFactory(owner=rep)
    response = client_for(rep).post(
        f"/deals/{deal.pk}/move/", {"stage": stage_named("Closed lost").pk}, HTTP_HX_REQUEST="true"
    )
    deal.refresh_from_db()
    assert response.status_code == 400
    assert "reason" in response.content.decode()
    assert deal.stage.name == "Qualification"


def test_the_no_js_select_moves_and_redirects_back_with_a_message(client_for, rep):
    deal = DealFactory(owner=rep, title="Plain form deal")
    response = client_for(rep).post(
        f"/deals/{deal.pk}/move/", {"stage": stage_named("Proposal").pk, "next": "/pipeline/?owner=mine"}, follow=True
    )
    deal.refresh_from_db()
    assert deal.stage.name == "Proposal"
    assert response.redirect_chain[-1][0] == "/pipeline/?owner=mine"
    assert "Plain form deal moved to Proposal" in response.content.decode()


def test_the_no_js_select_sends_a_lost_deal_to_its_page_to_ask_for_the_reason(client_for, rep):
    deal = DealFactory(owner=rep)
    response = client_for(rep).post(f"/deals/{deal.pk}/move/", {"stage": stage_named("Closed lost").pk})
    assert response.status_code == 302
    assert response["Location"] == f"/deals/{deal.pk}/"


def test_an_outside_next_url_is_ignored(client_for, rep):
    deal = DealFactory(owner=rep)
    response = client_for(rep).post(
        f"/deals/{deal.pk}/move/", {"stage": stage_named("Demo").pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/pipeline/"
