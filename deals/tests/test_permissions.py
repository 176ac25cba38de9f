"""Who may do what on deals (DOMAIN.md "Roles"): every page and endpoint, for every kind of user."""

import pytest

from deals.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db

USERS = ["anonymous", "marketer", "rep", "other_rep", "manager"]


@pytest.fixture
def users(marketer, rep, other_rep, manager):
    return {"anonymous": None, "marketer": marketer, "rep": rep, "other_rep": other_rep, "manager": manager}


@pytest.fixture
def deal(rep):
    return DealFactory(owner=rep)


READS = {
    "/pipeline/": {"anonymous": 302, "marketer": 200, "rep": 200, "other_rep": 200, "manager": 200},
    "/deals/": {"anonymous": 302, "marketer": 200, "rep": 200, "other_rep": 200, "manager": 200},
    "/deals/export.csv": {"anonymous": 302, "marketer": 200, "rep": 200, "other_rep": 200, "manager": 200},
    "/deals/{pk}/": {"anonymous": 302, "marketer": 200, "rep": 200, "other_rep": 200, "manager": 200},
    "/deals/new/": {"anonymous": 302, "marketer": 403, "rep": 200, "other_rep": 200, "manager": 200},
    "/pipeline/stages/": {"anonymous": 302, "marketer": 403, "rep": 403, "other_rep": 403, "manager": 200},
    "/pipeline/stages/{stage}/delete/": {
        "anonymous": 302,
        "marketer": 403,
        "rep": 403,
        "other_rep": 403,
        "manager": 200,
    },
}


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("url", list(READS))
def test_pages_answer_each_role_as_the_roles_table_says(client_for, users, deal, who, url):
    response = client_for(users[who]).get(url.format(pk=deal.pk, stage=stage_named("Discovery").pk))
    assert response.status_code == READS[url][who]


WRITES = {
    # name: (url, data, expected status per user)
    "move": ("/deals/{pk}/move/", lambda: {"stage": stage_named("Demo").pk}, (302, 403, 302, 403, 302)),
    "edit": ("/deals/{pk}/", lambda: {"title": "Renamed", "amount": "10"}, (302, 403, 302, 403, 302)),
    "log": ("/deals/{pk}/activities/", lambda: {"kind": "call", "subject": "Rang"}, (302, 403, 302, 403, 302)),
    "stage": ("/pipeline/stages/{stage}/", lambda: {}, (302, 403, 403, 403, 302)),
    "add stage": ("/pipeline/stages/add/", lambda: {}, (302, 403, 403, 403, 302)),
    "delete stage": ("/pipeline/stages/{stage}/delete/", lambda: {"confirm": "yes"}, (302, 403, 403, 403, 302)),
}


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("name", list(WRITES))
def test_writes_are_refused_to_everyone_but_the_owner_and_managers(client_for, users, deal, who, name):
    url, data, expected = WRITES[name]
    response = client_for(users[who]).post(url.format(pk=deal.pk, stage=stage_named("Discovery").pk), data())
    assert response.status_code == expected[USERS.index(who)]
    if who == "anonymous":
        assert "/accounts/login/" in response["Location"]


def test_a_marketer_sees_deals_read_only(client_for, marketer, deal):
    html = client_for(marketer).get(f"/deals/{deal.pk}/").content.decode()
    assert "Save deal" not in html
    assert "Move deal" not in html
    board = client_for(marketer).get("/pipeline/").content.decode()
    assert "data-editable" not in board


def test_a_rep_cannot_reassign_through_the_edit_form(client_for, rep, other_rep, deal):
    client_for(rep).post(f"/deals/{deal.pk}/", {"title": "T", "amount": "1", "owner": other_rep.pk})
    deal.refresh_from_db()
    assert deal.owner == rep


def test_a_manager_reassigns_a_deal(client_for, manager, other_rep, deal):
    response = client_for(manager).post(
        f"/deals/{deal.pk}/", {"title": deal.title, "amount": "5", "owner": other_rep.pk}
    )
    deal.refresh_from_db()
    assert response.status_code == 302
    assert deal.owner == other_rep


def test_managers_find_pipelines_deals_and_activities_in_the_admin(client_for, manager, deal):
    client = client_for(manager)
    pipeline_id = stage_named("Demo").pipeline_id
    for url in (
        "/admin/deals/deal/",
        f"/admin/deals/deal/{deal.pk}/change/",
        f"/admin/deals/pipeline/{pipeline_id}/change/",
        "/admin/deals/activity/",
    ):
        assert client.get(url).status_code == 200, url
