from decimal import Decimal

import pytest
from playwright.sync_api import expect

from deals.models import Deal
from deals.tests.factories import DealFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def column(page, name):
    return page.locator("section.board-column", has=page.get_by_role("heading", name=name))


def cards(where):
    return where.locator(".deal-card")


def drag(page, card, target):
    """Drag like a person: press, move in steps (SortableJS starts after a few pixels), release."""
    card.scroll_into_view_if_needed()
    box = card.bounding_box()
    drop = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 12)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + 20, steps=5)
    page.mouse.move(drop["x"] + drop["width"] / 2, drop["y"] + 20, steps=20)
    page.mouse.up()


def lost_reason_dialog(page):
    """The dialog asking why a deal was lost, once it is fully open: the board focuses its reason when
    Bootstrap's fade-in ends, and Bootstrap ignores a Cancel clicked before that."""
    dialog = page.get_by_role("dialog", name="Why was this deal lost?")
    expect(dialog.get_by_label("Reason")).to_be_focused()
    return dialog


def test_a_rep_drags_a_deal_from_qualification_to_demo_and_the_totals_follow(page, sign_in_browser, rep):
    DealFactory(owner=rep, title="Acme expansion", amount=Decimal("10000"))
    DealFactory(owner=rep, title="Stays put", amount=Decimal("500"))
    sign_in_browser(rep)
    page.goto("/pipeline/")
    demo = column(page, "Demo")
    expect(demo.get_by_test_id("count")).to_have_text("0")

    card = cards(page).filter(has_text="Acme expansion")
    with page.expect_response(lambda r: "/move/" in r.url) as answer:
        drag(page, card, demo.locator(".board-cards"))
    assert answer.value.status == 200
    expect(demo.get_by_test_id("count")).to_have_text("1")
    expect(demo.get_by_test_id("total")).to_have_text("$10,000")
    expect(demo.get_by_test_id("weighted")).to_contain_text("4,000 weighted")
    expect(column(page, "Qualification").get_by_test_id("total")).to_have_text("$500")
    assert Deal.objects.get(title="Acme expansion").stage.name == "Demo"

    page.reload()
    demo = column(page, "Demo")
    expect(demo.get_by_test_id("count")).to_have_text("1")
    expect(demo.get_by_test_id("total")).to_have_text("$10,000")
    expect(column(page, "Qualification").get_by_test_id("count")).to_have_text("1")
    assert cards(demo).filter(has_text="Acme expansion").count() == 1


def test_dropping_a_deal_on_closed_lost_asks_why_before_saving(page, sign_in_browser, rep):
    DealFactory(owner=rep, title="Lost cause")
    sign_in_browser(rep)
    page.goto("/pipeline/")
    lost = column(page, "Closed lost")
    drag(page, cards(page).filter(has_text="Lost cause"), lost.locator(".board-cards"))
    dialog = lost_reason_dialog(page)
    assert Deal.objects.get(title="Lost cause").stage.name == "Qualification"  # nothing saved yet
    dialog.get_by_label("Reason").select_option("competitor")
    dialog.get_by_label("Note").fill("Went with a cheaper tool")
    with page.expect_response(lambda r: "/move/" in r.url):
        dialog.get_by_role("button", name="Mark as lost").click()
    expect(lost.get_by_test_id("count")).to_have_text("1")
    deal = Deal.objects.get(title="Lost cause")
    assert (deal.stage.name, deal.lost_reason, deal.close_note) == (
        "Closed lost",
        "competitor",
        "Went with a cheaper tool",
    )


def test_cancelling_the_lost_dialog_puts_the_card_back(page, sign_in_browser, rep):
    DealFactory(owner=rep, title="Almost lost")
    sign_in_browser(rep)
    page.goto("/pipeline/")
    drag(
        page,
        cards(page).filter(has_text="Almost lost"),
        column(page, "Closed lost").locator(".board-cards"),
    )
    dialog = lost_reason_dialog(page)
    dialog.get_by_role("button", name="Cancel").click()
    dialog.wait_for(state="hidden")
    expect(cards(column(page, "Qualification")).filter(has_text="Almost lost")).to_have_count(1)
    assert Deal.objects.get(title="Almost lost").stage.name == "Qualification"


def test_a_refused_move_snaps_the_card_back_with_a_message(page, sign_in_browser, rep, manager):
    deal = DealFactory(owner=rep, title="Taken away")
    sign_in_browser(rep)
    page.goto("/pipeline/")
    Deal.objects.filter(pk=deal.pk).update(owner=manager)  # reassigned while the rep had the board open
    with page.expect_response(lambda r: "/move/" in r.url) as answer:
        drag(
            page,
            cards(page).filter(has_text="Taken away"),
            column(page, "Demo").locator(".board-cards"),
        )
    assert answer.value.status == 403
    page.get_by_role("alert").filter(has_text="not allowed").wait_for()
    expect(cards(column(page, "Qualification")).filter(has_text="Taken away")).to_have_count(1)
    assert Deal.objects.get(pk=deal.pk).stage.name == "Qualification"


def test_without_javascript_a_card_leads_to_its_deal_page_where_the_deal_moves(page, sign_in_browser, rep):
    DealFactory(owner=rep, title="No script deal")
    sign_in_browser(rep)
    context = page.context.browser.new_context(java_script_enabled=False, base_url=page.base_url)
    context.add_cookies(page.context.cookies())
    plain = context.new_page()
    plain.goto("/pipeline/")
    card = cards(plain).filter(has_text="No script deal")
    expect(card.get_by_role("button")).to_have_count(0)  # the menu needs JavaScript: no button that does nothing
    card.get_by_role("link", name="No script deal").click()
    plain.get_by_label("Stage", exact=True).select_option(label="Demo")
    plain.get_by_role("button", name="Move deal").click()
    plain.wait_for_load_state()
    assert "No script deal moved to Demo" in plain.get_by_role("alert").first.inner_text()
    plain.goto("/pipeline/")
    demo = plain.locator("section.board-column", has=plain.get_by_role("heading", name="Demo"))
    expect(demo.get_by_test_id("count")).to_have_text("1")
    assert Deal.objects.get(title="No script deal").stage.name == "Demo"
    context.close()


def menu_button_on_the_board(page, sign_in_browser, rep, title):
    """The menu button of `rep`'s new deal `title`, on the board `rep` has open."""
    DealFactory(owner=rep, title=title)
    sign_in_browser(rep)
    page.goto("/pipeline/")
    return page.get_by_role("button", name=f"Actions for {title}")


def test_at_laptop_width_a_rep_moves_a_deal_from_its_menu_with_the_keyboard(page, sign_in_browser, rep):
    button = menu_button_on_the_board(page, sign_in_browser, rep, "Keyboard deal")
    button.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu", name="Deal actions")
    expect(menu.get_by_role("menuitem").first).to_be_focused()
    page.keyboard.press("ArrowDown")  # Qualification is where it is: Discovery, then Demo
    with page.expect_response(lambda r: "/move/" in r.url) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    expect(column(page, "Demo").get_by_test_id("count")).to_have_text("1")
    expect(cards(column(page, "Demo")).filter(has_text="Keyboard deal")).to_have_count(1)
    expect(button).to_be_focused()
    assert Deal.objects.get(title="Keyboard deal").stage.name == "Demo"


def test_escape_closes_the_card_menu_and_returns_to_its_button(page, sign_in_browser, rep):
    button = menu_button_on_the_board(page, sign_in_browser, rep, "Menu deal")
    button.click()
    menu = page.get_by_role("menu", name="Deal actions")
    expect(menu.get_by_role("menuitem", name="Open the deal")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")
