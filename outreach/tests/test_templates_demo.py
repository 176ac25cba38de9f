"""The demo's email templates: approved ones for every purpose, a rep's draft, figures from sent emails."""

import io

import pytest

from crm.demo import seed_users
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory
from outreach import demo
from outreach.models import Email, EmailTemplate
from outreach.rendering import check

pytestmark = pytest.mark.django_db


def test_demo_templates_cover_every_purpose_use_valid_merge_fields_and_are_added_once():
    users = seed_users()
    for _ in range(3):
        DealFactory(owner=users["rep1"], lead=LeadFactory())
    demo.seed(users=users, stdout=io.StringIO())
    approved = EmailTemplate.objects.filter(approved=True)
    purposes = set(approved.values_list("purpose", flat=True))
    assert purposes >= set(EmailTemplate.Purpose.values) - {EmailTemplate.Purpose.OTHER}
    assert EmailTemplate.objects.filter(approved=False, owner=users["rep1"]).count() == 1
    for template in EmailTemplate.objects.all():
        check(template.subject)
        check(template.body)
    assert Email.objects.filter(status=Email.Status.SENT).count() == 3
    demo.seed(users=users, stdout=io.StringIO())
    assert EmailTemplate.objects.count() == len(demo.TEMPLATES) + 1
