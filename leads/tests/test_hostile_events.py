"""The event API under hostile or careless input: a bad item is refused with its field, the rest of its
batch is stored, and nothing is dropped in silence."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from leads.models import Lead, LeadEvent
from leads.tests.factories import LeadEventFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(marketer):
    client = APIClient()
    client.force_authenticate(marketer)
    return client


def post_raw(api, body: str):
    """POST a JSON text as it is (to send escapes such as \\u0000 that a JSON encoder would not write)."""
    return api.post("/api/v1/events/", data=body, content_type="application/json")


# --- external_id names an event of its lead -------------------------------------------------------------


def test_two_leads_may_carry_the_same_external_id(api):
    ada, bob = LeadFactory(), LeadFactory()
    first = api.post("/api/v1/events/", {"lead": ada.pk, "kind": "page_view", "external_id": "evt-1"}, format="json")
    second = api.post("/api/v1/events/", {"lead": bob.pk, "kind": "page_view", "external_id": "evt-1"}, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.data["stored"] == 1 and second.data["duplicates"] == 0
    assert LeadEvent.objects.filter(external_id="evt-1").count() == 2


def test_a_resend_for_the_same_lead_is_still_a_duplicate_even_without_its_time(api):
    lead = LeadFactory()
    event = {"lead": lead.pk, "kind": "webinar_attended", "external_id": "web-7"}
    api.post("/api/v1/events/", {**event, "occurred_at": "2026-11-02T10:00:00Z"}, format="json")
    again = api.post("/api/v1/events/", [event, {**event, "occurred_at": "2026-11-02T10:00:00Z"}], format="json")
    assert again.status_code == 201
    assert (again.data["stored"], again.data["duplicates"], again.data["failed"]) == (0, 2, 0)
    assert LeadEvent.objects.filter(lead=lead).count() == 1


def test_reusing_a_leads_external_id_for_another_event_is_refused_for_that_item_only(api):
    lead = LeadFactory()
    LeadEventFactory(lead=lead, kind="page_view", external_id="x-1", occurred_at=timezone.now() - timedelta(days=2))
    response = api.post(
        "/api/v1/events/",
        [
            {"lead": lead.pk, "kind": "demo_request", "external_id": "x-1"},
            {"lead": lead.pk, "kind": "page_view", "external_id": "x-1", "occurred_at": "2026-01-01T00:00:00Z"},
            {"lead": lead.pk, "kind": "page_view", "external_id": "x-2"},
        ],
        format="json",
    )
    assert response.status_code == 207
    assert (response.data["stored"], response.data["duplicates"], response.data["failed"]) == (1, 0, 2)
    assert [error["index"] for error in response.data["errors"]] == [0, 1]
    assert all("external_id" in error["errors"] for error in response.data["errors"])
    assert sorted(LeadEvent.objects.filter(lead=lead).values_list("external_id", "kind")) == [
        ("x-1", "page_view"),
        ("x-2", "page_view"),
    ]


def test_two_different_events_with_one_id_in_one_batch_keep_the_first_and_refuse_the_second(api):
    lead = LeadFactory()
    response = api.post(
        "/api/v1/events/",
        [
            {"lead": lead.pk, "kind": "email_open", "external_id": "m-1"},
            {"lead": lead.pk, "kind": "email_click", "external_id": "m-1"},
        ],
        format="json",
    )
    assert response.status_code == 207
    assert response.data["errors"][0]["index"] == 1
    assert LeadEvent.objects.get(lead=lead).kind == "email_open"


# --- texts a database cannot store ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "properties",
    [
        '{"note": "a\\u0000b"}',
        '{"a\\u0000": 1}',
        '{"note": "half \\ud800 a pair"}',
        '{"list": ["ok", {"deep": "\\udfff"}]}',
        "{" + '"a": {' * 40 + "}" * 40 + "}",
    ],
)
def test_an_item_whose_properties_cannot_be_stored_is_refused_and_the_rest_of_its_batch_stored(api, properties):
    lead = LeadFactory()
    body = (
        f'[{{"lead": {lead.pk}, "kind": "page_view"}},'
        f' {{"lead": {lead.pk}, "kind": "email_open", "properties": {properties}}},'
        f' {{"lead": {lead.pk}, "kind": "email_click", "properties": {{"page": "/pricing"}}}}]'
    )
    response = post_raw(api, body)
    assert response.status_code == 207, response.content
    assert (response.data["stored"], response.data["failed"]) == (2, 1)
    assert response.data["errors"] == [
        {"index": 1, "errors": {"properties": response.data["errors"][0]["errors"]["properties"]}}
    ]
    assert sorted(LeadEvent.objects.filter(lead=lead).values_list("kind", flat=True)) == ["email_click", "page_view"]


def test_a_lead_posted_with_unstorable_properties_is_refused_with_the_field(api):
    response = api.post(
        "/api/v1/leads/",
        data=json.dumps({"email": "nul@example.com", "properties": {"note": "a\x00b"}}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "properties" in response.data
    assert not Lead.objects.exists()


# --- events from the future (or a broken clock) --------------------------------------------------------


@pytest.mark.parametrize("when", ["9999-12-31T00:00:00Z", "+2days", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z"])
def test_an_event_dated_outside_its_window_is_refused_with_the_field(api, when):
    lead = LeadFactory()
    if when == "+2days":
        when = (timezone.now() + timedelta(days=2)).isoformat()
    response = api.post(
        "/api/v1/events/",
        [{"lead": lead.pk, "kind": "demo_request", "occurred_at": when}, {"lead": lead.pk, "kind": "page_view"}],
        format="json",
    )
    assert response.status_code == 207
    assert response.data["errors"][0]["index"] == 0
    assert "occurred_at" in response.data["errors"][0]["errors"]
    assert list(LeadEvent.objects.filter(lead=lead).values_list("kind", flat=True)) == ["page_view"]


def test_an_event_a_few_hours_ahead_is_taken_for_clock_skew(api):
    lead = LeadFactory()
    soon = (timezone.now() + timedelta(hours=20)).isoformat()
    response = api.post("/api/v1/events/", {"lead": lead.pk, "kind": "page_view", "occurred_at": soon}, format="json")
    assert response.status_code == 201


def test_a_lead_captured_with_a_future_event_time_is_refused(api):
    response = api.post(
        "/api/v1/leads/", {"email": "future@example.com", "occurred_at": "9999-12-31T23:59:59Z"}, format="json"
    )
    assert response.status_code == 400
    assert "occurred_at" in response.data
    assert not Lead.objects.exists()


def test_a_lead_id_past_what_the_column_holds_is_refused_for_that_item(api):
    lead = LeadFactory()
    response = api.post(
        "/api/v1/events/",
        [{"lead": 2**63, "kind": "page_view"}, {"lead": lead.pk, "kind": "page_view"}],
        format="json",
    )
    assert response.status_code == 207
    assert response.data["errors"][0]["index"] == 0
    assert "lead" in response.data["errors"][0]["errors"]
    assert LeadEvent.objects.filter(lead=lead).count() == 1
