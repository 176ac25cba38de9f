"""Who sees which report, CSV and API endpoint; sales reps only ever see their own figures."""

import pytest

from crm.tests.factories import UserFactory

from .conftest import OCTOBER

pytestmark = pytest.mark.django_db

PAGES = ["/reports/", "/reports/funnel/", "/reports/sales/", "/reports/feedback/"]
CSVS = [
    "/reports/funnel/?format=csv&table=stages",
    "/reports/sales/?format=csv&table=reps",
    "/reports/sales/?format=csv&table=forecast",
    "/reports/feedback/?format=csv&table=acceptance",
    "/reports/feedback/?format=csv&table=notes",
]
API = ["/api/v1/reports/funnel/", "/api/v1/reports/sales/", "/api/v1/reports/feedback/"]
# Marketers read the funnel and feedback reports, not the per-rep sales report.
ALLOWED = {
    "marketer": lambda path: "/sales/" not in path,
    "rep": lambda path: True,
    "other_rep": lambda path: True,
    "manager": lambda path: True,
    "no_role": lambda path: False,
}


@pytest.fixture
def users(marketer, rep, other_rep, manager):
    return {"marketer": marketer, "rep": rep, "other_rep": other_rep, "manager": manager, "no_role": UserFactory()}


@pytest.mark.parametrize("path", PAGES + CSVS + API)
@pytest.mark.parametrize("who", ["anonymous", *ALLOWED])
def test_permission_matrix(client_for, users, who, path):
    response = client_for(users.get(who)).get(path)
    if who == "anonymous":
        expected = (401, 403) if path.startswith("/api/") else (302,)
    else:
        expected = (200,) if ALLOWED[who](path) else (403,)
    assert response.status_code in expected, (who, path, response.status_code)


def test_reports_landing_links_each_report_the_user_may_open(client_for, marketer, manager):
    html = client_for(manager).get("/reports/").content.decode()
    for url in ("/reports/funnel/", "/reports/sales/", "/reports/feedback/"):
        assert f'href="{url}"' in html
    assert 'href="/reports/sales/"' not in client_for(marketer).get("/reports/").content.decode()


def test_a_rep_sees_only_leads_they_own_in_the_funnel_whatever_the_url_says(client_for, rep, other_rep, funnel_data):
    client = client_for(rep)
    response = client.get("/reports/funnel/", {**OCTOBER, "owner": other_rep.pk})
    assert response.context["report"]["cohort"] == 2  # L1 and L2
    assert 'name="owner"' not in response.content.decode()
    assert client.get("/api/v1/reports/funnel/", {**OCTOBER, "owner": other_rep.pk}).json()["cohort"] == 2


def test_a_rep_sees_only_their_own_sales_figures(client_for, rep, other_rep, funnel_data):
    client = client_for(rep)
    response = client.get("/reports/sales/", {**OCTOBER, "owner": other_rep.pk})
    assert [row["rep_id"] for row in response.context["reps"]] == [rep.pk]
    assert (response.context["summary"]["won"], response.context["summary"]["lost"]) == (2, 1)
    data = client.get("/api/v1/reports/sales/", OCTOBER).json()
    assert [row["rep_id"] for row in data["reps"]] == [rep.pk]
    exported = b"".join(client.get("/reports/sales/", {**OCTOBER, "format": "csv", "table": "reps"}).streaming_content)
    assert other_rep.get_full_name().encode() not in exported


def test_a_rep_sees_only_their_own_feedback(client_for, other_rep, funnel_data):
    data = client_for(other_rep).get("/api/v1/reports/feedback/", OCTOBER).json()
    assert [row["label"] for row in data["acceptance"]] == [funnel_data.b.name]
    assert [entry["label"] for entry in data["notes"]] == [funnel_data.b.name]


def test_managers_and_marketers_may_filter_by_owner(client_for, manager, marketer, rep, funnel_data):
    for user in (manager, marketer):
        response = client_for(user).get("/reports/funnel/", {**OCTOBER, "owner": rep.pk})
        assert response.context["report"]["cohort"] == 2
    assert client_for(manager).get("/reports/funnel/", OCTOBER).context["report"]["cohort"] == 6
