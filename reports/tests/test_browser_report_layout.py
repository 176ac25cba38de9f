"""On the demo's data, every report fits a 1366 px laptop screen without sideways scrolling; a table that must
scroll (a phone, or more columns picked) scrolls inside its box with its first column in view; the campaign
report's column picker is remembered; dates typed backwards stay on the form beside their error; charts of
amounts label them in the site's currency."""

import io
import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

import campaigns.demo
import deals.demo
import handoff.demo
import leads.demo
from crm.demo import DEMO_PASSWORD, seed_users
from reports import rollups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORTS = [
    "/reports/",
    "/reports/funnel/?split=campaign",
    "/reports/campaigns/",
    "/reports/sales/",
    "/reports/forecast/",
    "/reports/feedback/",
]

# Sideways overflow of the page, and of each report table beyond the box it scrolls in.
LAYOUT = """() => ({
  page: document.documentElement.scrollWidth - window.innerWidth,
  tables: Array.from(document.querySelectorAll("#report table"), (table) => {
    const box = table.closest(".table-responsive");
    return {name: table.dataset.testid, boxed: Boolean(box), overflow: box ? box.scrollWidth - box.clientWidth : 0};
  }),
})"""

# Scroll every table box as far right as it goes; then report, per table that scrolled, whether its
# first column's header and first row are still where the box starts and are what the eye sees there.
FIRST_COLUMN_AFTER_SCROLL = """() => Array.from(document.querySelectorAll("#report .table-responsive"))
  .filter((box) => box.scrollWidth > box.clientWidth)
  .map((box) => {
    box.scrollLeft = box.scrollWidth;
    const table = box.querySelector("table");
    const left = box.getBoundingClientRect().left;
    const cells = [table.tHead.rows[0].cells[0], table.tBodies[0].rows[0].cells[0]];
    return {
      name: table.dataset.testid,
      inView: cells.every((cell) => {
        // Bring the row into the window (vertically only: the box must stay scrolled).
        const top = cell.getBoundingClientRect().top + window.scrollY - window.innerHeight / 2;
        window.scrollTo({top: top, left: 0, behavior: "instant"});
        const rect = cell.getBoundingClientRect();
        const seen = document.elementFromPoint(rect.left + 4, rect.top + rect.height / 2);
        return Math.abs(rect.left - left) <= 1 && cell.contains(seen);
      }),
      scrolled: box.scrollLeft,
    };
  })"""


@pytest.fixture
def demo():
    """The demo's users and data, with fewer leads (seed_demo --scale 400)."""
    out = io.StringIO()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        users = seed_users(stdout=out)
        campaigns.demo.seed(users=users, stdout=out)
        leads.demo.seed(users=users, stdout=out, scale=400)
        deals.demo.seed(users=users, stdout=out)
        handoff.demo.seed(users=users, stdout=out)
    rollups.refresh()
    return users


def test_every_report_fits_a_laptop_screen_and_a_phone(page, sign_in_browser, demo):
    sign_in_browser(demo["manager"], password=DEMO_PASSWORD)
    for url in REPORTS:
        page.goto(url)
        layout = page.evaluate(LAYOUT)
        assert layout["page"] <= 0, url
        assert all(table["boxed"] for table in layout["tables"]), (url, layout)
        # At 1366 px no table scrolls sideways (the campaign report needed 312 px before).
        assert [table for table in layout["tables"] if table["overflow"] > 0] == [], url
    page.set_viewport_size({"width": 390, "height": 844})
    scrolled = []
    for url in REPORTS:
        page.goto(url)
        assert page.evaluate(LAYOUT)["page"] <= 0, url  # tables scroll inside their box, never the page
        for table in page.evaluate(FIRST_COLUMN_AFTER_SCROLL):
            assert table["scrolled"] > 0 and table["inView"], (url, table)
            scrolled.append(table["name"])
    # The widest tables always scroll on a phone; the feedback report's do when the period has enough
    # rejections (the demo's last 30 days may have few), and are then checked like the others above.
    assert {"campaigns", "channels", "funnel-table"} <= set(scrolled)


def test_the_campaign_report_remembers_the_columns_picked(page, sign_in_browser, demo):
    sign_in_browser(demo["marketer"], password=DEMO_PASSWORD)
    page.goto("/reports/campaigns/")
    by_campaign, by_channel = page.get_by_test_id("campaigns"), page.get_by_test_id("channels")
    for table in (by_campaign, by_channel):
        expect(table.get_by_role("columnheader", name="Spend")).to_be_visible()
        expect(table.get_by_role("columnheader", name="Impr.")).to_be_hidden()  # picked out by default
    page.get_by_role("button", name="Columns").last.click()
    page.get_by_label("Impressions").last.check()
    for table in (by_campaign, by_channel):
        expect(table.get_by_role("columnheader", name="Impr.")).to_be_visible()
    page.get_by_label("Revenue").last.uncheck()
    expect(by_campaign.get_by_role("columnheader", name="Revenue")).to_be_hidden()

    page.reload()  # kept in this browser
    expect(by_channel.get_by_role("columnheader", name="Impr.")).to_be_visible()
    expect(by_channel.get_by_role("columnheader", name="Revenue")).to_be_hidden()
    first_row = by_campaign.locator("tbody tr").first
    expect(first_row.locator("td:visible")).to_have_count(10)  # 15 figures, 5 start hidden; one in, one out

    page.get_by_label("Period").select_option("last_90")  # htmx swaps the report: the choice holds
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**period=last_90**")
    expect(page.get_by_test_id("campaigns").get_by_role("columnheader", name="Revenue")).to_be_hidden()

    page.get_by_role("button", name="Columns").first.click()
    page.get_by_role("button", name="Show all").first.click()
    expect(page.get_by_test_id("campaigns").locator("thead th:visible")).to_have_count(16)
    # With every column the table scrolls inside its box, the campaign names staying in view.
    assert all(table["inView"] for table in page.evaluate(FIRST_COLUMN_AFTER_SCROLL))


def test_dates_typed_backwards_stay_beside_their_error(page, sign_in_browser, demo):
    sign_in_browser(demo["manager"], password=DEMO_PASSWORD)
    page.goto("/reports/sales/")
    page.get_by_label("From").fill("2026-10-31")
    page.get_by_label("To", exact=True).fill("2026-10-01")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("The To date must be on or after the From date.")).to_be_visible()
    expect(page.get_by_label("From")).to_have_value("2026-10-31")
    expect(page.get_by_label("To", exact=True)).to_have_value("2026-10-01")
    expect(page.get_by_label("Period")).to_have_value("custom")
    expect(page.get_by_test_id("report-period")).to_contain_text("Until the dates are corrected")
    page.reload()  # the URL kept them too
    expect(page.get_by_label("From")).to_have_value("2026-10-31")


def test_charts_of_amounts_and_the_forecast_speak_the_currency(page, sign_in_browser, demo):
    sign_in_browser(demo["manager"], password=DEMO_PASSWORD)
    ticks = "(canvas) => Chart.getChart(canvas).scales[canvas.dataset.axis || 'y'].ticks.map((tick) => tick.label)"
    page.goto("/reports/sales/")
    forecast = page.locator("#forecast-chart")
    expect(forecast).to_have_attribute("data-rendered", re.compile(r"\d+"))
    labels = forecast.evaluate(ticks)
    assert labels[0] == "$0" and all(re.fullmatch(r"\$[\d,]+(\.\d\d)?", label) for label in labels), labels
    overdue = page.get_by_test_id("forecast-overdue")  # the demo has deals whose close date has passed
    expect(overdue.get_by_role("rowheader")).to_contain_text("Overdue")
    expect(overdue.locator("td").nth(1)).to_have_text(re.compile(r"^\$[\d,]+(\.\d\d)?$"))
    page.goto("/reports/campaigns/")
    chart = page.locator("#campaigns-chart")
    expect(chart).to_have_attribute("data-rendered", re.compile(r"\d+"))
    assert all(label.startswith("$") for label in chart.evaluate(ticks))
