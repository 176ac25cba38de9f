"""The History panel: managers see who changed what on a campaign, lead or deal; nobody else gets it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from campaigns.tests.factories import CampaignFactory
from crm.tests.factories import UserFactory
from deals.tests.factories import DealFactory, stage_named
from leads.models import Lead
from leads.scoring import rescore_leads
from leads.services import capture_lead, record_events
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def audit_html(response) -> str:
    """The History panel's markup (empty when the page has none)."""
    page = response.content.decode()
    start = page.find('data-testid="audit-trail"')
    return page[start : page.find("</section>", start)] if start >= 0 else ""


def test_a_campaign_edit_shows_the_editor_and_the_changed_fields_to_a_manager(client_for, marketer, manager):
    marketer.first_name, marketer.last_name = "Maya", "Marks"
    marketer.save()
    campaign = CampaignFactory(name="Spring launch", slug="spring", owner=marketer, budget=100, status="planned")
    data = {"name": "Spring launch", "slug": "spring", "channel": campaign.channel, "objective": campaign.objective}
    data |= {"status": "active", "start_date": campaign.start_date.isoformat(), "budget": "250", "owner": marketer.pk}
    assert client_for(marketer).post(reverse("campaigns:campaign_edit", args=["spring"]), data).status_code == 302

    panel = audit_html(client_for(manager).get(campaign.get_absolute_url()))
    assert "Maya Marks</strong>\n          changed it" in panel
    assert 'Status: <span class="text-body-secondary">Planned</span> → Active' in panel
    assert 'Budget: <span class="text-body-secondary">100.00</span> → 250.00' in panel


def test_a_lead_edit_and_an_api_capture_are_attributed_to_their_users(client_for, marketer, manager):
    token = Token.objects.create(user=marketer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post("/api/v1/leads/", {"email": "ada@example.com", "job_title": "CTO"}, format="json")
    assert response.status_code == 201
    lead = Lead.objects.get(email="ada@example.com")
    data = {"email": lead.email, "job_title": "VP Engineering", "country": "France"}
    assert client_for(manager).post(f"/leads/{lead.pk}/edit/", data).status_code == 302

    panel = audit_html(client_for(manager).get(lead.get_absolute_url()))
    newest, oldest = panel.split('<li class="py-1 border-bottom">')[1:]
    assert manager.get_full_name() in newest and "changed it" in newest
    assert 'Job title: <span class="text-body-secondary">CTO</span> → VP Engineering' in newest
    assert 'Country: <span class="text-body-secondary">—</span> → France' in newest
    assert marketer.get_full_name() in oldest and "created it" in oldest


def test_a_deal_move_and_reassignment_show_stage_and_owner_names(client_for, rep, other_rep, manager):
    deal = DealFactory(owner=rep, title="Acme renewal")
    response = client_for(rep).post(reverse("deals:deal_move", args=[deal.pk]), {"stage": stage_named("Demo").pk})
    assert response.status_code == 302
    deal_page = client_for(manager)
    data = {"title": "Acme renewal", "amount": "5000", "owner": other_rep.pk}
    assert deal_page.post(deal.get_absolute_url(), data).status_code == 302

    panel = audit_html(deal_page.get(deal.get_absolute_url()))
    assert f'Owner: <span class="text-body-secondary">{rep.get_full_name()}</span> → {other_rep.get_full_name()}' in (
        panel
    )
    assert 'Stage: <span class="text-body-secondary">Qualification</span> → Demo' in panel
    assert panel.index(manager.get_full_name()) < panel.index(rep.get_full_name() + "</strong>")
    assert "Position" not in panel  # board bookkeeping is not audited


@pytest.mark.parametrize("role", ["marketer", "rep"])
def test_other_roles_get_no_history_panel_nor_its_data(client_for, request, role, manager):
    user = request.getfixturevalue(role)
    campaign = CampaignFactory(owner=manager)
    lead = LeadFactory(owner=user if role == "rep" else None)
    deal = DealFactory(owner=user if role == "rep" else manager, lead=lead)
    for record in (campaign, lead, deal):
        record.save()  # a second row, so that there is a change to leak
        response = client_for(user).get(record.get_absolute_url())
        assert response.status_code == 200
        assert response.context["audit"] is None
        assert audit_html(response) == ""
        assert 'id="audit-title"' not in response.content.decode()


def test_the_history_panel_reads_the_same_number_of_queries_for_2_and_25_changes(client_for, manager):
    reps = [UserFactory(role="Sales rep", username=f"owner{n}") for n in range(3)]
    lead = LeadFactory(owner=reps[0])
    client = client_for(manager)
    counts = []
    for changes in (2, 23):
        for n in range(changes):
            lead.owner = reps[n % 3]
            lead.job_title = f"Title {changes}.{n}"
            lead.save()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(lead.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert len(response.context["audit"]) == 20


def test_set_based_writes_and_repeat_visits_add_no_history_rows(marketer):
    lead = capture_lead(data={"email": "bulk@example.com"}, source="api", by=marketer).lead
    rows = lead.history.count()
    capture_lead(data={"email": "bulk@example.com"}, source="api", by=marketer, occurred_at=timezone.now())
    record_events(items=[{"index": 0, "lead": lead.pk, "kind": "email_click"}], by=marketer)
    rescore_leads()
    Lead.objects.filter(pk=lead.pk).update(job_title="Set-based")
    assert lead.history.count() == rows == 1


def test_a_record_without_history_shows_an_empty_panel(client_for, manager):
    lead = LeadFactory()
    lead.history.all().delete()  # as for leads written set-based (imports, the benchmark's COPY)

    response = client_for(manager).get(lead.get_absolute_url())

    assert response.status_code == 200
    assert response.context["audit"] == []
