"""Fifty people and integrations on gunicorn for a minute: no server error, no lost event.

gunicorn (two workers) serves the test database, which this transactional test fills and commits so the
server sees it; locust runs headless in its own process (it patches the standard library with gevent) and
counts what happened; the test compares those counts with the database.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from campaigns.tests.factories import CampaignFactory
from conftest import BASE_DIR, answers, wait_until
from crm.tests.factories import TEST_PASSWORD, UserFactory
from crm.worker_process import database_url
from deals.models import Stage
from deals.tests.factories import DealFactory
from leads.models import LeadEvent
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

USERS = 50
SECONDS = 60
EVENT_PREFIX = "load-"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
EVERY_KIND_OF_REQUEST = [
    "POST /accounts/login/",
    "GET /",
    "GET /leads/",
    "GET /leads/[id]/",
    "GET /campaigns/",
    "GET /reports/funnel/",
    "GET /pipeline/",
    "POST /deals/[id]/move/",
    "POST /api/v1/events/",
    "GET /healthz",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env() -> dict[str, str]:
    """Production settings on plain HTTP: the test database, the test's Redis, no debug, static files
    served from the app folders (collectstatic compresses for a minute or more)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "load-test-" + "k" * 40,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "WHITENOISE_USE_FINDERS": "1",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def gunicorn(tmp_path):
    """`gunicorn crm.wsgi` with two workers on a free port; yields its base URL."""
    env = server_env()
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "gunicorn", "crm.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        # Keep-alive longer than a client's pause: with gunicorn's 2 s default, a client reusing a connection
        # just as gunicorn closes it gets "connection reset" (as behind a load balancer, see docs/operations.md).
        + ["--threads", "4", "--keep-alive", "30", "--timeout", "60", "--graceful-timeout", "10"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(f"{url}/healthz") or process.poll() is not None, timeout=30)
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}: {(tmp_path / 'gunicorn.log').read_text()[-2000:]}")
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        log.close()


def load_plan(tmp_path) -> Path:
    """The people and records the locust users work with, committed so that gunicorn sees them."""
    manager = UserFactory(role="Manager", username="load-manager")
    marketers = [UserFactory(role="Marketer", username=f"load-marketer{n}") for n in range(2)]
    reps = [UserFactory(role="Sales rep", username=f"load-rep{n}") for n in range(5)]
    campaigns = CampaignFactory.create_batch(5, owner=marketers[0])
    leads = [LeadFactory(first_touch_campaign=campaigns[n % 5]) for n in range(200)]
    open_stages = Stage.objects.filter(pipeline__is_default=True, kind=Stage.Kind.OPEN)
    plan = {
        "password": TEST_PASSWORD,
        "browsers": [manager.username, *(marketer.username for marketer in marketers)],
        "reps": {rep.username: [DealFactory(owner=rep).pk for _ in range(8)] for rep in reps},
        "open_stages": list(open_stages.values_list("pk", flat=True)),
        "leads": [lead.pk for lead in leads],
        "emails": [lead.email for lead in leads],
        "token": Token.objects.create(user=marketers[1]).key,
        "event_prefix": EVENT_PREFIX,
        "seconds": SECONDS,
        "results": str(tmp_path / "results.json"),
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def test_fifty_users_for_a_minute_get_no_server_error_and_lose_no_event(celery_worker, gunicorn, tmp_path, capsys):
    plan = load_plan(tmp_path)
    started = time.monotonic()
    locust = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", gunicorn]
        + ["--users", str(USERS), "--spawn-rate", "25", "--run-time", f"{SECONDS + 30}s", "--stop-timeout", "5"]
        + ["--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
        env={**os.environ, "RELAY_LOAD_PLAN": str(plan)},
        capture_output=True,
        text=True,
        timeout=SECONDS + 90,
    )
    elapsed = time.monotonic() - started
    results_file = tmp_path / "results.json"
    assert results_file.exists(), f"locust wrote no results (exit {locust.returncode}): {locust.stderr[-3000:]}"
    counts = json.loads(results_file.read_text())
    stored = LeadEvent.objects.filter(external_id__startswith=EVENT_PREFIX).count()
    summary = (
        f"load test: {USERS} users for {SECONDS} s ({elapsed:.0f} s with start and stop): "
        f"{counts['locust_requests']} requests, {counts['requests_per_second']:.1f} req/s, "
        f"median {counts['median_ms']:.0f} ms, p95 {counts['p95_ms']:.0f} ms; "
        f"5xx {counts.get('5xx', 0)}, failures {counts['locust_failures']}; "
        f"events sent {counts.get('events_sent', 0)}, accepted {counts.get('events_accepted', 0)}, "
        f"stored {stored}; healthz probes {counts.get('healthz', 0)}"
    )
    with capsys.disabled():
        sys.stdout.write(f"\n{summary}\nrequests by kind: {counts['by_endpoint']}\n")
    assert counts.get("5xx", 0) == 0, f"{summary}\n" + "\n".join(counts["unexpected"][:20])
    assert counts["locust_failures"] == 0 and not counts["unexpected"], f"{summary}\n" + "\n".join(
        counts["unexpected"][:20]
    )
    assert stored == counts["events_accepted"] == counts["events_sent"], summary
    # A run that barely happened proves nothing: every kind of user must have done its part.
    done = counts["by_endpoint"]
    assert all(done.get(request) for request in EVERY_KIND_OF_REQUEST), f"{summary}\n{done}"
