"""My day, the rep's home page: its four sections in order, each with its count, its rows and its empty state,
each capped, in a fixed number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agenda.models import Task
from agenda.selectors import ROWS_PER_SECTION, deals_rotting, start_of_tomorrow, tasks_due
from agenda.templatetags.my_day import hours_and_minutes
from deals.models import Deal
from deals.selectors import decorate_card
from deals.tests.factories import DealFactory, stage_named
from handoff.models import Handoff
from leads.models import LifecycleStage
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = reverse("agenda:my_day")
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def waiting_mql(rep, *, due_in, name="Mia"):
    lead = LeadFactory(first_name=name, last_name="Quinn", stage=LifecycleStage.MQL, mql_at=timezone.now())
    now = timezone.now()
    return Handoff.objects.create(lead=lead, rep=rep, score=60, handed_at=now, due_at=now + due_in)


def idle_deal(owner, *, days, **fields):
    """A deal whose stage last changed `days` days ago, with no activity since."""
    return DealFactory(owner=owner, stage_changed_at=timezone.now() - days * DAY, **fields)


def task_due(assignee, *, due_in, title="Call back", **fields):
    fields.setdefault("deal", fields.pop("on", None) or DealFactory(owner=assignee))
    return Task.objects.create(title=title, assignee=assignee, due_at=timezone.now() + due_in, **fields)


def section(html, name):
    """The HTML of one section of the page."""
    match = re.search(rf'<section[^>]*data-testid="section-{name}".*?</section>', html, re.S)
    assert match, f"no {name} section"
    return match.group(0)


def count_of(html, name) -> int:
    return int(re.search(r'data-testid="count">(\d+)<', section(html, name)).group(1))


def test_the_sections_come_in_the_order_a_rep_works_them(client_for, rep):
    html = client_for(rep).get(URL).content.decode()
    headings = re.findall(r"<h2[^>]*>([^<]+)<", html)
    assert [heading.strip() for heading in headings] == [
        "MQLs waiting",
        "Tasks overdue and due today",
        "Deals rotting",
        "Deals past their expected close date",
    ]


def test_an_empty_day_says_what_to_do_in_each_section(client_for, rep):
    html = client_for(rep).get(URL).content.decode()
    for name, message in [
        ("mqls", "No MQLs waiting."),
        ("tasks", "No tasks due today."),
        ("rotting", "No deal is rotting."),
        ("past-close", "No open deal is past its expected close date."),
    ]:
        assert message in section(html, name)
        assert 'data-testid="empty-state"' in section(html, name)
        assert count_of(html, name) == 0


def test_mqls_show_the_time_left_on_their_sla_the_soonest_first(client_for, rep, other_rep):
    waiting_mql(rep, due_in=3 * HOUR + 12 * datetime.timedelta(minutes=1, seconds=3), name="Later")
    waiting_mql(rep, due_in=-2 * HOUR - datetime.timedelta(seconds=20), name="Missed")
    waiting_mql(other_rep, due_in=HOUR, name="Elsewhere")
    html = section(client_for(rep).get(URL).content.decode(), "mqls")
    assert re.findall(r"(Later|Missed|Elsewhere) Quinn</a>", html) == ["Missed", "Later"]
    assert re.findall(r'<span class="badge ([^"]+)" data-testid="sla">([^<]+)<', html) == [
        ("text-bg-danger", "overdue by 2 h"),
        ("text-bg-warning", "3 h 12 min left"),
    ]
    assert count_of(client_for(rep).get(URL).content.decode(), "mqls") == 2


def test_a_rep_accepts_an_mql_in_place_and_the_row_links_the_new_deal(client_for, rep):
    handoff = waiting_mql(rep, due_in=HOUR)
    html = client_for(rep).get(URL).content.decode()
    accept = reverse("handoff:accept_mql", args=[handoff.pk])
    assert f'hx-post="{accept}" hx-target="#handoff-{handoff.pk}"' in html
    assert f'id="handoff-{handoff.pk}"' in html
    response = client_for(rep).post(accept, headers={"HX-Request": "true"})
    deal = Deal.objects.get(lead=handoff.lead)
    assert deal.owner == rep
    row = response.content.decode()
    assert f'id="handoff-{handoff.pk}"' in row
    assert f'href="{deal.get_absolute_url()}" data-testid="created-deal"' in row
    assert "No MQLs waiting." in client_for(rep).get(URL).content.decode()


def test_the_reject_dialog_of_the_inbox_is_offered_in_place(client_for, rep):
    handoff = waiting_mql(rep, due_in=HOUR)
    html = section(client_for(rep).get(URL).content.decode(), "mqls")
    reject = reverse("handoff:reject_mql", args=[handoff.pk])
    assert f'hx-post="{reject}" hx-target="#handoff-{handoff.pk}"' in html
    assert 'name="reason"' in html and "No budget" in html


def test_deals_rotting_are_the_reps_open_idle_deals_idle_longest_first(client_for, rep, other_rep):
    idle_deal(rep, days=20, title="Idle twenty")
    idle_deal(rep, days=30, title="Idle thirty")
    idle_deal(rep, days=2, title="Fresh")
    idle_deal(rep, days=40, title="Lost long ago", stage=stage_named("Closed lost"))
    idle_deal(other_rep, days=40, title="Not hers")
    worked = idle_deal(rep, days=40, title="Called yesterday")
    Deal.objects.filter(pk=worked.pk).update(last_activity_at=timezone.now() - DAY)
    html = client_for(rep).get(URL).content.decode()
    rows = section(html, "rotting")
    assert re.findall(r'class="fw-semibold" href="[^"]+">([^<]+)<', rows) == ["Idle thirty", "Idle twenty"]
    assert "no activity for 30 days" in rows
    assert count_of(html, "rotting") == 2


def test_logging_a_call_on_a_rotting_deal_from_its_row_makes_it_fresh(client_for, rep):
    deal = idle_deal(rep, days=20, title="Gone quiet")
    log = reverse("agenda:log_deal_activity", args=[deal.pk])
    assert f'hx-post="{log}"' in section(client_for(rep).get(URL).content.decode(), "rotting")
    response = client_for(rep).post(log, {"kind": "call", "subject": "Rang Ann"}, headers={"HX-Request": "true"})
    assert f'id="rotting-deal-{deal.pk}"' in response.content.decode()
    assert "Call logged: fresh again" in response.content.decode()
    assert deal.activities.get().subject == "Rang Ann"
    assert count_of(client_for(rep).get(URL).content.decode(), "rotting") == 0


def test_an_activity_without_a_subject_is_refused_in_the_row(client_for, rep):
    deal = idle_deal(rep, days=20)
    log = reverse("agenda:log_deal_activity", args=[deal.pk])
    response = client_for(rep).post(log, {"kind": "call", "subject": ""}, headers={"HX-Request": "true"})
    assert 'role="alert">This field is required.' in response.content.decode()
    assert '<option value="call">Call</option>' in response.content.decode()  # the form again, to fix
    assert not deal.activities.exists()


def test_my_day_and_the_board_agree_on_which_deals_rot(rep):
    """One rule: the section's filter flags exactly the deals the board's cards flag, around the threshold."""
    now = timezone.now()
    deals = [idle_deal(rep, days=days) for days in (13, 14, 15)]
    deals.append(DealFactory(owner=rep, stage_changed_at=now - 14 * DAY - datetime.timedelta(seconds=1)))
    in_section = {deal.pk for deal in deals_rotting(rep, now).rows}
    on_board = {
        deal.pk
        for deal in Deal.objects.select_related("stage", "owner")
        if decorate_card(deal, now=now, today=now.date(), rotting_before=now - 14 * DAY).is_rotting
    }
    assert in_section == on_board == {deals[2].pk, deals[3].pk}


def test_deals_past_their_close_date_are_the_reps_open_ones_longest_passed_first(client_for, rep, other_rep):
    today = timezone.localdate()
    DealFactory(owner=rep, title="Last week", expected_close_date=today - 7 * DAY)
    DealFactory(owner=rep, title="Last month", expected_close_date=today - 30 * DAY)
    DealFactory(owner=rep, title="Today", expected_close_date=today)
    DealFactory(owner=rep, title="Won", expected_close_date=today - 9 * DAY, stage=stage_named("Closed won"))
    DealFactory(owner=other_rep, title="Not hers", expected_close_date=today - 9 * DAY)
    html = client_for(rep).get(URL).content.decode()
    rows = section(html, "past-close")
    assert re.findall(r'class="fw-semibold" href="[^"]+">([^<]+)<', rows) == ["Last month", "Last week"]
    assert "expected" in rows and "30 days ago" in rows
    assert count_of(html, "past-close") == 2


def test_a_rep_moves_a_late_deals_close_date_in_place(client_for, rep):
    deal = DealFactory(owner=rep, title="Slipped", expected_close_date=timezone.localdate() - 5 * DAY)
    move = reverse("agenda:move_close_date", args=[deal.pk])
    assert f'hx-post="{move}"' in section(client_for(rep).get(URL).content.decode(), "past-close")
    new_date = timezone.localdate() + 14 * DAY
    response = client_for(rep).post(move, {"expected_close_date": new_date.isoformat()}, headers={"HX-Request": "true"})
    assert f'id="past-close-deal-{deal.pk}"' in response.content.decode()
    assert 'data-testid="deal-done"' in response.content.decode()
    deal.refresh_from_db()
    assert deal.expected_close_date == new_date
    assert count_of(client_for(rep).get(URL).content.decode(), "past-close") == 0


def test_a_close_date_already_passed_is_refused_with_the_reason_in_the_row(client_for, rep):
    passed = timezone.localdate() - 5 * DAY
    deal = DealFactory(owner=rep, expected_close_date=passed)
    move = reverse("agenda:move_close_date", args=[deal.pk])
    yesterday = (timezone.localdate() - DAY).isoformat()
    response = client_for(rep).post(move, {"expected_close_date": yesterday}, headers={"HX-Request": "true"})
    assert "this one has passed too" in response.content.decode()
    without_htmx = client_for(rep).post(move, {"expected_close_date": "not a date"})
    assert without_htmx["Location"] == URL
    deal.refresh_from_db()
    assert deal.expected_close_date == passed


def test_tasks_due_are_the_assignees_open_ones_due_by_midnight_in_the_sites_time_zone(settings, rep, other_rep):
    settings.TIME_ZONE = "Europe/Berlin"
    # 22:30 in Berlin (21:30 UTC): "today" ends in 90 minutes, though UTC's day has two and a half hours left.
    now = datetime.datetime(2026, 3, 10, 21, 30, tzinfo=datetime.UTC)
    assert start_of_tomorrow(now) == datetime.datetime(2026, 3, 10, 23, 0, tzinfo=datetime.UTC)
    deal = DealFactory(owner=rep)

    def task(title, due_at, **fields):
        return Task.objects.create(title=title, deal=deal, due_at=due_at, **{"assignee": rep} | fields)

    task("Tonight", now + HOUR)
    task("Last week", now - 7 * DAY)
    task("Overdue an hour", now - HOUR)
    task("After midnight", now + 2 * HOUR)
    task("Done already", now - DAY, done_at=now - HOUR)
    task("Someone else's", now - HOUR, assignee=other_rep)
    assert [t.title for t in tasks_due(rep, now).rows] == ["Last week", "Overdue an hour", "Tonight"]


def test_tasks_due_today_are_answered_in_place_overdue_first(client_for, rep, other_rep):
    tonight = start_of_tomorrow(timezone.now()) - datetime.timedelta(seconds=1)
    Task.objects.create(title="Call at night", deal=DealFactory(owner=rep), assignee=rep, due_at=tonight)
    overdue = task_due(rep, due_in=-2 * HOUR, title="Send the contract")
    Task.objects.create(title="Tomorrow's", deal=DealFactory(owner=rep), assignee=rep, due_at=tonight + 2 * HOUR)
    task_due(other_rep, due_in=-HOUR, title="Sam's call")
    html = client_for(rep).get(URL).content.decode()
    rows = section(html, "tasks")
    assert re.findall(r"<div class=\"text-break\">([^<]+)</div>", rows) == ["Send the contract", "Call at night"]
    assert count_of(html, "tasks") == 2
    done = reverse("agenda:task_done", args=[overdue.pk])
    assert f'hx-post="{done}"' in rows and f'hx-target="#task-{overdue.pk}"' in rows
    assert 'value="tomorrow"' in rows and 'value="next_week"' in rows and ">Open</a>" in rows
    response = client_for(rep).post(done, headers={"HX-Request": "true"})
    assert f'id="task-{overdue.pk}"' in response.content.decode()
    assert count_of(client_for(rep).get(URL).content.decode(), "tasks") == 1


def test_a_full_section_shows_its_first_rows_and_how_many_more(client_for, rep):
    for _ in range(ROWS_PER_SECTION + 3):
        idle_deal(rep, days=20, expected_close_date=timezone.localdate() - DAY)
    html = client_for(rep).get(URL).content.decode()
    assert count_of(html, "rotting") == count_of(html, "past-close") == ROWS_PER_SECTION + 3
    assert section(html, "rotting").count('data-testid="rotting-deal"') == ROWS_PER_SECTION
    assert f'?owner={rep.pk}&amp;sort=changed">and 3 more in the deal list' in section(html, "rotting")
    assert f'?owner={rep.pk}&amp;sort=close">and 3 more in the deal list' in section(html, "past-close")


def fill_the_day(rep, rows):
    for n in range(rows):
        waiting_mql(rep, due_in=HOUR, name=f"Lead{n}")
        idle_deal(rep, days=20, expected_close_date=timezone.localdate() - DAY)
        task_due(rep, due_in=-HOUR)


# The most queries the page takes: the session, the user, their roles and the menu's counts (5 for a rep; 4 and
# the list of reps for a manager), the pipelines' rotting thresholds (1), each section's rows and, once the
# section is full, its count (4 to 8).
MOST_QUERIES = 14


@pytest.mark.parametrize("viewer", ["rep", "manager"])
def test_the_page_takes_a_fixed_number_of_queries_whatever_the_number_of_rows(
    client_for, rep, manager, viewer, django_assert_max_num_queries
):
    """Rows grow from 1 to 2 full sections' worth: only each section's count is added, once it is full."""
    client = client_for(rep if viewer == "rep" else manager)
    asked = {} if viewer == "rep" else {"rep": "team"}
    counts = []
    for rows in (1, ROWS_PER_SECTION, ROWS_PER_SECTION):
        fill_the_day(rep, rows)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, asked).status_code == 200
        counts.append(len(queries))
    assert counts[1] == counts[2] == counts[0] + 4
    with django_assert_max_num_queries(MOST_QUERIES):
        client.get(URL, asked)


def test_an_sla_reads_in_hours_and_minutes():
    minute = datetime.timedelta(minutes=1)
    assert hours_and_minutes(3 * HOUR + 12 * minute + datetime.timedelta(seconds=59)) == "3 h 12 min"
    assert hours_and_minutes(2 * HOUR) == "2 h"
    assert hours_and_minutes(45 * minute) == "45 min"
    assert hours_and_minutes(DAY + 4 * HOUR + 5 * minute) == "1 d 4 h"
    assert hours_and_minutes(datetime.timedelta(seconds=30)) == "under 1 min"
