import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deals.tests.factories import DealFactory, stage_named

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_sets_a_deal_to_commit_and_the_forecast_commit_moves(page, sign_in_browser, rep):
    close = timezone.localdate() + datetime.timedelta(days=5)
    deal = DealFactory(
        owner=rep, title="Acme renewal", stage=stage_named("Demo"), amount=Decimal(4200), expected_close_date=close
    )
    sign_in_browser(rep)
    page.goto("/reports/forecast/")
    month = page.get_by_test_id("forecast-team").locator(f'tr[data-month="{close:%Y-%m}"]')
    expect(month.locator('[data-figure="commit"]')).to_have_text("$0")
    expect(month.locator('[data-figure="pipeline"]')).to_have_text("$4,200")

    page.goto(f"/deals/{deal.pk}/")
    page.get_by_label("Forecast category").select_option(label="Commit")
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_text("Deal saved.")).to_be_visible()

    page.goto("/reports/forecast/")
    expect(month.locator('[data-figure="commit"]')).to_have_text("$4,200")
    expect(month.locator('[data-figure="pipeline"]')).to_have_text("$0")
