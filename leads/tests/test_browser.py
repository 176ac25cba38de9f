import re

import pytest
from playwright.sync_api import expect

from campaigns.tests.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_submits_the_public_form_and_the_lead_appears_on_the_marketers_list(page, sign_in_browser, marketer):
    CampaignFactory(slug="autumn-launch", name="Autumn launch")
    page.goto("/capture/autumn-launch/")
    page.get_by_label("First name").fill("Vera")
    page.get_by_label("Last name").fill("Visitor")
    page.get_by_label("Work email").fill("vera.visitor@example.com")
    page.get_by_label("Company").fill("Visit Co")
    page.get_by_label("Send me news and offers").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()

    sign_in_browser(marketer)
    page.goto("/leads/")
    row = page.get_by_role("row", name=re.compile("vera.visitor@example.com"))
    expect(row).to_contain_text("Autumn launch")
    row.get_by_role("link", name="Vera Visitor").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Form submit")


def test_a_marketer_imports_a_csv_and_watches_the_progress_bar_reach_100_percent(
    page, sign_in_browser, marketer, tmp_path
):
    csv_file = tmp_path / "trade-show.csv"
    lines = ["Email,First name,Company"] + [f"guest{i}@example.com,Guest {i},Booth {i % 7}" for i in range(300)]
    lines.append("not-an-email,Bad,Row")
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    sign_in_browser(marketer)
    page.goto("/leads/import/")
    page.get_by_label("CSV or Excel file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_label("Column “Email”")).to_have_value("email")
    expect(page.get_by_label("Column “Company”")).to_have_value("company")
    page.get_by_role("button", name="Start the import").click()

    bar = page.get_by_role("progressbar", name="Import progress")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_contain_text("300 created")
    expect(summary).to_contain_text("1 failed")
    expect(page.get_by_role("link", name=re.compile("Download the 1 failed row"))).to_be_visible()
