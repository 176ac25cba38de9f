"""`make run`'s processes (Procfile.dev under honcho: the development server, a Celery worker and beat) on a
database and a message folder of the test's own, with no Redis: a CSV import uploaded through the web runs
in the worker, and its progress page shows it queued before it shows it done."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bench.http_load import free_port
from conftest import answers, wait_until
from crm.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.processes

BASE_DIR = Path(__file__).resolve().parent.parent.parent
HONCHO = Path(sys.executable).parent / "honcho"
ROWS = 5_000


@pytest.fixture
def make_run(tmp_path):
    """`honcho start --procfile Procfile.dev` as `make run` starts it, on a fresh SQLite file and VAR_DIR;
    yields the base URL and the path of the processes' combined output."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "RELAY_ENV_FILE": os.devnull,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "HOST": "127.0.0.1",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input"], cwd=BASE_DIR, env=env, check=True, capture_output=True)  # noqa: S603
    create_user = "from crm.tests.factories import UserFactory; UserFactory(role='Marketer', username='maya')"
    subprocess.run([*manage, "shell", "-c", create_user], cwd=BASE_DIR, env=env, check=True)  # noqa: S603
    port = free_port()
    log_path = tmp_path / "honcho.log"
    with open(log_path, "w") as log:
        honcho = subprocess.Popen(  # noqa: S603 - our own command line
            [HONCHO, "start", "--procfile", "Procfile.dev", "--port", str(port), "--env", os.devnull],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(f"{base_url}/healthz"), timeout=60)
        yield base_url, log_path
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait()


def signed_in(base_url: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base_url}/accounts/login/", timeout=10)
    response = session.post(
        f"{base_url}/accounts/login/",
        data={"username": "maya", "password": TEST_PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        timeout=10,
    )
    assert "/accounts/login/" not in response.url
    return session


def post_form(session, url, data=None, files=None):
    response = session.post(
        url, data={**(data or {}), "csrfmiddlewaretoken": session.cookies["csrftoken"]}, files=files, timeout=30
    )
    response.raise_for_status()
    return response


def test_a_csv_import_runs_in_the_worker_and_its_progress_page_moves(make_run):
    base_url, log_path = make_run
    session = signed_in(base_url)
    rows = "".join(f"lead{n}@example.com,Lead,Number {n}\n" for n in range(ROWS))
    upload = post_form(
        session, f"{base_url}/leads/import/", files={"file": ("leads.csv", "email,first_name,last_name\n" + rows)}
    )
    assert re.search(r"/leads/import/\d+/mapping/$", upload.url)
    mapping = {"column_0": "email", "column_1": "first_name", "column_2": "last_name"}
    progress = post_form(session, upload.url, data=mapping)
    progress_url = progress.url

    # The request that queued the import has returned before the import ran: the page shows it waiting.
    assert re.search(r"/leads/import/\d+/$", progress_url)
    assert re.search(r'data-testid="import-status">(Queued|Importing)', progress.text)
    assert 'hx-trigger="every 1s"' in progress.text

    def finished():
        fragment = session.get(progress_url, headers={"HX-Request": "true"}, timeout=10).text
        return "Import finished" in fragment and fragment

    summary = wait_until(finished, timeout=60, interval=0.2)
    assert f"<strong>{ROWS:,}</strong> created" in summary
    assert "every 1s" not in summary  # done: the page stops polling
    output = log_path.read_text()
    assert "Task leads.import_leads" in output and "succeeded" in output  # run by the worker
    assert "beat: Starting" in output
