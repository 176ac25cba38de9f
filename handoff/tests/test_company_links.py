"""Deals follow their lead's company, from the accepted MQL on; and the bulk linking of an existing database
(migration leads 0022, `manage.py link_companies`)."""

import pytest
from django.core.management import call_command

from companies.models import Company, CompanyDomain, PersonalEmailDomain
from companies.tests.factories import CompanyFactory
from crm.tests.factories import UserFactory
from deals.tests.factories import DealFactory
from handoff.company_links import link_all
from handoff.services import accept_mql, hand_over_mql
from leads.models import Lead, ScoringSettings
from leads.services.company_links import link_all_leads
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_accepting_an_mql_opens_a_deal_for_the_leads_company():
    UserFactory(role="Sales rep", username="rita")
    acme = CompanyFactory(name="Acme")
    lead = LeadFactory(score=ScoringSettings.load().mql_threshold, account=acme)
    handoff = hand_over_mql(lead_id=lead.pk)
    Company.objects.update(rollups_due=False)
    accept_mql(handoff_id=handoff.pk, by=handoff.rep)
    handoff.refresh_from_db()
    assert handoff.deal.account == acme
    assert Company.objects.get().rollups_due


def old_database():
    """Leads and deals from before companies: nothing linked."""
    LeadFactory(email="ada@acme.com", company="ACME Corp")
    LeadFactory(email="bob@EU.acme.com", company="")
    LeadFactory(email="cy@bücher.de", company="")
    LeadFactory(email="dee@xn--bcher-kva.de", company="Buecher")
    LeadFactory(email="eve@gmail.com", company="Beta Ltd")
    LeadFactory(email="fay@yahoo.com", company=" beta  LTD ")
    LeadFactory(email="gus@gmail.com", company="")
    LeadFactory(email="hal@mailinator.com", company="")
    LeadFactory(email="ida@localhost", company="")
    Lead.objects.update(account=None)
    with_lead = DealFactory(lead=Lead.objects.get(email="ada@acme.com"), account=None)
    by_contact = DealFactory(lead=None, contact_email="kim@newco.io", company="", account=None)
    return with_lead, by_contact


def test_linking_an_old_database_builds_companies_links_leads_and_deals_and_counts_why_not():
    with_lead, by_contact = old_database()
    assert not Company.objects.exists()
    report = link_all_leads()
    assert report.companies_created == 3  # acme.com, xn--bcher-kva.de, Beta Ltd
    assert (report.linked_by_domain, report.linked_by_name) == (4, 2)
    assert report.unlinked == {"personal email domain": 2, "unusable email domain": 1}
    acme = Company.objects.get(domains__domain="acme.com")
    assert acme.name == "ACME Corp"
    assert Lead.objects.get(email="bob@EU.acme.com").account == acme
    assert Lead.objects.get(email="cy@bücher.de").account == Lead.objects.get(email="dee@xn--bcher-kva.de").account
    assert Lead.objects.get(email="eve@gmail.com").account == Lead.objects.get(email="fay@yahoo.com").account
    assert not CompanyDomain.objects.filter(domain__in=["gmail.com", "yahoo.com", "mailinator.com"]).exists()
    lines = link_all()[-2:]
    assert lines == ["Deals linked through their lead: 1", "Deals linked by contact email or name: 1"]
    with_lead.refresh_from_db()
    by_contact.refresh_from_db()
    assert with_lead.account == acme
    assert by_contact.account.domains.get().domain == "newco.io"


def test_linking_again_changes_nothing_and_keeps_what_was_linked_by_hand(capsys):
    old_database()
    chosen = CompanyFactory(name="Chosen by hand")
    Lead.objects.filter(email="ada@acme.com").update(account=chosen)
    link_all()
    companies, links = Company.objects.count(), dict(Lead.objects.values_list("email", "account"))
    call_command("link_companies")
    assert "Companies created: 0" in capsys.readouterr().out
    assert (Company.objects.count(), dict(Lead.objects.values_list("email", "account"))) == (companies, links)
    assert Lead.objects.get(email="ada@acme.com").account == chosen


def test_a_domain_managers_list_as_a_company_links_by_domain():
    PersonalEmailDomain.objects.create(domain="mailinator.com", kind=PersonalEmailDomain.Kind.COMPANY)
    LeadFactory(email="hal@mailinator.com", account=None)
    assert link_all_leads().linked_by_domain == 1
