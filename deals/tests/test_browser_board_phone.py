"""The board on a phone (375 × 740): one stage at a time, chosen by tab or by swipe; deals move by the card menu."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from deals.models import Deal
from deals.tests.factories import DealFactory, stage_named

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(page, sign_in_browser):
    """`phone(user)`: a touch screen tab of 375 × 740 px signed in as `user` (through the laptop tab)."""
    contexts = []

    def open_as(user):
        sign_in_browser(user)
        context = page.context.browser.new_context(
            viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True, base_url=page.base_url
        )
        context.set_default_timeout(10_000)
        context.add_cookies(page.context.cookies())
        contexts.append(context)
        return context.new_page()

    yield open_as
    for context in contexts:
        context.close()


def column(tab, name):
    return tab.locator("section.board-column", has=tab.get_by_role("heading", name=name))


def stage_tab(tab, name):
    return tab.get_by_role("navigation", name="Stages").get_by_role("button", name=name)


def swipe(tab, *, left: bool):
    """A finger across the board, through the browser's own touch input (Chrome DevTools Protocol)."""
    board = tab.get_by_test_id("board")
    board.scroll_into_view_if_needed()
    box = board.bounding_box()
    y = box["y"] + 60
    start, end = (320, 40) if left else (40, 320)
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": start, "y": y}]})
    for step in range(1, 9):
        x = start + (end - start) * step / 8
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_rep_on_a_phone_sees_one_stage_and_changes_it_by_tab_and_by_swipe(phone, rep):
    DealFactory(owner=rep, title="Acme expansion")
    DealFactory(owner=rep, title="Globex pilot", stage=stage_named("Demo"))
    tab = phone(rep)
    tab.goto("/pipeline/")
    expect(column(tab, "Qualification")).to_be_visible()
    expect(column(tab, "Demo")).to_be_hidden()
    assert tab.locator("section.board-column:visible").count() == 1
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375  # nothing sticks out sideways

    stage_tab(tab, "Demo").click()
    expect(column(tab, "Demo").get_by_text("Globex pilot")).to_be_visible()
    expect(column(tab, "Qualification")).to_be_hidden()
    expect(stage_tab(tab, "Demo")).to_have_attribute("aria-current", "true")

    swipe(tab, left=True)
    expect(column(tab, "Proposal")).to_be_visible()
    expect(column(tab, "Demo")).to_be_hidden()
    expect(stage_tab(tab, "Proposal")).to_have_attribute("aria-current", "true")
    swipe(tab, left=False)
    swipe(tab, left=False)
    expect(column(tab, "Discovery")).to_be_visible()
    assert tab.locator("section.board-column:visible").count() == 1


def test_a_rep_on_a_phone_moves_a_deal_to_another_stage_through_the_card_menu(phone, rep):
    DealFactory(owner=rep, title="Acme expansion", amount=Decimal("10000"))
    tab = phone(rep)
    tab.goto("/pipeline/")
    tab.get_by_role("button", name="Actions for Acme expansion").tap()
    menu = tab.get_by_role("menu", name="Deal actions")
    with tab.expect_response(lambda r: "/move/" in r.url) as answer:
        menu.get_by_role("menuitem", name="Negotiation").tap()
    assert answer.value.status == 200
    tab.get_by_role("alert").filter(has_text="Acme expansion moved to Negotiation").wait_for()
    expect(stage_tab(tab, "Negotiation")).to_contain_text("1")
    expect(stage_tab(tab, "Qualification")).to_contain_text("0")
    assert Deal.objects.get(title="Acme expansion").stage.name == "Negotiation"

    stage_tab(tab, "Negotiation").tap()
    expect(column(tab, "Negotiation").get_by_text("Acme expansion")).to_be_visible()
    expect(column(tab, "Negotiation").get_by_test_id("total")).to_have_text("$10,000")


def test_a_rep_on_a_phone_marks_a_deal_lost_with_a_reason_from_the_card_menu(phone, rep):
    DealFactory(owner=rep, title="Lost cause")
    tab = phone(rep)
    tab.goto("/pipeline/")
    tab.get_by_role("button", name="Actions for Lost cause").tap()
    tab.get_by_role("menu", name="Deal actions").get_by_role("menuitem", name="Lost: Closed lost…").tap()
    dialog = tab.get_by_role("dialog", name="Why was this deal lost?")
    expect(dialog.get_by_label("Reason")).to_be_focused()
    assert Deal.objects.get(title="Lost cause").stage.name == "Qualification"  # nothing saved yet
    dialog.get_by_label("Reason").select_option("timing")
    with tab.expect_response(lambda r: "/move/" in r.url):
        dialog.get_by_role("button", name="Mark as lost").tap()
    expect(stage_tab(tab, "Closed lost")).to_contain_text("1")
    deal = Deal.objects.get(title="Lost cause")
    assert (deal.stage.name, deal.lost_reason) == ("Closed lost", "timing")
