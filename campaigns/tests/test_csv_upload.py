import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import CampaignDailyStat
from campaigns.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = (
    "date,impressions,clicks,spend\n"
    "2026-09-01,1000,50,120.50\n"
    "2026-09-02,100,200,10\n"  # more clicks than impressions
    "01/09/2026,1000,50,10\n"  # not ISO
    "2026-09-03,2000,80,abc\n"  # spend not a number
    "2026-09-04,2000,80,240\n"
)


def upload(client, campaign, text, name="stats.csv"):
    url = reverse("campaigns:campaign_upload", args=[campaign.slug])
    return client.post(url, {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")})


def test_upload_keeps_good_rows_and_reports_bad_ones_by_line(client_for, marketer):
    campaign = CampaignFactory()
    response = upload(client_for(marketer), campaign, GOOD_AND_BAD)
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 days added, 0 updated, 3 lines not saved" in page
    assert "Clicks (200) cannot be more than impressions (100)." in page
    assert "<td>3</td>" in page and "<td>4</td>" in page and "<td>5</td>" in page
    assert "“abc” is not an amount." in page
    assert sorted(campaign.daily_stats.values_list("date", flat=True)) == [
        datetime.date(2026, 9, 1),
        datetime.date(2026, 9, 4),
    ]


def test_uploading_the_same_days_again_updates_them_instead_of_doubling(client_for, marketer):
    campaign = CampaignFactory()
    client = client_for(marketer)
    upload(client, campaign, "date,impressions,clicks,spend\n2026-09-01,1000,50,100\n2026-09-02,1000,50,100\n")
    response = upload(client, campaign, "Date,Impressions,Clicks,Spend\n2026-09-02,3000,90,300\n2026-09-03,10,1,1\n")
    assert "1 day added, 1 updated" in response.content.decode()
    assert CampaignDailyStat.objects.filter(campaign=campaign).count() == 3
    day = campaign.daily_stats.get(date=datetime.date(2026, 9, 2))
    assert (day.impressions, day.clicks, day.spend) == (3000, 90, Decimal("300.00"))


def test_a_file_without_the_expected_header_is_refused_with_what_to_fix(client_for, marketer):
    campaign = CampaignFactory()
    response = upload(client_for(marketer), campaign, "day,views\n2026-09-01,5\n")
    assert "missing: date, impressions, clicks, spend" in response.content.decode()
    assert not campaign.daily_stats.exists()


def test_a_file_that_is_not_text_is_refused(client_for, marketer):
    campaign = CampaignFactory()
    response = upload(client_for(marketer), campaign, "")
    assert response.status_code == 200
    url = reverse("campaigns:campaign_upload", args=[campaign.slug])
    binary = SimpleUploadedFile("stats.xlsx", b"\xff\xfe\x00\x81binary", content_type="application/octet-stream")
    response = client_for(marketer).post(url, {"file": binary})
    assert "not UTF-8 text" in response.content.decode()


def test_a_count_too_large_for_a_day_is_refused_on_its_line(client_for, marketer):
    campaign = CampaignFactory()
    text = "date,impressions,clicks,spend\n2026-09-01,99999999999999999999,1,1\n2026-09-02,10,1,1\n"
    page = upload(client_for(marketer), campaign, text).content.decode()
    assert "Impressions is too large a number for one day (at most 10,000,000,000)." in page
    assert list(campaign.daily_stats.values_list("date", flat=True)) == [datetime.date(2026, 9, 2)]


def test_a_file_whose_lines_end_in_a_carriage_return_alone_is_read(client_for, marketer):
    campaign = CampaignFactory()
    upload(client_for(marketer), campaign, "date,impressions,clicks,spend\r2026-09-01,10,1,1\r")
    assert campaign.daily_stats.get().impressions == 10


def test_a_cell_too_long_for_csv_is_refused_with_its_line(client_for, marketer):
    campaign = CampaignFactory()
    page = upload(
        client_for(marketer), campaign, "date,impressions,clicks,spend\n2026-09-01,1,1," + "9" * 200_000
    ).content
    assert "Line 2 is not readable as CSV" in page.decode()
    assert not campaign.daily_stats.exists()
