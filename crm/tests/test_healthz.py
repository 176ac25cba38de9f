import pytest
from django.core.cache import cache
from django.db import connection

from crm.tasks import WORKER_HEARTBEAT_KEY

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_eager_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


def test_healthz_without_redis_reports_the_message_folder_and_the_workers_heartbeat(client, settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = ""
    settings.BROKER_FOLDER = tmp_path
    cache.set(WORKER_HEARTBEAT_KEY, "2026-12-07T04:00:00+00:00")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
    assert response.json()["worker_heartbeat"] == "2026-12-07T04:00:00+00:00"

    settings.BROKER_FOLDER = tmp_path / "missing"
    assert client.get("/healthz").status_code == 503


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_the_database_is_unreachable(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
