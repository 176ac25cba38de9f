"""A deal's forecast category: pipeline by default, set by its owner or a manager on the deal page and through
the API, never by another rep, and kept in the deal's history."""

import pytest
from rest_framework.test import APIClient

from deals.models import ForecastCategory
from deals.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_new_deal_is_in_the_pipeline_category(rep):
    assert DealFactory(owner=rep).forecast_category == ForecastCategory.PIPELINE


def test_the_owner_sets_commit_on_the_deal_page_and_the_history_keeps_it(client_for, rep):
    deal = DealFactory(owner=rep, title="Big one")
    page = client_for(rep).get(f"/deals/{deal.pk}/").content.decode()
    assert 'name="forecast_category"' in page
    response = client_for(rep).post(
        f"/deals/{deal.pk}/", {"title": "Big one", "amount": "5000", "forecast_category": "commit"}
    )
    deal.refresh_from_db()
    assert response.status_code == 302
    assert deal.forecast_category == ForecastCategory.COMMIT
    categories = list(deal.history.order_by("history_id").values_list("forecast_category", flat=True))
    assert categories[-2:] == ["pipeline", "commit"]


def test_a_form_without_the_category_keeps_the_deals(client_for, rep):
    deal = DealFactory(owner=rep, forecast_category=ForecastCategory.BEST_CASE)
    client_for(rep).post(f"/deals/{deal.pk}/", {"title": "Renamed", "amount": "5000"})
    deal.refresh_from_db()
    assert (deal.title, deal.forecast_category) == ("Renamed", ForecastCategory.BEST_CASE)


def test_an_unknown_category_is_refused(client_for, rep):
    deal = DealFactory(owner=rep)
    response = client_for(rep).post(f"/deals/{deal.pk}/", {"title": "x", "amount": "1", "forecast_category": "sure"})
    deal.refresh_from_db()
    assert response.status_code == 200
    assert deal.forecast_category == ForecastCategory.PIPELINE


def test_another_rep_cannot_set_the_category_on_the_page_or_through_the_api(client_for, rep, other_rep):
    deal = DealFactory(owner=rep)
    page = client_for(other_rep).get(f"/deals/{deal.pk}/").content.decode()
    assert 'name="forecast_category"' not in page
    assert "Pipeline" in page  # shown, read only
    posted = client_for(other_rep).post(
        f"/deals/{deal.pk}/", {"title": "x", "amount": "1", "forecast_category": "commit"}
    )
    patched = api_for(other_rep).patch(f"/api/v1/deals/{deal.pk}/", {"forecast_category": "commit"}, format="json")
    deal.refresh_from_db()
    assert posted.status_code == 403
    assert patched.status_code == 403
    assert deal.forecast_category == ForecastCategory.PIPELINE


def test_the_owner_and_a_manager_set_the_category_through_the_api(rep, manager):
    deal = DealFactory(owner=rep)
    mine = api_for(rep).patch(f"/api/v1/deals/{deal.pk}/", {"forecast_category": "best_case"}, format="json")
    assert (mine.status_code, mine.json()["forecast_category"]) == (200, "best_case")
    managed = api_for(manager).patch(f"/api/v1/deals/{deal.pk}/", {"forecast_category": "omitted"}, format="json")
    deal.refresh_from_db()
    assert managed.status_code == 200
    assert deal.forecast_category == ForecastCategory.OMITTED
    refused = api_for(rep).patch(f"/api/v1/deals/{deal.pk}/", {"forecast_category": "sure"}, format="json")
    assert refused.status_code == 400


def test_the_board_cards_menu_sets_the_category(client_for, rep):
    deal = DealFactory(owner=rep)
    menu = client_for(rep).get(f"/deals/{deal.pk}/menu/", HTTP_HX_REQUEST="true").content.decode()
    assert f'action="/deals/{deal.pk}/forecast/"' in menu
    assert 'value="best_case"' in menu
    response = client_for(rep).post(f"/deals/{deal.pk}/forecast/", {"forecast_category": "best_case"})
    deal.refresh_from_db()
    assert response["Location"] == "/pipeline/"
    assert deal.forecast_category == ForecastCategory.BEST_CASE


def test_another_rep_cannot_set_the_category_from_the_board(client_for, rep, other_rep):
    deal = DealFactory(owner=rep)
    response = client_for(other_rep).post(f"/deals/{deal.pk}/forecast/", {"forecast_category": "commit"})
    deal.refresh_from_db()
    assert response.status_code == 403
    assert deal.forecast_category == ForecastCategory.PIPELINE


def test_a_bad_category_from_the_board_changes_nothing(client_for, rep):
    deal = DealFactory(owner=rep)
    response = client_for(rep).post(f"/deals/{deal.pk}/forecast/", {"forecast_category": "sure"}, follow=True)
    deal.refresh_from_db()
    assert "Choose a forecast category." in response.content.decode()
    assert deal.forecast_category == ForecastCategory.PIPELINE
