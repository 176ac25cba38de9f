from datetime import timedelta

import factory
from django.utils import timezone

from agenda.models import Task
from crm.tests.factories import UserFactory
from deals.tests.factories import DealFactory


class TaskFactory(factory.django.DjangoModelFactory):
    """A task on a new deal, for a new sales rep, due in an hour. Pass `lead=` or `company=` with `deal=None`."""

    class Meta:
        model = Task

    title = factory.Sequence(lambda n: f"Call back {n}")
    deal = factory.SubFactory(DealFactory)
    assignee = factory.SubFactory(UserFactory, role="Sales rep")
    created_by = factory.SelfAttribute("assignee")
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
