import pytest
from django.core.cache import cache

from conftest import wait_until
from crm.tasks import WORKER_HEARTBEAT_KEY, heartbeat

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_task_sent_through_redis_is_run_by_a_real_worker(celery_worker, client):
    cache.delete(WORKER_HEARTBEAT_KEY)
    heartbeat.delay()
    beat_at = wait_until(lambda: cache.get(WORKER_HEARTBEAT_KEY), timeout=20)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "worker_heartbeat": beat_at}
