"""The daily figures upload refuses binary and over-large files with a message on the form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def post_file(client, campaign, content: bytes):
    url = reverse("campaigns:campaign_upload", args=[campaign.slug])
    return client.post(url, {"file": SimpleUploadedFile("stats.csv", content, content_type="text/csv")})


def test_a_file_with_binary_data_is_refused_and_nothing_is_saved(client_for, marketer):
    campaign = CampaignFactory()
    content = b"date,impressions,clicks,spend\n2026-09-01,1000,50,10\n\x00\x00\x00\x01"
    response = post_file(client_for(marketer), campaign, content)
    assert response.status_code == 200
    assert "contains binary data" in response.content.decode()
    assert not campaign.daily_stats.exists()


def test_a_file_over_the_configured_size_is_refused(client_for, marketer, settings):
    settings.CAMPAIGN_STATS_MAX_BYTES = 40
    campaign = CampaignFactory()
    content = b"date,impressions,clicks,spend\n2026-09-01,1000,50,10\n"
    response = post_file(client_for(marketer), campaign, content)
    assert "The file is larger than 40" in " ".join(response.context["form"].errors["file"])
    assert not campaign.daily_stats.exists()

    settings.CAMPAIGN_STATS_MAX_BYTES = len(content)
    post_file(client_for(marketer), campaign, content)
    assert campaign.daily_stats.count() == 1
