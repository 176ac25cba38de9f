"""Fixtures shared by every app's tests: users per role, logged-in clients, Chromium and a Celery worker."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from crm.tests.factories import TEST_PASSWORD, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls our tests make there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BASE_DIR = Path(__file__).resolve().parent


def skip_or_fail(reason: str):
    """Without REQUIRE_SERVICES a missing service skips the test; with it, the run fails."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


# --- Users and clients ------------------------------------------------------------------------------


@pytest.fixture
def marketer(db):
    return UserFactory(role="Marketer", username="maya")


@pytest.fixture
def rep(db):
    return UserFactory(role="Sales rep", username="rita")


@pytest.fixture
def other_rep(db):
    return UserFactory(role="Sales rep", username="sam")


@pytest.fixture
def manager(db):
    return UserFactory(role="Manager", username="omar")


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client signed in as `user` (None: anonymous)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


# --- Celery -------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _eager_tasks_outside_integration_tests(request):
    """Unit tests run tasks in-process; only `integration` tests send them through a real broker."""
    from crm.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def _database_url_for_worker() -> str:
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real `celery -A crm worker` process consuming REDIS_URL against the test database."""
    if not settings.REDIS_URL:
        skip_or_fail("needs REDIS_URL for a real Celery worker")
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skip_or_fail("a separate worker process needs PostgreSQL (the SQLite test database is in memory)")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis at REDIS_URL is not reachable: {exc}")
    from crm.celery import app

    app.control.purge()
    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DATABASE_URL": _database_url_for_worker(),
            "CONN_MAX_AGE": "0",
            "DEBUG": "0",
            "SECRET_KEY": "integration-tests",
            "SECURE_SSL_REDIRECT": "0",
        }
    log = open(BASE_DIR / ".celery-test-worker.log", "w")  # noqa: SIM115 - closed at teardown
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the Celery worker exited with {worker.returncode}; see .celery-test-worker.log")
        if app.control.ping(timeout=0.5):
            break
    else:
        worker.kill()
        pytest.fail("the Celery worker did not answer a ping within 60 s")
    yield worker
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    log.close()


def wait_until(condition, timeout=15.0, interval=0.1):
    """Poll `condition()` until it returns something truthy; return it, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


# --- Browser ------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        skip_or_fail(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab (its own cookies) at laptop width; `page.base_url` is the live server."""
    context = chromium.new_context(viewport={"width": 1366, "height": 800}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


@pytest.fixture
def sign_in_browser(page):
    """`sign_in_browser(user)`: sign the browser tab in as `user` through the real login form."""

    def sign_in(user, password=TEST_PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return sign_in
