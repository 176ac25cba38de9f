from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agenda.models import Task
from agenda.tests.factories import TaskFactory
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_on_a_phone_filters_the_task_list_and_ticks_a_task_done(page, sign_in_browser, rep):
    TaskFactory(assignee=rep, title="Send the contract", due_at=timezone.now() + timedelta(days=2))
    TaskFactory(assignee=rep, title="Call back", deal=None, lead=LeadFactory(), due_at=timezone.now())
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in_browser(rep)
    page.goto("/tasks/")
    rows = page.get_by_test_id("task-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_label("Status", exact=True)).to_be_hidden()  # folded behind the Filters button
    page.get_by_test_id("filters-toggle").click()
    page.get_by_label("Record", exact=True).select_option("lead")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(rows).to_have_count(1)
    expect(page.get_by_test_id("filters-toggle")).to_contain_text("1")
    rows.get_by_role("button", name="Mark “Call back” done").click()
    expect(rows.locator("s")).to_have_text("Call back")
    assert Task.objects.get(title="Call back").done_by == rep
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
