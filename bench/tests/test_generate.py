"""The benchmark's data follows the funnel's rules (DOMAIN.md "The hand-over"), so that what `make bench`
measures is a database Relay itself could have written."""

import pytest
from django.db.models import Count, F, Q

from bench.generate import SEVERAL_PEOPLE, Scale, generate
from companies.models import Company
from companies.services import CompanyHint, companies_for
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


def test_the_leads_work_for_about_one_company_per_five_leads_and_one_company_has_the_many_people():
    generate(Scale(leads=1_000, events_per_lead=1, campaigns=2, days=30, deals=100, reps=2, largest_company=150))
    assert 190 <= Company.objects.count() <= 210
    people = Company.objects.annotate(n=Count("people"))
    assert [company.n for company in people.order_by("-n")[:2]][0] == 150
    assert people.order_by("-n")[1].n <= SEVERAL_PEOPLE[1]
    assert people.filter(n__gte=3).count() >= 50  # several people at a good share of them
    assert people.filter(n__lte=1).count() >= 100  # one at most at most of the others
    assert not people.exclude(people_count=F("n")).exists()  # the stored count is the real one
    assert Lead.objects.filter(account__isnull=True).exists()  # some name no company


def test_generated_leads_link_to_the_company_that_relay_would_link_them_to():
    generate(Scale(leads=600, events_per_lead=1, campaigns=2, days=30, deals=100, reps=2, largest_company=40))
    leads = list(Lead.objects.order_by("pk"))
    found = companies_for([CompanyHint(email=lead.email, name=lead.company) for lead in leads], create=False)
    assert [lead.account_id for lead in leads] == [company and company.pk for company in found]
    by_name = [lead for lead in leads if lead.account_id and lead.email_key.endswith("@gmail.com")]
    assert by_name, "some people write from free mail and are linked by their company's name"
    linked = Lead.objects.filter(account__isnull=False)
    for field in ("industry", "country"):
        assert not linked.exclude(**{field: F(f"account__{field}")}).exists()
    assert not linked.exclude(company_size=F("account__size_band")).exists()


def test_generated_deals_belong_to_their_leads_company_and_its_owner_works_the_lead():
    generate(Scale(leads=600, events_per_lead=1, campaigns=2, days=30, deals=100, reps=3, largest_company=40))
    deals = Deal.objects.filter(lead__isnull=False)
    assert deals.filter(account__isnull=False).count() > 50
    assert all(account == lead_account for account, lead_account in deals.values_list("account", "lead__account"))
    assert not deals.exclude(account=None).exclude(owner=F("account__owner")).exists()
    assert set(Company.objects.values_list("owner__username", flat=True)) == {"bench_rep1", "bench_rep2", "bench_rep3"}
