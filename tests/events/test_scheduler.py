"""The scheduler: no double booking, availability respected, optimum on small hand-made cases, stable re-runs."""

import itertools
import random

import pytest

from events.scheduler import Problem, Request, check, counting_bound, greedy, solve


def brute_force(problem: Problem) -> int:
    """The true maximum by trying every slot (or none) for every request: tiny cases only."""
    best = 0
    choices = [[None, *range(problem.slots)] for _ in problem.requests]
    for assignment in itertools.product(*choices):
        load, busy, ok = {}, set(), True
        for r, slot in zip(problem.requests, assignment, strict=True):
            if slot is None:
                continue
            if slot in problem.unavailable.get(r.a, ()) or slot in problem.unavailable.get(r.b, ()):
                ok = False
                break
            if (r.a, slot) in busy or (r.b, slot) in busy or load.get(slot, 0) >= problem.tables:
                ok = False
                break
            busy.update({(r.a, slot), (r.b, slot)})
            load[slot] = load.get(slot, 0) + 1
        if ok:
            best = max(best, sum(s is not None for s in assignment))
    return best


def test_greedy_is_beaten_where_first_fit_blocks_itself():
    # One table, two slots. First-fit puts A-B into slot 0; A-C fits only slot 0 (C is away in slot 1) and is
    # lost. The optimum puts A-C in slot 0 and A-B in slot 1.
    requests = [Request(1, "A", "B"), Request(2, "A", "C")]
    problem = Problem(slots=2, tables=1, requests=requests, unavailable={"C": {1}})
    result = solve(problem, time_limit=5)
    assert greedy(problem) == {1: 0}
    assert result.greedy_meetings == 1
    assert brute_force(problem) == 2
    assert result.placements == {2: (0, 0), 1: (1, 0)}
    assert result.optimal and result.bound == 2
    assert check(problem, result.placements) == []


@pytest.mark.parametrize("seed", range(6))
def test_optimum_on_small_random_cases(seed):
    rng = random.Random(seed)
    people = list(range(5))
    pairs = list(itertools.combinations(people, 2))
    requests = [Request(i, a, b) for i, (a, b) in enumerate(rng.sample(pairs, 6))]
    unavailable = {p: set(rng.sample(range(3), rng.randint(0, 1))) for p in people}
    problem = Problem(slots=3, tables=2, requests=requests, unavailable=unavailable)
    result = solve(problem, time_limit=5)
    assert check(problem, result.placements) == []
    assert result.meetings == brute_force(problem)
    assert result.optimal and result.bound == result.meetings
    assert result.meetings >= result.greedy_meetings


def test_no_double_booking_and_availability_on_a_larger_case():
    rng = random.Random(7)
    requests, seen = [], set()
    while len(requests) < 400:
        a, b = rng.sample(range(60), 2)
        if (min(a, b), max(a, b)) not in seen:
            seen.add((min(a, b), max(a, b)))
            requests.append(Request(len(requests), a, b))
    unavailable = {p: set(rng.sample(range(8), 2)) for p in range(60)}
    problem = Problem(slots=8, tables=20, requests=requests, unavailable=unavailable)
    result = solve(problem, time_limit=5)
    assert check(problem, result.placements) == []
    assert result.greedy_meetings <= result.meetings <= result.bound <= counting_bound(problem)
    for rid, (slot, _table) in result.placements.items():
        r = requests[rid]
        assert slot not in unavailable[r.a] and slot not in unavailable[r.b]


def test_table_capacity_binds():
    requests = [Request(i, 2 * i, 2 * i + 1) for i in range(10)]  # ten disjoint pairs
    result = solve(Problem(slots=2, tables=3, requests=requests), time_limit=5)
    assert result.meetings == 6 and result.bound == 6
    assert sorted(result.placements.values()) == [(s, t) for s in range(2) for t in range(3)]


def test_rerun_keeps_placements_that_still_fit():
    requests = [Request(i, f"p{i}", f"q{i}") for i in range(4)]
    first = solve(Problem(slots=2, tables=2, requests=requests), time_limit=5)
    assert first.meetings == 4
    # a new request arrives and one person becomes unavailable in a slot that holds none of their meetings
    more = [*requests, Request(9, "p0", "q1")]
    mover = next(rid for rid, (slot, _t) in first.placements.items() if rid == 0)
    free_slot = 1 - first.placements[mover][0]
    second = solve(
        Problem(slots=2, tables=2, requests=more, unavailable={"p0": {free_slot}}, fixed=first.placements),
        time_limit=5,
    )
    assert second.kept == 4 and second.moved == 0
    assert all(second.placements[rid] == first.placements[rid] for rid in range(4))
    assert check(Problem(2, 2, more, {"p0": {free_slot}}), second.placements) == []


def test_rerun_moves_only_what_no_longer_fits():
    requests = [Request(1, "a", "b"), Request(2, "c", "d")]
    fixed = {1: (0, 0), 2: (0, 1)}
    # "a" cannot come to slot 0 any more: meeting 1 moves, meeting 2 stays where it was
    result = solve(
        Problem(slots=2, tables=2, requests=requests, unavailable={"a": {0}}, fixed=fixed), time_limit=5
    )
    assert result.placements[2] == (0, 1)
    assert result.placements[1][0] == 1
    assert result.kept == 1 and result.moved == 1


def test_fewer_tables_drop_kept_placements_beyond_the_last_table():
    requests = [Request(1, "a", "b"), Request(2, "c", "d")]
    result = solve(Problem(slots=2, tables=1, requests=requests, fixed={1: (0, 0), 2: (0, 1)}), time_limit=5)
    assert result.placements[1] == (0, 0)
    assert result.placements[2] == (1, 0)
    assert check(Problem(2, 1, requests), result.placements) == []


def test_requests_without_a_common_free_slot_are_left_out():
    requests = [Request(1, "a", "b")]
    result = solve(
        Problem(slots=2, tables=1, requests=requests, unavailable={"a": {0}, "b": {1}}), time_limit=5
    )
    assert result.meetings == 0 and result.bound == 0


def test_a_confirmed_meeting_moves_only_when_that_places_more():
    # a-b was confirmed in slot 1; c can only meet a in slot 1: moving a-b to slot 0 places both
    requests = [Request(1, "a", "b"), Request(2, "c", "a")]
    result = solve(Problem(slots=2, tables=2, requests=requests, unavailable={"c": {0}}, fixed={1: (1, 0)}))
    assert result.meetings == 2 and result.placements[1][0] == 0 and result.moved == 1
    # with c free in both slots nothing needs to move
    result = solve(Problem(slots=2, tables=2, requests=requests, fixed={1: (1, 0)}))
    assert result.meetings == 2 and result.placements[1] == (1, 0) and result.moved == 0 and result.kept == 1
