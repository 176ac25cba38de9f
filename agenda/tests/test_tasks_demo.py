import io

import pytest
from django.utils import timezone

from agenda import demo
from agenda.models import Task
from crm.demo import seed_users
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_demo_tasks_are_on_deals_leads_and_companies_some_overdue_and_none_reminded_late():
    users = seed_users()
    DealFactory.create_batch(30, owner=users["rep1"])
    LeadFactory.create_batch(3, owner=users["rep2"])
    demo.seed(users=users, stdout=io.StringIO())
    tasks = Task.objects.all()
    assert tasks.filter(deal__isnull=False).exists() and tasks.filter(lead__isnull=False).exists()
    assert tasks.open().filter(due_at__lt=timezone.now()).exists()
    assert tasks.filter(done_at__isnull=False).exists()
    assert not tasks.filter(due_at__lte=timezone.now(), reminded_at__isnull=True).exists()
    out = io.StringIO()
    demo.seed(users=users, stdout=out)
    assert "already there" in out.getvalue() and Task.objects.count() == tasks.count()
