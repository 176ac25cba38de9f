"""Shared pieces of the hypothesis property tests: bounded settings and a rollback per example."""

from contextlib import contextmanager

from django.db import transaction
from hypothesis import HealthCheck, settings

# Pure functions: cheap examples.
QUICK = settings(max_examples=100, deadline=None)
# Examples that write to the database: fewer, each rolled back (see `rolled_back`). The test's `db` fixture
# is set up once for all examples, which is what the function-scoped-fixture health check warns about.
WITH_DATABASE = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@contextmanager
def rolled_back():
    """Run one example in a savepoint that is rolled back, so no example sees another's rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
