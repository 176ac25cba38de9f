import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from campaigns.models import Campaign
from campaigns.tests.factories import CampaignDailyStatFactory, CampaignFactory

pytestmark = pytest.mark.django_db

STATS = "/api/v1/campaigns/spring-launch/stats/"


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_api_lists_campaigns_with_figures_and_filters_by_channel_and_status(client_for, rep, campaign):
    CampaignDailyStatFactory(campaign=campaign, impressions=1000, clicks=25, spend=Decimal("50.00"))
    CampaignFactory(name="Ads", channel="paid_search", status="paused")
    client = client_for(rep)
    body = client.get("/api/v1/campaigns/", {"channel": "email"}).json()
    assert [row["slug"] for row in body["results"]] == ["spring-launch"]
    figures = body["results"][0]["figures"]
    assert figures["spend"] == "50.00" and figures["impressions"] == 1000 and figures["clicks"] == 25
    assert figures["ctr"] == "0.025000" and figures["cpc"] == "2.00"
    assert figures["cpl"] is None and figures["roi"] == "-1.000000"
    assert [row["name"] for row in client.get("/api/v1/campaigns/", {"status": "paused"}).json()["results"]] == ["Ads"]


def test_api_retrieves_by_slug_with_figures_in_a_date_range(client_for, rep, campaign):
    CampaignDailyStatFactory(campaign=campaign, date=datetime.date(2026, 9, 1), spend=Decimal("10.00"))
    CampaignDailyStatFactory(campaign=campaign, date=datetime.date(2026, 9, 5), spend=Decimal("30.00"))
    body = client_for(rep).get("/api/v1/campaigns/spring-launch/", {"date_from": "2026-09-02"}).json()
    assert body["name"] == "Spring launch" and body["figures"]["spend"] == "30.00"
    assert client_for(rep).get("/api/v1/campaigns/spring-launch/", {"attribution": "linear"}).status_code == 400


def test_api_creates_a_campaign_owned_by_the_caller_with_a_slug_from_its_name(client_for, marketer):
    response = post(
        client_for(marketer),
        "/api/v1/campaigns/",
        {"name": "Fall Promo", "channel": "email", "start_date": "2026-10-01"},
    )
    assert response.status_code == 201
    assert response.json()["slug"] == "fall-promo" and response.json()["figures"]["leads"] == 0
    assert Campaign.objects.get(slug="fall-promo").owner == marketer


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "may not be blank"),
        ({"channel": "tv"}, "channel", "not a valid choice"),
        ({"budget": "-1"}, "budget", "greater than or equal to 0"),
        ({"end_date": "2026-09-01"}, "end_date", "The end date cannot be before the start date."),
        ({"slug": "spring-launch"}, "slug", "already exists"),
        ({"slug": "new"}, "slug", "reserved"),
        ({"start_date": "soon"}, "start_date", "Date has wrong format"),
    ],
)
def test_api_refuses_bad_campaign_fields_one_by_one(client_for, marketer, campaign, changes, field, message):
    payload = {"name": "Fall", "channel": "email", "start_date": "2026-10-01", **changes}
    response = post(client_for(marketer), "/api/v1/campaigns/", payload)
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_api_update_refuses_an_end_before_the_stored_start(client_for, marketer, campaign):
    response = client_for(marketer).patch(
        "/api/v1/campaigns/spring-launch/", {"end_date": "2026-08-01"}, content_type="application/json"
    )
    assert response.status_code == 400 and "end_date" in response.json()


def test_api_bulk_upsert_keeps_good_items_reports_bad_ones_by_index_and_updates_known_days(
    client_for, marketer, campaign
):
    CampaignDailyStatFactory(campaign=campaign, date=datetime.date(2026, 9, 1), impressions=5, clicks=1)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    items = [
        {"date": "2026-09-01", "impressions": 100, "clicks": 10, "spend": "20.00"},
        {"date": "2026-09-02", "impressions": 100, "clicks": 200, "spend": "20.00"},
        {"date": "2026-09-03", "impressions": -1, "clicks": 0, "spend": "1"},
        {"date": future, "impressions": 1, "clicks": 0, "spend": "1"},
        {"date": "2026-09-04", "impressions": 300, "clicks": 30, "spend": "60.5"},
        {"date": "2026-09-05", "impressions": 3, "clicks": 0, "spend": "1.234"},
        "not an object",
    ]
    response = post(client_for(marketer), STATS, items)
    body = response.json()
    assert response.status_code == 200
    assert (body["created"], body["updated"], body["failed"]) == (1, 1, 5)
    errors = {error["index"]: error["errors"] for error in body["errors"]}
    assert errors[1]["clicks"] == ["Clicks (200) cannot be more than impressions (100)."]
    assert "greater than or equal to 0" in errors[2]["impressions"][0]
    assert "future" in errors[3]["date"][0]
    assert "decimal places" in errors[5]["spend"][0]
    assert 6 in errors
    assert campaign.daily_stats.get(date=datetime.date(2026, 9, 1)).impressions == 100
    assert campaign.daily_stats.count() == 2


def test_api_bulk_upsert_needs_a_list(client_for, marketer, campaign):
    response = post(client_for(marketer), STATS, {"date": "2026-09-01"})
    assert response.status_code == 400 and "Send a list" in response.json()["non_field_errors"][0]


def test_api_bulk_upsert_refuses_a_count_too_large_for_a_day(client_for, marketer, campaign):
    item = {"date": "2026-09-01", "impressions": 10**20, "clicks": 1, "spend": "1.00"}
    response = post(client_for(marketer), STATS, [item])
    assert response.status_code == 400  # every item refused
    assert response.json()["errors"][0]["errors"]["impressions"] == [
        "Ensure this value is less than or equal to 10000000000."
    ]
    assert not campaign.daily_stats.exists()


def test_api_lists_daily_stats_latest_first(client_for, rep, campaign):
    CampaignDailyStatFactory(campaign=campaign, date=datetime.date(2026, 9, 1))
    CampaignDailyStatFactory(campaign=campaign, date=datetime.date(2026, 9, 2), spend=Decimal("7.50"))
    results = client_for(rep).get(STATS).json()["results"]
    assert [row["date"] for row in results] == ["2026-09-02", "2026-09-01"]
    assert results[0]["spend"] == "7.50"


def test_api_accepts_a_token(client, marketer, campaign):
    token = Token.objects.create(user=marketer)
    response = client.get("/api/v1/campaigns/", headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200


def test_api_list_takes_the_same_number_of_queries_for_2_and_20_campaigns(client_for, rep, django_assert_num_queries):
    client = client_for(rep)
    for count in (2, 18):
        for _ in range(count):
            CampaignDailyStatFactory(campaign=CampaignFactory())
        with django_assert_num_queries(6):
            assert client.get("/api/v1/campaigns/").status_code == 200
