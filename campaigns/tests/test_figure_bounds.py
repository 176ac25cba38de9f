"""A day's figures have bounds no real campaign reaches, under which no sum Relay computes overflows (the
reasoning is in campaigns.models): every door refuses more, by field, and the database too; at the bounds, on
every day a campaign can have, every campaign page and report still answers."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.models import MAX_BUDGET, MAX_DAILY_IMPRESSIONS, MAX_DAILY_SPEND, CampaignDailyStat
from campaigns.tests.factories import CampaignDailyStatFactory, CampaignFactory
from crm.bounds import MAX_DATE, MIN_DATE
from crm.bulk_insert import insert_rows

pytestmark = pytest.mark.django_db

OLD_DOCUMENTED_MAXIMUM = 2**63 - 1  # what the schema said impressions could be (a bigint)
STATS = "/api/v1/campaigns/spring-launch/stats/"
EVERY_DAY = (MAX_DATE - MIN_DATE).days + 1


def yesterday(days=1) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def campaign_pages(campaign, *, detail=True, admin=False) -> list[str]:
    """Every page and API answer that sums a campaign's days (the report over its longest period too)."""
    slug = campaign.slug
    longest = {"period": "custom", "date_from": yesterday(3 * 366 - 2), "date_to": yesterday(0)}
    query = "&".join(f"{name}={value}" for name, value in longest.items())
    pages = [
        "/",
        "/campaigns/",
        "/campaigns/?sort=-impressions",
        "/campaigns/?sort=ctr",
        "/campaigns/?sort=-spend",
        "/campaigns/?sort=roi",
        f"/campaigns/{slug}/",
        "/api/v1/campaigns/",
        f"/api/v1/campaigns/{slug}/",
        f"/api/v1/campaigns/{slug}/stats/",
        "/reports/campaigns/",
        f"/reports/campaigns/?{query}",
        f"/reports/campaigns/?{query}&attribution=last",
        f"/reports/campaigns/?{query}&format=csv&table=campaigns",
        f"/reports/campaigns/?{query}&format=csv&table=channels",
        f"/api/v1/reports/campaigns/?{query}",
    ]
    if not detail:  # the page lists every day: checked with a thousand of them
        pages.remove(f"/campaigns/{slug}/")
    if admin:
        pages += ["/admin/campaigns/campaign/", "/admin/campaigns/campaigndailystat/"]
    return pages


def answers(client, urls) -> dict[str, int]:
    return {url: client.get(url).status_code for url in urls}


def test_impressions_at_the_old_documented_maximum_are_refused_by_field_and_pages_stay_up(client_for, marketer):
    campaign = CampaignFactory(slug="spring-launch", owner=marketer)
    client = client_for(marketer)
    days = [
        {"date": yesterday(1), "impressions": OLD_DOCUMENTED_MAXIMUM, "clicks": 0, "spend": "0"},
        {"date": yesterday(2), "impressions": OLD_DOCUMENTED_MAXIMUM, "clicks": 0, "spend": "0"},
    ]
    response = client.post(STATS, days, content_type="application/json")
    assert response.status_code == 400
    assert [sorted(item["errors"]) for item in response.json()["errors"]] == [["impressions"], ["impressions"]]
    assert not campaign.daily_stats.exists()
    assert set(answers(client, campaign_pages(campaign)).values()) == {200}


def test_the_schema_documents_the_bounds(client_for, marketer):
    schema = client_for(marketer).get("/api/schema/?format=json").json()["components"]["schemas"]
    assert schema["DailyStat"]["properties"]["impressions"]["maximum"] == MAX_DAILY_IMPRESSIONS
    assert schema["DailyStat"]["properties"]["clicks"]["maximum"] == MAX_DAILY_IMPRESSIONS
    # Decimals travel as strings, which JSON Schema gives no maximum: their description says it.
    assert schema["DailyStat"]["properties"]["spend"]["description"] == "At most 1,000,000,000.00 a day."
    assert schema["Campaign"]["properties"]["budget"]["description"] == "At most 9,999,999,999.99."


def at_the_maximum(campaign, first: datetime.date, last: datetime.date) -> None:
    """The campaign's every day from `first` to `last` at the maximum figures, in plain INSERTs (110,000 rows
    through bulk_create take three times as long)."""
    days = (first + datetime.timedelta(days=n) for n in range((last - first).days + 1))
    rows = (
        (campaign.pk, day.isoformat(), MAX_DAILY_IMPRESSIONS, MAX_DAILY_IMPRESSIONS, str(MAX_DAILY_SPEND))
        for day in days
    )
    insert_rows(CampaignDailyStat._meta.db_table, ["campaign_id", "date", "impressions", "clicks", "spend"], rows)


def test_every_campaign_page_and_report_answers_with_the_maximum_on_every_day_a_campaign_can_have(
    client_for, marketer, manager
):
    """Every day of 1900–2200 (109,938) at the maximum for one campaign, the most its sums can ever add up to;
    a second campaign at the maximum over the last three years, which the report adds to the first."""
    full = CampaignFactory(slug="everything", owner=marketer)
    recent = CampaignFactory(slug="recent", owner=marketer)
    at_the_maximum(full, MIN_DATE, MAX_DATE)
    at_the_maximum(recent, timezone.localdate() - datetime.timedelta(days=3 * 366), MAX_DATE)
    manager.is_staff = manager.is_superuser = True
    manager.save()
    pages = campaign_pages(full, detail=False, admin=True) + [f"/api/v1/campaigns/{recent.slug}/"]
    assert set(answers(client_for(manager), pages).values()) == {200}
    assert client_for(marketer).get("/").status_code == 200  # the marketer's dashboard sums their campaigns
    figures = client_for(marketer).get("/api/v1/campaigns/everything/").json()["figures"]
    assert figures["impressions"] == figures["clicks"] == MAX_DAILY_IMPRESSIONS * EVERY_DAY
    assert Decimal(figures["spend"]) == MAX_DAILY_SPEND * EVERY_DAY


def test_the_campaign_detail_page_answers_with_the_maximum_on_many_days(client_for, marketer):
    """The page lists every logged day: a thousand at the maximum (the sums are checked on every day above)."""
    campaign = CampaignFactory(slug="spring-launch", owner=marketer)
    CampaignDailyStat.objects.bulk_create(
        CampaignDailyStat(
            campaign=campaign,
            date=MAX_DATE - datetime.timedelta(days=n),
            impressions=MAX_DAILY_IMPRESSIONS,
            clicks=0,
            spend=MAX_DAILY_SPEND,
        )
        for n in range(1000)
    )
    assert client_for(marketer).get(f"/campaigns/{campaign.slug}/").status_code == 200


# --- Every door refuses a figure above its bound, by field ------------------------------------------------


ABOVE = {
    "impressions": MAX_DAILY_IMPRESSIONS + 1,
    "clicks": MAX_DAILY_IMPRESSIONS + 1,
    "spend": MAX_DAILY_SPEND + Decimal("0.01"),
}


def day_with(name, value) -> dict:
    day = {"date": yesterday(), "impressions": MAX_DAILY_IMPRESSIONS + 1, "clicks": 0, "spend": "1.00"}
    if name != "impressions":
        day["impressions"] = 10
    return {**day, name: value}


@pytest.mark.parametrize("name", ABOVE)
def test_the_api_refuses_a_figure_above_its_bound_with_the_field(client_for, marketer, name):
    CampaignFactory(slug="spring-launch", owner=marketer)
    response = client_for(marketer).post(STATS, [day_with(name, str(ABOVE[name]))], content_type="application/json")
    assert response.status_code == 400
    assert name in response.json()["errors"][0]["errors"]


@pytest.mark.parametrize("name", ABOVE)
def test_the_inline_form_refuses_a_figure_above_its_bound_with_the_field(client_for, marketer, name):
    campaign = CampaignFactory(owner=marketer)
    url = reverse("campaigns:campaign_stats", args=[campaign.slug])
    response = client_for(marketer).post(url, day_with(name, ABOVE[name]), headers={"HX-Request": "true"})
    assert "too large" in " ".join(response.context["stat_form"].errors[name])
    assert not campaign.daily_stats.exists()


@pytest.mark.parametrize("name", ABOVE)
def test_the_csv_upload_refuses_a_figure_above_its_bound_on_its_line(client_for, marketer, name):
    campaign = CampaignFactory(owner=marketer)
    day = day_with(name, ABOVE[name])
    text = "date,impressions,clicks,spend\n" + ",".join(str(day[column]) for column in day) + "\n"
    file = SimpleUploadedFile("stats.csv", text.encode(), content_type="text/csv")
    url = reverse("campaigns:campaign_upload", args=[campaign.slug])
    result = client_for(marketer).post(url, {"file": file}).context["result"]
    assert [(line, sorted(problems)) for line, problems in result.errors] == [(2, [name])]
    assert not campaign.daily_stats.exists()


@pytest.mark.parametrize("name", ABOVE)
def test_the_admin_refuses_a_figure_above_its_bound_with_the_field(client_for, manager, name):
    manager.is_staff = manager.is_superuser = True
    manager.save()
    campaign = CampaignFactory()
    data = {"campaign": campaign.pk, **day_with(name, ABOVE[name])}
    response = client_for(manager).post("/admin/campaigns/campaigndailystat/add/", data)
    assert response.status_code == 200 and name in response.context["adminform"].form.errors
    assert not campaign.daily_stats.exists()


def test_the_api_refuses_a_budget_above_its_bound_with_the_field(client_for, marketer):
    CampaignFactory(slug="spring-launch", owner=marketer)
    response = client_for(marketer).patch(
        "/api/v1/campaigns/spring-launch/", {"budget": "10000000000.00"}, content_type="application/json"
    )
    assert response.status_code == 400 and "budget" in response.json()


@pytest.mark.parametrize(
    "factory",
    [
        lambda: CampaignDailyStatFactory(impressions=MAX_DAILY_IMPRESSIONS + 1, clicks=0),
        lambda: CampaignDailyStatFactory(spend=MAX_DAILY_SPEND + Decimal("0.01")),
        lambda: CampaignDailyStatFactory(date=MIN_DATE - datetime.timedelta(days=1)),
        lambda: CampaignDailyStatFactory(date=MAX_DATE + datetime.timedelta(days=1)),
        lambda: CampaignFactory(budget=MAX_BUDGET + Decimal("0.01")),
        lambda: CampaignFactory(start_date=datetime.date(1, 1, 1)),
        lambda: CampaignFactory(start_date=MAX_DATE, end_date=datetime.date(9999, 12, 31)),
    ],
    ids=["impressions", "spend", "day before 1900", "day after 2200", "budget", "start in year 1", "end in 9999"],
)
def test_the_database_refuses_figures_and_dates_out_of_bounds(factory):
    # PostgreSQL's numeric(12, 2) refuses a budget of 10^10 before the check constraint does (DataError).
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        factory()
