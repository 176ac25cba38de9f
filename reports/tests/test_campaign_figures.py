import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.tests.factories import CampaignDailyStatFactory, CampaignFactory
from deals.tests.factories import DealFactory, stage_named
from leads.tests.factories import LeadFactory
from reports import rollups
from reports.selectors import campaigns_with_figures, figure_ratios, order_by_figure

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def figures(campaign, **options):
    row = campaigns_with_figures(Campaign.objects.filter(pk=campaign.pk), **options).get()
    return row, figure_ratios(row)


@pytest.fixture
def webinar():
    """Two days of stats, four first-touch leads (two MQLs, one customer with two won deals and a lost one)."""
    campaign = CampaignFactory(name="Webinar")
    CampaignDailyStatFactory(
        campaign=campaign, date=datetime.date(2026, 9, 1), impressions=1000, clicks=40, spend=Decimal("300.00")
    )
    CampaignDailyStatFactory(
        campaign=campaign, date=datetime.date(2026, 9, 2), impressions=3000, clicks=60, spend=Decimal("500.00")
    )
    LeadFactory(first_touch_campaign=campaign, created_at=at(datetime.date(2026, 9, 1)))
    LeadFactory(first_touch_campaign=campaign, created_at=at(datetime.date(2026, 9, 1)), mql_at=NOW)
    customer = LeadFactory(
        first_touch_campaign=campaign, created_at=at(datetime.date(2026, 9, 2)), mql_at=NOW, customer_at=NOW
    )
    LeadFactory(first_touch_campaign=campaign, created_at=at(datetime.date(2026, 9, 3)))
    DealFactory(lead=customer, amount=Decimal("1500.00"), stage=stage_named("Closed won"))
    DealFactory(lead=customer, amount=Decimal("700.00"), stage=stage_named("Closed won"))
    DealFactory(lead=customer, amount=Decimal("9999.00"), stage=stage_named("Closed lost"))
    DealFactory(lead=customer, amount=Decimal("4444.00"), stage=stage_named("Proposal"))
    return campaign


def test_figures_sum_stats_and_count_first_touch_leads_without_fanning_out(webinar):
    row, ratios = figures(webinar)
    assert (row.spend, row.impressions, row.clicks) == (Decimal("800.00"), 4000, 100)
    assert (row.leads, row.mqls, row.customers) == (4, 2, 1)
    assert row.revenue == Decimal("2200.00")  # won deals only
    assert ratios["ctr"] == Decimal("0.025")  # 100 / 4000
    assert ratios["cpc"] == Decimal("8")  # 800 / 100
    assert ratios["cpl"] == Decimal("200")  # 800 / 4
    assert ratios["cost_per_mql"] == Decimal("400")  # 800 / 2
    assert ratios["cac"] == Decimal("800")  # 800 / 1
    assert ratios["roi"] == Decimal("1.75")  # (2200 - 800) / 800


def test_date_range_limits_stats_and_leads_to_those_days(webinar):
    row, ratios = figures(webinar, date_from=datetime.date(2026, 9, 2), date_to=datetime.date(2026, 9, 2))
    assert (row.spend, row.impressions, row.clicks) == (Decimal("500.00"), 3000, 60)
    assert (row.leads, row.mqls, row.customers, row.revenue) == (1, 1, 1, Decimal("2200.00"))
    assert ratios["cpl"] == Decimal("500")


def test_a_campaign_with_nothing_logged_shows_zero_totals_and_no_ratios():
    row, ratios = figures(CampaignFactory(budget=0))
    assert (row.spend, row.impressions, row.clicks, row.leads, row.revenue) == (0, 0, 0, 0, 0)
    assert all(value is None for value in ratios.values())


def test_spend_without_leads_or_clicks_leaves_those_ratios_empty():
    campaign = CampaignFactory()
    CampaignDailyStatFactory(campaign=campaign, impressions=500, clicks=0, spend=Decimal("50.00"))
    row, ratios = figures(campaign)
    assert ratios["ctr"] == 0
    assert ratios["cpc"] is None
    assert ratios["cpl"] is None and ratios["cost_per_mql"] is None and ratios["cac"] is None
    assert ratios["roi"] == Decimal("-1")  # (0 - 50) / 50: all spend lost


def test_last_touch_attribution_credits_the_latest_campaign():
    first, last = CampaignFactory(), CampaignFactory()
    lead = LeadFactory(first_touch_campaign=first, latest_touch_campaign=last, customer_at=NOW)
    DealFactory(lead=lead, amount=Decimal("1000.00"), stage=stage_named("Closed won"))
    first_touch, _ = figures(first)
    last_touch, _ = figures(last, attribution="last")
    assert (first_touch.leads, first_touch.revenue) == (1, Decimal("1000.00"))
    assert (figures(last)[0].leads, figures(last)[0].revenue) == (0, 0)
    assert (last_touch.leads, last_touch.customers, last_touch.revenue) == (1, 1, Decimal("1000.00"))
    assert figures(first, attribution="last")[0].leads == 0


def test_unknown_attribution_is_refused():
    with pytest.raises(ValueError, match="attribution"):
        campaigns_with_figures(Campaign.objects.all(), attribution="linear")


def test_sorting_by_a_ratio_puts_empty_ratios_last_in_both_directions():
    cheap, dear = CampaignFactory(name="Cheap"), CampaignFactory(name="Dear")
    CampaignFactory(name="Silent")
    CampaignDailyStatFactory(campaign=cheap, clicks=100, spend=Decimal("100.00"))
    CampaignDailyStatFactory(campaign=dear, clicks=10, spend=Decimal("100.00"))
    annotated = campaigns_with_figures(Campaign.objects.all())
    assert [c.name for c in order_by_figure(annotated, "cpc")] == ["Cheap", "Dear", "Silent"]
    assert [c.name for c in order_by_figure(annotated, "-cpc")] == ["Dear", "Cheap", "Silent"]
    assert [c.name for c in order_by_figure(annotated, "-spend")][2] == "Silent"


def test_figures_take_the_same_number_of_queries_for_2_and_20_campaigns(django_assert_num_queries):
    def build(count):
        for _ in range(count):
            campaign = CampaignFactory()
            CampaignDailyStatFactory.create_batch(3, campaign=campaign)
            lead = LeadFactory(first_touch_campaign=campaign, mql_at=NOW, customer_at=NOW)
            DealFactory(lead=lead, stage=stage_named("Closed won"))

    for count in (2, 20):
        build(count if count == 2 else 18)
        # The stale days, the leads, deals and hand-overs of those days (grouped), and the campaigns; once
        # the rollups are refreshed, only the stale days and the campaigns.
        with django_assert_num_queries(5):
            rows = list(campaigns_with_figures(Campaign.objects.all()))
        rollups.refresh()
        with django_assert_num_queries(2):
            rolled_up = list(campaigns_with_figures(Campaign.objects.all()))
        assert [(row.pk, row.leads, row.customers, row.revenue) for row in rolled_up] == [
            (row.pk, row.leads, row.customers, row.revenue) for row in rows
        ]
        assert len(rows) == count
        assert all(row.revenue == Decimal("5000.00") and row.customers == 1 for row in rows)
