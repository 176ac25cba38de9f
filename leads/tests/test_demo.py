import io

import pytest
from django.db.models import Count, Max

from campaigns.tests.factories import CampaignFactory
from leads import demo
from leads.models import Lead, LeadEvent

pytestmark = pytest.mark.django_db


def test_the_demo_seed_makes_leads_with_events_over_90_days_and_adds_nothing_twice(rep):
    campaigns = CampaignFactory.create_batch(3)
    demo.seed(users={"rep1": rep}, stdout=io.StringIO(), scale=300)
    demo.seed(users={"rep1": rep}, stdout=io.StringIO(), scale=300)
    assert Lead.objects.count() == 300
    events = LeadEvent.objects.count()
    assert 3 * 300 < events < 7 * 300
    assert Lead.objects.filter(first_touch_campaign__in=campaigns).count() > 200
    # Every lead's last_event_at is its newest event's time.
    newest = dict(Lead.objects.annotate(newest=Max("events__occurred_at")).values_list("pk", "newest"))
    assert all(lead.last_event_at == newest[lead.pk] for lead in Lead.objects.all())
    assert Lead.objects.annotate(n=Count("notes")).filter(n__gt=0).exists()


def test_the_demo_seed_works_without_campaigns(rep):
    demo.seed(users={"rep1": rep}, stdout=io.StringIO(), scale=50)
    assert Lead.objects.filter(first_touch_campaign__isnull=True).count() == 50
