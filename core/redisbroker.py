"""Celery's Redis transport (kombu's), with one redis-py client per channel instead of a new one per command.

kombu's Redis channel builds a `redis.Redis` object (and its table of ~170 response callbacks) for every command
it sends outside its consumer: each task published by the web (LPUSH), and in the worker each acknowledgement
and unacknowledged-message bookkeeping — about as much CPU as the command itself (see `core.rediscache` for
the same fix in Django's cache). A redis-py client is safe to share between threads: each command takes a
connection from the channel's pool. The pool is redis-py's, which drops the connections it inherited when it
finds itself in a forked process (gunicorn's workers after `preload_app`, the Celery pool's children), so no
connection is shared across a fork. Everything else is kombu's: the settings name this transport
(`CELERY_BROKER_TRANSPORT`) instead of the URL's `redis://`.
"""

from contextlib import contextmanager

from kombu.transport import redis


class Channel(redis.Channel):
    """kombu's Redis channel, keeping the client of its connection pool."""

    _pool_client = None

    @contextmanager
    def conn_or_acquire(self, client=None):
        """The given client, else this channel's client of its current pool (built once per pool)."""
        if client:
            yield client
            return
        own = self._pool_client
        if own is None or own.connection_pool is not self.pool:
            own = self._pool_client = self._create_client()
        yield own


class Transport(redis.Transport):
    """kombu's Redis transport with `Channel` above."""

    Channel = Channel
