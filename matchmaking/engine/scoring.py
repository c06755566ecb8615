"""``rank(query, index)``: filter, score (vectorised over the order kind's pool) and explain the top-k."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .explain import reasons_for
from .filters import eligible
from .index import Index
from .records import ORDER_KINDS, Candidate, OrderQuery
from .signals import (
    QueryPlan,
    bm25_scores,
    capital_fit,
    chain_signal,
    geo_signal,
    kind_fit,
    plan_query,
    relation_signal,
    text_signal,
)
from .weights import DEFAULT_WEIGHTS, kind_weights, merge_weights


def score_pool(
    index: Index, plan: QueryPlan, w: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(eligible pool positions, scores in [0, 1], signal arrays) for one planned order."""
    pool = index.pools[plan.kind]
    pool = pool[eligible(index, plan, pool, w)]
    raw = bm25_scores(index, plan)[pool]
    sig: dict[str, np.ndarray] = {"bm25": raw, "text": text_signal(raw)}
    sig["chain"] = chain_signal(index, plan, pool)
    sig["geo"] = geo_signal(index, plan, pool, w)
    if plan.kind == "capital":
        sig.update(capital_fit(index, plan, pool, w))
    elif plan.kind == "industry":
        sig["fit"] = sig["relation"] = relation_signal(index, plan, pool, w)
    else:
        sig["fit"] = kind_fit(index, plan, pool)
    kw = kind_weights(w, plan.kind)
    score = (
        kw["text"] * sig["text"]
        + kw["chain"] * sig["chain"]
        + kw["geo"] * sig["geo"]
        + kw["fit"] * sig["fit"]
    )
    # nothing matched at all → not a candidate
    relevant = (raw > 0) | (sig["chain"] > 0)
    declined = np.isin(pool, plan.declined_pos) if len(plan.declined_pos) else np.zeros(len(pool), dtype=bool)
    sig["declined"] = declined.astype(np.float64)
    score = score * np.where(declined, 1.0 - w["penalty.declined"], 1.0)
    if w["penalty.sample"]:
        score = score * np.where(index.is_sample[pool], 1.0 - w["penalty.sample"], 1.0)
    score = np.clip(np.where(relevant, score, 0.0), 0.0, 1.0)
    return pool, score, sig


def _top(pool: np.ndarray, score: np.ndarray, keys: list[str], top: int) -> list[int]:
    """Indices into ``pool`` of the best ``top`` positive scores; ties broken by key (deterministic)."""
    positive = np.flatnonzero(score > 0)
    if len(positive) == 0 or top <= 0:
        return []
    if len(positive) > top:
        kth = np.partition(score[positive], len(positive) - top)[len(positive) - top]
        positive = positive[score[positive] >= kth]
    return sorted(positive.tolist(), key=lambda i: (-round(float(score[i]), 12), keys[pool[i]]))[:top]


def rank(
    query: OrderQuery, index: Index, top: int = 10, weights: Mapping[str, float] | None = None
) -> list[Candidate]:
    """Ranked candidates (best first, at most ``top``) with scores in [0, 1] and Chinese reasons."""
    if query.kind not in ORDER_KINDS:
        raise ValueError(f"unknown order kind: {query.kind!r}")
    w = index.weights if weights is None else merge_weights({**_overrides(index.weights), **weights})
    plan = plan_query(index, query, w)
    pool, score, sig = score_pool(index, plan, w)
    out = []
    for i in _top(pool, score, index.keys, top):
        pos = int(pool[i])
        res = index.resources[pos]
        signals = {name: round(float(arr[i]), 6) for name, arr in sig.items()}
        out.append(
            Candidate(
                key=res.key,
                name=res.name,
                resource_type=res.resource_type,
                score=round(float(score[i]), 6),
                reasons=reasons_for(index, plan, pos, signals, w),
                signals=signals,
                is_sample=res.is_sample,
            )
        )
    return out


def _overrides(weights: Mapping[str, float]) -> dict[str, float]:
    return {k: v for k, v in weights.items() if DEFAULT_WEIGHTS.get(k) != v}
