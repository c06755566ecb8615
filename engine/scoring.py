"""``rank(query, index)``: filter, score (vectorised over the order kind's pool) and explain the top-k."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .capital import capital_fit, capital_parts, financing_type_fit
from .explain import matched_terms_many, reasons_for
from .features import (
    QueryPlan,
    View,
    bm25_split,
    chain_feature,
    geo_feature,
    kind_fit,
    outcome_feature,
    plan_query,
    relation_feature,
    text_feature,
)
from .filters import eligible_pool
from .index import Index
from .memo import pool_memo
from .records import ORDER_KINDS, Candidate, OrderQuery
from .weights import DEFAULT_WEIGHTS, kind_weights, merge_weights, score_ceilings

# Order kinds whose resources are judged against the order's chain: institutions and talent teams are
# domain specialists; products and funds aimed at another chain are no better.
OFF_CHAIN_KINDS = frozenset({"innovation", "talent", "capital"})


# Candidate sets larger than this are shortlisted by an upper bound of their score (see `score_pool`).
SHORTLIST_MIN = 64


def score_pool(
    index: Index, plan: QueryPlan, w: Mapping[str, float], top: int | None = None
) -> tuple[View, np.ndarray, dict]:
    """(candidate subset of the pool, scores in [0, 1] (0 = filtered), feature arrays) for one order.

    Candidates are the pool's resources that share a term with the order or fit its chain type.  Text,
    chain and geography are computed for all of them (the text score is normalised over every eligible
    candidate); with ``top``, the fit feature and the penalties are then computed only for a shortlist: the
    candidates whose score could still reach the ``top``-th best (an exact bound, so the result is the
    same as scoring them all).
    """
    view = index.views[plan.kind]
    spec_all, raw_all = bm25_split(view, plan)
    chain_all = chain_feature(view, plan)
    # only candidates that could have a specific reason can be listed (`_finish` scores the others 0), so
    # the others are dropped before scoring; they still count for the text score's normalisation
    maybe, relation_all = _maybe_specific(index, view, plan, w, spec_all, chain_all)
    sel = np.flatnonzero(((raw_all > 0) | (chain_all > 0)) & maybe)
    sub = view.subset(sel)
    ok_pool = eligible_pool(view, plan, w)
    ok = None if ok_pool is None else ok_pool[sel]
    raw = raw_all[sel] if ok is None else np.where(ok, raw_all[sel], 0.0)
    top_raw = _best_eligible_raw(raw_all, ok_pool)
    base = {"bm25": raw, "text": text_feature(raw, view, plan, w, top_raw), "chain": chain_all[sel]}
    base["specific_text"] = (spec_all[sel] > 0).astype(np.float64)
    if relation_all is not None:
        base["_relation"] = relation_all[sel]  # the same values `relation_feature` gives the subset
    base["geo"] = geo_feature(sub, plan, w)
    # outcomes of similar orders: cheap for every candidate, and exact in the shortlist bound below
    base["outcome"], base["irrelevant"] = outcome_feature(sub, plan, w, index)
    kw = kind_weights(w, plan.kind)
    size = max(4 * top, SHORTLIST_MIN) if top is not None and top > 0 else len(sel)
    if len(sel) > size:
        found = _score_shortlist(index, view, plan, w, kw, sel, ok, base, top, size)
        if found is not None:
            return found
    return (sub, *_finish(index, sub, plan, w, kw, ok, base))


def _maybe_specific(index, view, plan, w, spec_all, chain_all) -> tuple[np.ndarray, np.ndarray | None]:
    """(Pool mask: resources that may have a specific reason (a superset of what `_finish` requires),
    the pool's relation feature for industry orders, else None)."""
    maybe = spec_all > 0
    if plan.kind == "industry":
        wanted = w["rel.wanted_mentioned"] if plan.mentioned_links else w["rel.wanted_same_stage"]
        relation = relation_feature(view, plan, w, index)
        return maybe | (relation >= wanted), relation
    reach = None
    if plan.chain_idx >= 0:
        reason_min = w["chain.reason_min"]
        reach = (chain_all >= reason_min) & (chain_all >= w["chain.specialised_share"] * view.chain_max64)
    if plan.kind == "capital":
        general = view.chain_max < w["chain.reason_min"]  # a product or fund for any chain
        reach = general if reach is None else reach | general
        # and only where the product's or fund's class is the one the financing type asks for
        reach = reach & _type_matches(view, plan, w)
    return (maybe if reach is None else maybe | reach), None


def _type_matches(view, plan, w) -> np.ndarray:
    """Pool mask: the financing type fit is a match (what a capital order's non-text reason needs);
    computed once per pool and financing type."""
    key = (
        "type_match",
        plan.financing_type,
        w["fit.type_match"],
        w["fit.type_partial"],
        w["fit.type_mismatch"],
    )
    return pool_memo(view, key, lambda: financing_type_fit(view, plan, w) >= w["fit.type_match"])


def _best_eligible_raw(raw_all: np.ndarray, ok_pool: np.ndarray | None) -> float:
    """The best raw BM25 score of an eligible resource in the pool (0 when none matches)."""
    if not raw_all.size:
        return 0.0
    best = int(np.argmax(raw_all))
    top = float(raw_all[best])
    if top <= 0:
        return 0.0
    if ok_pool is None or ok_pool[best]:
        return top
    idx = np.flatnonzero(raw_all > 0)
    return float(raw_all[idx][ok_pool[idx]].max(initial=0.0))


def _score_shortlist(index, view, plan, w, kw, sel, ok, base, top, size):
    """Exact scores of the ``size`` candidates whose upper bound is highest, or None when the bound cannot
    prove that no other candidate reaches the ``top``-th best score (then every candidate is scored)."""
    known = kw["text"] * base["text"] + kw["chain"] * base["chain"] + kw["geo"] * base["geo"]
    # what the ranking could still be (fit and penalties unknown yet) for every candidate
    fit_ceiling, penalty_ceiling = index.ceilings if w is index.weights else score_ceilings(w)
    relation = base.get("_relation")  # an industry order's fit, known already
    fit = kw["fit"] * (fit_ceiling if relation is None else relation)
    bound = (known + fit) * penalty_ceiling * _outcome_factor(base, w)
    bound, demoted = _known_penalties(view, sel, plan, w, base, bound)
    if ok is not None:
        bound = np.where(ok, bound, 0.0)
    n = len(sel)
    part = np.argpartition(bound, n - size - 1)
    ceiling = float(bound[part[n - size - 1]])  # the best bound left out of the shortlist
    keep = np.sort(part[n - size :])
    if demoted is not None:
        # a demoted candidate is listed only when fewer than ``top`` others are: with enough others, only
        # the best bound of the others left out matters
        out = part[: n - size]
        ceiling_others = float(bound[out[~demoted[out]]].max(initial=0.0))
    else:
        ceiling_others = ceiling
    short = view.subset(sel[keep])
    score, sig = _finish(
        index, short, plan, w, kw, None if ok is None else ok[keep], {k: v[keep] for k, v in base.items()}
    )
    # the k-th best among the candidates not demoted (demoted ones are listed after all of them)
    positive = score[(score > 0) & (sig["demoted"] == 0)]
    if len(positive) < top:
        # fewer than ``top`` listed: exact only if no candidate left out could reach the score floor
        if ceiling < w["list.min_score"] - 1e-9:
            return short, score, sig
        return None
    kth = float(np.partition(positive, len(positive) - top)[len(positive) - top])
    # strictly below the k-th score, with room for the 12-digit rounding `_top` compares with
    if not ceiling_others < kth - 1e-9:
        return None
    return short, score, sig


def _known_penalties(view, sel, plan, w, base, bound):
    """(``bound`` times the penalties `_finish` will apply that are known before the fit, mask of the
    candidates it will demote or None).  Each factor is applied only when it cannot be negative (a weight
    of at most 1), so the product stays an upper bound with the penalty ceiling already in ``bound``."""
    demoted = None
    if plan.kind == "industry" and plan.own_link is not None:
        same = (view.chain_id[sel] == plan.chain_idx) & (view.link_order[sel] == plan.own_link)
        demoted = same
        if w["penalty.same_link"] <= 1.0:
            bound = bound * np.where(same, 1.0 - w["penalty.same_link"], 1.0)
        relation = base.get("_relation")
        if plan.direction is not None and relation is not None and w["penalty.off_direction"] <= 1.0:
            off_side = (view.chain_id[sel] == plan.chain_idx) & ~same & (relation <= w["rel.same_link"])
            bound = bound * np.where(off_side, 1.0 - w["penalty.off_direction"], 1.0)
    if plan.kind == "capital" and w["penalty.under_amount"]:
        under = capital_parts(view, plan, w)[4][sel] > 0
        demoted = under
        if w["penalty.under_amount"] <= 1.0:
            bound = bound * np.where(under, 1.0 - w["penalty.under_amount"], 1.0)
    share = w["penalty.off_chain_capital"] if plan.kind == "capital" else w["penalty.off_chain"]
    if plan.kind in OFF_CHAIN_KINDS and plan.chain_idx >= 0 and w["penalty.off_chain"] and share <= 1.0:
        gap = np.clip(view.chain_max64[sel] - base["chain"], 0.0, 1.0)
        bound = bound * (1.0 - share * gap)
    return bound, demoted


def _finish(index, sub, plan, w, kw, ok, sig):
    """Fit, penalties and the combined score of some candidates, from their text, chain and geo features.

    A candidate is listed only with a specific reason (a non-generic word or thesaurus match, the wanted
    link, a financing fit, or its specialisation in the order's chain) and a score of at least
    ``list.min_score``; the others score 0.
    """
    sig = dict(sig)
    relation = sig.pop("_relation", None)
    chain = sig["chain"]
    specialised = (chain >= w["chain.reason_min"]) & (
        chain >= w["chain.specialised_share"] * sub.chain_max.astype(np.float64)
    )
    if plan.kind == "capital":
        sig.update(capital_fit(sub, plan, w))
        general = sub.chain_max < w["chain.reason_min"]  # a product or fund for any chain
        specific = (sig["type_fit"] >= w["fit.type_match"]) & (specialised | general)
    elif plan.kind == "industry":
        if relation is None:
            relation = relation_feature(sub, plan, w, index)
        sig["fit"] = sig["relation"] = relation
        # the wanted link: one the order names, else any link on the wanted side
        wanted = w["rel.wanted_mentioned"] if plan.mentioned_links else w["rel.wanted_same_stage"]
        specific = sig["relation"] >= wanted
    else:
        sig["fit"] = kind_fit(sub, plan)
        specific = specialised
    specific = specific | (sig["specific_text"] > 0)
    score = (
        kw["text"] * sig["text"]
        + kw["chain"] * sig["chain"]
        + kw["geo"] * sig["geo"]
        + kw["fit"] * sig["fit"]
    )
    demote = np.zeros(len(sub), dtype=bool)
    if plan.kind == "capital" and w["penalty.under_amount"]:
        # a ceiling below the amount needed ranks below the products that cover it
        score = score * (1.0 - w["penalty.under_amount"] * sig["under_amount"])
        demote = sig["under_amount"] > 0
    if plan.kind == "industry" and plan.own_link is not None:
        # same chain, on the order's own link: competitors, not partners (listed after all partners)
        same = (sub.chain_id == plan.chain_idx) & (sub.link_order == plan.own_link)
        score = score * np.where(same, 1.0 - w["penalty.same_link"], 1.0)
        demote = same
        if plan.direction is not None:
            # same chain but on the other side of the order's link
            off_side = (sub.chain_id == plan.chain_idx) & ~same & (sig["relation"] <= w["rel.same_link"])
            score = score * np.where(off_side, 1.0 - w["penalty.off_direction"], 1.0)
    if plan.kind in OFF_CHAIN_KINDS and plan.chain_idx >= 0 and w["penalty.off_chain"]:
        # an institution or talent team specialised in another chain type (and not in this one) is rarely
        # what the order needs; money (products, funds) and firms are judged by their own fit features
        gap = np.clip(sub.chain_max.astype(np.float64) - sig["chain"], 0.0, 1.0)
        share = w["penalty.off_chain_capital"] if plan.kind == "capital" else w["penalty.off_chain"]
        score = score * (1.0 - share * gap)
    if len(plan.declined_pos):
        declined = np.isin(sub.pos, plan.declined_pos)
        score = score * np.where(declined, 1.0 - w["penalty.declined"], 1.0)
    else:
        declined = np.zeros(len(sub), dtype=bool)
    sig["declined"] = declined
    if sig["outcome"].any() or sig["irrelevant"].any():
        score = score * _outcome_factor(sig, w)
    if w["penalty.sample"] and sub.base.any_sample:
        score = score * np.where(sub.is_sample, 1.0 - w["penalty.sample"], 1.0)
    listed = specific & (score >= w["list.min_score"])
    if ok is not None:
        listed = listed & ok
    score = np.clip(np.where(listed, score, 0.0), 0.0, 1.0)
    sig["demoted"] = demote.astype(np.float64)
    return score, sig


def _outcome_factor(sig: Mapping[str, np.ndarray], w: Mapping[str, float]) -> np.ndarray:
    """score × (1 + boost × success) × (1 − penalty × irrelevant), success and irrelevant in [0, 1)."""
    return (1.0 + w["outcome.boost"] * sig["outcome"]) * (1.0 - w["outcome.penalty"] * sig["irrelevant"])


def _top(
    view: View, score: np.ndarray, keys: list[str], top: int, demoted: np.ndarray | None = None
) -> list[int]:
    """Pool-local indices of the best ``top`` positive scores, demoted candidates (competitors, products
    below the amount) after all others; ties broken by key (deterministic)."""
    positive = np.flatnonzero(score > 0)
    if len(positive) == 0 or top <= 0:
        return []
    low = np.zeros(len(score), dtype=bool) if demoted is None else demoted > 0
    first = positive[~low[positive]]
    if len(first) > top:
        kth = np.partition(score[first], len(first) - top)[len(first) - top]
        first = first[score[first] >= kth]
    out = _ordered(view, score, first, keys)[:top]
    if len(out) < top:
        out += _ordered(view, score, positive[low[positive]], keys)[: top - len(out)]
    return out


def _ordered(view: View, score: np.ndarray, local: np.ndarray, keys: list[str]) -> list[int]:
    """``local`` sorted by score (rounded to 12 digits) descending, then key (plain lists, no numpy
    scalars per candidate)."""
    rows = zip(local.tolist(), score[local].tolist(), view.pos[local].tolist(), strict=True)
    return [i for i, _s, _p in sorted(rows, key=lambda r: (-round(r[1], 12), keys[r[2]]))]


def rank(
    query: OrderQuery,
    index: Index,
    top: int = 10,
    weights: Mapping[str, float] | None = None,
    min_score: float | None = None,
) -> list[Candidate]:
    """Ranked candidates (best first, at most ``top``) with scores in [0, 1] and reasons.

    The list ends early (fewer than ``top``) when no other candidate has a specific reason and a score of
    at least ``min_score`` (default: the ``list.min_score`` weight).
    """
    if query.kind not in ORDER_KINDS:
        raise ValueError(f"unknown order kind: {query.kind!r}")
    w = index.weights if weights is None else merge_weights({**_overrides(index.weights), **weights})
    if min_score is not None and min_score != w["list.min_score"]:
        w = {**w, "list.min_score": float(min_score)}
    plan = plan_query(index, query, w)
    view, score, sig = score_pool(index, plan, w, top=top)
    chosen = _top(view, score, index.keys, top, sig.get("demoted"))
    if not chosen:
        return []
    sel = np.asarray(chosen, dtype=np.int64)
    positions = view.pos[sel].tolist()
    names = [name for name in sig if name not in ("specific_text", "demoted")]
    rows = round6(np.column_stack([score[sel], *(sig[name][sel] for name in names)]))
    terms = matched_terms_many(index, plan, positions)
    resources = index.resources
    out = []
    for k, pos in enumerate(positions):
        res = resources[pos]
        features = dict(zip(names, rows[k][1:], strict=True))
        codes = reasons_for(index, plan, pos, features, w, terms[k])
        out.append(
            Candidate(
                key=res.key,
                name=res.name,
                resource_type=res.resource_type,
                score=rows[k][0],
                features=features,
                is_sample=res.is_sample,
                reason_codes=codes,
            )
        )
    return out


def round6(values: np.ndarray) -> list[list[float]]:
    """``[[round(v, 6) for v in row] for row in values]``, vectorised.

    Scaling by 10⁶ and rounding to the nearest integer ``n`` is exact unless the scaled value lies
    within float error of a half-integer; then ``n / 10⁶`` is the float nearest the rounded decimal,
    which is what :func:`round` returns.  The few values near a tie (or huge, or not finite) use
    :func:`round` itself.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = values * 1e6
        out = np.rint(scaled) / 1e6
        # below 10³ the scaled value is within 2⁻²³ of exact, far inside the 10⁻⁶ margin
        unsure = ~(np.abs(scaled - np.floor(scaled) - 0.5) > 1e-6) | ~(np.abs(values) < 1e3)
    rows = out.tolist()
    if unsure.any():
        for i, j in zip(*np.nonzero(unsure), strict=True):
            rows[i][j] = round(float(values[i, j]), 6)
    return rows


def _overrides(weights: Mapping[str, float]) -> dict[str, float]:
    return {k: v for k, v in weights.items() if DEFAULT_WEIGHTS.get(k) != v}
