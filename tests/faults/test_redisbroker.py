"""core.redisbroker: publishing reuses one redis-py client per channel, against a private redis-server."""

import json

import pytest
import redis
from django.db import transaction

from core import dispatch
from tests.faults import stack

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TASK = "matchmaking.tasks.matching.match_order"


def count_clients(monkeypatch) -> list:
    """A list that grows by one for every redis-py client built from now on."""
    built = []
    init = redis.Redis.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting)
    return built


def test_published_tasks_reach_the_queue_through_one_client_per_channel(redis_server, monkeypatch):
    with stack.real_broker(redis_server.url) as app:
        channel = app.connection_for_write().default_channel
        assert type(channel).__module__ == "core.redisbroker"
        with transaction.atomic():
            for pk in (11, 12, 13):
                dispatch.enqueue_on_commit(TASK, pk)
        built = count_clients(monkeypatch)
        with transaction.atomic():
            for pk in (14, 15):
                dispatch.enqueue_on_commit(TASK, pk)
        assert built == []  # kombu's own channel built a client per LPUSH
    queued = redis.Redis.from_url(redis_server.url).lrange("celery", 0, -1)
    sent = sorted(json.loads(message)["headers"]["argsrepr"] for message in queued)
    assert sent == ["(11,)", "(12,)", "(13,)", "(14,)", "(15,)"]


def test_a_channel_whose_pool_was_replaced_builds_a_client_of_the_new_pool(redis_server):
    with stack.real_broker(redis_server.url) as app:
        channel = app.connection_for_write().default_channel
        with channel.conn_or_acquire() as first, channel.conn_or_acquire() as again:
            assert first is again and first.connection_pool is channel.pool
        channel._disconnect_pools()  # what kombu does when it closes the channel
        with channel.conn_or_acquire() as client:
            assert client is not first and client.connection_pool is channel.pool
            assert client.ping()
        given = object()
        with channel.conn_or_acquire(given) as client:
            assert client is given
