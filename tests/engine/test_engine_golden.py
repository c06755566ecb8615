"""Ranking outputs (keys, scores, features, reasons) are pinned to a stored snapshot.

The snapshot in ``data/golden_rank.json`` was computed before the latency work on the engine; any change
to the ranking, a score, a feature or a reason shows up here.  Regenerate it only for an intended change
of behaviour: ``python -m tests.engine.test_engine_golden``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from devtools.matching.bench import synthetic_catalog, synthetic_orders
from devtools.matching.evaluate import load_cases, query_from_case
from engine import build_index, rank
from engine.scoring import round6

from .conftest import CASES, DATA_DIR, TODAY

GOLDEN = Path(__file__).resolve().parent / "data" / "golden_rank.json"
N_SYNTHETIC_RESOURCES = 4000
N_SYNTHETIC_ORDERS = 240
N_REAL_ORDERS = 120


def _candidates(query, index, top=10):
    return [
        {
            "key": c.key,
            "name": c.name,
            "resource_type": c.resource_type,
            "score": c.score,
            "reasons": c.reasons,
            "features": c.features,
            "is_sample": c.is_sample,
        }
        for c in rank(query, index, top=top)
    ]


def _dev_queries(index):
    queries = [query_from_case(case, TODAY) for case in load_cases(CASES)]
    # the same orders again, each declining its current best candidate (exercises the declined penalty)
    declined = []
    for q in queries:
        best = rank(q, index, top=1)
        if best:
            declined.append(replace(q, declined_keys=frozenset({best[0].key})))
    return queries + declined


def compute_outputs(catalog) -> dict[str, list]:
    """Outputs of ``rank`` for the dev cases and synthetic orders over the real and a synthetic catalog."""
    real = build_index(catalog.resources, catalog.chain_types, catalog.counties_to_prefecture, version="g")
    out = {"dev": [_candidates(q, real, top=10) for q in _dev_queries(real)]}
    real_orders = synthetic_orders(N_REAL_ORDERS, seed=21, base=catalog)
    out["real_synthetic"] = [_candidates(q, real, top=10) for q in real_orders]
    synth = synthetic_catalog(N_SYNTHETIC_RESOURCES, seed=5, base=catalog)
    index = build_index(synth.resources, synth.chain_types, synth.counties_to_prefecture, version="s")
    orders = synthetic_orders(N_SYNTHETIC_ORDERS, seed=13, base=catalog)
    out["synthetic"] = [_candidates(q, index, top=10) for q in orders]
    return out


def test_rank_outputs_match_snapshot(catalog):
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    actual = json.loads(json.dumps(compute_outputs(catalog), ensure_ascii=False))
    assert set(actual) == set(expected)
    for part, rows in expected.items():
        assert len(actual[part]) == len(rows), part
        for i, (got, want) in enumerate(zip(actual[part], rows, strict=True)):
            assert got == want, f"{part}[{i}]"
    assert sum(len(rows) for rows in expected["synthetic"]) > N_SYNTHETIC_ORDERS  # non-trivial snapshot


if __name__ == "__main__":  # pragma: no cover - regenerates the snapshot
    from engine import records_from_csv_dir

    GOLDEN.parent.mkdir(exist_ok=True)
    data = compute_outputs(records_from_csv_dir(DATA_DIR))
    GOLDEN.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def test_round6_matches_round():
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [
            rng.random(20000),
            rng.random(5000) * 50,
            np.round(rng.random(2000), 6) + 5e-7,  # exact ties in decimal, near ties in binary
            np.arange(-1000, 1000) / 2e6,
            [0.0, -0.0, 1.0, 0.15, 0.85, 2.5e-7, 1e9 + 0.1234565, np.inf, -np.inf],
        ]
    )
    rows = round6(values.reshape(-1, 1))
    for v, row in zip(values.tolist(), rows, strict=True):
        want = round(v, 6)
        assert row[0] == want and str(row[0]) == str(want), v
