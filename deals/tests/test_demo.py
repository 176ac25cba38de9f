import io

import pytest
from django.db.models import Count

from crm.demo import seed_users
from deals import demo
from deals.models import Deal, DealStageChange, Stage
from leads.models import LeadStageChange, LifecycleStage
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_demo_deals_cover_every_stage_both_reps_and_closed_results_with_reasons():
    LeadFactory.create_batch(20, stage=LifecycleStage.SQL)
    users = seed_users()
    demo.seed(users=users, stdout=io.StringIO())
    deals = Deal.objects.all()
    assert deals.count() == demo.DEMO_DEALS
    per_stage = dict(deals.values_list("stage__name").annotate(n=Count("id")))
    assert set(per_stage) == set(Stage.objects.values_list("name", flat=True))
    assert set(deals.values_list("owner__username", flat=True)) == {"rep1", "rep2"}
    assert not deals.filter(stage__kind=Stage.Kind.LOST, lost_reason="").exists()
    assert not deals.filter(stage__kind=Stage.Kind.OPEN, closed_at__isnull=False).exists()
    assert DealStageChange.objects.count() > deals.count()
    # Deals entered by hand have no lead: only an accepted hand-over ties a deal to a lead
    # (`handoff.demo`), so the SQL leads stay where they are.
    assert not deals.filter(lead__isnull=False).exists()
    assert not LeadStageChange.objects.exists()


def test_demo_deals_are_added_once():
    users = seed_users()
    demo.seed(users=users, stdout=io.StringIO())
    out = io.StringIO()
    demo.seed(users=users, stdout=out)
    assert Deal.objects.count() == demo.DEMO_DEALS
    assert "already there" in out.getvalue()
