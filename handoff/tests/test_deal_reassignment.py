"""A manager reassigns a deal: its new owner hears about it (in the app and by email), and the deal's lead
goes to the new owner too, recorded in the lead's history (deals announce it; the hand-over moves the lead)."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from crm.models import Notification
from crm.tests.test_audit_history import audit_html
from crm.tests.test_xss_sweep import FormFields
from deals.services import DealReassignNotAllowed, update_deal
from deals.tests.factories import DealFactory
from leads.models import Lead, LifecycleStage
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()
    return user


@pytest.fixture
def team(rep, other_rep, manager):
    return named(rep, "Rita", "Lopez"), named(other_rep, "Sam", "Okafor"), named(manager, "Omar", "Haddad")


@pytest.fixture
def deal(team):
    rep, _other, _manager = team
    lead = LeadFactory(first_name="Dana", last_name="Kim", owner=rep, stage=LifecycleStage.SQL)
    return DealFactory(title="Acme renewal", lead=lead, owner=rep)


def assert_told(user, deal):
    notification = Notification.objects.get(user=user)
    assert "Acme renewal" in notification.message and "Omar Haddad" in notification.message
    assert notification.url == deal.get_absolute_url()
    [email] = [message for message in mail.outbox if message.to == [user.email]]
    assert email.subject == "Relay: deal Acme renewal reassigned to you"
    assert deal.get_absolute_url() in email.body


def test_reassigning_a_deal_on_its_page_tells_the_new_owner_and_gives_them_its_lead(
    client_for, team, deal, django_capture_on_commit_callbacks
):
    rep, other, manager = team
    client = client_for(manager)
    data = FormFields("owner").data(client.get(deal.get_absolute_url()).content.decode()) | {"owner": other.pk}

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(deal.get_absolute_url(), data).status_code == 302

    assert_told(other, deal)
    assert not Notification.objects.filter(user=rep).exists()
    lead = Lead.objects.get(pk=deal.lead_id)
    assert lead.owner == other
    panel = audit_html(client.get(lead.get_absolute_url()))
    newest = panel.split('<li class="py-1 border-bottom">')[1]
    assert "Omar Haddad</strong>\n          changed it" in newest
    assert 'Owner: <span class="text-body-secondary">Rita Lopez</span> → Sam Okafor' in newest


def test_reassigning_a_deal_through_the_api_does_the_same(team, deal, django_capture_on_commit_callbacks):
    _rep, other, manager = team
    api = APIClient()
    api.force_authenticate(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(f"/api/v1/deals/{deal.pk}/", {"owner": other.pk}, format="json")

    assert response.status_code == 200, response.content
    assert_told(other, deal)
    lead = Lead.objects.get(pk=deal.lead_id)
    assert lead.owner == other
    assert lead.history.first().history_user == manager


def test_a_manager_taking_a_deal_is_not_told_about_it_but_gets_its_lead(team, deal):
    _rep, _other, manager = team

    update_deal(deal=deal, owner=manager, by=manager)

    assert not Notification.objects.exists()
    assert Lead.objects.get(pk=deal.lead_id).owner == manager


def test_an_mql_waiting_in_an_inbox_stays_with_its_rep_when_an_older_deal_of_its_lead_moves_on(team, deal):
    rep, other, manager = team
    Lead.objects.filter(pk=deal.lead_id).update(stage=LifecycleStage.MQL)

    update_deal(deal=deal, owner=other, by=manager)

    assert Lead.objects.get(pk=deal.lead_id).owner == rep
    assert Notification.objects.filter(user=other).exists()


def test_a_deal_without_a_lead_is_reassigned_and_its_owner_told(team):
    rep, other, manager = team
    deal = DealFactory(title="Acme renewal", owner=rep)

    update_deal(deal=deal, owner=other, by=manager)

    deal.refresh_from_db()
    assert deal.owner == other
    assert Notification.objects.filter(user=other, url=deal.get_absolute_url()).exists()


def test_a_rep_cannot_give_a_deal_away_and_nobody_is_told(team, deal):
    rep, other, _manager = team

    with pytest.raises(DealReassignNotAllowed):
        update_deal(deal=deal, owner=other, by=rep)

    assert not Notification.objects.exists()
    assert Lead.objects.get(pk=deal.lead_id).owner == rep
