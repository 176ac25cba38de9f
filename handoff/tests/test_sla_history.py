"""The SLA has a history: a change applies from its date (in TIME_ZONE) and never rewrites the past. Each
hand-over takes the SLA in force when it is made, and SLA compliance judges each answer by it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from handoff.models import Handoff, Sla
from handoff.selectors import sla_history, sla_hours_at
from handoff.services import accept_mql, hand_over_mql, reassign_overdue_mqls, set_sla
from leads.models import ScoringSettings
from leads.tests.factories import LeadFactory
from reports import sales
from reports.filters import ReportFilters

pytestmark = pytest.mark.django_db


def at(day, hour=9):
    return datetime.datetime(2026, 3, day, hour, tzinfo=timezone.get_current_timezone())


def in_march(first=1, last=31):
    return ReportFilters(date_from=datetime.date(2026, 3, first), date_to=datetime.date(2026, 3, last), preset="custom")


def in_march_summary(first=1, last=31):
    return sales.sales_report(in_march(first, last), now=at(31))["summary"]


@pytest.fixture
def clock(monkeypatch):
    """Set the clock every service reads (django.utils.timezone.now) to a moment."""

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def handed_over(clock, moment, rep):
    clock(moment)
    return hand_over_mql(lead_id=LeadFactory(score=ScoringSettings.load().mql_threshold).pk)


def answered(clock, handoff, hours):
    clock(handoff.handed_at + datetime.timedelta(hours=hours))
    return accept_mql(handoff_id=handoff.pk, by=handoff.rep)


def test_a_change_from_a_later_date_leaves_todays_hand_overs_and_past_compliance_as_they_were(clock, rep, manager):
    earlier = handed_over(clock, at(2), rep)
    answered(clock, earlier, 30)  # late under 24 h
    this_morning = handed_over(clock, at(5), rep)
    assert in_march_summary()["answered_within_sla"] == 0

    clock(at(5, 14))
    set_sla(hours=48, effective_from=datetime.date(2026, 3, 10), by=manager)
    later_today = handed_over(clock, at(5, 15), rep)

    assert sla_hours_at(at(5, 15)) == 24
    for handoff in (this_morning, later_today):
        handoff.refresh_from_db()
        assert (handoff.sla_hours, handoff.due_at - handoff.handed_at) == (24, datetime.timedelta(hours=24))
    assert in_march_summary()["answered_within_sla"] == 0  # the 30-hour answer of March 2 is still late


def test_a_hand_over_from_the_changes_date_on_takes_the_new_hours_in_the_sites_time_zone(clock, rep, manager, settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # UTC+13 in March: 11:30 UTC on the 9th is the 10th there
    clock(at(1))
    set_sla(hours=8, effective_from=datetime.date(2026, 3, 10), by=manager)
    eve = datetime.datetime(2026, 3, 9, 10, 30, tzinfo=datetime.UTC)
    day = datetime.datetime(2026, 3, 9, 11, 30, tzinfo=datetime.UTC)
    assert (sla_hours_at(eve), sla_hours_at(day)) == (24, 8)
    handoff = handed_over(clock, day, rep)
    assert (handoff.sla_hours, handoff.due_at) == (8, day + datetime.timedelta(hours=8))


def test_sla_compliance_before_and_after_a_change_agrees_with_the_hand_worked_figures(clock, rep, manager):
    # Under 24 h (March 1-9): answers after 10 h (in time) and 30 h (late).
    # Under 48 h from March 10: answers after 30 h and 40 h (both in time).
    for day, hours in ((2, 10), (3, 30)):
        answered(clock, handed_over(clock, at(day), rep), hours)
    clock(at(5))
    set_sla(hours=48, effective_from=datetime.date(2026, 3, 10), by=manager)
    for day, hours in ((12, 30), (13, 40)):
        answered(clock, handed_over(clock, at(day), rep), hours)
    handed_over(clock, at(14), rep)  # still waiting: handed over, not answered

    before, after, month = in_march_summary(1, 9), in_march_summary(10, 31), in_march_summary()
    assert (before["handed_over"], before["answered_within_sla"], before["sla_compliance"]) == (2, 1, 0.5)
    assert (after["handed_over"], after["answered_within_sla"]) == (3, 2)
    assert (month["handed_over"], month["answered_within_sla"]) == (5, 3)
    assert [(row["handed_over"], row["within_sla"]) for row in sales.rep_table(in_march())] == [(5, 3)]

    clock(at(20))
    set_sla(hours=1, effective_from=datetime.date(2026, 3, 20), by=manager)  # a later change rewrites none
    assert in_march_summary()["answered_within_sla"] == 3


def test_a_reassigned_mql_is_due_within_the_sla_in_force_at_its_reassignment(clock, rep, other_rep, manager):
    clock(at(1))
    set_sla(hours=48, effective_from=datetime.date(2026, 3, 3), by=manager)
    handoff = handed_over(clock, at(2), rep)  # due after 24 h, on March 3 at 09:00
    clock(at(3, 10))
    assert reassign_overdue_mqls() == 1
    handoff.refresh_from_db()
    assert handoff.rep != handoff.previous_rep
    assert handoff.due_at == at(3, 10) + datetime.timedelta(hours=48)
    assert handoff.sla_hours == 24  # its answer is still judged from its hand-over, by the SLA it was given


def test_the_past_cannot_be_set_and_a_later_setting_for_the_same_day_takes_the_place_of_the_earlier(clock, manager):
    clock(at(5))
    with pytest.raises(ValidationError, match="today or later"):
        set_sla(hours=8, effective_from=datetime.date(2026, 3, 4), by=manager)
    set_sla(hours=8, effective_from=datetime.date(2026, 3, 5), by=manager)
    set_sla(hours=12, effective_from=datetime.date(2026, 3, 9), by=manager)
    clock(at(5, 10))
    set_sla(hours=16, effective_from=datetime.date(2026, 3, 9), by=manager)
    assert [sla_hours_at(at(day)) for day in (4, 5, 9)] == [24, 8, 16]
    rows = [(sla.hours, sla.status) for sla in sla_history(today=datetime.date(2026, 3, 5))]
    assert rows == [(16, "scheduled"), (12, "replaced"), (8, "in force"), (24, "past")]
    assert Sla.objects.count() == 4


def test_with_no_sla_row_at_all_the_default_applies(clock, rep):
    Sla.objects.all().delete()
    handoff = handed_over(clock, at(2), rep)
    assert (sla_hours_at(), handoff.sla_hours) == (Sla.DEFAULT_HOURS, 24)


def test_the_settings_page_sets_an_sla_from_a_later_date_and_shows_the_history(client_for, manager, rep):
    today = timezone.localdate()
    later = today + datetime.timedelta(days=7)
    data = {"sla-sla_hours": "8", "sla-effective_from": f"{later}", "pipeline-name": "Sales"}
    data["pipeline-rotting_days"] = "14"
    client = client_for(manager)
    assert client.post("/settings/", data).status_code == 302
    assert (sla_hours_at(), Sla.objects.first().hours) == (24, 8)
    handoff = hand_over_mql(lead_id=LeadFactory(score=ScoringSettings.load().mql_threshold).pk)
    assert handoff.sla_hours == 24
    page = client.get("/settings/").content.decode()
    assert 'data-testid="sla-history"' in page
    for shown in ("Scheduled", "In force", f"{later:%-d %b %Y}", "8 h", "24 h", "the start"):
        assert shown in page, shown
    assert Handoff.objects.get(pk=handoff.pk).due_at - handoff.handed_at == datetime.timedelta(hours=24)
