import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from agenda.models import Task
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_a_task_is_on_exactly_one_record(rep):
    lead, deal = LeadFactory(), DealFactory()
    Task.objects.create(title="Call back", lead=lead, assignee=rep, due_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(title="Both", lead=lead, deal=deal, assignee=rep, due_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(title="Neither", assignee=rep, due_at=timezone.now())
    assert [task.record for task in Task.objects.all()] == [lead]
