import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from campaigns.tests.factories import CampaignDailyStatFactory, CampaignFactory

pytestmark = pytest.mark.django_db


def refused(**kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        kwargs.pop("factory")(**kwargs)


def test_database_refuses_more_clicks_than_impressions():
    refused(factory=CampaignDailyStatFactory, impressions=10, clicks=11)


def test_database_refuses_negative_spend():
    refused(factory=CampaignDailyStatFactory, spend=Decimal("-1.00"))


def test_database_refuses_a_campaign_ending_before_it_starts():
    refused(factory=CampaignFactory, start_date=datetime.date(2026, 9, 10), end_date=datetime.date(2026, 9, 9))


def test_database_refuses_a_negative_budget():
    refused(factory=CampaignFactory, budget=Decimal("-0.01"))


def test_database_refuses_two_rows_for_the_same_campaign_and_day():
    stat = CampaignDailyStatFactory()
    refused(factory=CampaignDailyStatFactory, campaign=stat.campaign, date=stat.date)


def test_database_refuses_a_duplicate_slug():
    CampaignFactory(slug="spring")
    refused(factory=CampaignFactory, slug="spring")


def test_a_one_day_campaign_and_a_zero_budget_are_allowed():
    campaign = CampaignFactory(start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2026, 9, 1), budget=0)
    assert campaign.pk
