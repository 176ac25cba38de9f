"""No 5xx under hostile input: every list and report page, every API list filter and every API write, fed
generated query strings, ids and JSON bodies (crm.tests.fuzzing's hostile values among them), as each role.

A refused value answers 400 (the API, naming the field) or the page with the form's error; any answer but a
5xx passes here. FUZZ_EXAMPLES sets the examples per page or operation (see crm.tests.fuzzing).
"""

import json

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from campaigns.forms import CAMPAIGN_FIELDS
from campaigns.tests.factories import CampaignDailyStatFactory, CampaignFactory
from crm.tests.fuzzing import FUZZ, HOSTILE, TEXT, ServerErrors, json_values, query_strings
from crm.tests.properties import rolled_back
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadEventFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]

ROLES = ["marketer", "rep", "manager"]
JSON = "application/json"
REPORT_FILTERS = ["period", "date_from", "date_to", "channel", "campaign", "owner"]
DEAL_FILTERS = ["owner", "campaign", "close_month", "q", "closed"]
# Every page with filters, a period or paging, and the names it reads from the query string.
PAGES = {
    "/": [],
    "/notifications/": ["page"],
    "/leads/": [
        *["q", "stage", "source", "channel", "campaign", "owner", "score_min", "score_max"],
        *["created_from", "created_to", "sort", "after", "before"],
    ],
    "/inbox/": ["rep", "page"],
    "/leads/scoring/preview/": ["settings-mql_threshold"],
    "/campaigns/": ["channel", "status", "owner", "date_from", "date_to", "sort", "page"],
    "/campaigns/spring-launch/": [],
    "/campaigns/spring-launch/stats/": ["date"],
    "/pipeline/": DEAL_FILTERS,
    "/deals/": [*DEAL_FILTERS, "stage", "sort", "page"],
    "/deals/export.csv": [*DEAL_FILTERS, "stage", "sort"],
    "/reports/funnel/": [*REPORT_FILTERS, "split", "format", "table"],
    "/reports/sales/": [*REPORT_FILTERS, "format", "table"],
    "/reports/feedback/": [*REPORT_FILTERS, "format", "table"],
    "/reports/campaigns/": [*REPORT_FILTERS, "attribution", "format", "table"],
}
REPORT_API = [*REPORT_FILTERS, "split", "attribution"]
API_LISTS = {
    "/api/v1/leads/": [
        *["stage", "source", "source_channel", "owner", "email", "campaign", "score_min", "score_max"],
        *["created_after", "created_before", "cursor"],
    ],
    "/api/v1/campaigns/": ["date_from", "date_to", "attribution", "channel", "status", "archived", "page"],
    "/api/v1/campaigns/spring-launch/": ["date_from", "date_to", "attribution"],
    "/api/v1/campaigns/spring-launch/stats/": ["page"],
    "/api/v1/deals/": ["stage", "owner", "source_campaign", "lead", "page"],
    "/api/v1/reports/funnel/": REPORT_API,
    "/api/v1/reports/sales/": REPORT_API,
    "/api/v1/reports/feedback/": REPORT_API,
    "/api/v1/reports/campaigns/": REPORT_API,
}
ID_PATHS = [
    "/leads/{}/",
    "/deals/{}/",
    "/leads/import/{}/",
    "/pipeline/stages/{}/",
    "/api/v1/leads/{}/",
    "/api/v1/deals/{}/",
]
IDS = st.one_of(st.integers(min_value=0, max_value=2**70), st.sampled_from([2**31, 2**63 - 1, 2**63, 2**64]))

# Each API write and the fields it reads; a field gets a plausible value, a hostile one or any JSON.
LEAD_FIELDS = ["email", "first_name", "company", "company_size", "campaign", "consent", "event_kind", "occurred_at"]
EVENT_FIELDS = ["lead", "email", "kind", "occurred_at", "campaign", "external_id", "properties"]
DEAL_FIELDS = ["title", "amount", "stage", "owner", "lead", "expected_close_date", "source_campaign", "contact_email"]
WRITES = {
    "POST /api/v1/leads/": [*LEAD_FIELDS, "properties"],
    "POST /api/v1/events/": EVENT_FIELDS,
    "POST /api/v1/campaigns/": CAMPAIGN_FIELDS,
    "PATCH /api/v1/campaigns/spring-launch/": CAMPAIGN_FIELDS,
    "POST /api/v1/campaigns/spring-launch/stats/": ["date", "impressions", "clicks", "spend"],
    "POST /api/v1/deals/": DEAL_FIELDS,
    "PATCH /api/v1/deals/{deal}/": DEAL_FIELDS,
    "POST /api/v1/deals/{deal}/move/": ["stage", "position", "lost_reason", "note"],
}
PLAUSIBLE = {
    "email": st.emails(),
    "date": st.dates().map(str),
    "start_date": st.dates().map(str),
    "end_date": st.dates().map(str),
    "expected_close_date": st.dates().map(str),
    "occurred_at": st.datetimes().map(str),
    "impressions": st.integers(min_value=0, max_value=2**64),
    "clicks": st.integers(min_value=0, max_value=2**64),
    "spend": st.decimals(allow_nan=False, allow_infinity=False).map(str),
    "budget": st.decimals(allow_nan=False, allow_infinity=False).map(str),
    "amount": st.decimals(allow_nan=False, allow_infinity=False).map(str),
    "position": st.integers(min_value=-1, max_value=2**70),
    "lead": st.integers(min_value=0, max_value=2**70),
    "stage": st.integers(min_value=0, max_value=2**70),
    "channel": st.sampled_from(["email", "paid_search", "tv"]),
    "kind": st.sampled_from(["page_view", "demo_request", "nope"]),
    "campaign": st.sampled_from(["spring-launch", "nope"]),
    "properties": st.dictionaries(TEXT, json_values(), max_size=3),
}


def field_values(name: str):
    return st.one_of(PLAUSIBLE.get(name, TEXT), HOSTILE, json_values())


def bodies(fields: list[str]):
    """A JSON body: an object of some of `fields`, a list of them (bulk operations), or any JSON at all."""
    item = st.fixed_dictionaries({}, optional={name: field_values(name) for name in fields})
    return st.one_of(item, st.lists(item, max_size=3), json_values())


@pytest.fixture
def records(marketer, rep):
    """Something for generated ids, slugs and filters to meet; returns the deal."""
    campaign = CampaignFactory(slug="spring-launch", owner=marketer)
    CampaignDailyStatFactory(campaign=campaign)
    lead = LeadFactory(first_touch_campaign=campaign, owner=rep)
    LeadEventFactory(lead=lead)
    return DealFactory(lead=lead, owner=rep, source_campaign=campaign)


@pytest.fixture
def signed_in(marketer, rep, manager):
    """A client per role that answers a 500 as a response, as production does (no exception is raised)."""
    clients = {}
    for role, user in (("marketer", marketer), ("rep", rep), ("manager", manager)):
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    return clients


def send(tally, endpoint, client, method, path, *args, **kwargs):
    """One request, rolled back, counted under the endpoint's name as schemathesis names it; fails on a 5xx that
    is not known to be fixed elsewhere."""
    endpoint = endpoint.replace("/spring-launch/", "/{slug}/").replace("{deal}", "{id}")
    with rolled_back(), ServerErrors() as errors:
        response = getattr(client, method)(path, *args, **kwargs)
    sent = args or kwargs
    assert tally.record(endpoint, response.status_code), (
        f"{endpoint} {sent!r:.500} answered {response.status_code}:\n{errors.last}"
    )


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.usefixtures("records")
def test_no_page_answers_a_server_error_to_any_query_string(page, signed_in, tally):
    @FUZZ
    @given(role=st.sampled_from(ROLES), query=query_strings(PAGES[page]), htmx=st.booleans())
    def examples(role, query, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        send(tally, f"GET {page}", signed_in[role], "get", page, query, headers=headers)

    examples()


@pytest.mark.parametrize("path", API_LISTS)
@pytest.mark.usefixtures("records")
def test_no_api_list_answers_a_server_error_to_any_filter(path, signed_in, tally):
    @FUZZ
    @given(role=st.sampled_from(ROLES), query=query_strings(API_LISTS[path]))
    def examples(role, query):
        send(tally, f"GET {path}", signed_in[role], "get", path, query)

    examples()


@pytest.mark.parametrize("path", ID_PATHS)
@pytest.mark.usefixtures("records")
def test_no_page_answers_a_server_error_to_any_id(path, signed_in, tally):
    @FUZZ
    @given(role=st.sampled_from(ROLES), pk=IDS)
    def examples(role, pk):
        send(tally, f"GET {path.format('{id}')}", signed_in[role], "get", path.format(pk))

    examples()


@pytest.mark.parametrize("operation", WRITES)
def test_no_api_write_answers_a_server_error_to_any_body(operation, records, signed_in, tally):
    method, path = operation.split(" ")

    @FUZZ
    @given(role=st.sampled_from(ROLES), body=bodies(WRITES[operation]))
    def examples(role, body):
        path_ = path.format(deal=records.pk)
        send(tally, operation, signed_in[role], "generic", method, path_, json.dumps(body), content_type=JSON)

    examples()
