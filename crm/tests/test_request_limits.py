"""Request size limits: oversized bodies are refused before any work, and the events API caps its batches."""

import json

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from leads.models import LeadEvent
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(marketer):
    client = APIClient()
    client.force_authenticate(marketer)
    return client


def events(count, email="batch@example.com"):
    return [
        {
            "email": email,
            "kind": "email_click",
            "occurred_at": "2026-11-01T10:00:00Z",
            "external_id": f"esp-campaign-2026-11-newsletter-{n:06d}",
            "properties": {"url": "https://www.example.com/pricing?utm_source=newsletter", "n": n},
        }
        for n in range(count)
    ]


def test_a_full_batch_of_1000_events_fits_the_body_limit_and_is_stored(api):
    LeadFactory(email="batch@example.com")
    body = json.dumps(events(1000))
    assert len(body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = api.post("/api/v1/events/", body, content_type="application/json")
    assert response.status_code == 201
    assert LeadEvent.objects.filter(lead__email="batch@example.com").count() == 1000


def test_more_than_1000_events_in_one_request_are_refused(api):
    LeadFactory(email="batch@example.com")
    response = api.post("/api/v1/events/", events(1001), format="json")
    assert response.status_code == 400
    assert "at most 1000 events" in response.json()["detail"]
    assert not LeadEvent.objects.exists()


def test_an_empty_batch_is_refused(api):
    response = api.post("/api/v1/events/", [], format="json")
    assert response.status_code == 400
    assert "at least one" in response.json()["detail"]


def test_a_body_over_the_limit_is_refused_with_413_before_anything_is_stored(api, settings):
    LeadFactory(email="batch@example.com")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps(events(100))
    assert len(body) > 10_000
    response = api.post("/api/v1/events/", body, content_type="application/json")
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert not LeadEvent.objects.exists()


def test_a_form_with_too_many_fields_is_refused(client_for, manager):
    client = client_for(manager)
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    # Up to the limit the view answers as usual (back to the list); one field more and Django refuses it.
    assert client.post("/leads/bulk/", {f"field{n}": "x" for n in range(limit)}).status_code == 302
    assert client.post("/leads/bulk/", {f"field{n}": "x" for n in range(limit + 1)}).status_code == 400
