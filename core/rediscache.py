"""Django's Redis cache, with one redis-py client per connection pool instead of a new one per operation.

Django's RedisCacheClient builds a `redis.Redis` object (and its table of ~170 response callbacks) for every
get or set: ~0.06 ms of CPU each, several times per signed-in request (session, organisation, unread count).
A redis-py client is safe to share between threads (each command takes a connection from the pool).
Keys are not checked against memcached's limits (Django's portability warnings, a Python loop over every
character of every key): Redis takes any key.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    """RedisCacheClient keeping the client of each connection pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        """The client of the pool the operation uses, built once."""
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    """RedisCache whose operations share one client per connection pool."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def validate_key(self, key):
        """Any key: no memcached portability warnings (see the module docstring)."""
