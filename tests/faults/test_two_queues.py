"""Scaling out as docs/deployment.md lays it out: two Celery workers on separate queues, one broker.

One worker consumes only `celery` (newly submitted orders), the other only `rematch` (bulk re-matching), as
they would on two worker hosts; both share a private redis-server and pytest's PostgreSQL database. Every order
is matched exactly once, by the worker of its queue, and the workers' JSON log lines carry the web request's id
and the order id. Needs PostgreSQL and redis-server (skipped otherwise, unless REQUIRE_SERVICES=1).
"""

import json

import pytest

from matchmaking.choices import MatchState
from ops.logcontext import request_id_var
from tests.faults import stack
from tests.faults.test_nothing_lost import matched, new_order

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

MATCH_TASK = "matchmaking.tasks.matching.match_order"


def queue_worker(redis_url: str, queue: str) -> stack.CeleryProcess:
    """A worker consuming one queue only, with JSON logs (production format)."""
    return stack.CeleryProcess(
        "worker",
        redis_url,
        {"LOG_FORMAT": "json", "HEALTH_HEARTBEAT_SECONDS": "1"},
        (
            "--pool=prefork",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            f"--queues={queue}",
            f"--hostname={queue}-host@%h",
        ),
    )


def finished_orders(worker: stack.CeleryProcess) -> list[int]:
    """Order ids of the match_order runs of the worker that stored matches (its JSON 'succeeded' lines)."""
    found = []
    for line in worker.lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        message = entry.get("message", "")
        # a run that stored matches ('done', or 'final' for a closed order); 'stale' runs stored nothing
        if (
            entry.get("task") == MATCH_TASK
            and "succeeded" in message
            and message.endswith(("'done'", "'final'"))
        ):
            found.append(entry["order_id"])
    return found


def test_two_workers_on_separate_queues_match_each_order_once(
    redis_server, county_jinjiang, client, settings
):
    from matchmaking import services
    from matchmaking.tasks.matching import enqueue_rematch

    workers = {q: queue_worker(redis_server.url, q) for q in ("celery", "rematch")}
    try:
        for worker in workers.values():
            worker.wait_for("ready.")
        submitted = [new_order(county_jinjiang, title=f"纺织面料工艺攻关需求{i}") for i in range(4)]
        rematched = [new_order(county_jinjiang, title=f"纺织设备配套需求{i}") for i in range(4)]
        with stack.real_broker(redis_server.url):
            token = request_id_var.set("web-request-0001")
            try:
                for order in submitted:
                    services.submit_order(order, by=county_jinjiang)  # match_order on "celery" at commit
            finally:
                request_id_var.reset(token)
        pks = [o.pk for o in submitted]
        stack.wait_until(
            lambda: matched(*pks), 60, what=f"submitted orders matched\n{workers['celery'].log()}"
        )
        with stack.real_broker(redis_server.url):
            for order in rematched:
                enqueue_rematch(order.pk)  # the sweeper's and the catalog's way: the "rematch" queue
        pks = [o.pk for o in rematched]
        stack.wait_until(lambda: matched(*pks), 60, what=f"re-matched orders\n{workers['rematch'].log()}")

        by_celery = finished_orders(workers["celery"])
        by_rematch = finished_orders(workers["rematch"])
        assert sorted(by_celery) == sorted(o.pk for o in submitted)  # each once, by the worker of its queue
        assert sorted(by_rematch) == sorted(o.pk for o in rematched)

        from matchmaking.models import Match, Order

        assert Order.objects.filter(match_state=MatchState.DONE).count() == 8
        for pk in [o.pk for o in submitted + rematched]:
            ranks = list(Match.objects.filter(order_id=pk).values_list("rank", flat=True))
            assert ranks == sorted(set(ranks)), f"order {pk} has one set of matches"

        # The web request's id reached the worker's log lines of the tasks it enqueued.
        lines = [json.loads(line) for line in workers["celery"].lines if line.startswith("{")]
        tagged = [e for e in lines if e.get("task") == MATCH_TASK]
        assert tagged and {e["request_id"] for e in tagged} == {"web-request-0001"}

        # Both workers beat into the broker's Redis: the site is ready, every queue has a live worker.
        settings.REDIS_URL = redis_server.url
        with stack.real_broker(redis_server.url):
            settings.CELERY_TASK_ALWAYS_EAGER = False
            ready = client.get("/readyz", REMOTE_ADDR="127.0.0.1")
        assert ready.status_code == 200, ready.json()
        assert ready.json()["checks"]["celery"]["status"] == "ok"
    finally:
        for worker in workers.values():
            worker.kill_group()
