import csv
import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Channel
from campaigns.tests.factories import CampaignFactory
from leads.models import LifecycleStage
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at(month, day):
    return datetime.datetime(2026, month, day, 9, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def leads():
    webinar = CampaignFactory(name="Webinar", channel=Channel.EVENTS)
    search = CampaignFactory(name="Search ads", channel=Channel.PAID_SEARCH)
    recent = timezone.now() - datetime.timedelta(days=2)
    LeadFactory(first_touch_campaign=webinar, created_at=recent, lead_at=recent)
    for day, campaign in [(3, webinar), (5, webinar), (7, search), (9, search), (11, search)]:
        LeadFactory(
            first_touch_campaign=campaign,
            created_at=at(10, day),
            lead_at=at(10, day),
            mql_at=at(10, day + 2),
            stage=LifecycleStage.MQL,
        )


def subscribers(page):
    return page.get_by_test_id("funnel-table").locator("tr[data-stage=subscriber] td").first


def test_manager_filters_the_funnel_and_downloads_its_csv(page, sign_in_browser, manager, leads):
    sign_in_browser(manager)
    page.goto("/reports/funnel/")
    chart = page.locator("#funnel-chart")
    expect(subscribers(page)).to_have_text("1")  # the last 30 days
    expect(chart).to_have_attribute("data-rendered", re.compile(r"\d+"))  # Chart.js drew it
    expect(chart).to_have_attribute("aria-label", re.compile("Subscriber 1,"))

    page.get_by_label("From").fill("2026-10-01")
    page.get_by_label("To", exact=True).fill("2026-10-31")
    expect(page.get_by_label("Period")).to_have_value("custom")  # changing a date picks custom dates
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**date_from=2026-10-01**")
    expect(subscribers(page)).to_have_text("5")
    expect(page.locator("#funnel-chart")).to_have_attribute("aria-label", re.compile("Subscriber 5,"))

    page.get_by_label("Channel").select_option(label="Paid search")
    page.get_by_label("Split by").select_option(label="Campaign")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**channel=paid_search**")
    expect(subscribers(page)).to_have_text("3")
    expect(page.locator("#funnel-chart")).to_have_attribute("aria-label", re.compile("Subscriber 3,"))
    expect(page.locator("#funnel-chart")).to_have_attribute("data-rendered", re.compile(r"\d+"))
    expect(page.get_by_test_id("funnel-groups").get_by_role("rowheader")).to_have_text(["Search ads"])

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").first.click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert ["Subscriber", "3", "0", "3"] in [row[:4] for row in rows]
    assert download.value.suggested_filename == "funnel-20261001-20261031.csv"

    page.reload()  # the URL kept every filter
    expect(subscribers(page)).to_have_text("3")
    expect(page.get_by_label("Channel")).to_have_value("paid_search")
