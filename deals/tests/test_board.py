from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from agenda.tests.factories import TaskFactory
from crm.tests.factories import UserFactory
from deals.models import Deal, LostReason, Stage
from deals.selectors import board_columns
from deals.services import ensure_default_pipeline
from deals.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db


def _column(columns, name):
    return next(column for column in columns if column.stage.name == name)


def test_board_headers_show_count_total_and_weighted_amount(rep, manager):
    DealFactory(owner=rep, stage=stage_named("Demo"), amount=Decimal("1000.00"))
    DealFactory(owner=rep, stage=stage_named("Demo"), amount=Decimal("2500.50"))
    DealFactory(owner=rep, stage=stage_named("Proposal"), amount=Decimal("333.33"))
    columns = board_columns(Deal.objects.all(), pipeline=ensure_default_pipeline())
    demo = _column(columns, "Demo")
    proposal = _column(columns, "Proposal")
    assert (demo.count, demo.total, demo.weighted) == (2, Decimal("3500.50"), Decimal("1400.20"))
    assert (proposal.count, proposal.total, proposal.weighted) == (1, Decimal("333.33"), Decimal("200.00"))
    assert _column(columns, "Discovery").count == 0


def test_board_page_shows_cards_with_totals_days_in_stage_and_next_task(client_for, rep):
    deal = DealFactory(owner=rep, title="Globex renewal", stage=stage_named("Demo"), amount=Decimal("12000"))
    Deal.objects.filter(pk=deal.pk).update(stage_changed_at=timezone.now() - timedelta(days=3))
    due = timezone.localdate() + timedelta(days=2)
    TaskFactory(deal=deal, title="Send deck", due_at=timezone.now() + timedelta(days=2))
    TaskFactory(deal=deal, title="Later", due_at=timezone.now() + timedelta(days=7))
    TaskFactory(deal=deal, title="Done already", due_at=timezone.now(), done_at=timezone.now())
    response = client_for(rep).get("/pipeline/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Globex renewal" in html
    assert "12,000" in html
    assert "3 d in stage" in html
    assert f"Task {due:%b} {due.day}" in html
    assert "4,800 weighted" in html


def test_an_idle_deal_is_marked_rotting(client_for, rep):
    idle = DealFactory(owner=rep, title="Sleepy deal")
    busy = DealFactory(owner=rep, title="Busy deal")
    long_ago = timezone.now() - timedelta(days=20)
    Deal.objects.filter(pk__in=[idle.pk, busy.pk]).update(stage_changed_at=long_ago)
    Deal.objects.filter(pk=busy.pk).update(last_activity_at=timezone.now())
    html = client_for(rep).get("/pipeline/").content.decode()
    assert html.count('data-testid="rotting"') == 1
    assert "Rotting 20 d" in html


def test_reps_see_their_own_deals_by_default_and_the_team_on_request(client_for, rep, other_rep):
    DealFactory(owner=rep, title="Mine")
    DealFactory(owner=other_rep, title="Theirs")
    client = client_for(rep)
    assert "Theirs" not in client.get("/pipeline/").content.decode()
    team = client.get("/pipeline/?owner=team").content.decode()
    assert "Mine" in team and "Theirs" in team
    one = client.get(f"/pipeline/?owner={other_rep.pk}").content.decode()
    assert "Theirs" in one and "Mine" not in one


def test_board_filters_by_campaign_close_month_and_search(client_for, manager):
    from campaigns.tests.factories import CampaignFactory

    campaign = CampaignFactory()
    DealFactory(title="From webinar", source_campaign=campaign, expected_close_date="2026-12-10")
    DealFactory(title="Walk-in", company="Initech", expected_close_date="2027-01-05")
    client = client_for(manager)
    by_campaign = client.get(f"/pipeline/?campaign={campaign.pk}").content.decode()
    assert "From webinar" in by_campaign and "Walk-in" not in by_campaign
    by_month = client.get("/pipeline/?close_month=2027-01").content.decode()
    assert "Walk-in" in by_month and "From webinar" not in by_month
    by_search = client.get("/pipeline/?q=initech").content.decode()
    assert "Walk-in" in by_search and "From webinar" not in by_search


def test_closed_columns_show_only_the_last_30_days_unless_asked(client_for, manager):
    won = stage_named("Closed won")
    DealFactory(title="Won lately", stage=won, closed_at=timezone.now() - timedelta(days=3))
    DealFactory(title="Won long ago", stage=won, closed_at=timezone.now() - timedelta(days=60))
    client = client_for(manager)
    recent = client.get("/pipeline/").content.decode()
    assert "Won lately" in recent and "Won long ago" not in recent
    assert "Won long ago" in client.get("/pipeline/?closed=all").content.decode()


def test_a_column_shows_its_first_cards_and_links_to_the_rest_with_exact_totals(client_for, manager, settings):
    from deals import selectors

    rep = UserFactory(role="Sales rep")
    stage = stage_named("Discovery")
    Deal.objects.bulk_create(
        Deal(title=f"Bulk {n}", owner=rep, stage=stage, amount=Decimal("100"), position=n)
        for n in range(selectors.CARDS_PER_COLUMN + 5)
    )
    html = client_for(manager).get("/pipeline/").content.decode()
    assert html.count('<li class="deal-card') == selectors.CARDS_PER_COLUMN
    assert "Show 5 more" in html
    total = (selectors.CARDS_PER_COLUMN + 5) * 100  # every deal counts, shown or not
    assert f'data-testid="total" title="Total amount">${total:,}</span>' in html
    assert f"${total // 5:,} weighted" in html


def _bulk_deals(count):
    reps = [UserFactory(role="Sales rep") for _ in range(3)]
    stages = list(Stage.objects.filter(kind=Stage.Kind.OPEN))
    Deal.objects.bulk_create(
        Deal(title=f"Deal {n}", owner=reps[n % 3], stage=stages[n % len(stages)], amount=Decimal(n), position=n)
        for n in range(count)
    )
    TaskFactory.create_batch(3, deal=Deal.objects.first())


@pytest.mark.parametrize("count", [10, 2000])
def test_board_runs_the_same_number_of_queries_for_10_and_2000_deals(
    client_for, manager, count, django_assert_num_queries
):
    _bulk_deals(count)
    client = client_for(manager)
    client.get("/pipeline/")  # warm the session
    with django_assert_num_queries(10):
        response = client.get("/pipeline/")
    assert response.status_code == 200


def test_the_lost_dialog_offers_every_loss_reason(client_for, rep):
    html = client_for(rep).get("/pipeline/").content.decode()
    for reason in (LostReason.PRICE, LostReason.COMPETITOR, LostReason.UNRESPONSIVE):
        assert f'value="{reason.value}"' in html


def test_the_owner_filter_shows_the_default_that_applies_when_the_query_string_has_none(client_for, manager, rep):
    html = client_for(rep).get("/deals/?sort=amount").content.decode()
    assert '<option value="mine" selected>' in html
    html = client_for(manager).get("/deals/?sort=amount").content.decode()
    assert '<option value="team" selected>' in html
