"""The task list (/tasks/): whose tasks each role sees, the filters it shares with the API, its order and pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agenda.selectors import ROWS_PER_SECTION
from agenda.tests.factories import TaskFactory
from companies.tests.factories import CompanyFactory
from crm.tests.factories import UserFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
URL = reverse("agenda:task_list")
HOUR = timedelta(hours=1)


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [task.title for task in response.context["page"].object_list]


def due_in(delta, **fields):
    return TaskFactory(due_at=timezone.now() + delta, **fields)


def test_a_rep_sees_their_own_open_tasks_soonest_due_first(client_for, rep, other_rep):
    due_in(2 * HOUR, assignee=rep, title="Later")
    due_in(-HOUR, assignee=rep, title="Overdue")
    due_in(HOUR, assignee=other_rep, title="Sam's")
    due_in(HOUR, assignee=rep, title="Done", done_at=timezone.now())
    assert titles(client_for(rep).get(URL)) == ["Overdue", "Later"]


def test_a_rep_asking_for_another_reps_tasks_still_gets_their_own(client_for, rep, other_rep):
    due_in(HOUR, assignee=rep, title="Mine")
    due_in(HOUR, assignee=other_rep, title="Sam's")
    client = client_for(rep)
    assert titles(client.get(URL, {"assignee": other_rep.pk})) == ["Mine"]
    assert titles(client.get(URL, {"assignee": "team"})) == ["Mine"]
    assert "assignee" not in client.get(URL).context["form"].fields


def test_a_manager_sees_the_teams_tasks_or_one_reps(client_for, manager, rep, other_rep, marketer):
    due_in(HOUR, assignee=rep, title="Rita's")
    due_in(2 * HOUR, assignee=other_rep, title="Sam's")
    due_in(HOUR, assignee=marketer, title="Maya's")  # not a sales rep: not the team's
    client = client_for(manager)
    assert titles(client.get(URL)) == ["Rita's", "Sam's"]
    assert titles(client.get(URL, {"assignee": other_rep.pk})) == ["Sam's"]


def test_a_manager_sees_their_own_tasks_when_asked(client_for, manager, rep):
    due_in(HOUR, assignee=manager, title="Omar's")
    due_in(HOUR, assignee=rep, title="Rita's")
    assert titles(client_for(manager).get(URL, {"assignee": manager.pk})) == ["Omar's"]


def test_a_manager_asking_for_someone_not_offered_gets_the_team_and_the_error(client_for, manager, rep):
    due_in(HOUR, assignee=rep, title="Rita's")
    response = client_for(manager).get(URL, {"assignee": UserFactory(role="Marketer").pk})
    assert titles(response) == ["Rita's"]
    assert "Select a valid choice" in response.content.decode()


def test_a_marketer_sees_their_own_tasks(client_for, marketer, rep):
    due_in(HOUR, assignee=marketer, title="Maya's", deal=None, lead=LeadFactory())
    due_in(HOUR, assignee=rep, title="Rita's")
    assert titles(client_for(marketer).get(URL)) == ["Maya's"]


def test_someone_without_a_role_is_refused(client_for):
    assert client_for(UserFactory()).get(URL).status_code == 403


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("open", ["Overdue", "Tonight", "Next week"]),
        ("overdue", ["Overdue"]),
        ("today", ["Overdue", "Tonight"]),
        ("done", ["Done last", "Done first"]),
    ],
)
def test_the_status_filter(client_for, rep, status, expected):
    now = timezone.now()
    tonight = timezone.localtime(now).replace(hour=23, minute=59, second=0, microsecond=0)
    if tonight <= now:  # a minute before midnight: nothing is left of today
        pytest.skip("no time left today")
    due_in(-HOUR, assignee=rep, title="Overdue")
    TaskFactory(assignee=rep, title="Tonight", due_at=tonight)
    due_in(timedelta(days=7), assignee=rep, title="Next week")
    due_in(-HOUR, assignee=rep, title="Done first", done_at=now - 2 * HOUR)
    due_in(HOUR, assignee=rep, title="Done last", done_at=now - HOUR)
    assert titles(client_for(rep).get(URL, {"status": status})) == expected


def test_an_unknown_status_shows_the_open_tasks_and_says_why(client_for, rep):
    due_in(HOUR, assignee=rep, title="Open")
    due_in(HOUR, assignee=rep, title="Done", done_at=timezone.now())
    response = client_for(rep).get(URL, {"status": "someday"})
    assert titles(response) == ["Open"]
    assert "Status: Select a valid choice" in response.content.decode()


def test_the_record_filter_and_the_title_search(client_for, rep):
    due_in(HOUR, assignee=rep, title="Call the CFO")
    due_in(2 * HOUR, assignee=rep, title="Call back the lead", deal=None, lead=LeadFactory())
    due_in(3 * HOUR, assignee=rep, title="Send the contract", deal=None, company=CompanyFactory())
    client = client_for(rep)
    assert titles(client.get(URL, {"record": "lead"})) == ["Call back the lead"]
    assert titles(client.get(URL, {"record": "company"})) == ["Send the contract"]
    assert titles(client.get(URL, {"record": "deal"})) == ["Call the CFO"]
    assert titles(client.get(URL, {"q": "CALL"})) == ["Call the CFO", "Call back the lead"]
    assert titles(client.get(URL, {"q": "call", "record": "lead"})) == ["Call back the lead"]


def test_the_list_pages_and_its_links_keep_the_filters(client_for, rep):
    for hours in range(1, 31):
        due_in(hours * HOUR, assignee=rep, title=f"Call {hours:02}")
    client = client_for(rep)
    first = client.get(URL, {"q": "call"})
    assert titles(first) == [f"Call {hours:02}" for hours in range(1, 26)]
    assert "?q=call&amp;page=2" in first.content.decode()
    assert "30 tasks" in first.content.decode()
    assert titles(client.get(URL, {"q": "call", "page": 2})) == [f"Call {hours:02}" for hours in range(26, 31)]


def test_each_row_is_actionable_in_place(client_for, rep):
    task = due_in(HOUR, assignee=rep, title="Call back")
    page = client_for(rep).get(URL).content.decode()
    assert reverse("agenda:task_done", args=[task.pk]) in page
    assert reverse("agenda:task_snooze", args=[task.pk]) in page
    assert task.deal.get_absolute_url() in page


def test_a_done_task_says_who_ticked_it_done(client_for, rep, manager):
    task = due_in(HOUR, assignee=rep, title="Call back")
    client_for(manager).post(reverse("agenda:task_done", args=[task.pk]))
    page = client_for(rep).get(URL, {"status": "done"}).content.decode()
    assert "1 done task, the latest done first" in page
    assert "by omar" in page.lower() or f"by {manager.get_full_name()}" in page


def test_an_empty_list_says_what_to_do(client_for, rep):
    page = client_for(rep).get(URL).content.decode()
    assert "No tasks match these filters." in page
    assert "its Tasks panel adds one" in page


def test_the_filter_button_counts_only_filters_that_narrow(client_for, manager, rep):
    client = client_for(manager)
    assert 'id="task-filters-count"></span>' in client.get(URL).content.decode()
    narrowed = client.get(URL, {"status": "done", "assignee": rep.pk, "record": "lead", "q": "call"})
    assert '<span id="task-filters-count"><span class="badge rounded-pill text-bg-primary ms-1">4</span>' in (
        narrowed.content.decode()
    )


# The most queries the list takes: the session, the user, their roles, the menu's counts, the reps offered (a
# manager), the tasks' count and the page of them.
MOST_QUERIES = 7


@pytest.mark.parametrize("viewer", ["rep", "manager"])
def test_the_list_takes_the_same_number_of_queries_with_2_or_40_tasks(
    client_for, rep, manager, viewer, django_assert_max_num_queries
):
    client = client_for(rep if viewer == "rep" else manager)
    counts = []
    for added in (2, 38):
        for _ in range(added):
            due_in(HOUR, assignee=rep, deal=None, company=CompanyFactory())
        with CaptureQueriesContext(connection) as queries:
            client.get(URL)
        counts.append(len(queries))
        with django_assert_max_num_queries(MOST_QUERIES):
            response = client.get(URL)
        assert len(response.context["page"].object_list) == min(2 + 38 * (added == 38), 25)
    assert counts[0] == counts[1]


def test_my_days_more_link_lists_the_same_tasks(client_for, rep):
    for n in range(ROWS_PER_SECTION + 3):
        due_in(-HOUR - n * timedelta(minutes=1), assignee=rep, title=f"Late {n}")
    due_in(timedelta(days=3), assignee=rep, title="Later this week")
    client = client_for(rep)
    day = client.get(reverse("agenda:my_day"))
    link = f"{URL}?assignee={rep.pk}&amp;status=today"
    assert link in day.content.decode()
    listed = client.get(URL, {"assignee": rep.pk, "status": "today"})
    assert listed.context["page"].paginator.count == ROWS_PER_SECTION + 3
    assert "Later this week" not in listed.content.decode()
