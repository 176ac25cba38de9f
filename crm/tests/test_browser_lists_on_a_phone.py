"""The lead, deal and company lists on a phone (375 × 740): their filters wait behind a "Filters" button that
says how many are in force, a filter applied from the phone narrows the list, the rows show the columns that
matter and the page never scrolls sideways. On a laptop the filters show as before, without the button."""

import pytest
from playwright.sync_api import expect

from companies.tests.factories import CompanyFactory
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
# list → (its URL, its filter form's name, a search that finds the first record and not the second, a column
# header a phone does not show)
LISTS = {
    "leads": ("/leads/", "Filter leads", "okafor", "First touch"),
    "deals": ("/deals/", "Filter deals", "fleet", "In stage since"),
    "companies": ("/companies/", "Filter companies", "borealis", "Industry · size · country"),
}
PAGE_WIDTH = "document.documentElement.scrollWidth"
# Whether each table fits its box: on a phone a list's few columns need no sideways scroll either.
TABLES_FIT = "[...document.querySelectorAll('.table-responsive')].every(box => box.scrollWidth <= box.clientWidth)"


@pytest.fixture
def records(manager):
    owner = {"owner": manager}
    return {
        "leads": [
            LeadFactory(first_name="Dana", last_name="Okafor", email="dana.okafor.longer.address@example.com", **owner),
            LeadFactory(first_name="Olaf", last_name="Berg", email="olaf@example.com", **owner),
        ],
        "deals": [
            DealFactory(title="Fleet renewal for Borealis Freight International", **owner),
            DealFactory(title="Warehouse scanners", **owner),
        ],
        "companies": [
            CompanyFactory(name="Borealis Freight International", domain="borealis-freight.example", **owner),
            CompanyFactory(name="Harbor Analytics", domain="harbor.example", **owner),
        ],
    }


def label_of(record) -> str:
    return getattr(record, "title", None) or getattr(record, "full_name", None) or record.name


@pytest.mark.parametrize("listed", LISTS)
def test_a_list_on_a_phone_keeps_its_filters_behind_a_button(page, sign_in_browser, manager, records, listed):
    url, form_name, search, desktop_column = LISTS[listed]
    found, other = (label_of(record) for record in records[listed])
    page.set_viewport_size(PHONE)
    sign_in_browser(manager)
    page.goto(url)

    form = page.get_by_role("search", name=form_name)
    toggle = page.get_by_test_id("filters-toggle")
    expect(form).to_be_hidden()
    expect(toggle).to_have_text("Filters")
    expect(page.get_by_role("columnheader", name=desktop_column)).to_be_hidden()
    expect(page.get_by_role("columnheader", name="Owner")).to_be_visible()
    assert page.evaluate(PAGE_WIDTH) == PHONE["width"]
    assert page.evaluate(TABLES_FIT)

    toggle.click()
    expect(form).to_be_visible()
    form.get_by_label("Search").fill(search)
    form.get_by_label("Search").press("Enter")
    expect(page.get_by_role("link", name=found)).to_be_visible()
    expect(page.get_by_role("link", name=other)).to_have_count(0)
    expect(toggle).to_contain_text("1 active")
    assert page.evaluate(PAGE_WIDTH) == PHONE["width"]
    assert page.evaluate(TABLES_FIT)


def test_on_a_laptop_the_filters_show_without_the_button(page, sign_in_browser, manager, records):
    sign_in_browser(manager)
    for url, form_name, _, desktop_column in LISTS.values():
        page.goto(url)
        expect(page.get_by_role("search", name=form_name)).to_be_visible()
        expect(page.get_by_test_id("filters-toggle")).to_be_hidden()
        expect(page.get_by_role("columnheader", name=desktop_column)).to_be_visible()
