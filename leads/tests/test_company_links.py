"""Every door links a lead to its company; only the known doors change a company a lead already has."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from companies.models import Company
from companies.tests.factories import CompanyFactory
from leads.models import Lead
from leads.services.capture import capture_lead, update_lead
from leads.tests.factories import LeadFactory
from leads.tests.test_import import run  # noqa: F401 - the import fixture

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_form(client, **fields):
    data = {"first_name": "Vi", "last_name": "Sitor", "email": "known@acme.com", "website": "", **fields}
    return client.post("/capture/spring-webinar/", data)


def test_a_captured_lead_gets_the_company_of_its_email_domain_and_marks_its_rollups_due():
    lead = capture_lead(data={"email": "ada@eu.acme.co.uk", "company": "ACME UK"}, source="api").lead
    assert lead.account.name == "ACME UK"
    assert lead.account.domains.get().domain == "acme.co.uk"
    Company.objects.update(rollups_due=False)
    capture_lead(data={"email": "bob@acme.co.uk"}, source="manual")
    assert Lead.objects.get(email="bob@acme.co.uk").account == lead.account
    assert Company.objects.get().rollups_due


def test_the_public_form_never_changes_a_known_leads_company(client, campaign):
    acme = CompanyFactory(name="Acme")
    LeadFactory(email="known@acme.com", account=acme)
    post_form(client, company="Forged Ltd")
    assert Lead.objects.get().account == acme
    assert not Company.objects.filter(name="Forged Ltd").exists()


def test_the_public_form_links_a_known_lead_that_has_no_company_yet(client, campaign):
    LeadFactory(email="known@acme.com", account=None, company="Acme")
    post_form(client)
    assert Lead.objects.get().account.domains.get().domain == "acme.com"


def test_the_api_sets_company_by_id_and_answers_the_id_and_the_typed_name(marketer):
    acme, other = CompanyFactory(name="Acme"), CompanyFactory(name="Other")
    LeadFactory(email="ada@acme.com", account=other, company="Acme")
    response = api(marketer).post("/api/v1/leads/", {"email": "ada@acme.com", "company": acme.pk}, format="json")
    assert response.status_code == 200
    assert (response.data["company"], response.data["company_name"]) == (acme.pk, "Acme")
    assert Company.objects.get(pk=other.pk).rollups_due


def test_the_api_refuses_a_company_that_does_not_exist_naming_the_field(marketer):
    response = api(marketer).post("/api/v1/leads/", {"email": "ada@acme.com", "company": 999999}, format="json")
    assert response.status_code == 400
    assert "company" in response.data
    assert not Lead.objects.exists()


def test_the_api_links_by_company_domain_then_by_name(marketer):
    client = api(marketer)
    by_domain = client.post(
        "/api/v1/leads/",
        {"email": "ada@gmail.com", "company_name": "Acme", "company_domain": "www.acme.com"},
        format="json",
    )
    by_name = client.post("/api/v1/leads/", {"email": "bob@gmail.com", "company_name": "Beta Corp"}, format="json")
    assert Company.objects.get(pk=by_domain.data["company"]).domains.get().domain == "acme.com"
    assert Company.objects.get(pk=by_name.data["company"]).name == "Beta Corp"
    assert "company_domain" not in by_domain.data


def test_the_api_refuses_a_company_domain_that_is_no_domain(marketer):
    response = api(marketer).post(
        "/api/v1/leads/", {"email": "ada@acme.com", "company_domain": "not a domain"}, format="json"
    )
    assert response.status_code == 400
    assert "company_domain" in response.data


def test_a_hand_edit_choosing_a_company_marks_both_companies_rollups_due(manager):
    old, new = CompanyFactory(), CompanyFactory()
    lead = LeadFactory(account=old)
    Company.objects.update(rollups_due=False)
    update_lead(lead=lead, data={"account": new}, by=manager)
    assert Lead.objects.get().account == new
    assert Company.objects.filter(rollups_due=True).count() == 2


def _import_queries(run, user, rows: int) -> int:  # noqa: F811
    lines = ["email,company,company domain"]
    lines += [f"p{n}@firm{n}.com,Firm {n}," for n in range(rows)]
    lines += [f"q{n}@gmail.com,Named {n}," for n in range(rows)]
    lines += [f"r{n}@gmail.com,,www.site{n}.org" for n in range(rows)]
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    # Counted as they run: the import clears Django's query log after each batch.
    with connection.execute_wrapper(count):
        run("\n".join(lines) + "\n", user)
    return len(statements)


def test_the_import_links_by_domain_then_by_name_with_the_same_queries_whatever_the_rows(run, marketer):  # noqa: F811
    few = _import_queries(run, marketer, 2)
    Lead.objects.all().delete()
    Company.objects.all().delete()
    # 30 rows, not more: beyond, SQLite's limit of 999 parameters splits the companies' INSERT in two.
    many = _import_queries(run, marketer, 10)
    assert few == many
    assert Lead.objects.get(email="p7@firm7.com").account.domains.get().domain == "firm7.com"
    assert Lead.objects.get(email="p7@firm7.com").account.name == "Firm 7"
    assert Lead.objects.get(email="q7@gmail.com").account.name == "Named 7"
    assert Lead.objects.get(email="r7@gmail.com").account.domains.get().domain == "site7.org"
    assert Company.objects.count() == 30


def test_the_import_guesses_the_company_domain_column():
    from leads.imports.upload import guess_mapping

    assert guess_mapping(["Email", "Company", "Company domain"]) == {
        "0": "email",
        "1": "company",
        "2": "company_domain",
    }


def test_the_lead_page_links_the_leads_company(client_for, marketer):
    acme = CompanyFactory(name="Acme")
    lead = LeadFactory(account=acme, company="ACME Inc")
    page = client_for(marketer).get(f"/leads/{lead.pk}/").content.decode()
    assert f'<a href="/companies/{acme.pk}/" data-testid="lead-account">Acme</a>' in page
    assert "typed: ACME Inc" in page


def test_a_company_made_by_an_edit_takes_the_size_as_normalised(manager):
    lead = LeadFactory(email="ann@new-robotics.com", account=None)
    update_lead(lead=lead, data={"company": "New Robotics", "company_size": "51 – 200"}, by=manager)
    lead.refresh_from_db()
    assert (lead.company_size, lead.account.name, lead.account.size_band) == ("51-200", "New Robotics", "51-200")
