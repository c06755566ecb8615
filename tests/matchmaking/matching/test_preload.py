"""One matching index per host: built in the parent before it forks (gunicorn's master, the Celery worker's main
process) and used, not rebuilt, by the workers forked afterwards; the heap frozen so they keep sharing it."""

import gc
import json
import os
from array import array
from io import StringIO
from types import SimpleNamespace

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connections

from config import celery as celery_config
from config import warmup
from devtools.matching.memory import forked_children, smaps_rollup
from matchmaking import match_index

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX-only")


@pytest.fixture
def unfreeze():
    yield
    gc.unfreeze()


@pytest.fixture
def keep_connections(monkeypatch):
    """The preload closes the connections before forking; a test's transaction must survive it."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def _in_child(work) -> dict:
    """Fork, run ``work()`` in the child, return what it sent back as JSON (the child never returns)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(write_end, json.dumps(work()).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        sent = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(sent)


def test_a_worker_forked_after_the_preload_uses_the_parents_index(reference):
    match_index.clear_index_cache()
    info = match_index.preload_index()
    parent = match_index.get_index()
    assert info == {"version": parent.version, "resources": parent.size_n, "built": 1}
    builds = match_index.BUILDS["count"]

    def child():
        index = match_index.get_index()  # what a Celery child's warm-up and a page's first match call
        return {
            "same": index is parent,
            "id": id(index),
            "version": index.version,
            "built": match_index.BUILDS["count"] - builds,
        }

    seen = _in_child(child)
    assert seen == {"same": True, "id": id(parent), "version": parent.version, "built": 0}
    # and without the preload, each child builds its own
    match_index.clear_index_cache()
    seen = _in_child(lambda: {"built": match_index.get_index() and match_index.BUILDS["count"] - builds})
    assert seen == {"built": 1}
    assert match_index.BUILDS["count"] == builds  # the parent built nothing more


def test_preload_builds_both_indexes_for_the_web_and_freezes_the_heap(
    reference, settings, keep_connections, unfreeze
):
    match_index.clear_index_cache()
    settings.MATCH_PRELOAD_INDEX = False
    builds = match_index.BUILDS["count"]
    assert warmup.preload_indexes() == {}
    assert match_index.BUILDS["count"] == builds and gc.get_freeze_count() == 0

    settings.MATCH_PRELOAD_INDEX = True
    done = warmup.preload_indexes()
    assert done["matching"]["built"] == 1 and done["matching"]["resources"] == 391
    assert done["challenges"] >= 391  # the catalog plus the published achievements
    assert gc.get_freeze_count() == done["frozen_objects"] > 0
    gc.unfreeze()
    assert "challenges" not in warmup.preload_indexes(web=False)  # the Celery worker proposes no bidders
    assert match_index.BUILDS["count"] == builds + 1  # current: not built again


@pytest.mark.parametrize(("pool", "preloads"), [("prefork", True), ("solo", False), ("threads", False)])
def test_only_a_prefork_celery_worker_preloads_before_forking(monkeypatch, pool, preloads):
    calls = []
    monkeypatch.setattr(celery_config, "preload_indexes", lambda web=True: calls.append(web) or {})
    celery_config._preload_before_forking(sender=SimpleNamespace(pool_cls=pool))
    assert calls == ([False] if preloads else [])


def test_index_postings_are_packed_arrays_equal_to_the_matrix(reference):
    index = match_index.get_index()
    doc = index.doc_terms
    assert isinstance(index.doc_ids_list, array) and index.doc_ids_list.typecode == "i"
    assert list(index.doc_indptr_list) == doc.indptr.tolist()
    assert list(index.doc_ids_list) == doc.indices.tolist()
    assert list(index.doc_vals_list) == doc.data.tolist()  # float64 kept exactly
    assert all(isinstance(t, array) and len(t) == index.size_n for t in index.chain_evidence_tids)
    assert np.all(np.asarray(index.shown_rank_list) >= -1)


def test_forked_children_report_their_memory_from_proc():
    rows = forked_children(2, lambda: {"pid": os.getpid()})
    assert [row["work"]["pid"] for row in rows] == [row["pid"] for row in rows]
    for row in rows:
        assert 0 < row["Pss"] <= row["Rss"] and row["Private"] <= row["Rss"]
    assert smaps_rollup()["Rss"] > 0


def test_measure_worker_memory_forks_workers_that_share_the_preloaded_index(
    reference, keep_connections, unfreeze
):
    def run(setup):
        out = StringIO()
        args = ("--one", setup, "--resources", "0", "--workers", "2", "--orders", "3")
        call_command("measure_worker_memory", *args, stdout=out)
        return json.loads(out.getvalue())

    match_index.clear_index_cache()
    alone = run("none")
    assert alone["child_builds"] == 2 and alone["resources"] == 391
    shared = run("freeze")
    assert shared["child_builds"] == 0 and shared["parent"]["build"]["build_s"] > 0
    for result in (alone, shared):
        assert len(result["children"]) == 2 and result["host_pss"] > result["child_mean"]["Pss"] > 0
