"""Who is asking, and how often: the client's address and fixed-window request counters in the cache.

The public capture form, the API throttles and the sign-in lockout all count per address; they read it
through `client_ip` so that a reverse proxy (BEHIND_PROXY) is trusted in one place only.
"""

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The visitor's address. Behind a reverse proxy (BEHIND_PROXY) the proxy's X-Forwarded-For is trusted:
    its last entry is the address the proxy saw."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def count_in_window(key: str, window: int) -> int | None:
    """Count one request against `key` in a `window`-second window of the shared cache, opened by the first
    request that finds none, and return the count so far in that window.

    One atomic increment per request, however high the limit: a sliding log of timestamps (DRF's default)
    reads and rewrites the whole log each time, which at thousands of events a second is most of the work.
    The count is None when the cache (Redis) is down: callers let the request through, since a lost lead
    or event costs more than a missed limit.
    """
    try:
        try:
            return cache.incr(key)
        except ValueError:  # no window is open: this request opens one
            if cache.add(key, 1, timeout=window):
                cache.set(f"{key}:opened", time.time(), timeout=window)
                return 1
            return cache.incr(key)  # another request opened it in between
    except Exception:
        logger.warning("Rate limit cache unavailable; request allowed", exc_info=True)
        return None


def seconds_left_in_window(key: str, window: int) -> int:
    """Seconds until the window of `key` (see `count_in_window`) closes; the whole window if unknown."""
    try:
        opened = cache.get(f"{key}:opened")
    except Exception:
        return window
    if opened is None:
        return window
    return max(1, math.ceil(opened + window - time.time()))


def over_rate_limit(request, scope: str, limit: int, window: int) -> bool:
    """Count this request against its address's budget for `scope`: at most `limit` per `window` seconds.
    When the cache is down nothing is over the limit (see `count_in_window`)."""
    count = count_in_window(f"{scope}:{client_ip(request)}", window)
    return count is not None and count > limit
