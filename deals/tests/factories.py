from decimal import Decimal

import factory

from crm.tests.factories import UserFactory
from deals.models import Activity, Deal, Stage
from deals.services import ensure_default_pipeline


def stage_named(name: str) -> Stage:
    """A stage of the default pipeline (created by the migration; again after a transactional test's flush)."""
    return Stage.objects.get(pipeline=ensure_default_pipeline(), name=name)


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    title = factory.Sequence(lambda n: f"Deal {n}")
    company = factory.Faker("company")
    amount = Decimal("5000.00")
    stage = factory.LazyFunction(lambda: stage_named("Qualification"))
    owner = factory.SubFactory(UserFactory, role="Sales rep")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    deal = factory.SubFactory(DealFactory)
    kind = Activity.Kind.CALL
    subject = "Intro call"
