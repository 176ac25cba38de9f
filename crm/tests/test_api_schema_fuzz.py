"""schemathesis against /api/schema/: every API operation, fed generated input as a manager, never answers 5xx.

The schema is fetched from the app itself (WSGI, no server) with a manager's token. Each operation gets a
bounded, derandomized set of examples, valid ones and invalid ones, so the run is repeatable and short.
"""

import uuid

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from campaigns.tests.factories import CampaignDailyStatFactory, CampaignFactory
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadEventFactory, LeadFactory

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def records():
    """Something for generated ids, slugs and filters to meet."""
    campaign = CampaignFactory(slug="spring-launch")
    CampaignDailyStatFactory(campaign=campaign)
    lead = LeadFactory(first_touch_campaign=campaign)
    LeadEventFactory(lead=lead)
    DealFactory(lead=lead)


@pytest.fixture
def app():
    """The project's WSGI application, keeping the database connection open between requests as Django's
    test client does: the test runs inside one transaction, which closing the connection would end."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fresh_cache():
    """The fuzzing's requests must not spend the API budget of users in other tests, nor the reverse."""
    cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"fuzz-{uuid.uuid4()}"}
    with override_settings(CACHES={"default": cache}):
        yield


def server_errors(operation, headers, mode) -> str | None:
    """Run the examples of one operation; the first 5xx found (shrunk by Hypothesis), or None."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def examples(case):
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    try:
        examples()
    # schemathesis groups distinct failures in a BaseExceptionGroup; each is reported with its operation.
    except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001
        return f"{operation.label}: {failure}"
    return None


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.usefixtures("records", "fresh_cache")
def test_no_api_operation_answers_a_server_error(app, manager, mode):
    headers = {"Authorization": f"Token {Token.objects.create(user=manager).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, "the schema lists the API's operations"
    failures = [error for operation in operations if (error := server_errors(operation, headers, mode))]
    assert not failures, "\n\n".join(failures)
