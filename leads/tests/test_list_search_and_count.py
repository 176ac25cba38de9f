"""The lead list's search box finds a person by full name, and its count stays one a person can use."""

import pytest
from django.db import connection

from leads import selectors
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def emails(response):
    return sorted(lead.email for lead in response.context["page"].rows)


def count_line(response):
    page = response.content.decode()
    start = page.index(">", page.index('data-testid="lead-count"')) + 1
    return " ".join(page[start : page.index("</p>", start)].split())


def analyze_leads():
    """Give PostgreSQL's planner the leads' statistics, as autovacuum does on a real database."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE leads_lead")


@pytest.fixture
def okafors(db):
    LeadFactory(first_name="Dana", last_name="Okafor", email="dana@okafor.example", company="Acme Labs")
    LeadFactory(first_name="Dana", last_name="Smith", email="dana@smith.example", company="Globex")
    LeadFactory(first_name="Sam", last_name="Okafor", email="sam@okafor.example", company="Globex")


# --- Search ------------------------------------------------------------------------------------------


def test_a_full_name_finds_the_lead_in_either_order(client_for, rep, okafors):
    client = client_for(rep)
    assert emails(client.get("/leads/", {"q": "Dana Okafor"})) == ["dana@okafor.example"]
    assert emails(client.get("/leads/", {"q": "okafor DANA"})) == ["dana@okafor.example"]
    assert emails(client.get("/leads/", {"q": "  dana   okaf "})) == ["dana@okafor.example"]
    assert emails(client.get("/leads/", {"q": "Okafor"})) == ["dana@okafor.example", "sam@okafor.example"]


def test_every_word_of_a_search_is_found_in_a_name_an_email_or_a_company(client_for, rep, okafors):
    client = client_for(rep)
    assert emails(client.get("/leads/", {"q": "dana acme"})) == ["dana@okafor.example"]
    assert emails(client.get("/leads/", {"q": "Dana globex"})) == ["dana@smith.example"]
    assert emails(client.get("/leads/", {"q": "sam okafor.example"})) == ["sam@okafor.example"]
    assert emails(client.get("/leads/", {"q": "Acme Labs"})) == ["dana@okafor.example"]
    assert emails(client.get("/leads/", {"q": "Dana Okafor Globex"})) == []


def test_a_search_of_too_many_words_is_refused_with_its_error(client_for, rep, okafors):
    client = client_for(rep)
    words = " ".join(["dana"] * 600)
    response = client.get("/leads/", {"q": words})
    assert response.context["form"].errors["q"] == ["Search for at most 10 words."]
    assert client.get("/leads/count/", {"q": words}).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
def test_a_search_of_several_words_is_answered_by_the_trigram_index(okafors):
    queryset = selectors.search_leads(Lead.objects.all(), "Dana Okafor")
    with connection.cursor() as cursor:
        # Three leads cost less to read in full or in date order than through the trigrams; at a million the
        # planner takes the trigram index by itself (bench/README.md).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.explain()
    assert "lead_search_trgm_idx" in plan
    assert [lead.email for lead in queryset] == ["dana@okafor.example"]


# --- Count -------------------------------------------------------------------------------------------


@pytest.fixture
def small_limits(monkeypatch):
    """The page counts up to 3 leads itself, the count request exactly up to 5: a few leads cross both."""
    monkeypatch.setattr(selectors, "PAGE_COUNT_LIMIT", 3)
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", 5)


def test_the_page_counts_a_few_leads_itself(client_for, rep, okafors, small_limits):
    client = client_for(rep)
    assert count_line(client.get("/leads/")) == "3 leads."
    assert count_line(client.get("/leads/", {"q": "okafor"})) == "2 leads match these filters."


def test_beyond_the_page_count_the_exact_count_comes_in_its_own_request(client_for, rep, small_limits):
    LeadFactory.create_batch(5, last_name="Okafor")
    LeadFactory(last_name="Smith")
    client = client_for(rep)
    page = client.get("/leads/", {"q": "okafor", "after": ""})
    assert count_line(page) == "Counting the leads that match these filters…"
    assert 'hx-get="/leads/count/?q=okafor"' in page.content.decode()
    assert count_line(client.get("/leads/count/", {"q": "okafor"})) == "5 leads match these filters."


def test_beyond_the_exact_limit_the_count_is_an_estimate_marked_as_one(client_for, rep, small_limits):
    LeadFactory.create_batch(7)
    analyze_leads()
    assert count_line(client_for(rep).get("/leads/count/")) == "About 7 leads (estimated)."


def test_an_estimate_no_larger_than_the_limit_says_only_that_there_are_more(client_for, rep, small_limits, monkeypatch):
    LeadFactory.create_batch(7)
    monkeypatch.setattr(selectors, "estimated_count", lambda queryset: 4)
    assert count_line(client_for(rep).get("/leads/count/")) == "More than 5 leads."


def test_an_estimate_is_said_as_a_person_would(db):
    def about(estimate):
        return selectors.ListCount(100_000, estimate=estimate).about

    assert about(1_234_567) == "1.2 million"
    assert about(12_345_678) == "12 million"
    assert about(234_567) == "230,000"
    assert about(100_001) == "100,000"


def test_a_person_without_a_role_gets_no_count(client_for, okafors):
    from crm.tests.factories import UserFactory

    response = client_for(UserFactory()).get("/leads/count/")
    assert response.status_code == 403


@pytest.mark.parametrize("search", ["okafor", "dana okafor"])
def test_the_list_pages_through_few_and_many_matches_alike(client_for, rep, monkeypatch, search):
    """Up to PAGE_COUNT_LIMIT matches the page sorts them whole; beyond, it walks the date index: the same
    pages either way, forwards and back."""
    LeadFactory.create_batch(30, first_name="Dana", last_name="Okafor")
    LeadFactory.create_batch(3, first_name="Dana", last_name="Smith")
    client = client_for(rep)
    for limit in (3, 100):
        monkeypatch.setattr(selectors, "PAGE_COUNT_LIMIT", limit)
        seen, cursor = [], ""
        while True:
            response = client.get("/leads/", {"q": search, "after": cursor})
            seen += [lead.email for lead in response.context["page"].rows]
            cursor = response.context["page"].next_cursor
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 30
        assert all(lead.last_name == "Okafor" for lead in Lead.objects.filter(email__in=seen))
        back = client.get("/leads/", {"q": search, "before": response.context["page"].previous_cursor})
        assert [lead.email for lead in back.context["page"].rows] == seen[:25]
