"""A rep's notifications in Chromium: the badge counts the unread, opening one reads it, "Mark all read"."""

import pytest
from playwright.sync_api import expect

from crm.models import Notification
from crm.notifications import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_opens_one_notification_then_marks_the_rest_read(page, sign_in_browser, rep):
    notify(users=[rep], message="New MQL for you: Ada Lovelace", url="/inbox/")
    notify(users=[rep], message="New MQL for you: Bo Diddley", url="/inbox/")
    sign_in_browser(rep)
    button = page.get_by_test_id("notifications")
    expect(button).to_contain_text("2 unread")
    button.click()
    unread = page.locator('[data-testid="notification"][data-unread="true"]')
    expect(unread).to_have_count(2)
    expect(unread.first).to_contain_text("New")
    page.reload()  # reading the list reads nothing
    expect(unread).to_have_count(2)

    page.get_by_role("link", name="New MQL for you: Ada Lovelace").click()
    page.wait_for_url("**/inbox/")
    expect(page.get_by_test_id("notifications")).to_contain_text("1 unread")
    page.get_by_test_id("notifications").click()
    expect(unread).to_have_count(1)
    expect(unread).to_contain_text("Bo Diddley")

    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#messages")).to_contain_text("1 notification marked read.")
    expect(unread).to_have_count(0)
    expect(page.get_by_test_id("notifications")).not_to_contain_text("unread")
    assert not Notification.objects.filter(user=rep, read_at__isnull=True).exists()
