import pytest
from playwright.sync_api import expect

from crm.notifications import notify
from crm.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("Marketer", ["Campaigns", "Leads", "Companies", "Pipeline", "Email templates", "Reports"]),
        (
            "Sales rep",
            [
                "My day",
                "Tasks",
                "MQL inbox",
                "Pipeline",
                "Leads",
                "Companies",
                "Campaigns",
                "Email templates",
                "Reports",
            ],
        ),
        (
            "Manager",
            [
                "Reports",
                "Campaigns",
                "Leads",
                "Companies",
                "MQL inbox",
                "My day",
                "Pipeline",
                "Email templates",
                "Settings",
            ],
        ),
    ],
)
def test_each_role_signs_in_and_sees_its_navigation(page, sign_in_browser, role, expected):
    # The widest a menu gets: a long name (cut to fit) and a badge of unread notifications.
    user = UserFactory(role=role, first_name="Maximiliana", last_name="Vandenberghe-Okonkwo")
    notify(users=[user] * 12, message="Work for you")
    page.set_viewport_size({"width": 1366, "height": 800})
    sign_in_browser(user)
    links = page.get_by_test_id("nav").get_by_role("link")
    assert [text.strip() for text in links.all_inner_texts()] == expected
    # The whole menu on one line at 1366 px, no label broken over two.
    assert len({round(box["y"]) for box in (link.bounding_box() for link in links.all())}) == 1
    assert all(box["height"] < 45 for box in (link.bounding_box() for link in links.all()))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_test_id("role")).to_have_text(role)
    expect(page.get_by_role("link", name="Admin")).to_have_count(1 if role == "Manager" else 0)
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("nav").get_by_role("link", name=expected[0], exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == expected[0]


def test_anonymous_visitor_is_redirected_to_login_and_back(page, rep):
    page.goto("/pipeline/")
    assert "/accounts/login/?next=/pipeline/" in page.url
    page.get_by_label("Username").fill(rep.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/pipeline/")
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
