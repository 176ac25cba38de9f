import pytest

from crm.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("Marketer", ["Campaigns", "Leads", "Companies", "Pipeline", "Email templates", "Reports"]),
        (
            "Sales rep",
            ["My day", "MQL inbox", "Pipeline", "Leads", "Companies", "Campaigns", "Email templates", "Reports"],
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
                "Admin",
            ],
        ),
    ],
)
def test_each_role_signs_in_and_sees_its_navigation(page, sign_in_browser, role, expected):
    user = UserFactory(role=role)
    sign_in_browser(user)
    assert page.get_by_test_id("role").inner_text() == role
    links = page.get_by_test_id("nav").get_by_role("link").all_inner_texts()
    assert [text.strip() for text in links] == expected
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
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
