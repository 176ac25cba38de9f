"""A manager sets the SLA (seeing its history) and the pipeline on their own page, and edits the stages, in Chromium."""

import pytest
from playwright.sync_api import expect

from deals.models import Pipeline, Stage
from deals.tests.factories import DealFactory, stage_named
from handoff.selectors import sla_hours_at
from leads.models import RescoreRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_saves_the_sla_and_the_pipeline_from_the_menu_without_a_rescore(page, sign_in_browser, manager):
    sign_in_browser(manager)
    page.get_by_test_id("nav").get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales settings")
    page.get_by_label("SLA hours").fill("8")
    page.get_by_label("Pipeline name").fill("New business")
    page.get_by_label("Rotting after (days)").fill("10")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#messages")).to_contain_text("Sales settings saved.")
    expect(page.get_by_label("SLA hours")).to_have_value("8")
    expect(page.get_by_test_id("sla-history")).to_contain_text("In force")
    assert sla_hours_at() == 8
    assert Pipeline.objects.filter(is_default=True).values_list("name", "rotting_days").get() == ("New business", 10)
    assert not RescoreRun.objects.exists()
    page.get_by_role("link", name="Edit the stages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stages of New business")


def test_closed_stages_stay_last_and_deleting_one_asks_first(page, sign_in_browser, manager):
    DealFactory(stage=stage_named("Demo"), title="Acme pilot")
    sign_in_browser(manager)
    page.goto("/pipeline/")
    page.get_by_role("link", name="Stages").click()
    expect(page.get_by_role("button", name="Move Closed won up")).to_be_disabled()
    expect(page.get_by_role("button", name="Move Negotiation down")).to_be_disabled()

    page.get_by_role("link", name="Delete Demo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the stage Demo?")
    page.get_by_role("link", name="Cancel").click()
    assert Stage.objects.filter(name="Demo").exists()

    page.get_by_role("link", name="Delete Demo").click()
    page.get_by_label("Move its deals to").select_option(label="Proposal")
    page.get_by_role("button", name="Delete Demo").click()
    expect(page.locator("#messages")).to_contain_text("Stage Demo deleted.")
    assert not Stage.objects.filter(name="Demo").exists()
    page.get_by_label("Name", exact=True).fill("Legal review")
    page.get_by_label("Probability (%)", exact=True).fill("90")
    page.get_by_role("button", name="Add stage").click()
    names = [
        name.strip()
        for name in page.get_by_test_id("stage-row")
        .locator("input[maxlength]")
        .evaluate_all("inputs => inputs.map(input => input.value)")
    ]
    assert names[-3:] == ["Legal review", "Closed won", "Closed lost"]
