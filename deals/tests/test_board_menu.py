"""A card's menu, fetched when it opens: who may have it, and what it offers."""

import pytest

from deals.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_a_rep_gets_the_menu_of_their_own_deal_with_every_other_stage(client_for, rep):
    deal = DealFactory(owner=rep, title="Acme expansion", stage=stage_named("Demo"))
    response = client_for(rep).get(f"/deals/{deal.pk}/menu/", headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Move Acme expansion to" in html
    for name in ("Qualification", "Discovery", "Proposal", "Negotiation", "Won: Closed won", "Lost: Closed lost…"):
        assert name in html
    assert f'data-stage="{stage_named("Demo").pk}"' not in html  # not where it already is
    assert f'href="/deals/{deal.pk}/"' in html
    assert "<html" not in html and "HX-Request" in response["Vary"]


def test_a_closed_deal_menu_offers_only_the_open_stages_it_may_reopen_in(client_for, rep):
    deal = DealFactory(owner=rep, title="Signed", stage=stage_named("Closed won"))
    html = client_for(rep).get(f"/deals/{deal.pk}/menu/", headers=HTMX).content.decode()
    assert "Qualification" in html and "Negotiation" in html
    assert "Closed lost" not in html and "Closed won" not in html


def test_a_rep_may_not_open_the_menu_of_a_colleague_deal(client_for, rep, other_rep):
    deal = DealFactory(owner=other_rep)
    assert client_for(rep).get(f"/deals/{deal.pk}/menu/", headers=HTMX).status_code == 403


def test_a_manager_gets_the_menu_of_any_deal(client_for, manager, rep):
    deal = DealFactory(owner=rep)
    assert client_for(manager).get(f"/deals/{deal.pk}/menu/", headers=HTMX).status_code == 200


def test_a_marketer_who_only_reads_deals_gets_no_menu(client_for, marketer, rep):
    deal = DealFactory(owner=rep)
    assert client_for(marketer).get(f"/deals/{deal.pk}/menu/", headers=HTMX).status_code == 403


def test_the_menu_of_a_deal_that_does_not_exist_is_not_found(client_for, manager):
    assert client_for(manager).get("/deals/999999/menu/", headers=HTMX).status_code == 404


def test_without_htmx_the_menu_sends_to_the_deal_page_which_holds_the_same_moves(client_for, rep):
    deal = DealFactory(owner=rep)
    response = client_for(rep).get(f"/deals/{deal.pk}/menu/")
    assert response.status_code == 302 and response["Location"] == f"/deals/{deal.pk}/"


def test_the_menu_cannot_be_posted_to(client_for, rep):
    deal = DealFactory(owner=rep)
    assert client_for(rep).post(f"/deals/{deal.pk}/menu/", headers=HTMX).status_code == 405
