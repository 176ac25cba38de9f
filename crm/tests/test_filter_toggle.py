"""The "Filters" button of the lists on a phone says how many filters narrow the list: a filter at its default,
the sort and a value the list cannot read do not count; an htmx swap of the results updates the number."""

import re

import pytest

pytestmark = pytest.mark.django_db


def active_filters(html: str, target: str) -> int:
    """The number the button shows (0 when it shows none)."""
    match = re.search(rf'<span id="{target}-count"[^>]*>(?:<span class="badge[^"]*">(\d+)</span>)?', html)
    assert match, f"no count for {target}"
    return int(match.group(1) or 0)


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({}, 0),
        ({"q": "okafor"}, 1),
        ({"q": "okafor", "stage": "mql", "sort": "score"}, 2),
        ({"score_min": "lots", "stage": "mql"}, 1),
    ],
)
def test_the_lead_list_counts_the_filters_in_force(client_for, manager, query, count):
    assert active_filters(client_for(manager).get("/leads/", query).content.decode(), "lead-filters") == count


def test_the_company_list_counts_its_filters(client_for, marketer):
    page = client_for(marketer).get("/companies/", {"q": "acme", "country": "DE", "sort": "name"})
    assert active_filters(page.content.decode(), "company-filters") == 2


@pytest.mark.parametrize(
    ("role", "query", "count"),
    [
        ("rep", {}, 0),  # a rep starts on their own deals: the default, not a filter
        ("rep", {"owner": "mine"}, 0),
        ("rep", {"owner": "team"}, 1),
        ("manager", {"owner": "team", "q": "fleet"}, 1),
        ("manager", {"owner": "mine", "q": "fleet"}, 2),
    ],
)
def test_the_deal_list_counts_what_differs_from_its_defaults(client_for, request, role, query, count):
    page = client_for(request.getfixturevalue(role)).get("/deals/", query)
    assert active_filters(page.content.decode(), "deal-filters") == count


def test_the_results_swapped_by_htmx_bring_the_new_count_with_them(client_for, manager):
    client = client_for(manager)
    for url, target in (("/leads/", "lead-filters"), ("/companies/", "company-filters")):
        fragment = client.get(url, {"q": "okafor", "sort": "name"}, headers={"HX-Request": "true"}).content.decode()
        assert f'<span id="{target}-count" hx-swap-oob="true">' in fragment
        assert active_filters(fragment, target) == 1
        # The whole page has the count once, in its button, not a second time for htmx.
        assert "hx-swap-oob" not in client.get(url, {"q": "okafor"}).content.decode().split('id="results"')[1]
