import datetime

import pytest
from django.utils import timezone

from campaigns.forms import CampaignForm, DailyStatForm
from campaigns.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Autumn webinar",
    "channel": "events",
    "objective": "event",
    "status": "planned",
    "start_date": "2026-10-01",
    "budget": "2500",
}


def form_with(marketer, **changes):
    return CampaignForm({**VALID, "owner": marketer.pk, **changes}, user=marketer)


def test_campaign_form_explains_an_end_before_the_start(marketer):
    form = form_with(marketer, end_date="2026-09-30")
    assert form.errors["end_date"] == ["The end date cannot be before the start date."]


def test_campaign_form_explains_a_negative_budget(marketer):
    assert form_with(marketer, budget="-5").errors["budget"] == ["The budget cannot be negative."]


def test_campaign_form_asks_for_the_missing_name_and_start(marketer):
    form = form_with(marketer, name="", start_date="")
    assert form.errors["name"] == ["Give the campaign a name."]
    assert form.errors["start_date"] == ["When does the campaign start?"]


def test_campaign_form_refuses_a_slug_already_taken_or_reserved(marketer):
    CampaignFactory(slug="autumn")
    assert "Another campaign already uses this address" in form_with(marketer, slug="autumn").errors["slug"][0]
    assert "reserved" in form_with(marketer, slug="new").errors["slug"][0]


def test_campaign_owner_must_be_a_marketer_or_manager(marketer, rep):
    assert "owner" in form_with(marketer, owner=rep.pk).errors


def test_daily_stat_form_refuses_more_clicks_than_impressions():
    form = DailyStatForm({"date": "2026-09-01", "impressions": 10, "clicks": 12, "spend": "3"})
    assert form.errors["clicks"] == ["Clicks (12) cannot be more than impressions (10)."]


def test_daily_stat_form_refuses_negative_numbers_and_future_days():
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    form = DailyStatForm({"date": tomorrow.isoformat(), "impressions": -1, "clicks": 0, "spend": "-2"})
    assert form.errors["impressions"] == ["Impressions cannot be negative."]
    assert form.errors["spend"] == ["Spend cannot be negative."]
    assert "future" in form.errors["date"][0]


def test_daily_stat_form_refuses_a_year_typo():
    form = DailyStatForm({"date": "1926-09-01", "impressions": 1, "clicks": 0, "spend": "0"})
    assert "ten years" in form.errors["date"][0]
