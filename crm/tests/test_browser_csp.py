"""Under the real Content-Security-Policy, every main page of every role works without a violation.

Chromium reports each blocked inline script, inline style, eval or foreign source as a console error
("Refused to ...") and as a `securitypolicyviolation` event; both are collected while each role walks its
pages, drags a card on the board and redraws the charts, and any one of them fails the test.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

from campaigns.models import Campaign
from crm.demo import DEMO_PASSWORD
from deals.models import Deal
from deals.tests.test_browser_board import column, drag
from leads.models import Lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every document before its own scripts (Playwright injects it, outside the page's policy).
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


class ViolationLog:
    """Console errors and securitypolicyviolation events about the policy, page by page."""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        page.context.add_init_script(LISTEN_FOR_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or text.startswith("Refused to"):
            self.found.append(f"{self.page.url}: {text}")

    def collect(self):
        """Add the events the current document saw (call before leaving it)."""
        events = self.page.evaluate("window.__cspViolations || []")
        self.found.extend(f"{self.page.url}: {event}" for event in events)

    def visit(self, path, ready=None):
        self.page.goto(path)
        self.page.wait_for_load_state("networkidle")
        if ready is not None:
            expect(ready(self.page)).to_be_visible()
        self.collect()


@pytest.fixture
def demo():
    with override_settings(DEBUG=True):  # seed_demo refuses to run otherwise
        call_command("seed_demo", stdout=StringIO())
    return get_user_model().objects.in_bulk(field_name="username")


def chart_drawn(page):
    return page.locator("canvas[data-chart][data-rendered]").first


def test_the_main_pages_of_every_role_run_without_a_policy_violation(page, sign_in_browser, demo):
    log = ViolationLog(page)
    campaign = Campaign.objects.order_by("pk").first()
    lead = Lead.objects.order_by("pk").first()

    sign_in_browser(demo["marketer"], password=DEMO_PASSWORD)
    log.collect()
    log.visit("/")
    log.visit("/campaigns/")
    log.visit(f"/campaigns/{campaign.slug}/", ready=lambda p: p.locator("#campaign-chart"))
    log.visit("/leads/")
    log.visit(f"/leads/{lead.pk}/")
    log.visit("/leads/scoring/")
    page.locator("#id_settings-mql_threshold").fill("55")  # an htmx preview swap
    page.wait_for_load_state("networkidle")
    log.collect()
    log.visit("/leads/import/")
    log.visit("/reports/funnel/", ready=chart_drawn)
    log.visit("/reports/campaigns/", ready=chart_drawn)
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()

    rep = next(user for user in demo.values() if Deal.objects.filter(owner=user, closed_at__isnull=True).exists())
    sign_in_browser(rep, password=DEMO_PASSWORD)
    log.visit("/my-day/")
    log.visit("/")
    log.visit("/inbox/")
    log.visit("/pipeline/")
    card = page.locator(".deal-card[data-editable]").first
    source = card.locator("xpath=ancestor::section[contains(@class, 'board-column')]")
    target = next(
        name
        for name in ("Demo", "Proposal", "Qualification")
        if column(page, name).count() and column(page, name).inner_text() != source.inner_text()
    )
    with page.expect_response(lambda response: "/move/" in response.url):
        drag(page, card, column(page, target).locator(".board-cards"))
    log.collect()
    deal = Deal.objects.filter(owner=rep).first()
    log.visit(f"/deals/{deal.pk}/")
    log.visit("/reports/sales/", ready=chart_drawn)
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()

    sign_in_browser(demo["manager"], password=DEMO_PASSWORD)
    log.visit("/")
    for report in ("funnel", "campaigns", "sales", "feedback"):
        log.visit(f"/reports/{report}/", ready=chart_drawn)
    page.locator("select[name=period]").select_option(index=1)
    with page.expect_response(lambda response: "/reports/feedback/" in response.url):
        page.get_by_role("button", name="Apply").click()  # htmx swaps the report in; the charts are redrawn
    expect(chart_drawn(page)).to_be_visible()
    log.collect()
    log.visit("/pipeline/")
    log.visit("/inbox/")
    log.visit("/pipeline/stages/")
    log.visit("/admin/")
    log.visit("/api/docs/", ready=lambda p: p.locator(".swagger-ui .info"))

    assert log.found == [], "\n".join(log.found)


def test_the_violation_log_catches_an_inline_script(page, sign_in_browser, rep):
    """The collector above would notice a violation: an injected inline script is blocked and logged."""
    log = ViolationLog(page)
    sign_in_browser(rep)
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.appendChild(s); }"
    )
    log.collect()
    assert page.evaluate("window.ran") is None
    assert any("script-src" in entry for entry in log.found)
