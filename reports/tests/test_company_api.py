"""/api/v1/companies/: the list's filters, reads, writes with the pages' permissions, merging, and 400s."""

import pytest

from companies.models import Company, CompanyMerge
from companies.tests.factories import CompanyDomainFactory, CompanyFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/companies/"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_the_api_lists_companies_with_the_pages_filters_and_sorts(client_for, rep):
    CompanyFactory(name="Acme", industry="Software", account_score=70, open_deals=1, top_stage_rank=4)
    CompanyDomainFactory(company=CompanyFactory(name="Globex", account_score=20), domain="globex.com")
    client = client_for(rep)
    assert names(client.get(URL, {"q": "globex.com"})) == ["Globex"]
    assert names(client.get(URL, {"industry": "software"})) == ["Acme"]
    assert names(client.get(URL, {"has_open_deal": "true"})) == ["Acme"]
    assert names(client.get(URL, {"score_min": 50})) == ["Acme"]
    assert names(client.get(URL, {"top_stage": "4"})) == ["Acme"]
    assert names(client.get(URL, {"sort": "name"})) == ["Acme", "Globex"]
    body = client.get(URL, {"sort": "score"}).json()
    assert body["count"] == 2 and body["results"][1]["domains"] == ["globex.com"]


def test_a_bad_filter_value_is_a_400_naming_it(client_for, rep):
    response = client_for(rep).get(URL, {"score_min": "lots", "sort": "nonsense"})
    assert response.status_code == 400
    assert {"score_min", "sort"} <= set(response.json())


def test_a_marketer_creates_a_company_with_domains(client_for, marketer):
    response = client_for(marketer).post(
        URL, {"name": "Globex", "domains": ["https://www.globex.com", "globex.de"]}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["domains"] == ["globex.com", "globex.de"]


def test_bad_input_answers_400_with_the_field(client_for, marketer):
    CompanyDomainFactory(company=CompanyFactory(name="Acme"), domain="acme.com")
    client = client_for(marketer)
    for payload, field in [
        ({"domains": ["x.com"]}, "name"),
        ({"name": "Copy", "domains": ["not a domain"]}, "domains"),
        ({"name": "Copy", "domains": ["acme.com"]}, "domains"),
        ({"name": "Copy", "size_band": "huge"}, "size_band"),
    ]:
        response = client.post(URL, payload, content_type="application/json")
        assert response.status_code == 400 and field in response.json(), (payload, response.content)
    assert not Company.objects.filter(name="Copy").exists()


def test_a_rep_updates_only_their_own_companies_and_creates_none(client_for, rep, other_rep):
    own, others = CompanyFactory(owner=rep), CompanyFactory(owner=other_rep, name="Theirs")
    client = client_for(rep)
    response = client.patch(f"{URL}{own.pk}/", {"industry": "Retail"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["industry"] == "Retail"
    assert client.patch(f"{URL}{others.pk}/", {"name": "Mine"}, content_type="application/json").status_code == 403
    assert client.post(URL, {"name": "New"}, content_type="application/json").status_code == 403
    assert Company.objects.get(pk=others.pk).name == "Theirs"


def test_a_put_replaces_the_domains(client_for, manager):
    company = CompanyFactory(name="Acme")
    CompanyDomainFactory(company=company, domain="acme.com")
    response = client_for(manager).put(
        f"{URL}{company.pk}/", {"name": "Acme", "domains": ["acme.io"]}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["domains"] == ["acme.io"]


def test_a_marketer_merges_through_the_api_and_a_rep_cannot(client_for, marketer, rep):
    keep, other = CompanyFactory(name="Acme", owner=rep), CompanyFactory(name="ACME Inc")
    person = LeadFactory(account=other)
    url = f"{URL}{keep.pk}/merge/"
    assert client_for(rep).post(url, {"merge": other.pk}, content_type="application/json").status_code == 403
    response = client_for(marketer).post(url, {"merge": other.pk}, content_type="application/json")
    assert response.status_code == 200 and "ACME Inc" in response.json()["aliases"]
    person.refresh_from_db()
    assert person.account_id == keep.pk and CompanyMerge.objects.filter(into=keep).exists()


def test_a_merge_of_nothing_itself_or_garbage_is_a_400_naming_merge(client_for, marketer):
    keep = CompanyFactory()
    client = client_for(marketer)
    for value in [keep.pk, 10**9, "x", None]:
        response = client.post(f"{URL}{keep.pk}/merge/", {"merge": value}, content_type="application/json")
        assert response.status_code == 400 and "merge" in response.json(), (value, response.content)


def test_the_schema_documents_the_company_endpoints(client_for, rep):
    schema = client_for(rep).get("/api/schema/?format=json").json()
    assert {"/api/v1/companies/", "/api/v1/companies/{id}/", "/api/v1/companies/{id}/merge/"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/companies/"]["get"]["parameters"]}
    assert {
        "q",
        "industry",
        "size",
        "country",
        "owner",
        "has_open_deal",
        "score_min",
        "top_stage",
        "sort",
    } <= parameters


def test_the_schema_generates_without_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
