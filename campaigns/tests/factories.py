import datetime
from decimal import Decimal

import factory

from campaigns.models import Campaign, CampaignDailyStat, Channel
from crm.tests.factories import UserFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    channel = Channel.EMAIL
    status = Campaign.Status.ACTIVE
    start_date = factory.LazyFunction(lambda: datetime.date(2026, 9, 1))
    budget = Decimal("10000.00")
    owner = factory.SubFactory(UserFactory, role="Marketer")


class CampaignDailyStatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignDailyStat

    campaign = factory.SubFactory(CampaignFactory)
    date = factory.Sequence(lambda n: datetime.date(2026, 9, 1) + datetime.timedelta(days=n))
    impressions = 1000
    clicks = 50
    spend = Decimal("100.00")
