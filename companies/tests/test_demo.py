"""`seed_demo`'s leads work for companies as a real base's do: several people at some companies, one at
most at the others, each linked to the company their work email (or the name they typed) says, and the
deals sold to those companies."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from companies.models import Company
from companies.services import CompanyHint, companies_for
from deals.models import Deal
from leads.models import Lead

pytestmark = pytest.mark.django_db


def seed_demo(settings, *args):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", *args, stdout=io.StringIO())


def test_the_demo_has_companies_with_several_people_linked_by_their_work_email_or_typed_name(settings):
    seed_demo(settings, "--scale", "500")
    people = Company.objects.annotate(n=Count("people"))
    assert 90 <= people.count() <= 110  # about one per five leads
    assert people.filter(n__gte=3).count() >= 20
    assert people.filter(n__lte=1).count() >= 40
    leads = list(Lead.objects.order_by("pk"))
    found = companies_for([CompanyHint(email=lead.email, name=lead.company) for lead in leads], create=False)
    assert [lead.account_id for lead in leads] == [company and company.pk for company in found]
    at_work = [lead for lead in leads if lead.account_id and lead.email.endswith(".example")]
    assert len(at_work) > len(leads) / 2
    assert set(Company.objects.values_list("owner__username", flat=True)) == {"rep1", "rep2"}
    busiest = people.order_by("-n").first()
    assert {lead.industry for lead in busiest.people.all()} == {busiest.industry}


def test_the_demo_deals_are_sold_to_companies_and_a_second_run_adds_no_company(settings):
    seed_demo(settings, "--scale", "500")
    companies = Company.objects.count()
    by_hand = Deal.objects.filter(lead__isnull=True)
    assert by_hand.exists() and not by_hand.filter(account__isnull=True).exists()
    assert by_hand.filter(account__people_count__gte=3).count() == by_hand.count()
    accepted = Deal.objects.filter(lead__isnull=False)
    assert accepted.filter(account__isnull=False).exists()
    assert all(account == lead_account for account, lead_account in accepted.values_list("account", "lead__account"))
    seed_demo(settings, "--scale", "500")
    assert Company.objects.count() == companies
