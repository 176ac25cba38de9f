import datetime

import pytest
from django.utils import timezone

from campaigns.models import Campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_day(page, day, impressions, clicks, spend):
    form = page.get_by_role("form", name="Log a day's figures")
    form.get_by_label("Date").fill(day.isoformat())
    form.get_by_label("Impressions").fill(str(impressions))
    form.get_by_label("Clicks").fill(str(clicks))
    form.get_by_label("Spend").fill(str(spend))
    form.get_by_role("button", name="Save day").click()
    page.get_by_text(f"figures for {day:%d %b %Y}").wait_for()


def test_marketer_creates_a_campaign_and_logs_two_days_inline_then_a_rep_only_reads_it(
    page, sign_in_browser, marketer, rep
):
    sign_in_browser(marketer)
    page.goto("/campaigns/")
    page.get_by_role("link", name="New campaign").first.click()
    page.get_by_label("Name").fill("Winter webinar")
    page.get_by_label("Channel").select_option(label="Events / webinar")
    page.get_by_label("Start date").fill("2026-09-01")
    page.get_by_label("Budget").fill("1000")
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url("**/campaigns/winter-webinar/")
    assert page.get_by_role("heading", level=1).inner_text() == "Winter webinar"

    page.evaluate("window.stillTheSamePage = true")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    log_day(page, yesterday - datetime.timedelta(days=1), 1000, 30, 60)
    log_day(page, yesterday, 3000, 50, 40)
    assert page.evaluate("window.stillTheSamePage") is True  # htmx swapped the fragment, no reload
    assert page.get_by_test_id("figure-ctr").inner_text() == "2.0 %"  # 80 clicks / 4,000 impressions
    assert page.get_by_test_id("figure-cpc").inner_text() == "$1.25"
    assert page.get_by_test_id("stats-table").locator("tbody tr").count() == 2
    assert page.locator("#campaign-chart").is_visible()
    ticks = "(canvas) => Chart.getChart(canvas).scales.spend.ticks.map((tick) => tick.label)"
    spend_axis = page.locator("#campaign-chart").evaluate(ticks)
    assert spend_axis and all(label.startswith("$") for label in spend_axis), spend_axis  # the site's currency
    assert Campaign.objects.get(slug="winter-webinar").daily_stats.count() == 2

    page.get_by_test_id("user-menu").click()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    sign_in_browser(rep)
    page.goto("/campaigns/winter-webinar/")
    assert page.get_by_test_id("figure-ctr").inner_text() == "2.0 %"
    assert page.get_by_role("link", name="Edit campaign").count() == 0
    assert page.get_by_role("button", name="Save day").count() == 0
    assert page.get_by_role("button", name="Archive").count() == 0
    assert page.get_by_role("link", name="Edit figures", exact=False).count() == 0

    csrf = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    response = page.request.post(
        "/campaigns/winter-webinar/edit/",
        form={"name": "Hijacked", "channel": "email", "start_date": "2026-09-01"},
        headers={"X-CSRFToken": csrf, "Referer": page.url},
    )
    assert response.status == 403
    assert "CSRF verification failed" not in response.text()  # refused for the role, not the token
    assert Campaign.objects.get(slug="winter-webinar").name == "Winter webinar"
