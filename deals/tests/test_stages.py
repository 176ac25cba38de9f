import pytest

from deals.models import DealStageChange, Pipeline, Stage
from deals.services import StageChangeRefused, StageInUse, delete_stage, ensure_default_pipeline, move_deal
from deals.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db


def _names():
    return list(ensure_default_pipeline().stages.order_by("order").values_list("name", flat=True))


def test_a_stage_with_deals_cannot_be_deleted(manager):
    DealFactory(stage=stage_named("Demo"))
    with pytest.raises(StageInUse, match="1 deal"):
        delete_stage(stage=stage_named("Demo"), by=manager)
    assert "Demo" in _names()


def test_deleting_a_stage_through_the_page_says_why_it_was_refused(client_for, manager):
    DealFactory(stage=stage_named("Demo"))
    response = client_for(manager).post(f"/pipeline/stages/{stage_named('Demo').pk}/delete/", follow=True)
    assert "still holds 1 deal(s)" in response.content.decode()
    assert "Demo" in _names()


def test_a_stage_is_deleted_after_its_deals_move_and_history_keeps_its_name(client_for, manager, rep):
    deal = DealFactory(owner=rep)
    move_deal(deal=deal, to_stage=stage_named("Demo"), by=rep)
    demo, proposal = stage_named("Demo"), stage_named("Proposal")
    client_for(manager).post(f"/pipeline/stages/{demo.pk}/delete/", {f"delete-{demo.pk}-move_deals_to": proposal.pk})
    deal.refresh_from_db()
    assert "Demo" not in _names()
    assert deal.stage == proposal
    history = list(DealStageChange.objects.filter(deal=deal).order_by("at", "id").values_list("from_name", "to_name"))
    assert history == [("Qualification", "Demo"), ("Demo", "Proposal")]


def test_managers_rename_reorder_add_stages_and_change_probabilities(client_for, manager):
    client = client_for(manager)
    demo = stage_named("Demo")
    client.post(
        f"/pipeline/stages/{demo.pk}/", {f"stage-{demo.pk}-name": "Live demo", f"stage-{demo.pk}-probability": 45}
    )
    demo.refresh_from_db()
    assert (demo.name, demo.probability) == ("Live demo", 45)
    client.post(f"/pipeline/stages/{demo.pk}/move/", {"direction": "up"})
    assert _names()[:3] == ["Qualification", "Live demo", "Discovery"]
    client.post("/pipeline/stages/add/", {"new-name": "Legal review", "new-probability": 90})
    assert _names()[-3:] == ["Legal review", "Closed won", "Closed lost"]
    response = client.post(
        f"/pipeline/stages/{demo.pk}/", {f"stage-{demo.pk}-name": "X", f"stage-{demo.pk}-probability": 150}, follow=True
    )
    assert "less than or equal to 100" in response.content.decode()


def test_managers_change_when_deals_rot(client_for, manager):
    client_for(manager).post("/pipeline/settings/", {"rotting_days": 7})
    assert Pipeline.objects.get(is_default=True).rotting_days == 7


def test_the_last_open_stage_cannot_be_deleted(manager):
    pipeline = ensure_default_pipeline()
    for stage in list(pipeline.stages.filter(kind=Stage.Kind.OPEN))[1:]:
        delete_stage(stage=stage, by=manager)
    with pytest.raises(StageChangeRefused):
        delete_stage(stage=pipeline.stages.get(kind=Stage.Kind.OPEN), by=manager)
