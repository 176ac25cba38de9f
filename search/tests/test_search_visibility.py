"""The search box shows each role what its role may read (DOMAIN.md "Roles"), through each kind's own
visibility function: every role reads every lead, company, deal and campaign, whoever owns them, and each
result opens for the user who found it."""

import pytest

from campaigns.tests.factories import CampaignFactory
from companies.tests.factories import CompanyFactory
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory
from search import selectors
from search.selectors import search_everything

pytestmark = pytest.mark.django_db

ROLES = ["rep", "other_rep", "marketer", "manager"]


@pytest.fixture
def world(rep, other_rep, marketer):
    """One record of each kind named "Borealis", each owned by someone else than the rep (`rita`)."""
    return {
        "lead": LeadFactory(first_name="Ines", last_name="Borealis", email="ines@borealis.io", owner=other_rep),
        "company": CompanyFactory(name="Borealis Freight", domain="borealis.io", owner=other_rep),
        "deal": DealFactory(title="Borealis fleet renewal", company="Borealis Freight", owner=other_rep),
        "campaign": CampaignFactory(name="Borealis launch webinar", owner=marketer),
    }


def found(results) -> dict[str, set[int]]:
    return {kind: {result.id for result in rows} for kind, rows in results.items()}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_finds_every_kind_whoever_owns_it(world, role, request):
    user = request.getfixturevalue(role)
    assert found(search_everything(user, "borealis")) == {kind: {record.pk} for kind, record in world.items()}


@pytest.mark.parametrize("role", ROLES)
def test_every_result_opens_for_the_user_who_found_it(world, role, request, client_for):
    client = client_for(request.getfixturevalue(role))
    body = client.get("/api/v1/search/", {"q": "borealis"}).json()
    urls = [row["url"] for rows in body.values() for row in rows]
    assert len(urls) == 4
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


def test_a_rep_finds_another_reps_deal_though_the_deal_list_starts_with_their_own(world, client_for, rep):
    client = client_for(rep)
    assert "Borealis fleet renewal" not in client.get("/deals/").content.decode()
    assert "Borealis fleet renewal" in client.get("/search/", {"q": "fleet"}).content.decode()


# Each kind's visibility function, as the selector imports it.
VISIBILITY = {
    "lead": "leads_visible_to",
    "company": "companies_visible_to",
    "deal": "deals_visible_to",
    "campaign": "campaigns_visible_to",
}


@pytest.mark.parametrize("kind", VISIBILITY)
def test_each_kind_is_read_through_its_visibility_function(world, kind, rep, monkeypatch):
    """Were a role's view of a kind narrowed to what it owns, the search would narrow with it: the rep, who owns
    none of the records, would find none of that kind and still find the others."""
    visible_to = getattr(selectors, VISIBILITY[kind])
    monkeypatch.setattr(selectors, VISIBILITY[kind], lambda user: visible_to(user).filter(owner=user))
    results = found(search_everything(rep, "borealis"))
    assert results[kind] == set()
    assert all(results[other] == {world[other].pk} for other in VISIBILITY if other != kind)
