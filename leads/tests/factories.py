import factory
from django.utils import timezone

from leads.models import EventKind, Lead, LeadEvent, LeadNote, LifecycleStage


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"lead{n}@example.com")
    company = factory.Faker("company")
    job_title = "Marketing Manager"
    stage = LifecycleStage.LEAD
    lead_at = factory.LazyFunction(timezone.now)


class LeadEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadEvent

    lead = factory.SubFactory(LeadFactory)
    kind = EventKind.PAGE_VIEW
    occurred_at = factory.LazyFunction(timezone.now)


class LeadNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadNote

    lead = factory.SubFactory(LeadFactory)
    body = "Spoke to them: budget is set for Q1."
