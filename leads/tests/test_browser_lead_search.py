import pytest
from django.db import connection
from playwright.sync_api import expect

from leads import selectors
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_finds_a_lead_by_full_name_and_sees_how_many_match(page, sign_in_browser, rep, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_COUNT_LIMIT", 3)
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", 20)
    LeadFactory.create_batch(12, first_name="Dana", last_name="Okafor")
    LeadFactory.create_batch(30, first_name="Dana", last_name="Smith")
    LeadFactory(first_name="Sam", last_name="Okafor")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE leads_lead")

    sign_in_browser(rep)
    page.goto("/leads/")
    count = page.get_by_test_id("lead-count")
    expect(count).to_have_text("About 43 leads (estimated).")

    page.get_by_label("Search", exact=True).fill("okafor dana")
    page.get_by_role("button", name="Filter").click()
    expect(count).to_have_text("12 leads match these filters.")
    expect(page.get_by_role("link", name="Dana Okafor")).to_have_count(12)
