"""`python manage.py bench_matching`: index build, single-order latency and full re-match on a synthetic catalog,
and the memory of the build (peak RSS) and of the index (resident memory it keeps).

350,000 resources (about ten times the loaded catalog) in reasonable time:
``bench_matching --resources 350000 --orders 2000 --repeat 1 --baseline-samples 5``.
Per-worker memory of a preforked setup (shared index or not): `measure_worker_memory`.
"""

import gc
import json
import os
import statistics
import time

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from devtools.matching.bench import (
    _clear_caches,
    synthetic_catalog,
    synthetic_orders,
    synthetic_outcomes,
    time_baseline,
    time_index_build,
    time_rematch,
    time_single,
)
from devtools.matching.memory import measure_build, rss_mb
from engine import rank
from matchmaking.match_index import catalog_records


def _p95(values):
    return float(np.percentile(values, 95))


def _cpu_times(index, orders) -> list[float]:
    """Per-order CPU time (ms) of ranking, segmentation caches cleared first (as for the wall-clock run)."""
    _clear_caches(index)
    out = []
    for query in orders:
        start = time.thread_time()
        rank(query, index, top=10)
        out.append((time.thread_time() - start) * 1000.0)
    return out


class Command(BaseCommand):
    """Benchmark the engine in memory on a synthetic catalog shaped like the loaded one (nothing is saved)."""

    help = (
        "在内存中按数据库的产业链类型和县域生成指定规模的合成资源目录，测量索引构建、单需求延迟、"
        "全部需求重新匹配的耗时，并与 rank_bm25 基线比较。例：bench_matching --resources 35000 --orders 10000 --json"
    )

    def add_arguments(self, parser):
        parser.add_argument("--resources", type=int, default=35_000, help="合成资源数量")
        parser.add_argument("--orders", type=int, default=10_000, help="合成需求数量")
        parser.add_argument(
            "--repeat", type=int, default=3, help="索引构建与全量重匹配的重复次数（取中位数）"
        )
        parser.add_argument("--single-samples", type=int, default=2000, help="计时的单需求数量")
        parser.add_argument("--baseline-samples", type=int, default=50, help="rank_bm25 基线计时的需求数量")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **opts):
        if opts["resources"] < 100 or opts["orders"] < 1 or opts["repeat"] < 1:
            raise CommandError("--resources 至少 100，--orders 与 --repeat 至少 1")
        try:
            import rank_bm25  # noqa: F401
        except ImportError as exc:
            raise CommandError("基线需要 rank_bm25（开发依赖）：uv sync 安装开发依赖后重试") from exc
        base = catalog_records()
        if not base.chain_types or not base.counties_to_prefecture:
            raise CommandError("数据库中没有产业链类型或县域：请先运行 load_reference_data")
        catalog = synthetic_catalog(opts["resources"], opts["seed"], base)
        orders = synthetic_orders(opts["orders"], opts["seed"] + 1, base)
        # the thesaurus is on (the default), and as many earlier outcomes as orders feed the outcome feature
        outcomes = synthetic_outcomes(catalog, opts["orders"], opts["seed"] + 2)
        background = [f"{q.title} {q.text}" for q in orders]

        builds = []
        build_cpu = []
        memory = {}
        index = None
        for _ in range(opts["repeat"]):
            index = None  # drop the previous index before timing the next build
            gc.collect()
            cpu0 = time.thread_time()
            (seconds, index), memory = measure_build(lambda: time_index_build(catalog, outcomes, background))
            build_cpu.append(time.thread_time() - cpu0)
            builds.append(seconds)
        single = time_single(index, orders[: opts["single_samples"]])
        cpu_ms = _cpu_times(index, orders[: opts["single_samples"]])
        rematches = [time_rematch(index, orders) for _ in range(opts["repeat"])]
        baseline = time_baseline(index, orders[: opts["baseline_samples"]])
        result = {
            "n_resources": len(catalog.resources),
            "n_orders": len(orders),
            "n_outcomes": len(outcomes),
            "thesaurus_expansions": len(index.expansions),
            "outcome_groups": len(index.outcome_groups),
            "repeat": opts["repeat"],
            "index_build_s": round(statistics.median(builds), 3),
            "index_build_p95_s": round(_p95(builds), 3),
            "single_p50_ms": round(single["p50_ms"], 3),
            "single_p95_ms": round(single["p95_ms"], 3),
            "rematch_s": round(statistics.median(rematches), 3),
            "rematch_p95_s": round(_p95(rematches), 3),
            "baseline_p50_ms": round(baseline["p50_ms"], 1),
            "baseline_p95_ms": round(baseline["p95_ms"], 1),
            "speedup": round(baseline["p95_ms"] / max(single["p95_ms"], 1e-9), 1),
            # diagnostics: CPU time of this thread per order (wall-clock p95 suffers when the machine is
            # busy) and the load average while the benchmark ran
            "single_cpu_p50_ms": round(statistics.median(cpu_ms), 3),
            "single_cpu_p95_ms": round(_p95(cpu_ms), 3),
            "index_build_cpu_s": round(statistics.median(build_cpu), 3),
            "baseline_cpu_p95_ms": round(baseline["cpu_p95_ms"], 1),
            "speedup_cpu": round(baseline["cpu_p95_ms"] / max(_p95(cpu_ms), 1e-9), 1),
            # memory (MB, from /proc/self): the process's peak RSS while the (last) index was built and what
            # the build added to it, the resident memory the index kept, and the process's RSS now
            "index_build_peak_rss_mb": round(memory["build_peak_rss_mb"], 1),
            "index_build_peak_extra_mb": round(memory["build_peak_rss_mb"] - memory["rss_before_mb"], 1),
            "index_rss_mb": round(memory["index_rss_mb"], 1),
            "process_rss_mb": round(rss_mb(), 1),
            "load_avg_1m": round(os.getloadavg()[0], 2),
            "cpus": os.cpu_count(),
        }
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"合成目录 {result['n_resources']} 条资源，{result['n_orders']} 条需求，重复 {opts['repeat']} 次；"
            f"领域词表 {result['thesaurus_expansions']} 个扩展词，{result['n_outcomes']} 条历史对接结果"
            f"（{result['outcome_groups']} 组）"
        )
        self.stdout.write(f"{'':<28}{'median':>12}{'p95':>12}")
        self.stdout.write(
            f"{'index build (s)':<28}{result['index_build_s']:>12.3f}{result['index_build_p95_s']:>12.3f}"
        )
        self.stdout.write(
            f"{'single order (ms)':<28}{result['single_p50_ms']:>12.3f}{result['single_p95_ms']:>12.3f}"
        )
        self.stdout.write(
            f"{'re-match all orders (s)':<28}{result['rematch_s']:>12.3f}{result['rematch_p95_s']:>12.3f}"
        )
        self.stdout.write(
            f"{'rank_bm25 single (ms)':<28}{result['baseline_p50_ms']:>12.1f}{result['baseline_p95_ms']:>12.1f}"
        )
        self.stdout.write(f"speedup (p95): {result['speedup']}×")
        self.stdout.write(
            f"single order CPU time (ms): p50 {result['single_cpu_p50_ms']}, p95 {result['single_cpu_p95_ms']}; "
            f"load average {result['load_avg_1m']} on {result['cpus']} CPUs"
        )
        self.stdout.write(
            f"CPU time: index build {result['index_build_cpu_s']} s (median); rank_bm25 p95 "
            f"{result['baseline_cpu_p95_ms']} ms; speedup (CPU p95): {result['speedup_cpu']}×"
        )
        self.stdout.write(
            f"memory (MB): index {result['index_rss_mb']} resident; build peak RSS "
            f"{result['index_build_peak_rss_mb']} (+{result['index_build_peak_extra_mb']} during the build); "
            f"process RSS {result['process_rss_mb']}"
        )
