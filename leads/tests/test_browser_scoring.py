import pytest
from playwright.sync_api import expect

from crm.tests.factories import UserFactory
from handoff.models import Handoff
from leads.models import EventKind, LifecycleStage
from leads.scoring.scorer import score_lead
from leads.tests.factories import LeadEventFactory, LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_marketer_lowers_the_threshold_and_the_rep_accepts_the_new_mql(page, sign_in_browser, chromium):
    marketer = UserFactory(role="Marketer", username="maya")
    rep = UserFactory(role="Sales rep", username="rita")
    # 15 (VP) + 10 (company size) + 5 (industry) + 5 (country) + 8 (pricing page today) = 43: below 50.
    quinn = LeadFactory(
        first_name="Quinn",
        last_name="Hart",
        company="Kepler Labs",
        job_title="VP Marketing",
        company_size="1001-5000",
        industry="Software",
        country="US",
    )
    LeadEventFactory(lead=quinn, kind=EventKind.PRICING_PAGE_VIEW)
    other = LeadFactory(job_title="Engineer")
    for lead in (quinn, other):
        score_lead(lead_id=lead.pk)
    quinn.refresh_from_db()
    assert quinn.score == 43

    sign_in_browser(marketer)
    page.goto("/leads/scoring/")
    preview = page.get_by_test_id("threshold-preview")
    assert "would become" in preview.inner_text()
    threshold = page.get_by_label("MQL threshold")
    threshold.fill("40")
    expect(page.get_by_test_id("threshold-preview")).to_contain_text("threshold of 40")
    assert "1 would become MQL" in page.get_by_test_id("threshold-preview").inner_text()
    page.get_by_role("button", name="Save and rescore every lead").click()
    page.wait_for_url("**/leads/scoring/")
    assert "Scoring rules saved" in page.get_by_role("alert").first.inner_text()

    handoff = Handoff.objects.get()
    assert handoff.rep == rep
    rep_page = chromium.new_context(base_url=page.base_url).new_page()
    rep_page.goto("/accounts/login/")
    rep_page.get_by_label("Username").fill(rep.username)
    rep_page.get_by_label("Password").fill("correct-horse-battery")
    rep_page.get_by_role("button", name="Sign in").click()
    rep_page.get_by_role("link", name="MQL inbox").click()
    item = rep_page.get_by_test_id("handoff")
    assert "Quinn Hart" in item.inner_text()
    item.get_by_role("button", name="Accept").click()
    rep_page.get_by_test_id("answered").filter(has_text="Quinn Hart").wait_for()
    handoff.refresh_from_db()
    assert handoff.outcome == Handoff.Outcome.ACCEPTED
    assert handoff.lead.stage == LifecycleStage.SQL
    rep_page.context.close()
