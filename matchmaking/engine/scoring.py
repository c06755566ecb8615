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
    View,
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

# Order kinds whose resources are domain specialists (institutions, talent teams).
OFF_CHAIN_KINDS = frozenset({"innovation", "talent"})


def score_pool(index: Index, plan: QueryPlan, w: Mapping[str, float]) -> tuple[View, np.ndarray, dict]:
    """(candidate subset of the pool, scores in [0, 1] (0 = filtered), signal arrays) for one order.

    Candidates are the pool's resources that share a term with the order or fit its chain type; every
    other signal is computed only for them.
    """
    view = index.views[plan.kind]
    raw_all = bm25_scores(view, plan)
    chain_all = chain_signal(view, plan)
    sub = view.subset(np.flatnonzero((raw_all > 0) | (chain_all > 0)))
    ok = eligible(sub, plan, w)
    raw = np.where(ok, raw_all[sub.sel], 0.0)
    sig: dict[str, np.ndarray] = {"bm25": raw, "text": text_signal(raw, view, plan, w)}
    sig["chain"] = chain_all[sub.sel]
    sig["geo"] = geo_signal(sub, plan, w)
    if plan.kind == "capital":
        sig.update(capital_fit(sub, plan, w))
    elif plan.kind == "industry":
        sig["fit"] = sig["relation"] = relation_signal(sub, plan, w, index)
    else:
        sig["fit"] = kind_fit(sub, plan)
    kw = kind_weights(w, plan.kind)
    score = (
        kw["text"] * sig["text"]
        + kw["chain"] * sig["chain"]
        + kw["geo"] * sig["geo"]
        + kw["fit"] * sig["fit"]
    )
    if plan.kind == "industry" and plan.own_link is not None and plan.direction is not None:
        # same chain but on the order's own link or on the other side: competitors, not partners
        off_side = (sub.chain_id == plan.chain_idx) & (sig["relation"] <= w["rel.same_link"])
        score = score * np.where(off_side, 1.0 - w["penalty.off_direction"], 1.0)
    if plan.kind in OFF_CHAIN_KINDS and plan.chain_idx >= 0 and w["penalty.off_chain"]:
        # an institution or talent team specialised in another chain type (and not in this one) is rarely
        # what the order needs; money (products, funds) and firms are judged by their own fit signals
        gap = np.clip(sub.chain_max.astype(np.float64) - sig["chain"], 0.0, 1.0)
        score = score * (1.0 - w["penalty.off_chain"] * gap)
    if len(plan.declined_pos):
        declined = np.isin(sub.pos, plan.declined_pos)
        score = score * np.where(declined, 1.0 - w["penalty.declined"], 1.0)
    else:
        declined = np.zeros(len(sub), dtype=bool)
    sig["declined"] = declined
    if w["penalty.sample"]:
        score = score * np.where(sub.is_sample, 1.0 - w["penalty.sample"], 1.0)
    score = np.clip(np.where(ok, score, 0.0), 0.0, 1.0)
    return sub, score, sig


def _top(view: View, score: np.ndarray, keys: list[str], top: int) -> list[int]:
    """Pool-local indices of the best ``top`` positive scores; ties broken by key (deterministic)."""
    positive = np.flatnonzero(score > 0)
    if len(positive) == 0 or top <= 0:
        return []
    if len(positive) > top:
        kth = np.partition(score[positive], len(positive) - top)[len(positive) - top]
        positive = positive[score[positive] >= kth]
    pos = view.pos
    return sorted(positive.tolist(), key=lambda i: (-round(float(score[i]), 12), keys[pos[i]]))[:top]


def rank(
    query: OrderQuery, index: Index, top: int = 10, weights: Mapping[str, float] | None = None
) -> list[Candidate]:
    """Ranked candidates (best first, at most ``top``) with scores in [0, 1] and Chinese reasons."""
    if query.kind not in ORDER_KINDS:
        raise ValueError(f"unknown order kind: {query.kind!r}")
    w = index.weights if weights is None else merge_weights({**_overrides(index.weights), **weights})
    plan = plan_query(index, query, w)
    view, score, sig = score_pool(index, plan, w)
    out = []
    for i in _top(view, score, index.keys, top):
        pos = int(view.pos[i])
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
