"""The History panel: managers see who changed what on a campaign, lead or deal; nobody else gets it."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

import deals.demo
from bench.generate import add_leads
from campaigns.models import Campaign
from campaigns.tests.factories import CampaignFactory
from crm.history import BASELINE
from crm.tests.factories import UserFactory
from crm.tests.test_xss_sweep import FormFields
from deals.models import Deal
from deals.services import update_deal
from deals.tests.factories import DealFactory, stage_named
from leads.imports.upload import queue_import, start_import
from leads.models import Lead
from leads.scoring.rescore import rescore_leads
from leads.services.capture import capture_lead
from leads.services.events import record_events
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
    record_events(items=[{"index": 0, "lead": lead.pk, "kind": "email_click"}])
    rescore_leads()
    Lead.objects.filter(pk=lead.pk).update(job_title="Set-based")
    assert lead.history.count() == rows == 1


def test_a_record_without_history_shows_an_empty_panel(client_for, manager):
    lead = LeadFactory()
    lead.history.all().delete()  # as for leads written set-based (imports, the benchmark's COPY)

    response = client_for(manager).get(lead.get_absolute_url())

    assert response.status_code == 200
    assert response.context["audit"] == []


# --- Records written set-based: their first recorded change still says what it changed -----------------


def edited(client, url: str, marker: str, **changes):
    """Post the edit form at `url` (the form with field `marker`) as a browser would, with `changes`."""
    data = FormFields(marker).data(client.get(url).content.decode()) | changes
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def entries(panel: str) -> list[str]:
    return panel.split('<li class="py-1 border-bottom">')[1:]


def test_a_seeded_deals_first_reassignment_shows_the_owner_it_had(client_for, rep, other_rep, manager):
    deals.demo.seed(users={"rep1": rep, "rep2": other_rep}, stdout=io.StringIO())
    deal = Deal.objects.filter(owner=rep).first()
    assert not deal.history.exists()  # bulk-created, as seed_demo does
    client = client_for(manager)

    edited(client, deal.get_absolute_url(), "owner", owner=other_rep.pk)

    panel = audit_html(client.get(deal.get_absolute_url()))
    [change] = entries(panel)
    assert f"{manager.get_full_name()}</strong>\n          changed it" in change
    assert f'Owner: <span class="text-body-secondary">{rep.get_full_name()}</span> → {other_rep.get_full_name()}' in (
        change
    )
    assert "No recorded changes" not in panel
    assert "Title:" not in change and "Amount:" not in change  # only what changed

    edited(client, deal.get_absolute_url(), "owner", next_step="Send the revised quote")
    newest, first = entries(audit_html(client.get(deal.get_absolute_url())))
    assert "Send the revised quote" in newest and "Owner:" not in newest and "Owner:" in first
    assert deal.history.filter(history_change_reason=BASELINE).count() == 1


def test_a_generated_leads_first_edit_shows_what_it_changed(client_for, manager):
    add_leads(count=2, campaigns=[], rng=random.Random(3), now=timezone.now(), consent_source="seeded")
    lead = Lead.objects.filter(consent_source="seeded").first()
    client = client_for(manager)
    old_title = lead.job_title

    edited(client, f"/leads/{lead.pk}/edit/", "job_title", job_title="Head of Data")

    [change] = entries(audit_html(client.get(lead.get_absolute_url())))
    assert f'Job title: <span class="text-body-secondary">{old_title}</span> → Head of Data' in change
    assert "Email:" not in change


def test_an_imported_leads_first_edit_shows_what_it_changed(
    client_for, marketer, manager, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    text = "email,company,job title\nada@example.com,Acme,CTO\n"
    lead_import = start_import(uploaded=SimpleUploadedFile("leads.csv", text.encode()), by=marketer)
    with django_capture_on_commit_callbacks(execute=True):
        queue_import(lead_import=lead_import, mapping=lead_import.mapping, campaign=None)
    lead = Lead.objects.get(email="ada@example.com")
    client = client_for(manager)

    edited(client, f"/leads/{lead.pk}/edit/", "job_title", job_title="CEO")

    [change] = entries(audit_html(client.get(lead.get_absolute_url())))
    assert 'Job title: <span class="text-body-secondary">CTO</span> → CEO' in change


def test_a_bulk_created_campaigns_first_edit_shows_what_it_changed(client_for, marketer, manager):
    [campaign] = Campaign.objects.bulk_create([CampaignFactory.build(slug="bulk", owner=marketer, budget=100)])
    client = client_for(manager)

    edited(client, reverse("campaigns:campaign_edit", args=["bulk"]), "budget", budget="400")

    [change] = entries(audit_html(client.get(reverse("campaigns:campaign_detail", args=["bulk"]))))
    assert 'Budget: <span class="text-body-secondary">100.00</span> → 400.00' in change


def test_a_drag_on_the_board_needs_no_baseline_and_the_next_change_still_diffs(client_for, rep, other_rep, manager):
    deals.demo.seed(users={"rep1": rep, "rep2": other_rep}, stdout=io.StringIO())
    deal = Deal.objects.filter(owner=rep).first()
    deal.position = 7
    deal.save(update_fields=["position"])  # bookkeeping only: its own row holds the values before
    update_deal(deal=deal, owner=other_rep, by=manager)

    [change] = entries(audit_html(client_for(manager).get(deal.get_absolute_url())))
    assert f"→ {other_rep.get_full_name()}" in change
    assert deal.history.filter(history_change_reason=BASELINE).count() == 0


def test_a_record_created_by_a_save_gets_no_baseline(rep, other_rep, manager):
    deal = DealFactory(owner=rep)
    update_deal(deal=Deal.objects.get(pk=deal.pk), owner=other_rep, by=manager)

    assert list(deal.history.order_by("history_id").values_list("history_type", "history_change_reason")) == [
        ("+", None),
        ("~", None),
    ]
