import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.tests.factories import CampaignDailyStatFactory, CampaignFactory
from deals.tests.factories import DealFactory, stage_named
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

LIST = reverse("campaigns:campaign_list")


def names_in(response):
    return [campaign.name for campaign in response.context["page_obj"]]


def test_list_shows_figures_and_dashes_for_missing_ratios(client_for, marketer):
    campaign = CampaignFactory(name="Quiet", budget=Decimal("1000.00"))
    CampaignDailyStatFactory(campaign=campaign, impressions=2000, clicks=50, spend=Decimal("250.00"))
    page = client_for(marketer).get(LIST).content.decode()
    assert "$250 / $1,000" in page
    assert "2.5 %" in page  # CTR 50 / 2000
    assert "$5.00" in page  # CPC 250 / 50
    assert "—" in page  # no leads: CPL, cost per MQL, CAC


def test_list_filters_by_channel_status_owner_and_dates(client_for, marketer, manager):
    CampaignFactory(name="Mail", channel="email", status="active", owner=marketer)
    CampaignFactory(name="Ads", channel="paid_search", status="paused", owner=manager)
    CampaignFactory(name="Old", start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 2, 1))
    client = client_for(marketer)
    assert names_in(client.get(LIST, {"channel": "paid_search"})) == ["Ads"]
    assert names_in(client.get(LIST, {"status": "active", "owner": marketer.pk})) == ["Mail"]
    assert sorted(names_in(client.get(LIST, {"date_from": "2026-01-01"}))) == ["Ads", "Mail"]
    assert names_in(client.get(LIST, {"date_to": "2025-06-01"})) == ["Old"]
    assert sorted(names_in(client.get(LIST, {"channel": "nonsense"}))) == ["Ads", "Mail", "Old"]


def test_list_sorts_by_a_whitelisted_figure_and_ignores_others(client_for, marketer):
    for name, clicks in (("Few", 10), ("Many", 90), ("Some", 40)):
        CampaignDailyStatFactory(campaign=CampaignFactory(name=name), impressions=100, clicks=clicks)
    client = client_for(marketer)
    assert names_in(client.get(LIST, {"sort": "-ctr"})) == ["Many", "Some", "Few"]
    assert names_in(client.get(LIST, {"sort": "clicks"})) == ["Few", "Some", "Many"]
    assert client.get(LIST, {"sort": "owner__password"}).status_code == 200


def test_list_paginates_and_keeps_filters_in_page_links(client_for, marketer):
    CampaignFactory.create_batch(27, channel="email")
    response = client_for(marketer).get(LIST, {"channel": "email"})
    assert len(response.context["page_obj"]) == 25
    assert "?channel=email&amp;page=2" in response.content.decode()
    assert len(client_for(marketer).get(LIST, {"channel": "email", "page": 2}).context["page_obj"]) == 2


def test_archived_campaigns_leave_the_list_but_can_be_found(client_for, marketer, campaign):
    client = client_for(marketer)
    client.post(reverse("campaigns:campaign_archive", args=[campaign.slug]))
    assert names_in(client.get(LIST)) == []
    assert names_in(client.get(LIST, {"status": "archived"})) == ["Spring launch"]
    client.post(reverse("campaigns:campaign_archive", args=[campaign.slug]), {"restore": "1"})
    assert names_in(client.get(LIST)) == ["Spring launch"]


def test_empty_list_tells_a_marketer_what_to_do_and_a_rep_what_to_expect(client_for, marketer, rep):
    assert "Create your first campaign" in client_for(marketer).get(LIST).content.decode()
    page = client_for(rep).get(LIST).content.decode()
    assert "Marketing has not created any campaign" in page
    assert "New campaign" not in page


def test_creating_a_campaign_without_a_slug_makes_one_from_the_name(client_for, marketer):
    CampaignFactory(slug="autumn-webinar")
    data = {"name": "Autumn webinar", "channel": "events", "objective": "event", "status": "planned"}
    data |= {"start_date": "2026-10-01", "budget": "500", "owner": marketer.pk}
    response = client_for(marketer).post(reverse("campaigns:campaign_create"), data, follow=True)
    assert response.redirect_chain[-1][0] == "/campaigns/autumn-webinar-2/"
    assert "Campaign “Autumn webinar” created" in response.content.decode()


def test_campaign_form_shows_plain_errors_and_keeps_what_was_typed(client_for, marketer):
    data = {"name": "Kept name", "channel": "email", "objective": "nurture", "status": "planned"}
    data |= {"start_date": "2026-10-05", "end_date": "2026-10-01", "budget": "-3", "owner": marketer.pk}
    page = client_for(marketer).post(reverse("campaigns:campaign_create"), data).content.decode()
    assert "The end date cannot be before the start date." in page
    assert "The budget cannot be negative." in page
    assert 'value="Kept name"' in page
    assert not Campaign.objects.exists()


def test_detail_shows_figures_chart_data_and_first_touch_leads(client_for, rep, campaign):
    CampaignDailyStatFactory(campaign=campaign, date=datetime.date(2026, 9, 1), impressions=1000, clicks=20)
    lead = LeadFactory(first_name="Ada", last_name="Byron", first_touch_campaign=campaign, customer_at=timezone.now())
    DealFactory(lead=lead, amount=Decimal("4000.00"), stage=stage_named("Closed won"))
    response = client_for(rep).get(campaign.get_absolute_url())
    page = response.content.decode()
    assert response.context["campaign"].revenue == Decimal("4000.00")
    assert "Ada Byron" in page
    assert 'id="campaign-chart-data"' in page and '"2026-09-01"' in page
    assert "2.0 %" in page
    assert "Edit campaign" not in page and "Save day" not in page  # a rep reads only
    assert f'href="/capture/{campaign.slug}/"' in page  # the campaign's web-to-lead form


def test_logging_a_day_inline_returns_the_stats_fragment_with_new_figures(client_for, marketer, campaign):
    url = reverse("campaigns:campaign_stats", args=[campaign.slug])
    day = {"date": "2026-09-01", "impressions": "1000", "clicks": "40", "spend": "80"}
    response = client_for(marketer).post(url, day, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert "<html" not in page and 'id="campaign-stats"' in page
    assert "4.0 %" in page  # CTR
    assert "Logged the figures for 01 Sep 2026" in page


def test_logging_an_existing_day_corrects_it_and_errors_come_back_in_the_fragment(client_for, marketer, campaign):
    CampaignDailyStatFactory(campaign=campaign, date=datetime.date(2026, 9, 1), impressions=10, clicks=1)
    url = reverse("campaigns:campaign_stats", args=[campaign.slug])
    client = client_for(marketer)
    prefilled = client.get(url, {"date": "2026-09-01"}, headers={"HX-Request": "true"}).content.decode()
    assert 'value="10"' in prefilled and 'value="2026-09-01"' in prefilled
    client.post(
        url, {"date": "2026-09-01", "impressions": "500", "clicks": "5", "spend": "9"}, headers={"HX-Request": "true"}
    )
    assert campaign.daily_stats.get().impressions == 500
    bad = {"date": "2026-09-02", "impressions": "5", "clicks": "9", "spend": "1"}
    page = client.post(url, bad, headers={"HX-Request": "true"}).content.decode()
    assert "Clicks (9) cannot be more than impressions (5)." in page
    assert 'value="2026-09-02"' in page  # nothing typed is lost
    assert campaign.daily_stats.count() == 1


def test_logging_a_day_without_htmx_redirects_back_to_the_campaign(client_for, marketer, campaign):
    url = reverse("campaigns:campaign_stats", args=[campaign.slug])
    response = client_for(marketer).post(url, {"date": "2026-09-01", "impressions": "9", "clicks": "1", "spend": "1"})
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert campaign.daily_stats.count() == 1


def build_campaigns(count):
    for _ in range(count):
        campaign = CampaignFactory()
        CampaignDailyStatFactory.create_batch(2, campaign=campaign)
        lead = LeadFactory(first_touch_campaign=campaign, mql_at=timezone.now(), customer_at=timezone.now())
        DealFactory(lead=lead, stage=stage_named("Closed won"))


def test_list_takes_the_same_number_of_queries_for_2_and_20_campaigns(client_for, marketer, django_assert_num_queries):
    client = client_for(marketer)
    client.get(LIST)  # warm the session
    counts = []
    for count in (2, 18):
        build_campaigns(count)
        with django_assert_num_queries(11) as captured:
            response = client.get(LIST, {"sort": "-roi"})
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert len(response.context["page_obj"]) == 20
    assert counts[0] == counts[1]


def test_detail_takes_the_same_number_of_queries_with_2_and_20_days_and_leads(
    client_for, marketer, campaign, django_assert_num_queries
):
    client = client_for(marketer)
    for days in (2, 18):
        CampaignDailyStatFactory.create_batch(days, campaign=campaign)
        LeadFactory.create_batch(days, first_touch_campaign=campaign)
        # The count of the companies the campaign influenced is one query of its own.
        with django_assert_num_queries(13):
            assert client.get(campaign.get_absolute_url()).status_code == 200


def test_editing_with_errors_keeps_the_stored_name_and_address_on_the_page(client_for, marketer, campaign):
    data = {"name": "", "slug": "", "channel": "email", "objective": "nurture", "status": "active"}
    data |= {"start_date": "2026-09-01", "budget": "100", "owner": marketer.pk}
    response = client_for(marketer).post(reverse("campaigns:campaign_edit", args=[campaign.slug]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Edit Spring launch" in page and 'href="/campaigns/spring-launch/"' in page
    assert "Give the campaign a name." in page
