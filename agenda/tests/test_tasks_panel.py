"""The task panel of the lead, deal and company pages: listed, added, refused with the form's errors."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.forms import default_due_at
from agenda.models import Task
from agenda.tests.factories import TaskFactory
from companies.tests.factories import CompanyFactory
from crm.people import display_name
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_panel_lists_open_tasks_by_due_time_and_the_recently_done(client_for, rep):
    deal = DealFactory(owner=rep)
    TaskFactory(deal=deal, assignee=rep, title="Second", due_at=timezone.now() + timedelta(days=2))
    TaskFactory(deal=deal, assignee=rep, title="First", due_at=timezone.now() + timedelta(days=1))
    TaskFactory(deal=deal, assignee=rep, title="Finished", done_at=timezone.now())
    TaskFactory(title="On another deal")
    html = client_for(rep).get(reverse("agenda:deal_tasks", args=[deal.pk]), **HTMX).content.decode()
    assert html.index("First") < html.index("Second") < html.index("Recently done") < html.index("Finished")
    assert "On another deal" not in html
    assert "2 open" in html


def test_an_empty_panel_says_what_to_do(client_for, rep):
    html = client_for(rep).get(reverse("agenda:lead_tasks", args=[LeadFactory().pk]), **HTMX).content.decode()
    assert "No open tasks on this lead. Add the next step below" in html


def test_a_page_load_of_the_panel_goes_to_the_record(client_for, rep):
    company = CompanyFactory()
    response = client_for(rep).get(reverse("agenda:company_tasks", args=[company.pk]))
    assert response.status_code == 302 and response.url == company.get_absolute_url()


def test_a_rep_adds_a_task_for_themselves_and_gets_a_fresh_form(client_for, rep):
    deal = DealFactory(owner=rep)
    data = {"title": "Send the contract", "due_date": "2026-12-10", "due_time": "14:30", "note": "v2"}
    response = client_for(rep).post(reverse("agenda:deal_tasks", args=[deal.pk]), data, **HTMX)
    task = Task.objects.get()
    assert (task.title, task.deal, task.assignee, task.note) == ("Send the contract", deal, rep, "v2")
    assert timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M") == "2026-12-10 14:30"
    html = response.content.decode()
    assert "Send the contract" in html
    assert 'name="title"' in html and 'value="Send the contract"' not in html
    assert 'name="assignee"' not in html  # only managers pick


def test_a_new_task_is_due_tomorrow_at_nine_by_default(client_for, rep):
    html = client_for(rep).get(reverse("agenda:lead_tasks", args=[LeadFactory().pk]), **HTMX).content.decode()
    due = timezone.localtime(default_due_at())
    assert (due.date(), due.hour, due.minute) == (timezone.localdate() + timedelta(days=1), 9, 0)
    assert f'value="{due:%Y-%m-%d}"' in html and 'value="09:00"' in html


def test_a_manager_assigns_a_task_to_a_rep(client_for, manager, rep):
    lead = LeadFactory()
    panel = reverse("agenda:lead_tasks", args=[lead.pk])
    assert 'name="assignee"' in client_for(manager).get(panel, **HTMX).content.decode()
    data = {"title": "Call", "due_date": "2026-12-10", "due_time": "09:00", "assignee": rep.pk}
    client_for(manager).post(panel, data, **HTMX)
    assert Task.objects.get().assignee == rep


def test_a_rep_cannot_slip_in_another_assignee(client_for, rep, other_rep):
    data = {"title": "Call", "due_date": "2026-12-10", "due_time": "09:00", "assignee": other_rep.pk}
    client_for(rep).post(reverse("agenda:lead_tasks", args=[LeadFactory().pk]), data, **HTMX)
    assert Task.objects.get().assignee == rep  # the field is not there for a rep: the task is theirs


def test_errors_come_back_in_the_form_with_what_was_typed(client_for, rep):
    data = {"title": "", "due_date": "someday", "due_time": "09:00", "note": "Keep me"}
    response = client_for(rep).post(reverse("agenda:lead_tasks", args=[LeadFactory().pk]), data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps the panel with its errors
    assert "This field is required." in html and "Enter a valid date." in html
    assert "Keep me" in html
    assert not Task.objects.exists()


def test_a_marketer_gets_no_form_on_a_deal_and_is_refused(client_for, marketer):
    deal = DealFactory()
    panel = reverse("agenda:deal_tasks", args=[deal.pk])
    assert 'name="title"' not in client_for(marketer).get(panel, **HTMX).content.decode()
    data = {"title": "Call", "due_date": "2026-12-10", "due_time": "09:00"}
    assert client_for(marketer).post(panel, data, **HTMX).status_code == 403
    client_for(marketer).post(reverse("agenda:company_tasks", args=[CompanyFactory().pk]), data, **HTMX)
    assert Task.objects.get().assignee == marketer


@pytest.mark.parametrize(
    ("url", "kind"),
    [("leads:lead_detail", "lead"), ("deals:deal_detail", "deal"), ("companies:detail", "company")],
)
def test_each_record_page_loads_its_task_panel(client_for, rep, url, kind):
    record = {"lead": LeadFactory, "deal": DealFactory, "company": CompanyFactory}[kind]()
    html = client_for(rep).get(reverse(url, args=[record.pk])).content.decode()
    assert f'hx-get="{reverse(f"agenda:{kind}_tasks", args=[record.pk])}"' in html


def test_a_date_out_of_range_is_refused_in_the_form(client_for, rep):
    data = {"title": "Far away", "due_date": "9999-12-31", "due_time": "23:59"}
    html = client_for(rep).post(reverse("agenda:lead_tasks", args=[LeadFactory().pk]), data, **HTMX).content.decode()
    assert "Enter a date from 1900-01-01 to 2200-12-31." in html
    assert not Task.objects.exists()


def test_the_deal_panel_says_who_ticked_a_recent_task_done(client_for, rep, manager):
    deal = DealFactory(owner=rep)
    task = TaskFactory(deal=deal, assignee=rep, title="Send the contract")
    client_for(manager).post(reverse("agenda:task_done", args=[task.pk]))
    html = client_for(rep).get(reverse("agenda:deal_tasks", args=[deal.pk]), **HTMX).content.decode()
    assert "Recently done" in html
    assert f"by {display_name(manager)}" in html
