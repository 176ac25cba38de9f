"""One search box: leads, companies, deals and campaigns, grouped by kind, as each role may see them."""

import pytest

from campaigns.tests.factories import CampaignFactory
from companies.tests.factories import CompanyFactory
from crm.tests.factories import UserFactory
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory
from search.selectors import search_everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    acme = CompanyFactory(name="Acme Robotics", domain="acme-robotics.com")
    LeadFactory(first_name="Dana", last_name="Okafor", email="dana@acme-robotics.com", company="Acme", account=acme)
    LeadFactory(first_name="Olaf", last_name="Berg", email="olaf@example.com")
    DealFactory(title="Robot arms for Leeds", company="Acme")
    CampaignFactory(name="Robotics webinar")
    return acme


def labels(results):
    return {kind: [result.label for result in rows] for kind, rows in results.items()}


def test_one_search_finds_every_kind_of_record(world, rep):
    assert labels(search_everything(rep, "robot")) == {
        "lead": ["Dana Okafor"],  # her email is at acme-robotics.com
        "company": ["Acme Robotics"],
        "deal": ["Robot arms for Leeds"],
        "campaign": ["Robotics webinar"],
    }


def test_a_lead_is_found_by_full_name_in_any_order_and_by_email(world, marketer):
    assert labels(search_everything(marketer, "okafor dana"))["lead"] == ["Dana Okafor"]
    assert labels(search_everything(marketer, "dana@acme"))["lead"] == ["Dana Okafor"]


def test_a_company_is_found_by_its_web_domain(world, marketer):
    [company] = search_everything(marketer, "acme-robotics.com")["company"]
    assert (company.label, company.url) == ("Acme Robotics", world.get_absolute_url())


def test_a_blank_search_finds_nothing_and_reads_nothing(world, rep, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert labels(search_everything(rep, "   ")) == {"lead": [], "company": [], "deal": [], "campaign": []}


def test_the_page_groups_the_results_and_htmx_gets_them_alone(world, client_for, rep):
    client = client_for(rep)
    page = client.get("/search/", {"q": "robot"}).content.decode()
    results = page[page.index('data-testid="search-results"') :]
    assert "<html" in page and results.index("Leads") < results.index("Companies") < results.index("Deals")
    assert results.index("Deals") < results.index("Campaigns")
    fragment = client.get("/search/", {"q": "robot"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and "Robot arms for Leeds" in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]


def test_someone_without_a_role_finds_nothing(world, client):
    client.force_login(UserFactory(role=None))
    assert client.get("/search/", {"q": "robot"}).status_code == 403
    assert client.get("/api/v1/search/", {"q": "robot"}).status_code == 403
    assert labels(search_everything(UserFactory(role=None), "robot")) == {
        "lead": [],
        "company": [],
        "deal": [],
        "campaign": [],
    }


def test_the_api_answers_the_results_grouped_by_kind(world, client_for, manager):
    response = client_for(manager).get("/api/v1/search/", {"q": "acme-robotics"})
    assert response.status_code == 200
    body = response.json()
    assert [(row["kind"], row["label"]) for row in body["company"]] == [("company", "Acme Robotics")]
    assert [row["label"] for row in body["lead"]] == ["Dana Okafor"]
    assert body["deal"] == [] and body["campaign"] == []


def test_a_search_costs_one_query_per_kind_whatever_it_finds(world, manager, django_assert_max_num_queries):
    for n in range(6):
        CompanyFactory(name=f"Robot Works {n}", domain=f"robot{n}.com")
    with django_assert_max_num_queries(8):  # leads, companies (+ their domains), deals, campaigns, a domain list
        results = search_everything(manager, "robot")
    assert len(results["company"]) == 5
