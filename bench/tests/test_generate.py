"""The benchmark's data follows the funnel's rules (DOMAIN.md "The hand-over"), so that what `make bench`
measures is a database Relay itself could have written."""

import pytest
from django.db.models import Count, Q

from bench.generate import Scale, generate
from deals.models import Deal
from handoff.models import Handoff
from leads.models import Lead, LifecycleStage

pytestmark = pytest.mark.django_db


def test_only_accepted_hand_overs_have_deals_and_every_deal_of_the_funnel_has_one():
    counts = generate(Scale(leads=400, events_per_lead=1, campaigns=2, days=30, deals=200, open_deals=50, reps=2))
    assert counts["deals"] == 200
    with_deals = dict(Handoff.objects.values_list("outcome").annotate(n=Count("deal")).values_list("outcome", "n"))
    assert with_deals == {"accepted": 200, "rejected": 0, "pending": 0}
    assert Deal.objects.filter(handoff__isnull=True).count() == 0
    waiting = Handoff.objects.filter(outcome=Handoff.Outcome.PENDING).values("lead")
    assert not Lead.objects.filter(pk__in=waiting).exclude(stage=LifecycleStage.MQL).exists()
    assert not Deal.objects.filter(Q(lead__stage=LifecycleStage.MQL)).exists()
