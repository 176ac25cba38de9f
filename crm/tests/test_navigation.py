import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from crm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC_PATHS = {"/accounts/login/", "/healthz"}


def pages_without_arguments(resolver=None, prefix=""):
    """Every URL of the project that takes no argument, as a path."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            yield from pages_without_arguments(entry, route)
        elif isinstance(entry, URLPattern) and not entry.pattern.regex.groupindex and not set("<^(") & set(route):
            yield "/" + route


@pytest.mark.parametrize("path", sorted(set(pages_without_arguments()) - PUBLIC_PATHS))
def test_anonymous_visitor_is_sent_to_login(client, path):
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "first", "items"),
    [
        ("Marketer", "Campaigns", {"Campaigns", "Leads", "Companies", "Pipeline", "Email templates", "Reports"}),
        (
            "Sales rep",
            "My day",
            {"My day", "Tasks", "MQL inbox", "Pipeline", "Leads", "Companies", "Campaigns", "Reports"},
        ),
        (
            "Manager",
            "Reports",
            {
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
            },
        ),
    ],
)
def test_each_role_sees_its_navigation(client_for, role, first, items):
    response = client_for(UserFactory(role=role)).get("/")
    assert response.status_code == 200
    nav = [item["label"] for item in response.context["nav_items"]]
    assert nav[0] == first
    html = response.content.decode()
    for label in items:
        assert f">{label}</a>" in html
    if role != "Manager":
        assert ">Admin</a>" not in html
    if role == "Marketer":
        assert ">My day</a>" not in html


def test_user_without_role_is_told_to_ask_a_manager(client_for):
    response = client_for(UserFactory()).get("/")
    assert "Ask a manager to give you a role" in response.content.decode()


def test_login_page_signs_in_and_logout_signs_out(client, rep):
    response = client.post("/accounts/login/", {"username": rep.username, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_shows_a_clear_error(client, rep):
    response = client.post("/accounts/login/", {"username": rep.username, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
