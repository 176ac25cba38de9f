import datetime
import io

import pytest
from django.utils import timezone

from campaigns import demo
from campaigns.models import Campaign, CampaignDailyStat

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_dozen_campaigns_with_two_to_three_months_ending_yesterday_once(marketer):
    demo.seed(users={"marketer": marketer}, stdout=io.StringIO())
    stats = CampaignDailyStat.objects.all()
    first_total = sum(stats.values_list("impressions", flat=True))
    assert Campaign.objects.filter(owner=marketer).count() == 12
    assert len(set(Campaign.objects.values_list("channel", flat=True))) >= 9
    for campaign in Campaign.objects.all():
        days = campaign.daily_stats.count()
        assert 60 <= days <= 90
        assert campaign.daily_stats.last().date == timezone.localdate() - datetime.timedelta(days=1)
    out = io.StringIO()
    demo.seed(users={"marketer": marketer}, stdout=out)
    assert "already there" in out.getvalue()
    assert Campaign.objects.count() == 12
    assert sum(stats.values_list("impressions", flat=True)) == first_total
