"""The Redis cache (django-redis) against a real Redis: what the rate-limit windows (crm.http) rely on."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.cache import caches
from django_redis.cache import RedisCache

from conftest import require_redis, skip_or_fail


@pytest.fixture
def cache():
    if not settings.REDIS_URL:
        skip_or_fail("needs REDIS_URL for a real Redis")
    require_redis(settings.REDIS_URL)
    backend = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"cache-test-{uuid.uuid4()}"})
    yield backend
    backend.delete_many(["greeting", "counter", "window"])


def test_set_get_incr_and_add_work_as_in_djangos_backend(cache):
    cache.set("greeting", {"hello": "world"}, timeout=60)
    assert cache.get("greeting") == {"hello": "world"}
    assert cache.get("missing", "default") == "default"
    with pytest.raises(ValueError):
        cache.incr("counter")  # a window that is not open is not opened by counting in it
    assert cache.get("counter") is None
    assert cache.add("counter", 1, timeout=60)
    assert not cache.add("counter", 5, timeout=60)
    assert cache.incr("counter") == 2
    assert cache.get("counter") == 2


def test_incr_keeps_the_expiry_of_the_window_it_counts_in(cache):
    cache.add("window", 1, timeout=60)
    assert cache.incr("window", 5) == 6
    assert 0 < cache.ttl("window") <= 60


def test_every_call_reuses_the_one_client_of_the_connection_pool(cache):
    cache.set("greeting", "hello", timeout=60)
    first = cache.client.get_client(write=True)
    cache.get("greeting")
    assert cache.client.get_client(write=True) is first
    assert cache.client.get_client() is first


def test_threads_sharing_the_client_lose_no_increment(cache):
    cache.add("window", 0, timeout=60)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: cache.incr("window"), range(200)))
    assert cache.get("window") == 200


def test_the_site_cache_is_django_redis_when_redis_is_configured(cache):
    assert isinstance(caches["default"], RedisCache)
