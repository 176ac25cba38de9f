"""The search box in the navigation, in a browser: "/" focuses it, results drop down as one types, Enter opens
the first."""

import re

import pytest
from playwright.sync_api import expect

from companies.tests.factories import CompanyFactory
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_search_box_opens_a_company_by_its_domain(page, sign_in_browser, rep):
    acme = CompanyFactory(name="Acme Robotics", domain="acme-robotics.com")
    LeadFactory(first_name="Olaf", last_name="Berg", email="olaf@example.com")

    sign_in_browser(rep)
    page.keyboard.press("/")
    box = page.get_by_label("Search leads, companies, deals and campaigns")
    expect(box).to_be_focused()
    box.fill("acme-robotics.com")
    expect(page.locator("#nav-search-results")).to_contain_text("Acme Robotics")
    box.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(acme.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", name="Acme Robotics", level=1)).to_be_visible()


def test_without_results_enter_shows_the_search_page(page, sign_in_browser, marketer):
    sign_in_browser(marketer)
    box = page.get_by_label("Search leads, companies, deals and campaigns")
    box.fill("nothing-like-this")
    box.press("Enter")
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    expect(page.get_by_test_id("search-results").last).to_contain_text("Nothing matches")
