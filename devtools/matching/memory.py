"""Process memory as Linux reports it (/proc), and a preforked setup measured child by child.

RSS counts every resident page a process maps, shared or not, so the RSS of forked children adds up to far more
than the host uses. ``Pss`` splits each shared page between the processes mapping it, and ``Private_*`` is
what only that process holds (what a further worker really costs): read from ``/proc/<pid>/smaps_rollup``.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path

MB = 1024.0  # /proc reports kB

ROLLUP_FIELDS = ("Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Swap")


def smaps_rollup(pid: int | str = "self") -> dict[str, float]:
    """Rss, Pss, Shared_*, Private_* and Swap of a process in MB (``Private`` = clean + dirty)."""
    out = dict.fromkeys(ROLLUP_FIELDS, 0.0)
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in out:
            out[name] = int(rest.split()[0]) / MB
    out["Private"] = out["Private_Clean"] + out["Private_Dirty"]
    return out


def rss_mb() -> float:
    """This process's resident memory now (MB)."""
    return _status("VmRSS")


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started or since :func:`reset_peak` (MB)."""
    return _status("VmHWM")


def reset_peak() -> bool:
    """Reset the peak RSS (``VmHWM``) of this process, so the next peak is the next step's own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / MB
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / MB


def measure_build(build: Callable[[], object]) -> tuple[object, dict[str, float]]:
    """Run ``build`` and return what it built with its memory: the peak RSS while it ran and the resident memory
    it kept (RSS after minus before, garbage collected both times), in MB."""
    gc.collect()
    before = rss_mb()
    reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    built = build()
    seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    peak = peak_rss_mb()
    gc.collect()
    after = rss_mb()
    return built, {
        "rss_before_mb": before,
        "build_peak_rss_mb": peak,
        "index_rss_mb": after - before,
        "build_s": seconds,
        "build_cpu_s": cpu_s,
    }


def forked_children(
    n: int, work: Callable[[], dict], settle: float = 0.5, timeout: float = 600.0
) -> list[dict[str, object]]:
    """Fork ``n`` children that each run ``work()`` (as a preforked worker serving its first requests), then
    read each child's memory from /proc while all of them are alive; returns one row per child: its pid,
    what ``work`` returned (JSON) and its Rss/Pss/Private in MB."""
    children = []
    for _ in range(n):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: work, report, then wait to be measured
            os.close(read_end)
            code = 0
            try:
                payload = json.dumps(work()).encode()
            except Exception as exc:  # reported to the parent, which raises
                payload = json.dumps({"error": repr(exc)}).encode()
                code = 1
            os.write(write_end, payload + b"\n")
            os.close(write_end)
            time.sleep(timeout)
            os._exit(code)
        os.close(write_end)
        children.append((pid, read_end))
    rows = []
    try:
        for pid, read_end in children:
            with os.fdopen(read_end, "rb") as pipe:
                rows.append({"pid": pid, "work": json.loads(pipe.readline() or b"{}")})
        time.sleep(settle)
        for row in rows:
            row.update(smaps_rollup(row["pid"]))
    finally:
        for pid, _fd in children:
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
    errors = [row["work"]["error"] for row in rows if "error" in row["work"]]
    if errors:
        raise RuntimeError(f"a child failed: {errors[0]}")
    return rows
