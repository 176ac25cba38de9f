from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory
from deals.models import Activity, Deal
from deals.services import move_deal
from deals.tests.factories import ActivityFactory, DealFactory, stage_named
from leads.models import EventKind
from leads.tests.factories import LeadEventFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_logging_a_call_with_htmx_returns_the_activity_list_and_stops_rotting(client_for, rep):
    deal = DealFactory(owner=rep)
    response = client_for(rep).post(
        f"/deals/{deal.pk}/activities/", {"kind": "call", "subject": "Discussed pricing"}, HTTP_HX_REQUEST="true"
    )
    deal.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Discussed pricing" in html
    assert "<html" not in html  # a fragment, not the page
    assert deal.last_activity_at is not None


def test_the_activity_form_no_longer_takes_tasks(client_for, rep):
    """Work to do is a task on the deal's task panel (agenda), not an activity."""
    deal = DealFactory(owner=rep)
    response = client_for(rep).post(
        f"/deals/{deal.pk}/activities/", {"kind": "task", "subject": "Send contract"}, HTTP_HX_REQUEST="true"
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Activity.objects.filter(deal=deal).exists()
    assert 'value="task"' not in client_for(rep).get(f"/deals/{deal.pk}/").content.decode()


def test_the_deal_page_loads_its_task_panel_from_the_agenda(client_for, rep):
    deal = DealFactory(owner=rep)
    assert f'hx-get="/tasks/on/deal/{deal.pk}/"' in client_for(rep).get(f"/deals/{deal.pk}/").content.decode()


def test_the_deal_page_shows_stage_history_and_the_leads_marketing_timeline(client_for, rep):
    webinar = CampaignFactory(name="Autumn webinar")
    retargeting = CampaignFactory(name="Retargeting ads")
    lead = LeadFactory(first_touch_campaign=webinar, latest_touch_campaign=retargeting)
    LeadEventFactory(lead=lead, kind=EventKind.WEBINAR_ATTENDED, campaign=webinar)
    LeadEventFactory(lead=lead, kind=EventKind.PRICING_PAGE_VIEW, occurred_at=timezone.now() - timedelta(days=1))
    deal = DealFactory(owner=rep, lead=lead)
    move_deal(deal=deal, to_stage=stage_named("Demo"), by=rep)
    html = client_for(rep).get(f"/deals/{deal.pk}/").content.decode()
    assert "Qualification → Demo" in html
    assert "Autumn webinar" in html and "Retargeting ads" in html
    assert "Webinar attended" in html and "Pricing page view" in html
    assert "Opportunity" in html


def test_the_deal_page_runs_the_same_number_of_queries_with_few_or_many_activities(client_for, rep):
    counts = []
    for size in (2, 20):
        lead = LeadFactory()
        LeadEventFactory.create_batch(size, lead=lead)
        deal = DealFactory(owner=rep, lead=lead)
        ActivityFactory.create_batch(size, deal=deal, by=rep)
        client = client_for(rep)
        client.get(f"/deals/{deal.pk}/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/deals/{deal.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_editing_a_deal_saves_it_and_refuses_a_negative_amount(client_for, rep):
    deal = DealFactory(owner=rep)
    client = client_for(rep)
    response = client.post(f"/deals/{deal.pk}/", {"title": "Bigger deal", "amount": "-5"})
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    response = client.post(f"/deals/{deal.pk}/", {"title": "Bigger deal", "amount": "25000", "next_step": "Call CFO"})
    deal.refresh_from_db()
    assert response.status_code == 302
    assert (deal.title, str(deal.amount), deal.next_step) == ("Bigger deal", "25000.00", "Call CFO")


def test_a_rep_creates_a_deal_they_own_in_the_first_stage(client_for, rep):
    response = client_for(rep).post("/deals/new/", {"title": "Fresh deal", "amount": "1200"})
    deal = Deal.objects.get(title="Fresh deal")
    assert response["Location"] == f"/deals/{deal.pk}/"
    assert (deal.owner, deal.stage.name) == (rep, "Qualification")


def test_the_deal_page_for_a_lost_deal_offers_the_reason_form(client_for, rep):
    deal = DealFactory(owner=rep)
    response = client_for(rep).post(f"/deals/{deal.pk}/move/", {"stage": stage_named("Closed lost").pk}, follow=True)
    html = response.content.decode()
    assert "choose a reason" in html
    assert "Reason if lost" in html
