"""The beat's rollup refresh, sent through Redis to a real worker, leaves no stale day and exact figures."""

import datetime

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.tests.factories import CampaignFactory
from conftest import wait_until
from leads.tests.factories import LeadFactory
from reports.models import CampaignDay, StaleDay
from reports.selectors import campaigns_with_figures
from reports.tasks import refresh_rollups

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_refreshes_the_stale_days(celery_worker):
    campaign = CampaignFactory()
    yesterday = timezone.now() - datetime.timedelta(days=1)
    LeadFactory.create_batch(3, first_touch_campaign=campaign, created_at=yesterday, mql_at=timezone.now())
    assert StaleDay.objects.exists()

    refresh_rollups.delay().get(timeout=30)

    wait_until(lambda: not StaleDay.objects.exists(), timeout=15)
    rollup = CampaignDay.objects.get(campaign=campaign, attribution="first")
    assert (rollup.leads, rollup.mqls) == (3, 3)
    figures = campaigns_with_figures(Campaign.objects.filter(pk=campaign.pk)).get()
    assert (figures.leads, figures.mqls) == (3, 3)
