"""Fixtures of the fuzz tests (test_api_schema_fuzz.py, test_hostile_input_properties.py)."""

import uuid

import pytest
from django.test import override_settings

from crm.tests.fuzzing import Tally


@pytest.fixture
def unthrottled(settings):
    """A cache of the fuzzing's own, so that its requests do not spend the API budget of users in other tests,
    nor the reverse; and budgets no run spends (a run of FUZZ_EXAMPLES=400 sends thousands of requests a
    minute, which 429s would leave untested)."""
    cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"fuzz-{uuid.uuid4()}"}
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000000/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    with override_settings(CACHES={"default": cache}):
        yield


@pytest.fixture
def tally(request):
    """Requests sent per endpoint and their 5xx, saved to FUZZ_REPORT after the test (crm.tests.fuzzing)."""
    counts = Tally()
    yield counts
    counts.save(request.node.nodeid)
