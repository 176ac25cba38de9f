import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.template.defaultfilters import pluralize
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.context_processors import home_url
from crm.forms import ProfileForm
from crm.models import Notification, Profile
from crm.notifications import mark_all_read, mark_read
from crm.tasks import WORKER_HEARTBEAT_KEY


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
    if not settings.REDIS_URL:  # messages are files in a folder (`make run`)
        return "ok" if settings.BROKER_FOLDER.is_dir() else "down"
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


@require_GET
def notifications(request):
    """The signed-in user's notifications, newest first, the unread ones marked as such. Reading the list
    reads none of them: opening one does (`notification_open`), or "Mark all read"."""
    mine = Notification.objects.filter(user=request.user)
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    unread = mine.filter(read_at__isnull=True).count()
    return render(request, "crm/notifications.html", {"page": page, "unread": unread})


@require_GET
def notification_open(request, pk):
    """A notification's link: mark it read and go where it points (only within Relay; else to the list)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    mark_read(notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("notifications")
    return redirect(target)


@require_POST
def notifications_mark_all_read(request):
    marked = mark_all_read(user=request.user)
    if marked:
        messages.success(request, f"{marked} notification{pluralize(marked)} marked read.")
    else:
        messages.info(request, "Nothing was unread.")
    return redirect("notifications")


@require_http_methods(["GET", "POST"])
def profile(request):
    """The signed-in user's own profile: the signature put under the emails they send from Relay."""
    instance = Profile.objects.filter(user=request.user).first() or Profile(user=request.user)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("profile")
    return render(request, "crm/profile.html", {"form": form})


class SignInView(auth_views.LoginView):
    """Django's sign-in page, landing each role on its home (`crm.context_processors.HOMES`) unless the
    visitor was on the way to a page: the site's root counts as none, so a rep who opens Relay at `/` and
    signs in starts on My day."""

    redirect_authenticated_user = True

    def get_redirect_url(self):
        url = super().get_redirect_url()
        return "" if url == resolve_url("dashboard") else url

    def get_default_redirect_url(self):
        return home_url(self.request.user)
