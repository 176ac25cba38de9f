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
