"""The meeting scheduler: places accepted 1:1 meeting requests into (slot, table) pairs. Django-free.

Problem: slots 0..S-1 and tables 0..T-1; each request joins two participants; a participant may be unavailable
in some slots. A placement gives a request one slot and one table so that no participant has two meetings in
one slot, no table holds two meetings in one slot and both participants are available. Maximise the number of
placed meetings.

Tables are interchangeable within a slot, so the model has one boolean x[request, slot] per slot both sides
are available in, and a per-slot capacity of T; tables are handed out afterwards (placements kept from an
earlier run keep their table). It is solved with OR-Tools CP-SAT, which also proves an upper bound (optimal
when the bound equals the number placed). A greedy first-fit placement is computed too: it seeds the solver
(hint) and is the baseline the solver must never fall below (if the solver returned less within its time
limit, the greedy placement is used).

Placements from an earlier run ("confirmed") stay where they are unless that is impossible or costs meetings:
the objective is lexicographic, first the number of meetings, then the number of confirmed placements left in
place (only those still valid on their own, i.e. slot and table exist and both sides are still available, and
not colliding with another one, count). A confirmed meeting that stays keeps its table too.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    """One accepted meeting request between two participants (any hashable ids)."""

    id: int
    a: int
    b: int


@dataclass
class Problem:
    """What the scheduler is given."""

    slots: int
    tables: int
    requests: list[Request]
    unavailable: Mapping[int, Iterable[int]] = field(default_factory=dict)  # participant -> slots
    fixed: Mapping[int, tuple[int, int]] = field(default_factory=dict)  # request id -> (slot, table)


@dataclass
class Result:
    """A placement: request id -> (slot, table), and how it was found."""

    placements: dict[int, tuple[int, int]]
    bound: int  # proven upper bound on the number of meetings
    optimal: bool
    greedy_meetings: int
    greedy_seconds: float
    seconds: float
    kept: int  # earlier placements kept where they were
    moved: int  # earlier placements that had to be placed again (or dropped)
    method: str  # "cp-sat" or "greedy" (when the solver found no better placement in time)

    @property
    def meetings(self) -> int:
        """How many meetings were placed."""
        return len(self.placements)


def _allowed(problem: Problem) -> dict[int, list[int]]:
    """For each request the slots in which both participants are available."""
    blocked = {p: set(s) for p, s in problem.unavailable.items()}
    allowed = {}
    for r in problem.requests:
        if r.a == r.b:
            allowed[r.id] = []
            continue
        bad = blocked.get(r.a, set()) | blocked.get(r.b, set())
        allowed[r.id] = [s for s in range(problem.slots) if s not in bad]
    return allowed


def _kept(problem: Problem, allowed: dict[int, list[int]]) -> dict[int, tuple[int, int]]:
    """Earlier placements that are still valid and mutually consistent (first come, first kept)."""
    by_id = {r.id: r for r in problem.requests}
    kept: dict[int, tuple[int, int]] = {}
    busy: set[tuple[int, int]] = set()  # (participant, slot)
    used: set[tuple[int, int]] = set()  # (slot, table)
    for rid, (slot, table) in sorted(problem.fixed.items()):
        r = by_id.get(rid)
        if r is None or slot not in allowed[rid] or not 0 <= table < problem.tables:
            continue
        if (slot, table) in used or (r.a, slot) in busy or (r.b, slot) in busy:
            continue
        kept[rid] = (slot, table)
        used.add((slot, table))
        busy.update({(r.a, slot), (r.b, slot)})
    return kept


def greedy(problem: Problem, allowed=None, kept=None) -> dict[int, int]:
    """First-fit: requests in order, each into the first slot where both sides are free and a table is left."""
    allowed = allowed if allowed is not None else _allowed(problem)
    kept = kept if kept is not None else {}
    by_id = {r.id: r for r in problem.requests}
    load = defaultdict(int)
    busy: set[tuple[int, int]] = set()
    chosen: dict[int, int] = {}
    for rid, (slot, _table) in kept.items():
        r = by_id[rid]
        chosen[rid] = slot
        load[slot] += 1
        busy.update({(r.a, slot), (r.b, slot)})
    for r in problem.requests:
        if r.id in chosen:
            continue
        for slot in allowed[r.id]:
            if load[slot] < problem.tables and (r.a, slot) not in busy and (r.b, slot) not in busy:
                chosen[r.id] = slot
                load[slot] += 1
                busy.update({(r.a, slot), (r.b, slot)})
                break
    return chosen


def _tables(
    slots_of: dict[int, int], kept: dict[int, tuple[int, int]], tables: int
) -> dict[int, tuple[int, int]]:
    """Hand out tables per slot: kept placements keep theirs, the others take the free ones in order."""
    placements = {rid: kept[rid] for rid in slots_of if rid in kept and kept[rid][0] == slots_of[rid]}
    taken = defaultdict(set)
    for slot, table in placements.values():
        taken[slot].add(table)
    for rid in sorted(slots_of):
        if rid in placements:
            continue
        slot = slots_of[rid]
        table = next(t for t in range(tables) if t not in taken[slot])
        taken[slot].add(table)
        placements[rid] = (slot, table)
    return placements


def counting_bound(problem: Problem, allowed: dict[int, list[int]] | None = None) -> int:
    """An upper bound by counting: no more meetings than tables x slots, than requests that have a common free
    slot, nor than half the sum over participants of min(their meetings, their free slots)."""
    allowed = allowed if allowed is not None else _allowed(problem)
    placeable = [r for r in problem.requests if allowed[r.id]]
    degree = defaultdict(int)
    for r in placeable:
        degree[r.a] += 1
        degree[r.b] += 1
    blocked = {p: set(s) for p, s in problem.unavailable.items()}
    per_person = sum(min(d, problem.slots - len(blocked.get(p, ()))) for p, d in degree.items())
    return min(problem.slots * problem.tables, len(placeable), per_person // 2)


def solve(problem: Problem, *, time_limit: float = 8.0, workers: int = 2) -> Result:
    """Place as many requests as possible (CP-SAT), never fewer than greedy first-fit; keep valid earlier ones."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    allowed = _allowed(problem)
    kept = _kept(problem, allowed)
    greedy_started = time.perf_counter()
    greedy_slots = greedy(problem, allowed, kept)
    greedy_seconds = time.perf_counter() - greedy_started

    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    per_participant_slot = defaultdict(list)
    per_slot = defaultdict(list)
    stay = []  # x of each kept placement's own slot
    for r in problem.requests:
        own = []
        for slot in allowed[r.id]:
            var = model.NewBoolVar(f"x{r.id}_{slot}")
            x[r.id, slot] = var
            own.append(var)
            per_participant_slot[r.a, slot].append(var)
            per_participant_slot[r.b, slot].append(var)
            per_slot[slot].append(var)
            model.AddHint(var, greedy_slots.get(r.id) == slot)
            if r.id in kept and kept[r.id][0] == slot:
                stay.append(var)
        if len(own) > 1:
            model.AddAtMostOne(own)
    for variables in per_participant_slot.values():
        if len(variables) > 1:
            model.AddAtMostOne(variables)
    for variables in per_slot.values():
        if len(variables) > problem.tables:
            model.Add(sum(variables) <= problem.tables)
    # Lexicographic: first the number of meetings, then the number of earlier placements left where they were
    # (a confirmed meeting moves only when that places more meetings, or when its place no longer fits).
    # The count lives in [0, counting bound]: a hint that reaches the bound is proven optimal at once.
    weight = len(stay) + 1
    total = model.NewIntVar(0, counting_bound(problem, allowed), "meetings")
    model.Add(total == sum(x.values()))
    model.AddHint(total, len(greedy_slots))
    model.Maximize(weight * total + sum(stay))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    status = solver.Solve(model)
    solved = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    slots_of = {rid: slot for (rid, slot), var in x.items() if solved and solver.Value(var)}
    method = "cp-sat"
    if len(slots_of) < len(greedy_slots):
        slots_of, method = dict(greedy_slots), "greedy"
    if solved:
        # an integer objective: the floor of the bound over the weight still bounds the number of meetings
        bound = math.floor((solver.BestObjectiveBound() + 1e-6) / weight)
    else:
        bound = counting_bound(problem, allowed)
    bound = max(bound, len(slots_of))
    placements = _tables(slots_of, kept, problem.tables)
    moved = sum(1 for rid, place in problem.fixed.items() if placements.get(rid) != tuple(place))
    return Result(
        placements=placements,
        bound=bound,
        optimal=status == cp_model.OPTIMAL or bound == len(placements),
        greedy_meetings=len(greedy_slots),
        greedy_seconds=greedy_seconds,
        seconds=time.perf_counter() - started,
        kept=sum(1 for rid, place in kept.items() if placements.get(rid) == place),
        moved=moved,
        method=method,
    )


def check(problem: Problem, placements: Mapping[int, tuple[int, int]]) -> list[str]:
    """Every rule a placement breaks (empty when valid): used by tests and the benchmark."""
    errors = []
    by_id = {r.id: r for r in problem.requests}
    blocked = {p: set(s) for p, s in problem.unavailable.items()}
    seen_table, seen_person = {}, {}
    for rid, (slot, table) in placements.items():
        r = by_id.get(rid)
        if r is None:
            errors.append(f"unknown request {rid}")
            continue
        if not (0 <= slot < problem.slots and 0 <= table < problem.tables):
            errors.append(f"request {rid}: slot/table out of range")
        if (slot, table) in seen_table:
            errors.append(f"table {table} double-booked in slot {slot}")
        seen_table[slot, table] = rid
        for person in (r.a, r.b):
            if slot in blocked.get(person, ()):
                errors.append(f"participant {person} unavailable in slot {slot}")
            if (person, slot) in seen_person:
                errors.append(f"participant {person} double-booked in slot {slot}")
            seen_person[person, slot] = rid
    return errors
