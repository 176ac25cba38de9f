"""/api/v1/tasks/: list with filters, create, change, mark done; the pages' permission rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agenda.models import Task
from agenda.tests.factories import TaskFactory
from companies.tests.factories import CompanyFactory
from crm.tests.factories import UserFactory
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/tasks/"


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_the_list_filters_by_assignee_due_time_and_done_soonest_first(client_for, rep, other_rep):
    now = timezone.now()
    later = TaskFactory(assignee=rep, due_at=now + timedelta(days=3))
    soon = TaskFactory(assignee=rep, due_at=now + timedelta(hours=1))
    done = TaskFactory(assignee=rep, due_at=now - timedelta(days=1), done_at=now)
    theirs = TaskFactory(assignee=other_rep, due_at=now)
    client = client_for(rep)
    assert ids(client.get(URL)) == [done.pk, theirs.pk, soon.pk, later.pk]
    assert ids(client.get(URL, {"assignee": rep.pk})) == [done.pk, soon.pk, later.pk]
    assert ids(client.get(URL, {"assignee": rep.pk, "done": "false"})) == [soon.pk, later.pk]
    assert ids(client.get(URL, {"done": "true"})) == [done.pk]
    before = (now + timedelta(days=1)).isoformat()
    assert ids(client.get(URL, {"assignee": rep.pk, "due_before": before, "done": "false"})) == [soon.pk]
    page = client.get(URL).json()
    assert page["count"] == 4 and page["next"] is None
    assert page["results"][0]["done"] is True


def test_the_list_filters_by_status_record_and_title_as_the_task_list_does(client_for, rep):
    now = timezone.now()
    overdue = TaskFactory(assignee=rep, title="Call the CFO", due_at=now - timedelta(hours=1))
    on_lead = TaskFactory(
        assignee=rep, title="Call back", deal=None, lead=LeadFactory(), due_at=now + timedelta(days=3)
    )
    done = TaskFactory(assignee=rep, title="Send the deck", due_at=now - timedelta(days=1), done_at=now)
    client = client_for(rep)
    assert ids(client.get(URL, {"status": "overdue"})) == [overdue.pk]
    assert ids(client.get(URL, {"status": "open"})) == [overdue.pk, on_lead.pk]
    assert ids(client.get(URL, {"status": "done"})) == [done.pk]
    assert ids(client.get(URL, {"record": "lead"})) == [on_lead.pk]
    assert ids(client.get(URL, {"q": "call", "record": "deal"})) == [overdue.pk]


def test_a_done_task_says_who_ticked_it_done(client_for, rep):
    task = TaskFactory(assignee=rep)
    assert client_for(rep).post(f"{URL}{task.pk}/done/").json()["done_by"] == rep.pk
    assert client_for(rep).get(f"{URL}{TaskFactory(assignee=rep).pk}/").json()["done_by"] is None


def test_bad_filters_are_a_400_naming_the_filter(client_for, rep):
    client = client_for(rep)
    for params, field in [
        ({"due_before": "soon"}, "due_before"),
        ({"assignee": "x"}, "assignee"),
        ({"status": "someday"}, "status"),
        ({"record": "campaign"}, "record"),
    ]:
        response = client.get(URL, params)
        assert response.status_code == 400 and field in response.json(), params
    assert "due_before" in client.get(URL, {"due_before": "9999-12-31T23:00:00+00:00"}).json()


def test_a_rep_creates_a_task_for_themselves(client_for, rep):
    deal = DealFactory(owner=rep)
    due = (timezone.now() + timedelta(days=1)).isoformat()
    response = client_for(rep).post(
        URL, {"title": "Send the contract", "deal": deal.pk, "due_at": due}, "application/json"
    )
    assert response.status_code == 201
    task = Task.objects.get()
    assert (task.title, task.deal, task.assignee, task.created_by) == ("Send the contract", deal, rep, rep)
    assert response.json()["assignee"] == rep.pk and response.json()["done"] is False


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "No record"}, "lead"),
        ({"title": "Two records", "lead": "LEAD", "company": "COMPANY"}, "company"),
        ({"title": "", "lead": "LEAD"}, "title"),
        ({"title": "Bad time", "lead": "LEAD", "due_at": "tomorrow"}, "due_at"),
        ({"title": "Far", "lead": "LEAD", "due_at": "9999-12-31T10:00:00Z"}, "due_at"),
        ({"title": "Not mine to give", "lead": "LEAD", "assignee": "OTHER"}, "assignee"),
        ({"title": "No such lead", "lead": 999999}, "lead"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client_for, rep, other_rep, data, field):
    lead, company = LeadFactory(), CompanyFactory()
    swap = {"LEAD": lead.pk, "COMPANY": company.pk, "OTHER": other_rep.pk}
    data = {"due_at": timezone.now().isoformat(), **{k: swap.get(v, v) for k, v in data.items()}}
    response = client_for(rep).post(URL, data, "application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Task.objects.exists()


def test_a_manager_gives_a_task_to_a_rep_and_a_marketer_adds_none_on_deals(client_for, manager, marketer, rep):
    due = timezone.now().isoformat()
    lead, deal = LeadFactory(), DealFactory()
    data = {"title": "Call", "lead": lead.pk, "due_at": due, "assignee": rep.pk}
    assert client_for(manager).post(URL, data, "application/json").status_code == 201
    assert Task.objects.get().assignee == rep
    response = client_for(marketer).post(URL, {"title": "Call", "deal": deal.pk, "due_at": due}, "application/json")
    assert response.status_code == 400 and "deal" in response.json()
    assert Task.objects.count() == 1


def test_patch_changes_the_task_and_a_new_due_time_arms_the_reminder(client_for, rep):
    task = TaskFactory(assignee=rep, reminded_at=timezone.now())
    due = timezone.now() + timedelta(days=2)
    response = client_for(rep).patch(
        f"{URL}{task.pk}/", {"title": "Renamed", "due_at": due.isoformat()}, "application/json"
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.title, task.due_at, task.reminded_at) == ("Renamed", due, None)


def test_a_task_stays_on_its_record_and_put_is_not_offered(client_for, rep):
    task = TaskFactory(assignee=rep)
    client = client_for(rep)
    other = DealFactory()
    client.patch(f"{URL}{task.pk}/", {"deal": other.pk}, "application/json")
    assert Task.objects.get(pk=task.pk).deal_id == task.deal_id
    assert client.put(f"{URL}{task.pk}/", {"title": "x"}, "application/json").status_code == 405


def test_marking_done_once_and_only_by_those_who_may(client_for, rep, other_rep, manager):
    task = TaskFactory(assignee=rep)
    assert client_for(other_rep).post(f"{URL}{task.pk}/done/").status_code == 403
    assert client_for(other_rep).patch(f"{URL}{task.pk}/", {"title": "Mine"}, "application/json").status_code == 403
    response = client_for(rep).post(f"{URL}{task.pk}/done/")
    assert response.status_code == 200 and response.json()["done"] is True
    first = Task.objects.get(pk=task.pk).done_at
    assert client_for(manager).post(f"{URL}{task.pk}/done/").json()["done_at"] is not None
    assert Task.objects.get(pk=task.pk).done_at == first


def test_without_a_role_there_are_no_tasks(client_for):
    nobody = UserFactory(username="nobody")
    TaskFactory()
    assert client_for(nobody).get(URL).status_code == 403
