"""API throttles: DRF's user, anonymous and scoped throttles, counted in fixed windows in the cache.

DRF keeps a list of every request's timestamp per client and rewrites it on each request; at the event
ingest rate (hundreds of requests a second from one token) that list is tens of thousands long. These
count with one cache increment instead (`crm.http.count_in_window`), allow at most the rate per window,
and answer 429 with Retry-After (the seconds until the window ends). When the cache is down they let
requests through.

Rates are read from the settings on every request (not once at import, as DRF's classes do), so
`override_settings(REST_FRAMEWORK=...)` changes them in tests.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from crm.http import client_ip, count_in_window, seconds_left_in_window


class WindowCounterMixin:
    cache_format = "throttle:%(scope)s:%(ident)s"

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"No throttle rate for {self.scope!r} in DEFAULT_THROTTLE_RATES.") from None

    def get_ident(self, request):
        return client_ip(request)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        count = count_in_window(self.key, self.duration)
        return count is None or count <= self.num_requests

    def wait(self):
        return seconds_left_in_window(self.key, self.duration)


class UserThrottle(WindowCounterMixin, UserRateThrottle):
    """Each signed-in user's budget over the whole API (THROTTLE_USER)."""


class AnonThrottle(WindowCounterMixin, AnonRateThrottle):
    """Each address's budget for the API views that need no sign-in (THROTTLE_ANON)."""


class ScopedThrottle(WindowCounterMixin, ScopedRateThrottle):
    """A view's own budget, per user, named by its `throttle_scope` (e.g. THROTTLE_EVENTS)."""

    def allow_request(self, request, view):
        # The scope is the view's: known only now, as in DRF's ScopedRateThrottle.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
