"""Fixtures shared by every app's tests: users per role, logged-in clients, Chromium and a Celery worker."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from crm.tests.factories import TEST_PASSWORD, UserFactory
from crm.worker_process import WorkerProcess, database_url

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


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    """Users are made with real passwords; hash them fast (the hasher is not under test). Not in
    `integration` tests: their gunicorn and worker processes know only the configured hashers."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    settings_fixture = request.getfixturevalue("settings")
    settings_fixture.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


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


@pytest.fixture(scope="session", autouse=True)
def _cache_in_memory():
    """Without Redis the cache is files in VAR_DIR, which `make run` shares: tests keep theirs in memory, so
    that no count or key outlives the run or meets the development server's."""
    if settings.REDIS_URL:
        yield
        return
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        yield


def start_worker(
    broker_url: str, name: str, log_name: str, env: dict[str, str] | None = None, beat: bool = False
) -> WorkerProcess:
    """A real Celery worker on `broker_url` against the test database (stop it with `.stop()`); `env` adds
    settings (e.g. CELERY_VISIBILITY_TIMEOUT); `beat` embeds beat, as production runs it."""
    from django.db import connection

    worker = WorkerProcess(
        database_url=database_url(connection.settings_dict),
        broker_url=broker_url,
        name=name,
        log_path=BASE_DIR / log_name,
        env=env,
        beat=beat,
    )
    try:
        return worker.start()
    except RuntimeError as exc:
        pytest.fail(str(exc))


def require_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis at {url} is not reachable: {exc}")


def run_at_once(call, times: int) -> list:
    """`call()` in `times` threads released together (a barrier), each on its own database connection, as two
    beats or workers would run it at once; its answers, in the order they came. Raises the first error."""
    import threading

    from django.db import connection

    barrier, answers, errors = threading.Barrier(times), [], []

    def run():
        try:
            barrier.wait()
            answers.append(call())
        except Exception as exc:  # noqa: BLE001 - raised below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return answers


def lock_rows(sql, params):
    """A second PostgreSQL session holding the `SELECT ... FOR UPDATE` locks of `sql` until it is closed."""
    import psycopg2
    from django.db import connection

    database = connection.settings_dict
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    holder = psycopg2.connect(dbname=database["NAME"], user=database["USER"], host=host, port=port)
    with holder.cursor() as cursor:
        cursor.execute(sql, params)
    return holder


def require_postgres() -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skip_or_fail("a separate worker process needs PostgreSQL (the SQLite test database is in memory)")


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real `celery -A crm worker` process consuming REDIS_URL against the test database."""
    if not settings.REDIS_URL:
        skip_or_fail("needs REDIS_URL for a real Celery worker")
    require_postgres()
    require_redis(settings.REDIS_URL)
    from crm.celery import app

    app.control.purge()
    with django_db_blocker.unblock():
        worker = start_worker(settings.REDIS_URL, "test", ".celery-test-worker.log")
    yield worker
    worker.stop()


@pytest.fixture(autouse=True)
def _worker_settles_after_the_test(request):
    """A test that used the session's worker ends when the worker is idle, so that a chain it started (a
    scoring drain after an import, say) neither meets the database flush nor the next test's rows."""
    yield
    if "celery_worker" in request.fixturenames:
        try:
            request.getfixturevalue("celery_worker").wait_until_idle()
        except RuntimeError as exc:
            pytest.fail(str(exc))


def answers(url: str) -> bool:
    """True when `url` answers 200 (a server started by a test is up)."""
    import requests

    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


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


# --- A Redis of the test's own, to stop and start ------------------------------------------------------


class PrivateRedis:
    """A redis-server on a free port that a test may stop and start again (the shared one stays up)."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: _redis_answers(self.url), timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _redis_answers(url) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def private_redis():
    if not shutil.which("redis-server"):
        skip_or_fail("redis-server is not installed")
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = PrivateRedis(port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker_at():
    """`broker_at(url)`: this test process publishes Celery messages to `url` until the test ends."""
    from crm.celery import app

    previous = app.conf.broker_url

    def point(url):
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    yield point
    point(previous)


# --- A real SMTP server ----------------------------------------------------------------------------------


class SmtpInbox:
    """The messages an SMTP server of the test's own received, parsed (email.message.EmailMessage)."""

    def __init__(self):
        self.messages = []
        self.port = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler hook
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """An SMTP server (aiosmtpd) on a free local port, and Relay's email settings pointed at it: mail goes
    through Django's real SMTP backend. Yields the inbox; `inbox.messages` fills as mail arrives."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SmtpInbox()
    inbox.port = port
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()
