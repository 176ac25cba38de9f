"""A marketer watches her MQL attainment move when a lead qualifies."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Channel
from goals.models import Metric, Target
from handoff.services import hand_over_mql
from leads.models import EventKind
from leads.scoring.scorer import score_lead
from leads.tests.factories import LeadEventFactory, LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_marketer_sees_her_mql_attainment_move_when_a_lead_qualifies(page, sign_in_browser, marketer, rep):
    Target.objects.create(period_start=timezone.localdate().replace(day=1), metric=Metric.MQLS, value=4)
    sign_in_browser(marketer)
    page.goto("/")
    strip = page.get_by_test_id("attainment")
    expect(strip).to_contain_text("MQLs this month (leads that reached MQL): 0 of 4 (0.0 %)")

    lead = LeadFactory(source_channel=Channel.EVENTS)
    for _ in range(3):
        LeadEventFactory(lead=lead, kind=EventKind.DEMO_REQUEST)  # 75 points: past the threshold of 50
    score_lead(lead_id=lead.pk)
    assert hand_over_mql(lead_id=lead.pk) is not None

    page.reload()
    expect(strip).to_contain_text("MQLs this month (leads that reached MQL): 1 of 4 (25.0 %)")
    page.get_by_role("link", name="The agreement").click()
    mqls = page.locator("tr[data-row=mqls]")
    expect(mqls.locator("[data-figure=actual]")).to_have_text("1")
    expect(mqls.locator("[data-figure=target]")).to_have_text("4")
    expect(mqls.locator("[data-figure=attainment]")).to_have_text("25.0 %")


def test_the_agreement_fits_a_phone(page, sign_in_browser, manager, rep):
    Target.objects.create(period_start=timezone.localdate().replace(day=1), metric=Metric.REVENUE, value=50000)
    Target.objects.create(period_start=timezone.localdate().replace(day=1), metric=Metric.REVENUE, value=9000, rep=rep)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in_browser(manager)
    page.goto("/agreement/")
    expect(page.locator("tr[data-row=revenue] [data-figure=target]")).to_have_text("$50,000")
    wide = page.evaluate(  # what sticks out of the screen, for the failure's message
        "[...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > 376).slice(0, 8).map(e => e.tagName + '.' + e.className)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, wide
