"""core.dispatch: a task named by its path is sent once the transaction commits, never when it rolls back."""

import pytest
from celery import shared_task
from django.db import transaction

from core import dispatch

CALLS: list[tuple] = []


@shared_task(name="tests.core.test_dispatch.record_call")
def record_call(*args, **kwargs):
    """A task that only records how it was called."""
    CALLS.append((args, kwargs))
    return len(CALLS)


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()
    yield
    CALLS.clear()


def test_task_is_found_by_its_dotted_name():
    found = dispatch.task("tests.core.test_dispatch.record_call")
    assert found.name == record_call.name
    assert found.run is record_call.run
    assert (
        dispatch.task("matchmaking.tasks.matching.match_order").name
        == "matchmaking.tasks.matching.match_order"
    )


def test_unknown_task_name_is_an_error():
    with pytest.raises(KeyError):
        dispatch.task("tests.core.test_dispatch.no_such_task")


@pytest.mark.django_db(transaction=True)
def test_enqueue_on_commit_runs_after_the_commit_only():
    with transaction.atomic():
        dispatch.enqueue_on_commit("tests.core.test_dispatch.record_call", 7, flag=True)
        assert CALLS == []  # nothing leaves before the commit
    assert CALLS == [((7,), {"flag": True})]


@pytest.mark.django_db(transaction=True)
def test_enqueue_on_commit_sends_nothing_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        dispatch.enqueue_on_commit("tests.core.test_dispatch.record_call", 1)
        raise RuntimeError("rolled back")
    assert CALLS == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_broker_does_not_break_the_committed_change(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(dispatch.task("tests.core.test_dispatch.record_call"), "apply_async", broken)
    with transaction.atomic():
        dispatch.enqueue_on_commit("tests.core.test_dispatch.record_call", 1)
    assert CALLS == []


BATCH = "tests.core.test_dispatch.record_call"


@pytest.mark.django_db(transaction=True)
def test_a_batch_gathers_the_items_of_one_transaction_in_one_message():
    with transaction.atomic():
        with transaction.atomic():  # a savepoint released before the next call
            dispatch.enqueue_batch_on_commit(BATCH, [1, 2])
        dispatch.enqueue_batch_on_commit(BATCH, [3])  # joins: a rollback dropping it drops the first too
        dispatch.enqueue_batch_on_commit(BATCH, [4])
        assert CALLS == []
    assert CALLS == [(([1, 2, 3, 4],), {})]
    dispatch.enqueue_batch_on_commit(BATCH, [5])  # outside a transaction: sent at once
    assert CALLS[-1] == (([5],), {})


@pytest.mark.django_db(transaction=True)
def test_a_batch_never_sends_the_items_of_a_rolled_back_savepoint():
    with transaction.atomic():
        dispatch.enqueue_batch_on_commit(BATCH, [1])
        try:
            with transaction.atomic():
                dispatch.enqueue_batch_on_commit(BATCH, [2])  # its own batch: this savepoint may roll back
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        dispatch.enqueue_batch_on_commit(BATCH, [3])  # joins the first batch
        with transaction.atomic():
            dispatch.enqueue_batch_on_commit(BATCH, [4])  # inside a savepoint that may roll back: its own
    assert CALLS == [(([1, 3],), {}), (([4],), {})]
    with pytest.raises(RuntimeError), transaction.atomic():
        dispatch.enqueue_batch_on_commit(BATCH, [9])
        raise RuntimeError("rolled back")
    assert CALLS == [(([1, 3],), {}), (([4],), {})]


@pytest.mark.django_db(transaction=True)
def test_a_call_inside_a_savepoint_does_not_join_a_batch_it_could_outlive():
    with transaction.atomic():
        with transaction.atomic():
            dispatch.enqueue_batch_on_commit(BATCH, [1])
        try:
            with transaction.atomic():
                dispatch.enqueue_batch_on_commit(BATCH, [2])  # not within the first's savepoints: own batch
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert CALLS == [(([1],), {})]
