"""schemathesis against /api/schema/: every API operation, fed generated input as a manager, never answers 5xx.

The schema is fetched from the app itself (WSGI, no server) with a manager's token. Each operation gets
FUZZ_EXAMPLES derandomized examples of valid input and as many of invalid input (crm.tests.fuzzing), so the run
is repeatable; FUZZ_REPORT tallies them per operation.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import given
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from agenda.tests.factories import TaskFactory
from campaigns.tests.factories import CampaignDailyStatFactory, CampaignFactory
from crm.tests.fuzzing import FUZZ
from crm.tests.properties import rolled_back
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadEventFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    """Something for generated ids, slugs and filters to meet."""
    campaign = CampaignFactory(slug="spring-launch")
    CampaignDailyStatFactory(campaign=campaign)
    lead = LeadFactory(first_touch_campaign=campaign)
    LeadEventFactory(lead=lead)
    TaskFactory(deal=DealFactory(lead=lead))


@pytest.fixture
def app():
    """The project's WSGI application, keeping the database connection open between requests as Django's
    test client does: the test runs inside one transaction, which closing the connection would end."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def server_errors(operation, headers, mode, tally) -> str | None:
    """Run the examples of one operation, each rolled back (a database error in one then leaves the test's
    transaction usable); the first 5xx found (shrunk by Hypothesis), or None."""

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def examples(case):
        with rolled_back():
            response = case.call(headers=headers)
        if tally.record(operation.label, response.status_code):
            return
        case.validate_response(response, checks=[not_a_server_error])

    try:
        examples()
    # schemathesis groups distinct failures in a BaseExceptionGroup; each is reported with its operation.
    except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001
        return f"{operation.label}: {failure}"
    return None


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.usefixtures("records", "unthrottled")
def test_no_api_operation_answers_a_server_error(app, manager, mode, tally):
    headers = {"Authorization": f"Token {Token.objects.create(user=manager).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, "the schema lists the API's operations"
    failures = [error for operation in operations if (error := server_errors(operation, headers, mode, tally))]
    assert not failures, "\n\n".join(failures)
