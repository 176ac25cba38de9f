"""The sales settings page: the hand-over's SLA (from a date on, with its history) and the pipeline, for
managers, saved without rescoring."""

from datetime import timedelta

import pytest
from django.utils import timezone

from deals.forms import PipelineForm
from deals.models import Pipeline
from handoff.models import Sla
from handoff.selectors import sla_hours_at
from handoff.services import hand_over_mql
from leads.models import Lead, RescoreRun, ScoreRequest, ScoringSettings
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

SAVED = {"sla-sla_hours": "6", "pipeline-name": "New business", "pipeline-rotting_days": "7"}


def test_a_manager_saves_the_sla_the_pipeline_name_and_when_deals_rot(client_for, manager):
    response = client_for(manager).post("/settings/", SAVED, follow=True)
    assert "Sales settings saved." in response.content.decode()
    assert sla_hours_at() == 6
    assert Sla.objects.values_list("hours", "effective_from", "set_by").first() == (6, timezone.localdate(), manager.pk)
    assert Pipeline.objects.filter(is_default=True).values_list("name", "rotting_days").get() == ("New business", 7)
    page = client_for(manager).get("/pipeline/stages/").content.decode()
    assert "Stages of New business" in page


def test_saving_the_sales_settings_rescores_no_lead(client_for, manager, rep):
    # A VP scores 15 under the fit rules; a rescore would change the 0 stored here.
    lead = LeadFactory(job_title="VP Sales", score=0)
    client_for(manager).post("/settings/", SAVED)
    assert not RescoreRun.objects.exists()
    assert not ScoreRequest.objects.exists()
    assert Lead.objects.get(pk=lead.pk).score == 0
    page = client_for(manager).get("/leads/scoring/").content.decode()
    assert 'data-testid="rescore-status"' not in page  # no rescore to show progress of


def test_saving_the_pipeline_alone_adds_nothing_to_the_sla_history(client_for, manager):
    client_for(manager).post("/settings/", {**SAVED, "sla-sla_hours": "24"})
    assert Sla.objects.count() == 1
    assert Pipeline.default().name == "New business"


def test_saving_keeps_the_round_robin_turn_a_hand_over_took_meanwhile(client_for, manager, rep, monkeypatch):
    # The page reads the settings, then a hand-over gives the next MQL to Rita before the page saves.
    clean = PipelineForm.clean_rotting_days

    def hand_over_meanwhile(form):
        ScoringSettings.objects.filter(pk=1).update(last_assigned_rep=rep)
        return clean(form)

    monkeypatch.setattr(PipelineForm, "clean_rotting_days", hand_over_meanwhile)
    client_for(manager).post("/settings/", SAVED)
    assert (sla_hours_at(), ScoringSettings.load().last_assigned_rep) == (6, rep)


def test_a_new_hand_over_is_due_within_the_saved_sla(client_for, manager, rep):
    client_for(manager).post("/settings/", SAVED)
    lead = LeadFactory(score=ScoringSettings.load().mql_threshold)
    handoff = hand_over_mql(lead_id=lead.pk)
    assert handoff.due_at - handoff.handed_at == timedelta(hours=6)


def test_the_scoring_page_no_longer_carries_the_sla(client_for, manager):
    client = client_for(manager)
    page = client.get("/leads/scoring/").content.decode()
    assert "sla_hours" not in page
    assert 'href="/settings/"' in page  # managers are told where it went
    data = {
        "settings-mql_threshold": "50",
        "settings-half_life_days": "30",
        "sla-sla_hours": "3",
        **{f"{prefix}-{name}": "0" for prefix in ("fit", "engagement") for name in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }
    client.post("/leads/scoring/", data)
    assert (sla_hours_at(), Sla.objects.count()) == (24, 1)


def test_wrong_values_are_shown_with_what_was_typed_and_nothing_is_saved(client_for, manager):
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {"sla-sla_hours": "0", "sla-effective_from": f"{yesterday}", "pipeline-name": ""}
    data["pipeline-rotting_days"] = "0"
    response = client_for(manager).post("/settings/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The SLA must be at least one hour." in html
    assert "A deal rots after at least one idle day." in html
    assert "This field is required." in html
    assert "An SLA applies from today or later: the past keeps the SLA it had." in html
    assert f'value="{yesterday}"' in html
    assert (sla_hours_at(), Sla.objects.count()) == (24, 1)
    assert Pipeline.default().rotting_days == 14


@pytest.mark.parametrize("role", ["marketer", "rep"])
def test_only_managers_open_the_sales_settings(client_for, request, role):
    client = client_for(request.getfixturevalue(role))
    assert client.get("/settings/").status_code == 403
    assert client.post("/settings/", SAVED).status_code == 403
    assert (sla_hours_at(), Sla.objects.count()) == (24, 1)


def test_managers_reach_the_settings_from_the_menu_the_board_and_the_stages(client_for, manager, rep):
    client = client_for(manager)
    for path in ("/", "/pipeline/", "/pipeline/stages/"):
        assert 'href="/settings/"' in client.get(path).content.decode(), path
    settings_page = client.get("/settings/").content.decode()
    assert 'href="/pipeline/stages/"' in settings_page
    assert 'href="/settings/"' not in client_for(rep).get("/pipeline/").content.decode()
