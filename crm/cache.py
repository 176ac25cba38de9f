"""Django's Redis cache, with one Redis client per connection pool and one round trip per `incr`.

Django's RedisCacheClient builds a new `redis.Redis` for every get, set or incr; building one fills a
large table of response callbacks, which costs more CPU than the command itself on the API's hot path
(the throttles count every request in the cache). A `redis.Redis` over a connection pool is safe to
share between threads, so each pool's client is built once and reused.

Its `incr` asks EXISTS, then INCRBY: two round trips, and a key that expires in between comes back
from INCRBY without an expiry, a rate-limit window that never closes. One server-side script does both.
"""

from django.core.cache.backends import redis

# INCRBY only a key that exists; nil (None) otherwise.
INCR_EXISTING = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end"


class ReusedClientRedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        value = self.get_client(key, write=True).eval(INCR_EXISTING, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class RedisCache(redis.RedisCache):
    """`django.core.cache.backends.redis.RedisCache` with the client above."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
