"""Relay is an actor of its own (DOMAIN.md): what scoring, the hand-over, the SLA and consent do is named
"Relay (part)" on timelines and in the audit history, never after the person whose request ran the work."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from crm.actors import as_relay
from crm.tests.factories import UserFactory
from crm.tests.test_audit_history import audit_html
from crm.tests.test_xss_sweep import FormFields
from deals.models import DealStageChange
from deals.tests.factories import ActivityFactory, DealFactory
from handoff.models import Handoff
from handoff.services import hand_over_mql, reassign_overdue_mqls
from leads.models import ConsentRequest, Lead, LeadStageChange, ScoringSettings
from leads.scoring.rescore import rescore_leads
from leads.services import consent
from leads.tests.factories import LeadEventFactory, LeadFactory

pytestmark = pytest.mark.django_db


def named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def timeline_html(response) -> str:
    page = response.content.decode()
    start = page.find('data-testid="timeline"')
    return page[start : page.find("</ol>", start)]


TIMELINE_ENTRY = '<li class="list-group-item px-0">'
AUDIT_ENTRY = '<li class="py-1 border-bottom">'


def entry_with(html: str, text: str, marker: str = TIMELINE_ENTRY) -> str:
    """The timeline entry (or with AUDIT_ENTRY, the history entry) that contains `text`."""
    return next(entry for entry in html.split(marker)[1:] if text in entry)


@pytest.fixture
def people(marketer, rep, manager):
    return named(marketer, "Maya", "Marks"), named(rep, "Sam", "Okafor"), named(manager, "Omar", "Haddad")


def lowered_threshold(client, score: int) -> dict:
    """The scoring page's form as a browser would send it, with the MQL threshold lowered to `score`."""
    data = FormFields("settings-mql_threshold").data(client.get("/leads/scoring/").content.decode())
    data["settings-mql_threshold"] = str(score)
    return data


def test_a_hand_over_run_while_a_marketer_saves_scoring_rules_is_relays_not_hers(
    client_for, people, django_capture_on_commit_callbacks
):
    marketer, rep, manager = people
    lead = LeadFactory(first_name="Dana", last_name="Okafor", company="Acme")
    LeadEventFactory(lead=lead, kind="demo_request")
    rescore_leads()
    lead.refresh_from_db()
    assert 0 < lead.score < ScoringSettings.load().mql_threshold
    as_marketer = client_for(marketer)
    data = lowered_threshold(as_marketer, lead.score)

    # The rescore and the hand-over it starts run inside her request (eager tasks, as on SQLite by default).
    with django_capture_on_commit_callbacks(execute=True):
        assert as_marketer.post("/leads/scoring/", data).status_code == 302

    assert Handoff.objects.get(lead=lead).rep == rep
    page = client_for(manager).get(lead.get_absolute_url())
    timeline, audit = timeline_html(page), audit_html(page)
    handed = entry_with(timeline, "Handed over to Sam Okafor")
    assert "by Relay (hand-over)" in handed
    assert "by Relay (scoring)" in entry_with(timeline, "Stage: Lead → MQL")
    assert "Score reached the MQL threshold" in timeline
    assert "Relay (scoring)</strong>\n          changed it" in entry_with(audit, "Stage:", AUDIT_ENTRY)
    assert "Relay (hand-over)</strong>\n          changed it" in entry_with(audit, "Owner:", AUDIT_ENTRY)
    assert "Maya Marks" not in timeline + audit


def test_the_sla_reassignment_is_relays_even_inside_a_managers_request(people, client_for):
    _marketer, rep, manager = people
    other = UserFactory(role="Sales rep", first_name="Lena", last_name="Weber")
    lead = LeadFactory(score=ScoringSettings.load().mql_threshold)
    handoff = hand_over_mql(lead_id=lead.pk)
    Handoff.objects.filter(pk=handoff.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    request = RequestFactory().get("/")
    request.user = manager
    HistoricalRecords.context.request = request  # as HistoryRequestMiddleware leaves it during her request
    try:
        assert reassign_overdue_mqls() == 1
        assert HistoricalRecords.context.request is request  # given back once Relay's work is done
    finally:
        del HistoricalRecords.context.request

    page = client_for(manager).get(lead.get_absolute_url())
    timeline, audit = timeline_html(page), audit_html(page)
    first, second = (rep, other) if handoff.rep == rep else (other, rep)
    reassigned = entry_with(timeline, f"Reassigned to {second.get_full_name()}")
    assert "by Relay (SLA)" in reassigned
    assert f"Handed over to {first.get_full_name()}" in timeline
    owner_change = entry_with(audit, f"→ {second.get_full_name()}", AUDIT_ENTRY)
    assert "Relay (SLA)</strong>" in owner_change
    assert "Omar Haddad" not in audit


def test_a_confirmed_double_opt_in_is_recorded_as_relays(client, client_for, manager):
    lead = LeadFactory(email="ada@example.com")
    request = ConsentRequest.objects.create(lead=lead, email=lead.email, sent_at=timezone.now())

    assert client.get(reverse("leads:consent_confirm", args=[consent.confirm_token(request)])).status_code == 200

    audit = audit_html(client_for(manager).get(lead.get_absolute_url()))
    assert "Relay (consent)</strong>\n          changed it" in entry_with(audit, "Marketing opt-in:", AUDIT_ENTRY)


def test_work_without_any_user_is_named_relay_on_the_deal_page(client_for, manager, rep):
    deal = DealFactory(owner=rep)  # saved outside any request: a command, a worker
    DealStageChange.objects.create(deal=deal, to_stage=deal.stage, to_name=deal.stage.name, by=None)
    ActivityFactory(deal=deal, subject="Imported call", by=None)

    response = client_for(manager).get(deal.get_absolute_url())

    page = response.content.decode()
    assert "· Relay ·" in entry_with(page, "Opened in Qualification", AUDIT_ENTRY)
    assert "· Relay ·" in entry_with(page, "Imported call", '<li class="py-1 border-bottom small">')
    assert "Relay</strong>\n          created it" in audit_html(response)
    assert "· system ·" not in page


def test_as_relay_nests_and_gives_the_request_back():
    request = object()
    HistoricalRecords.context.request = request
    try:
        with as_relay("scoring"):
            assert not hasattr(HistoricalRecords.context, "request")
            with as_relay("hand-over"):
                lead = LeadFactory()
                lead.job_title = "CTO"
                lead.save()
            lead.job_title = "CEO"
            lead.save()
        assert HistoricalRecords.context.request is request
    finally:
        del HistoricalRecords.context.request
    created, by_hand_over, by_scoring = lead.history.order_by("history_id")
    assert [row.history_change_reason for row in (created, by_hand_over, by_scoring)] == [
        "hand-over",
        "hand-over",
        "scoring",
    ]
    assert {row.history_user for row in (created, by_hand_over, by_scoring)} == {None}
    assert Lead.objects.get(pk=lead.pk).job_title == "CEO"
    assert not LeadStageChange.objects.exists()
