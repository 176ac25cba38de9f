"""Every page that shows money shows the site's currency (settings.CURRENCY), and cents only where there are
some; percentages read the same everywhere ("25.0 %"). CSV downloads keep plain numbers."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.tests.factories import CampaignDailyStatFactory, CampaignFactory
from deals.tests.factories import DealFactory, stage_named
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(rep):
    with_cents = DealFactory(title="Cents", owner=rep, amount=Decimal("1500.50"), stage=stage_named("Demo"))
    whole = DealFactory(title="Whole", owner=rep, amount=Decimal("1500.00"), stage=stage_named("Demo"))
    return with_cents, whole


@pytest.fixture
def campaign(marketer):
    """Spend 500.50 of a 2,000 budget; 4,000 impressions, 100 clicks; 4 first-touch leads, no customer."""
    campaign = CampaignFactory(name="Webinar", slug="webinar", owner=marketer, budget=Decimal("2002.00"))
    CampaignDailyStatFactory(
        campaign=campaign, date=timezone.localdate(), impressions=4000, clicks=100, spend=Decimal("500.50")
    )
    for _ in range(4):
        LeadFactory(first_touch_campaign=campaign)
    return campaign


def by_testid(html, testid):
    return re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', html).group(1)


def test_deal_amounts_show_the_currency_and_their_cents(client_for, manager, deals):
    with_cents, whole = deals
    client = client_for(manager)
    assert '<span class="fs-5 ms-2">$1,500.50</span>' in client.get(with_cents.get_absolute_url()).content.decode()
    detail = client.get(whole.get_absolute_url()).content.decode()
    assert '<span class="fs-5 ms-2">$1,500</span>' in detail and "1,500.00" not in detail
    listed = client.get(reverse("deals:deal_list")).content.decode()
    assert "$1,500.50" in listed and "$1,500<" in listed
    board = client.get(reverse("deals:board")).content.decode()
    assert "<b>$1,500.50</b>" in board
    assert "<b>$1,500</b>" in board
    assert 'title="Total amount">$3,000.50</span>' in board  # the Demo column


def test_another_currency_shows_its_symbol_or_its_code(client_for, manager, deals, settings):
    settings.CURRENCY = "EUR"
    assert "€1,500.50" in client_for(manager).get(reverse("deals:board")).content.decode()
    settings.CURRENCY = "CHF"
    assert "CHF\u00a01,500.50" in client_for(manager).get(reverse("deals:deal_list")).content.decode()


def test_campaign_pages_show_costs_with_cents_and_one_percentage_format(client_for, marketer, campaign):
    client = client_for(marketer)
    detail = client.get(campaign.get_absolute_url()).content.decode()
    assert by_testid(detail, "figure-spend") == "$500.50 / $2,002"
    assert by_testid(detail, "figure-cpc") == "$5.01"  # 500.50 / 100, half up
    assert by_testid(detail, "figure-cpl") == "$125.13"  # 500.50 / 4
    assert by_testid(detail, "figure-cac") == "—"  # no customer
    assert by_testid(detail, "figure-ctr") == "2.5 %"
    assert by_testid(detail, "figure-roi") == "-100.0 %"
    assert 'data-money="$"' in detail  # the daily chart's spend axis
    listed = client.get(reverse("campaigns:campaign_list")).content.decode()
    assert "$500.50 / $2,002" in listed and "$5.01" in listed and "$125.13" in listed
    assert "Budget used by Webinar: 25.0 %" in listed


def test_report_pages_and_charts_show_the_currency_and_csv_stays_plain(client_for, manager, campaign, deals):
    client = client_for(manager)
    sales = client.get("/reports/sales/").content.decode()
    assert re.search(r'data-figure="pipeline_value">\$3,000.50<', sales)
    assert 'id="forecast-chart" data-chart="forecast-chart-data" data-money="$"' in sales
    report = client.get("/reports/campaigns/").content.decode()
    assert ">$500.50<" in report and ">$125.13<" in report and ">2.5 %<" in report
    assert 'data-money="$"' in report
    exported = client.get("/reports/campaigns/", {"format": "csv", "table": "campaigns"})
    text = b"".join(exported.streaming_content).decode("utf-8")
    assert '"500.50"' in text and "$" not in text
