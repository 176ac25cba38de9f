"""My day in the browser: a rep signs in, lands on it, accepts an MQL, ticks a task done and moves a late deal's
close date without leaving it, on a laptop and on a phone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agenda.models import Task
from deals.models import Deal
from deals.tests.factories import DealFactory
from handoff.models import Handoff
from leads.models import LifecycleStage
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def busy_day(rep):
    now = timezone.now()
    lead = LeadFactory(first_name="Mia", last_name="Quinn", company="Globex", stage=LifecycleStage.MQL, mql_at=now)
    handoff = Handoff.objects.create(
        lead=lead, rep=rep, score=64, handed_at=now, due_at=now + datetime.timedelta(hours=3, minutes=12, seconds=30)
    )
    deal = DealFactory(owner=rep, title="Initech expansion", stage_changed_at=now - datetime.timedelta(days=30))
    DealFactory(owner=rep, title="Hooli renewal", expected_close_date=timezone.localdate() - datetime.timedelta(days=3))
    task = Task.objects.create(
        title="Send the contract", deal=deal, assignee=rep, due_at=now - datetime.timedelta(hours=2)
    )
    return handoff, task


def test_a_rep_lands_on_my_day_accepts_an_mql_and_ticks_a_task_done_in_place(page, sign_in_browser, rep, busy_day):
    handoff, task = busy_day
    sign_in_browser(rep)
    page.wait_for_url("**/my-day/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My day")
    mql = page.locator(f"#handoff-{handoff.pk}")
    expect(mql.get_by_test_id("sla")).to_have_text("3 h 12 min left")
    mql.get_by_role("button", name="Accept").click()
    created = page.locator(f"#handoff-{handoff.pk}").get_by_test_id("created-deal")
    expect(created).to_contain_text("created")
    deal = Deal.objects.get(lead=handoff.lead)
    assert created.get_attribute("href") == deal.get_absolute_url()
    assert page.url.endswith("/my-day/")  # no page load: the row changed in place
    expect(page.locator("#mqls-count")).to_have_text("0")  # and the section's count followed

    row = page.locator(f"#task-{task.pk}")
    expect(row.get_by_test_id("task-due")).to_contain_text("overdue")
    row.get_by_role("button", name="Done").click()
    expect(page.locator(f"#task-{task.pk}").get_by_test_id("task-done-at")).to_be_visible()
    expect(page.locator("#tasks-count")).to_have_text("0")
    task.refresh_from_db()
    assert task.done_at is not None
    assert page.url.endswith("/my-day/")


def test_my_day_fits_a_phone(chromium, live_server, rep, busy_day):
    context = chromium.new_context(viewport={"width": 375, "height": 740}, base_url=live_server.url)
    tab = context.new_page()
    tab.goto("/accounts/login/")
    tab.get_by_label("Username").fill(rep.username)
    tab.get_by_label("Password").fill("correct-horse-battery")
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/my-day/")
    expect(tab.get_by_test_id("section-past-close")).to_be_attached()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    accept = tab.get_by_role("button", name="Accept")
    expect(accept).to_be_visible()
    assert accept.bounding_box()["x"] + accept.bounding_box()["width"] <= 375
    later = timezone.localdate() + datetime.timedelta(days=10)
    tab.get_by_label("New expected close date for Hooli renewal").fill(later.isoformat())
    tab.get_by_role("button", name="Move date").click()
    expect(tab.get_by_test_id("deal-done")).to_be_visible()
    expect(tab.locator("#past-close-count")).to_have_text("0")
    assert Deal.objects.get(title="Hooli renewal").expected_close_date == later
    context.close()
