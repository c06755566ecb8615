"""Nothing is lost: every fault below ends with every order matched, against the real stack.

PostgreSQL (pytest's test database, shared with the subprocesses), a private redis-server as broker and
cache, and real `celery worker` (prefork) and `celery beat` processes — no eager mode. The sweeper runs
every second here (`MATCH_SWEEP_SECONDS=1`, grace 2 s) instead of every five minutes.
"""

import datetime
import os
import signal
import time

import pytest
from django.urls import reverse

from matchmaking.choices import MatchState, OrderKind, OrderState
from tests.faults import stack

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

RANKING = "fault: ranking order"


def new_order(user, title="功能性面料研发攻关需求", kind=OrderKind.INNOVATION):
    """A draft order of the user's county (saved, not yet submitted)."""
    from matchmaking import services
    from tests.matchmaking.conftest import order_data

    return services.create_order(by=user, data=order_data(user, kind, title=title))


def submit(order, user, redis_url):
    """Submit through the service, publishing `match_order` to the real broker on commit."""
    from matchmaking import services

    with stack.real_broker(redis_url):
        services.submit_order(order, by=user)


def matched(*pks):
    """All these orders have match_state=done and Match rows."""
    from matchmaking.models import Match, Order

    done = Order.objects.filter(pk__in=pks, match_state=MatchState.DONE).count()
    with_rows = Match.objects.filter(order_id__in=pks).values("order_id").distinct().count()
    return done == len(pks) and with_rows == len(pks)


def match_rows(pk):
    """The order's Match rows as comparable tuples, best first."""
    from matchmaking.models import Match

    return list(
        Match.objects.filter(order_id=pk)
        .order_by("rank")
        .values_list("resource_type", "resource_id", "provider_org_id", "rank", "score", "reasons")
    )


def test_broker_down_at_submit_the_order_is_saved_and_matched_once_it_is_back(
    redis_server, celery_procs, county_jinjiang, client
):
    """The web form works while Redis is down; the sweeper matches the order when Redis returns."""
    from chains.models import CountyChain
    from matchmaking.models import Order

    redis_server.stop()  # the broker is unreachable from now on
    chain = CountyChain.objects.filter(county_id=county_jinjiang.organization.county_id).first()
    client.force_login(county_jinjiang, backend="django.contrib.auth.backends.ModelBackend")
    data = {
        "kind": "capital",
        "chain": chain.pk,
        "title": "纺织企业技改设备融资需求",
        "description": "辖区规上纺织企业计划更新智能织造设备，需要中长期技改贷款支持，希望银行给出方案。",
        "keywords": "技改；设备更新",
        "amount_yuan": 8_000_000,
        "financing_type": "loan",
        "due_date": str(datetime.date.today() + datetime.timedelta(days=365)),
        "contact_name": "陈主任",
        "contact_phone": "13905950000",
        "visibility": "open",
        "submit": "1",
    }
    started = time.monotonic()
    with stack.real_broker(redis_server.url):
        response = client.post(reverse("orders:create"), data)
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert time.monotonic() - started < 10, "submitting must not hang on the unreachable broker"
    assert (order.state, order.match_state) == (OrderState.SUBMITTED, MatchState.PENDING)
    assert client.get(order.get_absolute_url()).status_code == 200

    redis_server.start()  # the broker is back, empty: the task published at submit never arrived
    worker = celery_procs.worker(redis_server.url)
    celery_procs.beat(redis_server.url)
    worker.wait_for("ready.")
    stack.wait_until(lambda: matched(order.pk), 30, what=f"order {order.pk} matched\n{worker.log()}")
    assert "'pending': 1" in worker.text(), "the sweeper (not a lucky task) re-enqueued it"


def test_worker_process_sigkilled_mid_matching_the_task_runs_again(
    redis_server, celery_procs, county_jinjiang
):
    """The pool process running `match_order` dies (SIGKILL): the message is requeued and run again."""
    worker = celery_procs.worker(redis_server.url, FAULT_RANK_DELAY=3)
    worker.wait_for("ready.")
    order = new_order(county_jinjiang)
    submit(order, county_jinjiang, redis_server.url)
    worker.wait_for(RANKING, timeout=15)
    children = worker.children()
    assert children, "a prefork worker has a pool process"
    for pid in children:
        os.kill(pid, signal.SIGKILL)  # no beat is running: only the requeue can save the order
    stack.wait_until(lambda: matched(order.pk), 30, what=f"order {order.pk} matched\n{worker.log()}")
    assert "signal 9" in worker.text() and "WorkerLostError" in worker.text()
    assert worker.text().count(RANKING) == 2, "ranked once, killed, ranked again after the requeue"
    assert len(match_rows(order.pk)) == len({r[:2] for r in match_rows(order.pk)})


def test_whole_worker_sigkilled_mid_matching_the_sweeper_recovers_the_order(
    redis_server, celery_procs, county_jinjiang
):
    """Worker and pool die together (SIGKILL to the group): the order is left `running`; once the dead
    task's lease expires (6 s here, `MATCH_RUNNING_TIMEOUT` in production), the sweeper resets it and a
    new worker matches it."""
    from matchmaking.models import Order

    worker = celery_procs.worker(redis_server.url, FAULT_RANK_DELAY=5, FAULT_RUNNING_TIMEOUT=6)
    celery_procs.beat(redis_server.url)
    worker.wait_for("ready.")
    order = new_order(county_jinjiang)
    submit(order, county_jinjiang, redis_server.url)
    worker.wait_for(RANKING, timeout=15)
    killed_at = time.monotonic()
    worker.kill_group()
    assert Order.objects.get(pk=order.pk).match_state == MatchState.RUNNING
    replacement = celery_procs.worker(redis_server.url)
    replacement.wait_for("ready.")
    stack.wait_until(lambda: matched(order.pk), 60, what=f"order {order.pk} matched\n{replacement.log()}")
    assert "'stuck': 1" in replacement.text()
    print(f"recovered {time.monotonic() - killed_at:.1f}s after the kill (lease 6 s)")


@pytest.mark.parametrize("fault", ["restart", "flush"])
def test_redis_restarted_or_flushed_with_work_queued_every_order_ends_matched(
    fault, redis_server, celery_procs, county_jinjiang, county_luoyuan
):
    """Six orders queued behind a slow worker; Redis loses the queue (crash-restart or FLUSHDB); the worker
    and beat reconnect and the sweeper re-enqueues the orders whose messages were lost."""
    worker = celery_procs.worker(redis_server.url, FAULT_RANK_DELAY=1)
    celery_procs.beat(redis_server.url)
    worker.wait_for("ready.")
    orders = [
        new_order(u, title=f"关键工艺联合攻关需求{i}")
        for i, u in enumerate([county_jinjiang, county_luoyuan] * 3)
    ]
    for order in orders:
        submit(order, order.created_by, redis_server.url)
    worker.wait_for(RANKING, timeout=15)
    lost = redis_server.queued_ids()
    assert len(lost) >= 3, "work is queued when Redis goes"
    if fault == "restart":
        redis_server.stop(signal.SIGKILL)  # a crash: the queue and the task leases are gone
        time.sleep(1)
        redis_server.start()
    else:
        redis_server.client().flushdb()
    # The queued messages are gone (the worker or beat may already have published new ones since).
    assert not lost & redis_server.queued_ids()
    pks = [o.pk for o in orders]
    stack.wait_until(lambda: matched(*pks), 45, what=f"orders {pks} matched\n{worker.log()}")
    assert "'pending':" in worker.text(), "the sweeper re-enqueued the lost ones"


def test_match_task_run_twice_gives_the_same_rows(redis_server, celery_procs, county_jinjiang):
    """`match_order` delivered twice at once (two pool processes) leaves the same rows, no duplicates."""
    from matchmaking.models import Match
    from matchmaking.tasks.matching import match_order

    worker = celery_procs.worker(redis_server.url, concurrency=2)
    worker.wait_for("ready.")
    order = new_order(county_jinjiang)
    submit(order, county_jinjiang, redis_server.url)
    stack.wait_until(lambda: matched(order.pk), 20, what=f"order {order.pk} matched\n{worker.log()}")
    first = match_rows(order.pk)
    with stack.real_broker(redis_server.url):
        match_order.delay(order.pk)
        match_order.delay(order.pk)
    worker.wait_for("succeeded", timeout=20, count=3)
    assert match_rows(order.pk) == first
    assert Match.objects.filter(order=order).count() == len({r[:2] for r in first}) == len(first) > 0
    assert "IntegrityError" not in worker.text()


def test_task_that_keeps_failing_ends_failed_and_visible_to_administrators(
    redis_server, celery_procs, county_jinjiang, platform_admin, client
):
    """Ranking always fails: `match_order` retries (backoff), the sweeper tries once more, then the order
    stays `failed` with its error, which the admin order list filters on and the change page shows."""
    from matchmaking.models import Order

    worker = celery_procs.worker(
        redis_server.url, FAULT_RANK_ERROR=1, FAULT_MATCH_MAX_RETRIES=2, MATCH_SWEEP_RETRIES=1
    )
    celery_procs.beat(redis_server.url)
    worker.wait_for("ready.")
    order = new_order(county_jinjiang, title="持续失败的匹配任务")
    submit(order, county_jinjiang, redis_server.url)
    # 1 run + 2 retries, then one sweep re-try with its own 2 retries: 6 attempts, then it stays failed
    worker.wait_for(RANKING, timeout=40, count=6)
    stack.wait_until(
        lambda: Order.objects.get(pk=order.pk).match_state == MatchState.FAILED, 20, what="failed state"
    )
    time.sleep(4)  # several more sweeps: no further attempt
    assert worker.text().count(RANKING) == 6
    assert "Retry in" in worker.text()
    order = Order.objects.get(pk=order.pk)
    assert order.match_state == MatchState.FAILED
    assert "OperationalError: injected fault" in order.match_error

    client.force_login(platform_admin, backend="django.contrib.auth.backends.ModelBackend")
    listing = client.get(reverse("admin:matchmaking_order_changelist"), {"match_state__exact": "failed"})
    assert listing.status_code == 200 and "持续失败的匹配任务" in listing.content.decode()
    page = client.get(reverse("admin:matchmaking_order_change", args=[order.pk])).content.decode()
    assert "injected fault" in page
