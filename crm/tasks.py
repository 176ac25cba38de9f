from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

WORKER_HEARTBEAT_KEY = "relay:worker-heartbeat"


@shared_task(name="crm.heartbeat")
def heartbeat() -> str:
    """Record that a worker is consuming the queue; /healthz reports how long ago it last did."""
    now = timezone.now().isoformat()
    cache.set(WORKER_HEARTBEAT_KEY, now, timeout=None)
    return now
