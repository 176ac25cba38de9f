"""API throttles: a spent budget answers 429 with Retry-After; event ingest has a budget of its own."""

import uuid

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from leads.models import LeadEvent
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    """Counters of earlier tests (same user ids, same minute) must not spend these tests' budgets."""
    location = f"throttle-test-{uuid.uuid4()}"
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": location}}
    ):
        yield


def rates(**overrides):
    """REST_FRAMEWORK with some throttle rates changed (DRF's settings reload on override_settings)."""
    framework = dict(settings.REST_FRAMEWORK)
    framework["DEFAULT_THROTTLE_RATES"] = {**framework["DEFAULT_THROTTLE_RATES"], **overrides}
    return override_settings(REST_FRAMEWORK=framework)


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_default_rates_are_generous():
    configured = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert configured["user"] == "2000/min"
    assert configured["events"] == "100000/min"


def test_a_user_over_the_api_rate_gets_429_with_retry_after(marketer):
    client = token_client(marketer)
    with rates(user="3/min"):
        answers = [client.get("/api/v1/leads/").status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        refused = client.get("/api/v1/campaigns/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Request was throttled" in refused.json()["detail"]


def test_one_users_spent_budget_does_not_throttle_another(marketer, manager):
    with rates(user="2/min"):
        first = token_client(marketer)
        for _ in range(3):
            first.get("/api/v1/leads/")
        assert first.get("/api/v1/leads/").status_code == 429
        assert token_client(manager).get("/api/v1/leads/").status_code == 200


def test_event_ingest_has_its_own_budget_beyond_the_users_api_rate(marketer):
    LeadFactory(email="burst@example.com")
    client = token_client(marketer)
    with rates(user="2/min", events="5/min"):
        for n in range(5):
            event = {"email": "burst@example.com", "kind": "page_view", "external_id": f"burst-{n}"}
            assert client.post("/api/v1/events/", event, format="json").status_code == 201
        refused = client.post("/api/v1/events/", {"email": "burst@example.com", "kind": "page_view"}, format="json")
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) >= 1
        # Ingest did not spend the ordinary API budget.
        assert client.get("/api/v1/leads/").status_code == 200
    assert LeadEvent.objects.filter(lead__email="burst@example.com").count() == 5


def test_throttles_let_requests_through_when_the_cache_is_down(marketer):
    unreachable = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    client = token_client(marketer)
    with override_settings(CACHES={"default": unreachable}), rates(user="1/min"):
        assert [client.get("/api/v1/leads/").status_code for _ in range(3)] == [200, 200, 200]
