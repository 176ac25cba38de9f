import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crm.models import Notification
from crm.roles import primary_role
from crm.tasks import WORKER_HEARTBEAT_KEY
from reports.dashboard import dashboard_figures


def dashboard(request):
    """Each role's home: the figures of the last 30 days that matter to it, and what to do next."""
    context = {"role": primary_role(request.user), "figures": dashboard_figures(request.user)}
    return render(request, "crm/dashboard.html", context)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "down" to a load balancer
        return "down"
    return "ok"


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return "down"
    return "ok"


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers and the load test: 200 when the database and broker answer, 503 otherwise."""
    status = {"database": database_status(), "broker": broker_status()}
    healthy = status["database"] == "ok" and status["broker"] in ("ok", "eager")
    if status["broker"] == "ok":
        # Informational: when a worker last ran the beat heartbeat (None: not since the cache was emptied).
        status["worker_heartbeat"] = cache.get(WORKER_HEARTBEAT_KEY)
    return JsonResponse({"status": "ok" if healthy else "unavailable", **status}, status=200 if healthy else 503)


def notifications(request):
    """The signed-in user's notifications, newest first; opening the page marks them read."""
    mine = Notification.objects.filter(user=request.user)
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    response = render(request, "crm/notifications.html", {"page": page})
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    return response
