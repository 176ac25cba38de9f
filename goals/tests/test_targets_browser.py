import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from goals.models import Metric, PeriodKind, Target, period_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sets_this_months_targets_from_the_sales_settings(page, sign_in_browser, manager, rep):
    sign_in_browser(manager)
    page.goto(reverse("handoff:sales_settings"))
    page.get_by_test_id("targets-link").click()
    this_month = period_start(timezone.localdate(), PeriodKind.MONTH)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Targets · {this_month:%B %Y}")
    expect(page.get_by_test_id("empty-state")).to_contain_text("No targets for this period yet")
    page.get_by_test_id("edit-targets").click()
    form = page.get_by_test_id("targets-form")
    form.get_by_label("MQLs in total").fill("300")
    form.get_by_label("Email", exact=True).fill("80")
    form.get_by_label("Marketing-sourced pipeline").fill("60000")
    form.get_by_label("Team revenue quota").fill("100000")
    form.get_by_label(rep.get_full_name()).fill("40000")
    form.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text(f"Targets for {this_month:%B %Y} saved.")).to_be_visible()
    targets = page.get_by_test_id("targets")
    expect(targets).to_contain_text("300 MQLs")
    expect(targets).to_contain_text("$100,000")
    expect(page.get_by_test_id("target-history")).to_contain_text("no target → $40,000")
    saved = Target.objects.filter(period_kind=PeriodKind.MONTH, period_start=this_month)
    assert saved.get(metric=Metric.REVENUE, rep=rep).value == 40_000
    assert saved.count() == 5


def test_the_targets_page_and_form_fit_a_phone(page, sign_in_browser, manager, rep):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in_browser(manager)
    for url in (reverse("goals:targets"), reverse("goals:edit")):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
