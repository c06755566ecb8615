"""`python manage.py bench_scheduler`: the meeting scheduler on synthetic events (no database).

Each run builds a synthetic event (participants, distinct accepted requests between random pairs, each participant
away in 0-3 random slots), places it with the scheduler (CP-SAT, seeded with greedy first-fit) and checks the
placement (no participant or table double-booked, availability respected). Prints the median and p95 of the
wall time over the runs, the meetings placed, the greedy first-fit baseline and the solver's proven bound.
"""

import json
import random
import statistics

from django.core.management.base import BaseCommand, CommandError

from events.scheduler import Problem, Request, check, solve


def synthetic_problem(participants: int, requests: int, slots: int, tables: int, seed: int) -> Problem:
    """Distinct random pairs among the participants; each participant away in 0-3 random slots."""
    if participants < 2 or requests > participants * (participants - 1) // 2:
        raise CommandError("too many requests for so few participants")
    rng = random.Random(seed)
    seen, rows = set(), []
    while len(rows) < requests:
        a, b = rng.sample(range(participants), 2)
        key = (min(a, b), max(a, b))
        if key not in seen:
            seen.add(key)
            rows.append(Request(len(rows), a, b))
    away = {p: set(rng.sample(range(slots), rng.randint(0, min(3, slots - 1)))) for p in range(participants)}
    return Problem(slots=slots, tables=tables, requests=rows, unavailable=away)


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Benchmark the meeting scheduler on synthetic events (median and p95 of the wall time)."

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=300)
        parser.add_argument("--requests", type=int, default=2000)
        parser.add_argument("--slots", type=int, default=12)
        parser.add_argument("--tables", type=int, default=40)
        parser.add_argument("--runs", type=int, default=1, help="events to schedule (different seeds)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--time-limit", type=float, default=8.0, help="solver time limit per run (s)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **opts):
        rows = []
        for run in range(opts["runs"]):
            problem = synthetic_problem(
                opts["participants"], opts["requests"], opts["slots"], opts["tables"], opts["seed"] + run
            )
            result = solve(problem, time_limit=opts["time_limit"])
            errors = check(problem, result.placements)
            if errors:
                raise CommandError(f"invalid schedule: {errors[:3]}")
            rows.append(result)
        last = rows[-1]
        seconds = [r.seconds for r in rows]
        greedy_seconds = [r.greedy_seconds for r in rows]
        report = {
            "participants": opts["participants"],
            "requests": opts["requests"],
            "slots": opts["slots"],
            "tables": opts["tables"],
            "runs": len(rows),
            "meetings": last.meetings,
            "greedy_meetings": last.greedy_meetings,
            "bound": last.bound,
            "optimal": last.optimal,
            "gap_percent": round(100.0 * (last.bound - last.meetings) / last.bound, 2) if last.bound else 0.0,
            "method": last.method,
            "seconds": round(statistics.median(seconds), 3),
            "seconds_p95": round(_p95(seconds), 3),
            "greedy_seconds": round(statistics.median(greedy_seconds), 4),
            "greedy_seconds_p95": round(_p95(greedy_seconds), 4),
            "never_below_greedy": all(r.meetings >= r.greedy_meetings for r in rows),
            "max_gap_percent": round(
                max(100.0 * (r.bound - r.meetings) / r.bound if r.bound else 0 for r in rows), 2
            ),
        }
        if opts["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"{report['participants']} participants, {report['requests']} accepted requests, "
            f"{report['slots']} slots x {report['tables']} tables, {report['runs']} run(s)\n"
            f"  meetings placed {report['meetings']} (greedy first-fit {report['greedy_meetings']}, "
            f"proven bound {report['bound']}, gap {report['gap_percent']} %, {report['method']})\n"
            f"  scheduler median {report['seconds']} s, p95 {report['seconds_p95']} s; "
            f"greedy median {report['greedy_seconds']} s, p95 {report['greedy_seconds_p95']} s\n"
            f"  never below greedy: {report['never_below_greedy']}; largest gap {report['max_gap_percent']} %"
        )
