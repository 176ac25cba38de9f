import pytest

from campaigns.tests.factories import CampaignDailyStatFactory

pytestmark = pytest.mark.django_db


def test_manager_sees_campaigns_and_their_daily_stats_inline_in_the_admin(client_for, manager, campaign):
    CampaignDailyStatFactory(campaign=campaign, impressions=4321)
    client = client_for(manager)
    changelist = client.get("/admin/campaigns/campaign/", {"channel__exact": "email"})
    assert changelist.status_code == 200 and "Spring launch" in changelist.content.decode()
    change = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")
    assert change.status_code == 200 and 'value="4321"' in change.content.decode()
