import pytest

from deals.models import DealStageChange, Stage
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
    response = client_for(manager).post(f"/pipeline/stages/{stage_named('Demo').pk}/delete/", {"confirm": "yes"})
    assert "still holds 1 deal(s)" in response.content.decode()
    assert "Demo" in _names()


def test_deleting_a_stage_asks_first_and_a_post_without_the_confirmation_deletes_nothing(client_for, manager):
    client = client_for(manager)
    demo = stage_named("Demo")
    listed = client.get("/pipeline/stages/").content.decode()
    assert f'href="/pipeline/stages/{demo.pk}/delete/"' in listed  # a link to the question, not a delete button
    question = client.get(f"/pipeline/stages/{demo.pk}/delete/").content.decode()
    assert "Delete the stage Demo?" in question
    assert 'name="confirm" value="yes"' in question
    unconfirmed = client.post(f"/pipeline/stages/{demo.pk}/delete/")
    assert unconfirmed.status_code == 400
    assert "Delete the stage Demo?" in unconfirmed.content.decode()
    assert "Demo" in _names()
    response = client.post(f"/pipeline/stages/{demo.pk}/delete/", {"confirm": "yes"}, follow=True)
    assert "Stage Demo deleted." in response.content.decode()
    assert "Demo" not in _names()


def test_the_confirmation_offers_stages_of_the_same_kind_for_the_deals(client_for, manager):
    DealFactory.create_batch(2, stage=stage_named("Demo"))
    html = client_for(manager).get(f"/pipeline/stages/{stage_named('Demo').pk}/delete/").content.decode()
    assert "Demo holds 2 deals." in html
    assert ">Proposal</option>" in html
    assert ">Closed won</option>" not in html


def test_a_stage_is_deleted_after_its_deals_move_and_history_keeps_its_name(client_for, manager, rep):
    deal = DealFactory(owner=rep)
    move_deal(deal=deal, to_stage=stage_named("Demo"), by=rep)
    demo, proposal = stage_named("Demo"), stage_named("Proposal")
    client_for(manager).post(f"/pipeline/stages/{demo.pk}/delete/", {"confirm": "yes", "move_deals_to": proposal.pk})
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


def test_the_last_open_stage_cannot_be_deleted(manager):
    pipeline = ensure_default_pipeline()
    for stage in list(pipeline.stages.filter(kind=Stage.Kind.OPEN))[1:]:
        delete_stage(stage=stage, by=manager)
    with pytest.raises(StageChangeRefused):
        delete_stage(stage=pipeline.stages.get(kind=Stage.Kind.OPEN), by=manager)


def test_a_closed_stage_cannot_move_above_an_open_one_and_the_page_says_why(client_for, manager):
    client = client_for(manager)
    response = client.post(f"/pipeline/stages/{stage_named('Closed won').pk}/move/", {"direction": "up"}, follow=True)
    assert "Closed won cannot move above Negotiation: closed stages stay after every open stage." in (
        response.content.decode()
    )
    negotiation = stage_named("Negotiation")
    response = client.post(f"/pipeline/stages/{negotiation.pk}/move/", {"direction": "down"}, follow=True)
    assert "Negotiation cannot move below Closed won" in response.content.decode()
    assert _names() == ["Qualification", "Discovery", "Demo", "Proposal", "Negotiation", "Closed won", "Closed lost"]


def test_closed_stages_swap_among_themselves_and_open_ones_among_themselves(client_for, manager):
    client = client_for(manager)
    client.post(f"/pipeline/stages/{stage_named('Closed lost').pk}/move/", {"direction": "up"})
    client.post(f"/pipeline/stages/{stage_named('Negotiation').pk}/move/", {"direction": "up"})
    assert _names() == ["Qualification", "Discovery", "Demo", "Negotiation", "Proposal", "Closed lost", "Closed won"]


def test_the_arrows_across_the_open_and_closed_line_are_off(client_for, manager):
    html = client_for(manager).get("/pipeline/stages/").content.decode()
    assert 'aria-label="Move Negotiation down" disabled' in html
    assert 'aria-label="Move Closed won up" disabled' in html
    assert 'aria-label="Move Proposal down">' in html
    assert 'aria-label="Move Closed lost up">' in html


def test_a_new_stage_goes_before_the_closed_ones_even_where_one_was_moved_above_an_open_stage(client_for, manager):
    pipeline = ensure_default_pipeline()
    # An order the old arrows allowed: Closed won above Negotiation.
    Stage.objects.filter(pk=stage_named("Closed won").pk).update(order=5)
    Stage.objects.filter(pk=stage_named("Negotiation").pk).update(order=6)
    client_for(manager).post("/pipeline/stages/add/", {"new-name": "Legal review", "new-probability": 90})
    assert list(pipeline.stages.order_by("order").values_list("name", flat=True)) == [
        "Qualification", "Discovery", "Demo", "Proposal", "Negotiation", "Legal review", "Closed won", "Closed lost",
    ]  # fmt: skip
    page = client_for(manager).get("/pipeline/").content.decode()
    assert page.index('data-stage-name="Legal review"') < page.index('data-stage-name="Closed won"')
