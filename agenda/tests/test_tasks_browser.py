import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agenda.models import Task
from agenda.services import snoozed_until
from deals.tests.factories import DealFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_adds_a_task_on_a_deal_page_and_marks_it_done(page, sign_in_browser, rep):
    deal = DealFactory(owner=rep, title="Busy deal")
    sign_in_browser(rep)
    page.goto(f"/deals/{deal.pk}/")
    panel = page.get_by_test_id("tasks-panel")
    expect(panel).to_contain_text("No open tasks on this deal")
    panel.get_by_label("Task").fill("Send the contract")
    expect(panel.get_by_label("Time")).to_have_value("09:00")  # tomorrow at nine unless changed
    panel.get_by_role("button", name="Add task").click()
    row = page.get_by_test_id("open-tasks").get_by_test_id("task-row")
    expect(row).to_contain_text("Send the contract")
    expect(panel.get_by_label("Task")).to_have_value("")  # a fresh form for the next one
    row.get_by_role("button", name="Mark “Send the contract” done").click()
    expect(row.locator("s")).to_have_text("Send the contract")
    assert Task.objects.get().done_at is not None
    page.reload()
    expect(page.get_by_test_id("done-tasks")).to_contain_text("Send the contract")


def test_a_rep_snoozes_a_task_to_next_week_from_its_menu(page, sign_in_browser, rep):
    deal = DealFactory(owner=rep)
    sign_in_browser(rep)
    page.goto(f"/deals/{deal.pk}/")
    panel = page.get_by_test_id("tasks-panel")
    panel.get_by_label("Task").fill("Chase the signature")
    panel.get_by_role("button", name="Add task").click()
    row = panel.get_by_test_id("task-row")
    expect(row).to_contain_text("Chase the signature")
    monday = timezone.localtime(snoozed_until(Task.objects.get().due_at, "next_week"))
    row.get_by_role("button", name="Snooze “Chase the signature”").click()
    row.get_by_role("button", name="Next week (Monday)").click()
    expect(row).to_contain_text(f"due {monday:%b} {monday.day}, 09:00")
    assert Task.objects.get().due_at == monday
