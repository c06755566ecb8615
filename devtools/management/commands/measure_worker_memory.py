"""Memory per worker of a preforked setup, without and with the matching index preloaded before forking.

    python manage.py measure_worker_memory --resources 35000 --workers 4

Each setup runs in a fresh copy of this command (so none inherits another's index): the parent does what
gunicorn's master and the Celery worker's main process do before forking, then forks ``--workers`` children
that each do what a worker does first — `get_index()` (the Celery child's warm-up; a page's first match) and
``--orders`` synthetic orders ranked on it, then one full garbage collection, as a long-running worker does
sooner or later — and the parent reads every child's Rss, Pss and Private memory from
/proc/<pid>/smaps_rollup while they are all alive. The setups:

- ``none``: nothing preloaded (before this change): each child builds its own index;
- ``preload``: `match_index.preload_index()` in the parent, no `gc.freeze()`;
- ``freeze``: the preload plus `gc.freeze()`, as `config.warmup.preload_indexes(web=False)` does (what runs now).

With ``--resources N`` the catalog is the synthetic one of `bench_matching` (N resources shaped on the database's
chain types and counties), replacing the database's in this process only; ``--resources 0``: the database's.
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from devtools.matching.bench import synthetic_catalog, synthetic_orders
from devtools.matching.memory import forked_children, measure_build, smaps_rollup
from engine import rank
from matchmaking import match_index

SETUPS = ("none", "preload", "freeze")
COLUMNS = ("Rss", "Pss", "Private", "Shared_Clean", "Private_Dirty")


class Command(BaseCommand):
    """Fork workers after each setup and print their memory (MB): one table row per setup."""

    help = (
        "分别在不预加载、预加载、预加载并 gc.freeze() 三种情况下 fork 若干工作进程，每个进程取得匹配索引并匹配若干需求，"
        "读取 /proc/<pid>/smaps_rollup 输出每个进程的 RSS、PSS 与私有内存（MB）。"
        "例：measure_worker_memory --resources 35000 --workers 4"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--resources", type=int, default=35_000, help="合成资源数量（0：使用数据库中的资源目录）"
        )
        parser.add_argument("--workers", type=int, default=4, help="fork 的工作进程数")
        parser.add_argument("--orders", type=int, default=200, help="每个工作进程匹配的合成需求数")
        parser.add_argument("--setups", default=",".join(SETUPS), help="逗号分隔：none、preload、freeze")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument(
            "--one", choices=SETUPS, help=argparse.SUPPRESS
        )  # runs one setup in a fresh process

    def handle(self, *args, **opts):
        if not os.path.exists("/proc/self/smaps_rollup"):
            raise CommandError("需要 Linux 的 /proc/<pid>/smaps_rollup")
        if opts["workers"] < 1:
            raise CommandError("--workers 至少 1")
        if opts["one"]:
            self.stdout.write(json.dumps(run_setup(opts["one"], opts)))
            return
        setups = [s for s in opts["setups"].split(",") if s]
        if unknown := set(setups) - set(SETUPS):
            raise CommandError(f"未知的 --setups：{', '.join(sorted(unknown))}")
        results = {}
        for setup in setups:
            command = [
                sys.executable,
                str(settings.BASE_DIR / "manage.py"),
                "measure_worker_memory",
                "--one",
                setup,
            ]
            for name in ("resources", "workers", "orders", "seed"):
                command += [f"--{name}", str(opts[name])]
            done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - this command
            if done.returncode:
                raise CommandError(f"{setup}: {done.stderr.strip()[-2000:]}")
            results[setup] = json.loads(done.stdout.strip().splitlines()[-1])
        if opts["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
            return
        self.print_table(results, opts)

    def print_table(self, results, opts):
        first = next(iter(results.values()))
        self.stdout.write(
            f"{first['resources']} 条资源，{opts['workers']} 个工作进程，每个匹配 {opts['orders']} 条需求；"
            f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs. Memory in MB (per worker: mean)."
        )
        head = "".join(f"{c:>15}" for c in COLUMNS)
        self.stdout.write(f"{'setup':<9}{head}{'host Pss':>11}{'builds':>8}{'parent s':>10}{'child s':>9}")
        for setup, r in results.items():
            row = "".join(f"{r['child_mean'][c]:>15.1f}" for c in COLUMNS)
            self.stdout.write(
                f"{setup:<9}{row}{r['host_pss']:>11.1f}{r['child_builds']:>8}"
                f"{r['parent_s']:>10.2f}{r['child_s_mean']:>9.2f}"
            )
        self.stdout.write(
            "host Pss = parent + workers (what the host really holds); builds = indexes built by the workers."
        )


def _preload_and_freeze() -> dict:
    """What `config.warmup.preload_indexes(web=False)` does (the development tools may not import config)."""
    done = match_index.preload_index()
    connections.close_all()
    gc.collect()
    gc.freeze()
    return done


def run_setup(setup: str, opts) -> dict:
    """In this fresh process: prepare the parent as ``setup`` says, fork the workers, measure them."""
    if opts["resources"]:
        base = match_index.catalog_records()
        if not base.chain_types or not base.counties_to_prefecture:
            raise CommandError("数据库中没有产业链类型或县域：请先运行 load_reference_data")
        catalog = synthetic_catalog(opts["resources"], opts["seed"], base)
        match_index.catalog_records = lambda: catalog  # this process only: the synthetic catalog stands in
    else:
        base = match_index.catalog_records()
    orders = synthetic_orders(opts["orders"], opts["seed"] + 1, base)
    start = time.perf_counter()
    parent: dict = {}
    if setup == "preload":
        _index, parent = measure_build(match_index.preload_index)
    elif setup == "freeze":
        _index, parent = measure_build(_preload_and_freeze)
    connections.close_all()  # the workers open their own connections
    parent_s = time.perf_counter() - start
    builds_at_fork = match_index.BUILDS["count"]

    def work() -> dict:
        t0 = time.perf_counter()
        index = match_index.get_index()
        for query in orders:
            rank(query, index, top=10)
        gc.collect()  # the full collection a long-running worker does sooner or later (it walks every object)
        return {"builds": match_index.BUILDS["count"] - builds_at_fork, "seconds": time.perf_counter() - t0}

    rows = forked_children(opts["workers"], work)
    me = smaps_rollup()
    keys = (*COLUMNS, "Shared_Dirty", "Private_Clean")
    return {
        "setup": setup,
        "resources": len(match_index.catalog_records().resources),
        "parent": {k: me[k] for k in keys} | {"build": parent},
        "parent_s": parent_s,
        "children": [{k: row[k] for k in ("pid", *keys)} for row in rows],
        "child_mean": {k: statistics.mean(row[k] for row in rows) for k in keys},
        "child_max": {k: max(row[k] for row in rows) for k in keys},
        "host_pss": me["Pss"] + sum(row["Pss"] for row in rows),
        "child_builds": sum(row["work"]["builds"] for row in rows),
        "child_s_mean": statistics.mean(row["work"]["seconds"] for row in rows),
    }
