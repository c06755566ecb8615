"""Offline evaluation on labelled cases (``tests/data/match_dev_cases.jsonl`` format).

A case hits at rank r when any of its ``expect`` names is a substring of the name ranked r (1-based);
a forbid violation is a ``forbid`` name that is a substring of a name in the top 10 (or in the top
``forbid_depth`` when the case sets it, e.g. 5 for competitors that may follow the real partners).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from engine.index import Index, build_index
from engine.loaders import records_from_csv_dir
from engine.records import ORDER_KINDS, OrderQuery
from engine.scoring import rank

FORBID_DEPTH = 10


def load_cases(path: str | Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def query_from_case(case: Mapping[str, object], today: date | None = None) -> OrderQuery:
    amount = case.get("amount_yuan")
    return OrderQuery(
        kind=str(case["kind"]),
        county=case.get("county"),  # type: ignore[arg-type]
        chain_type=case.get("chain_type"),  # type: ignore[arg-type]
        title=str(case.get("title") or ""),
        text=str(case.get("text") or ""),
        link_name=case.get("link_name"),  # type: ignore[arg-type]
        wanted_direction=case.get("wanted_direction"),  # type: ignore[arg-type]
        keywords=tuple(case.get("keywords") or ()),  # type: ignore[arg-type]
        amount_yuan=int(amount) if amount else None,  # type: ignore[call-overload]
        financing_type=case.get("financing_type"),  # type: ignore[arg-type]
        declined_keys=frozenset(case.get("declined_keys") or ()),  # type: ignore[arg-type]
        today=today,
    )


def _metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    if n == 0:
        return {"n": 0, "recall@1": 0.0, "recall@5": 0.0, "mrr": 0.0}
    return {
        "n": n,
        "recall@1": sum(1 for r in ranks if r is not None and r <= 1) / n,
        "recall@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "mrr": sum(1.0 / r for r in ranks if r is not None) / n,
    }


def evaluate(
    cases: Iterable[Mapping[str, object]],
    index: Index,
    k: int = FORBID_DEPTH,
    weights: Mapping[str, float] | None = None,
    today: date | None = None,
) -> dict:
    """recall@1, recall@5 and MRR (over the top ``k``) per kind and overall, plus forbid violations.

    Returns ``{"overall": {...}, "by_kind": {kind: {...}}, "forbid_violations": [...], "cases": [...]}``
    where each case row has its id, kind, hit rank (or None) and the top-5 names.
    """
    depth = max(k, FORBID_DEPTH)
    rows = []
    violations = []
    for case in cases:
        query = query_from_case(case, today)
        results = rank(query, index, top=depth, weights=weights)
        names = [c.name for c in results]
        expect = [str(e) for e in case.get("expect") or ()]  # type: ignore[union-attr]
        hit = next((r for r, name in enumerate(names[:k], 1) if any(e in name for e in expect)), None)
        forbid_depth = int(case.get("forbid_depth") or FORBID_DEPTH)  # type: ignore[call-overload]
        for forbid in case.get("forbid") or ():  # type: ignore[union-attr]
            for r, name in enumerate(names[:forbid_depth], 1):
                if str(forbid) in name:
                    violations.append(
                        {"id": case.get("id"), "kind": query.kind, "forbid": forbid, "name": name, "rank": r}
                    )
        rows.append({"id": case.get("id"), "kind": query.kind, "rank": hit, "top5": names[:5]})
    by_kind = {
        kind: _metrics([r["rank"] for r in rows if r["kind"] == kind])
        for kind in ORDER_KINDS
        if any(r["kind"] == kind for r in rows)
    }
    return {
        "overall": _metrics([r["rank"] for r in rows]),
        "by_kind": by_kind,
        "forbid_violations": violations,
        "cases": rows,
    }


def format_table(result: Mapping[str, object]) -> str:
    """Plain-text table of an :func:`evaluate` result."""
    lines = [f"{'kind':<12}{'n':>4}{'R@1':>8}{'R@5':>8}{'MRR':>8}{'forbid':>8}"]
    violations = result["forbid_violations"]
    groups = [*result["by_kind"].items(), ("overall", result["overall"])]  # type: ignore[union-attr]
    for kind, m in groups:
        bad = sum(1 for v in violations if kind in ("overall", v.get("kind")))  # type: ignore[union-attr]
        lines.append(
            f"{kind:<12}{m['n']:>4}{m['recall@1']:>8.3f}{m['recall@5']:>8.3f}{m['mrr']:>8.3f}{bad:>8}"
        )
    lines.append(f"forbid violations: {len(violations)}")  # type: ignore[arg-type]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    import argparse

    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description="Evaluate the matching engine on labelled cases.")
    parser.add_argument("--data", default=str(root / "chains" / "data"))
    parser.add_argument("--cases", default=str(root / "tests" / "data" / "match_dev_cases.jsonl"))
    args = parser.parse_args()
    catalog = records_from_csv_dir(args.data)
    idx = build_index(catalog.resources, catalog.chain_types, catalog.counties_to_prefecture, version="cli")
    res = evaluate(load_cases(args.cases), idx)
    print(format_table(res))
    for row in res["cases"]:
        if row["rank"] is None or row["rank"] > 5:
            print("MISS", row["id"], row["top5"])
    for v in res["forbid_violations"]:
        print("FORBID", v)
