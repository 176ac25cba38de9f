"""The seam in the browser, as the three roles live it (issue #20): a marketer lowers the threshold, the new
MQLs wait in the rep's inbox and not on the board, a rejection makes no deal and leaves the win rate
alone, an accept puts its deal in Qualification, and the manager's pages agree with each other."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.tests.factories import UserFactory
from deals.models import Deal
from deals.tests.factories import DealFactory, stage_named
from handoff.models import Handoff
from leads.models import EventKind
from leads.scoring.scorer import score_lead
from leads.tests.factories import LeadEventFactory, LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def almost_qualified(first_name, last_name, company):
    """15 (VP) + 10 (size) + 5 (industry) + 5 (country) + 8 (pricing page today) = 43: below 50, above 40."""
    lead = LeadFactory(
        first_name=first_name,
        last_name=last_name,
        company=company,
        job_title="VP Marketing",
        company_size="1001-5000",
        industry="Software",
        country="US",
    )
    LeadEventFactory(lead=lead, kind=EventKind.PRICING_PAGE_VIEW)
    score_lead(lead_id=lead.pk)
    return lead


def figure(page, key):
    return page.locator(f"[data-figure='{key}']").first.inner_text()


def as_user(chromium, base_url, user):
    context = chromium.new_context(viewport={"width": 1366, "height": 800}, base_url=base_url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto("/accounts/login/")
    tab.get_by_label("Username").fill(user.username)
    tab.get_by_label("Password").fill("correct-horse-battery")
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(lambda url: "/accounts/login/" not in url)
    return tab


def amount(text):
    """ "$10,000" → 10000; "—" → 0."""
    cleaned = text.replace("$", "").replace(",", "").strip()
    return 0 if cleaned in ("", "—") else float(cleaned)


def column_total(tab, table, column):
    """The sum of a campaign report table's `column` (1-based among its figures), Unattributed included."""
    cells = tab.locator(f"[data-testid='{table}'] tbody tr td:nth-of-type({column})").all_inner_texts()
    return sum(amount(cell) for cell in cells)


def board_names(tab, stage_name):
    return tab.locator(f"[data-stage-name='{stage_name}'] .deal-card").all_inner_texts()


def test_rejecting_makes_no_deal_accepting_makes_one_and_the_reports_agree(page, sign_in_browser, chromium):
    marketer = UserFactory(role="Marketer", username="maya")
    rep = UserFactory(role="Sales rep", username="rita")
    manager = UserFactory(role="Manager", username="omar")
    almost_qualified("Quinn", "Hart", "Kepler Labs")
    almost_qualified("Pat", "Moreno", "Orion Foods")
    # The rep's record so far: one deal won, one lost this month: a 50 % win rate.
    closed = timezone.now() - datetime.timedelta(days=2)
    DealFactory(owner=rep, stage=stage_named("Closed won"), amount=10_000, closed_at=closed, title="Won before")
    DealFactory(owner=rep, stage=stage_named("Closed lost"), lost_reason="price", closed_at=closed, title="Lost")

    # The marketer lowers the threshold: both leads qualify and go to the only rep.
    sign_in_browser(marketer)
    page.goto("/leads/scoring/")
    page.get_by_label("MQL threshold").fill("40")
    page.get_by_role("button", name="Save and rescore every lead").click()
    page.wait_for_url("**/leads/scoring/")
    assert Handoff.objects.filter(rep=rep, outcome=Handoff.Outcome.PENDING).count() == 2
    assert Deal.objects.count() == 2

    rep_tab = as_user(chromium, page.base_url, rep)
    expect(rep_tab.get_by_test_id("inbox-waiting")).to_have_text("2 waiting")
    rep_tab.goto("/pipeline/")
    cards = " ".join(rep_tab.locator(".deal-card").all_inner_texts())
    assert "Kepler Labs" not in cards and "Orion Foods" not in cards
    rep_tab.goto("/reports/sales/")
    win_rate = figure(rep_tab, "win_rate")
    assert win_rate == "50.0 %"

    # Reject Pat: no deal appears and the win rate does not move.
    rep_tab.goto("/inbox/")
    pat = rep_tab.get_by_test_id("handoff").filter(has_text="Pat Moreno")
    pat.locator("summary", has_text="Reject").click()
    pat.get_by_label("Reason").select_option(label="No budget")
    pat.get_by_label("Note for marketing").fill("Budget frozen until spring")
    pat.get_by_role("button", name="Reject MQL").click()
    rep_tab.get_by_test_id("answered").filter(has_text="Pat Moreno").wait_for()
    assert Deal.objects.count() == 2
    rep_tab.goto("/reports/sales/")
    assert figure(rep_tab, "win_rate") == win_rate

    # Accept Quinn: the deal appears in Qualification, the rep's.
    rep_tab.goto("/inbox/")
    rep_tab.get_by_test_id("handoff").filter(has_text="Quinn Hart").get_by_role("button", name="Accept").click()
    rep_tab.get_by_test_id("answered").filter(has_text="Quinn Hart").wait_for()
    rep_tab.goto("/pipeline/")
    assert any("Kepler Labs" in card for card in board_names(rep_tab, "Qualification"))
    expect(rep_tab.get_by_test_id("inbox-waiting")).to_have_count(0)
    assert Deal.objects.get(lead__first_name="Quinn").owner == rep
    rep_tab.context.close()

    # The manager's pages agree: the board's open deals are the sales report's, and the rejection is in
    # the feedback report, not among the lost deals.
    manager_tab = as_user(chromium, page.base_url, manager)
    manager_tab.goto("/pipeline/")
    open_cards = manager_tab.locator("[data-kind='open'] .deal-card").count()
    manager_tab.goto("/reports/sales/")
    assert f"{open_cards} open" in manager_tab.get_by_test_id("sales-figures").inner_text()
    assert figure(manager_tab, "win_rate") == "50.0 %"
    manager_tab.goto("/reports/feedback/")
    assert "No budget" in manager_tab.get_by_text("No budget").first.inner_text()
    # Revenue closed in the period is the campaign report's activity view summed, Unattributed included;
    # the funnel's cohort is its cohort view's leads summed.
    manager_tab.goto("/reports/sales/")
    revenue = amount(figure(manager_tab, "revenue"))
    manager_tab.goto("/reports/campaigns/?view=activity")
    assert column_total(manager_tab, "campaigns", 10) == revenue == 10_000
    assert column_total(manager_tab, "channels", 10) == revenue
    manager_tab.goto("/reports/funnel/")
    cohort = amount(figure(manager_tab, "leads_created"))
    manager_tab.goto("/reports/campaigns/?view=cohort")
    assert column_total(manager_tab, "campaigns", 5) == cohort == 2
    manager_tab.context.close()
