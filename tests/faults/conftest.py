"""Fixtures of the fault tests: a private Redis per test and the Celery processes it starts (always stopped)."""

import pytest

from tests.faults import stack

# Fast sweeps for the tests: beat fires the sweeper every second, a pending order waits 2 s for its task,
# and a task lease outlives a dead worker by the shortest timeout the settings allow.
FAST = {"MATCH_SWEEP_SECONDS": 1, "MATCH_SWEEP_GRACE": 2, "MATCH_RUNNING_TIMEOUT": 30}


@pytest.fixture
def redis_server():
    """A private redis-server (started) on a free port; stopped after the test."""
    stack.require_stack()
    server = stack.RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def celery_procs(tmp_path):
    """Start workers and beats with `celery_procs.worker(url, **env)` / `.beat(url)`; all stopped afterwards."""

    class Procs:
        started: list = []

        def worker(self, url, concurrency=1, **env):
            proc = stack.worker(url, concurrency, **{**FAST, **env})
            self.started.append(proc)
            return proc

        def beat(self, url, **env):
            proc = stack.beat(url, tmp_path / f"beat-{len(self.started)}", **{**FAST, **env})
            self.started.append(proc)
            return proc

    procs = Procs()
    procs.started = []
    yield procs
    for proc in procs.started:
        proc.kill_group()  # the test is over: no need to wait for a warm shutdown
    failed = [p for p in procs.started if "Traceback" in p.text() and "injected fault" not in p.text()]
    for proc in failed:
        print(f"--- celery output ---\n{proc.log(200)}")
