import pytest

from companies.models import Company, CompanyMerge
from companies.services import merge_companies
from companies.tests.factories import CompanyFactory
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_merging_moves_the_people_and_deals_and_records_it(manager):
    keep, merge = CompanyFactory(name="Acme", domain="acme.com"), CompanyFactory(name="ACME Inc", domain="acme.io")
    leads = LeadFactory.create_batch(2, account=merge)
    deal = DealFactory(account=merge)
    record = merge_companies(keep=keep, merge=merge, by=manager)
    keep.refresh_from_db()
    assert {lead.pk for lead in keep.people.all()} == {lead.pk for lead in leads}
    assert list(keep.deals.all()) == [deal]
    assert sorted(keep.domains.values_list("domain", flat=True)) == ["acme.com", "acme.io"]
    assert keep.aliases == ["ACME Inc"]
    assert not Company.objects.filter(pk=merge.pk).exists()
    assert CompanyMerge.objects.get() == record
    assert (record.merged_name, record.by, record.moved["leads"], record.moved["deals"]) == ("ACME Inc", manager, 2, 1)


def test_a_company_cannot_be_merged_into_itself():
    acme = CompanyFactory(name="Acme")
    with pytest.raises(ValueError, match="itself"):
        merge_companies(keep=acme, merge=acme)
    assert Company.objects.filter(pk=acme.pk).exists()


def test_the_kept_company_takes_the_duplicates_details_where_its_own_are_blank(rep):
    keep = CompanyFactory(name="Acme", industry="Software")
    merge = CompanyFactory(name="Acme GmbH", industry="Robotics", country="DE", owner=rep, aliases=["Acme AG"])
    merge_companies(keep=keep, merge=merge)
    keep.refresh_from_db()
    assert (keep.industry, keep.country, keep.owner) == ("Software", "DE", rep)  # its own industry stays
    assert keep.aliases == ["Acme GmbH", "Acme AG"]
    assert keep.rollups_due


def test_a_chain_of_merges_keeps_every_record_on_the_last_company():
    first, second, third = (CompanyFactory(name=name) for name in ("Acme", "Acme Inc", "ACME Ltd"))
    merge_companies(keep=second, merge=third)
    merge_companies(keep=first, merge=second)
    assert list(CompanyMerge.objects.filter(into=first).values_list("merged_name", flat=True).order_by("id")) == [
        "ACME Ltd",
        "Acme Inc",
    ]
    first.refresh_from_db()
    assert first.aliases == ["Acme Inc", "ACME Ltd"]
    assert Company.objects.count() == 1
