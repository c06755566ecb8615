"""Features: each maps an order and a pool of resource positions to values in [0, 1] (vectorised)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .cues import (
    INSURANCE_CUES,
    PARTNER_WORDS,
    SUBJECT_NAME_START,
    infer_direction,
    infer_financing_type,
    infer_stage,
    subject_of,
)
from .index import (
    FIN_EQUITY,
    FIN_LOAN,
    FIN_OTHER,
    FUND_STAGES,
    STAGE_RANK,
    TYPE_CODE,
    Index,
    PoolSubset,
    PoolView,
)
from .outcomes import InPool
from .records import OrderQuery
from .segment import normalize

View = PoolView | PoolSubset


@dataclass
class QueryPlan:
    """An order resolved against the index: ids, terms and inferred attributes."""

    query: OrderQuery
    kind: str
    text: str
    term_ids: np.ndarray
    term_w: np.ndarray
    intended_w: np.ndarray  # term weights before the own-link damping (for the text-score floor)
    county_id: int
    prefecture_id: int
    chain_idx: int
    direction: str | None
    own_link: int | None
    mentioned_links: frozenset[int]
    financing_type: str | None
    stage_cue: str | None
    today_ord: int
    declined_pos: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    term_set: frozenset[int] = frozenset()
    region_col: int = -1  # column of Index.region_ok for the order's county (last one when unknown)
    financing_source: str | None = None  # "stated" (the order's field) or "inferred" (from its text)
    wants_insurance: bool = False
    # which of term_ids are specific (a non-generic whole word, a keyword, or a thesaurus expansion)
    specific: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    literal_set: frozenset[int] = frozenset()  # literal query words (shown as 关键词)
    expanded: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # tid → (relation, field, term)
    requester_pos: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def mentioned_links(index: Index, chain_idx: int, text: str) -> list[int]:
    """Orders of the chain's links whose keywords (or name pieces) appear in the text."""
    if chain_idx < 0:
        return []
    text = normalize(text)
    out = []
    for link in index.chain_types[chain_idx].links:
        words = index.link_keywords.get((chain_idx, link.order), ())
        if any(len(wd) >= 2 and wd in text for wd in words):
            out.append(link.order)
    return out


def _subject_link(index: Index, chain_idx: int, subject: str) -> int | None:
    """The link the text's subject names (``钢材深加工企业寻找…`` → 钢材深加工): the one whose longest
    keyword appears in the subject."""
    best, best_len = None, 0
    for link in index.chain_types[chain_idx].links:
        for word in index.link_keywords.get((chain_idx, link.order), ()):
            if len(word) >= 2 and word in subject and len(word) > best_len:
                best, best_len = link.order, len(word)
    return best


def _own_link(
    index: Index,
    query: OrderQuery,
    chain_idx: int,
    direction: str | None,
    text: str,
    subject: str = "",
    requester_pos: np.ndarray | None = None,
):
    """(own link order or None, links mentioned in the text) for an industry order.

    The own link is the order's link when given; else the link of the firm placing the need (named as the
    text's subject), or the link the subject names; else, with a direction and two links named, the one
    on the far side.
    """
    if query.kind != "industry" or chain_idx < 0:
        return None, []
    mentioned = mentioned_links(index, chain_idx, text)
    link = index.chain_types[chain_idx].link(query.link_name)
    if link is not None:
        return link.order, mentioned
    for pos in requester_pos if requester_pos is not None else ():
        if index.chain_id[pos] == chain_idx and index.link_order[pos] >= 0:
            return int(index.link_order[pos]), mentioned
    named = _subject_link(index, chain_idx, subject) if subject else None
    if named is not None:
        return named, mentioned
    if len(mentioned) < 2 or direction is None:
        return None, mentioned  # one named link may be the wanted one as well as the own one
    return (max(mentioned) if direction == "upstream" else min(mentioned)), mentioned


def named_requesters(index: Index, subject: str) -> list[int]:
    """Positions of catalog entries named in the subject of the order text (the party placing the need);
    a name nested in a longer found name (宁德时代 in 宁德时代21C创新实验室) is left out."""
    spans: list[tuple[int, int, tuple[int, ...]]] = []
    names = index.name_pos
    n = len(subject)
    for size in range(min(index.max_name_len, n), 1, -1):
        # the party placing the need opens the sentence (after at most a few words such as 我县、县内)
        for start in range(min(n - size, SUBJECT_NAME_START) + 1):
            found = names.get(subject[start : start + size])
            if found and not any(s <= start and start + size <= e for s, e, _ in spans):
                spans.append((start, start + size, found))
    return sorted({pos for _, _, found in spans for pos in found})


def plan_query(index: Index, query: OrderQuery, weights: Mapping[str, float]) -> QueryPlan:
    """Resolve an order against the index: terms and their weights, places, chain, link, cues."""
    text = " ".join(p for p in (query.title, query.text, " ".join(query.keywords)) if p)
    chain_idx = index.chain_pos.get(query.chain_type or "", -1)
    direction = query.wanted_direction or (infer_direction(text) if query.kind == "industry" else None)
    subject = subject_of(query.text)
    requesters = set(named_requesters(index, subject)) if subject else set()
    requesters.update(index.key_pos[k] for k in query.requester_keys if k in index.key_pos)
    requester_pos = np.asarray(sorted(requesters), dtype=np.int64)
    own_link, mentioned = _own_link(index, query, chain_idx, direction, text, subject, requester_pos)
    seg = index.segmenter
    vocab = index.vocab
    counts: dict[int, float] = {}
    whole: set[int] = set()
    for part in (query.title, query.text):
        for tok, is_whole in seg.query_tokens(part):
            tid = vocab.get(tok)
            if tid is not None:
                counts[tid] = counts.get(tid, 0.0) + 1.0
                if is_whole:
                    whole.add(tid)
    weights_by_id = {
        tid: (weights["query.repeat_boost"] if c > 1 else 1.0)
        * (1.0 if tid in whole else weights["query.subword"])
        for tid, c in counts.items()
    }
    for kw in query.keywords:
        for tok, _is_whole in seg.query_tokens(kw):
            tid = vocab.get(tok)
            if tid is not None:
                weights_by_id[tid] = max(weights_by_id.get(tid, 0.0), weights["query.keyword_boost"])
                whole.add(tid)
    partner = {vocab[word] for word in PARTNER_WORDS if word in vocab}
    for tid in partner & set(weights_by_id):
        # words naming the kind of partner wanted (高校院所 …) say who, not what: the kind fit covers them
        weights_by_id[tid] *= weights["query.partner_term"]
    generic = index.views[query.kind].generic if query.kind in index.views else index.generic_fixed
    if weights_by_id:
        literal_ids = list(weights_by_id)
        for tid, is_generic in zip(literal_ids, generic[literal_ids].tolist(), strict=True):
            if is_generic:
                weights_by_id[tid] *= weights["query.generic_term"]
    literal = frozenset(weights_by_id)
    own_words: set[int] = set()
    if own_link is not None and direction is not None:
        # words naming the order's own link describe the orderer, not what it looks for
        for word in index.link_keywords.get((chain_idx, own_link), ()):
            tid = vocab.get(word)
            if tid in weights_by_id:
                own_words.add(tid)
    intended_by_id = dict(weights_by_id)
    for tid in own_words:
        weights_by_id[tid] *= weights["query.own_link_term"]
    # thesaurus: synonyms, covering disciplines and a named discipline's terms, below the literal words
    expanded: dict[int, tuple[str, str, str]] = {}
    relation_w = {
        "synonym": weights["thesaurus.synonym"],
        "thesaurus": weights["thesaurus.field"],
        "thesaurus_narrower": weights["thesaurus.narrower"],
    }
    for tid in sorted(literal):
        base = weights_by_id[tid]
        for target, relation, field_name, term in index.expansions.get(index.terms[tid], ()):
            if tid in own_words and target in own_words:
                continue
            if target in literal:
                continue
            value = base * relation_w[relation] * (weights["query.generic_term"] if generic[target] else 1.0)
            if value > weights_by_id.get(target, 0.0):
                weights_by_id[target] = value
                intended_by_id[target] = max(intended_by_id.get(target, 0.0), value)
                expanded[target] = (relation, field_name, term)
                if tid in own_words:
                    own_words.add(target)  # what the orderer's own words lead to describes it too
    ids = sorted(weights_by_id)
    intended = np.asarray([intended_by_id[i] for i in ids])
    generic_ids = generic[ids].tolist() if ids else []
    specific = np.asarray(
        [
            (i in expanded or (i in whole and i not in partner)) and i not in own_words and not g
            for i, g in zip(ids, generic_ids, strict=True)
        ],
        dtype=bool,
    )
    county = query.county or ""
    prefecture = query.prefecture or index.prefecture_of(county) or ""
    financing, source = None, None
    if query.kind == "capital":
        if query.financing_type in ("loan", "equity", "either"):
            financing, source = query.financing_type, "stated"
        else:
            financing = infer_financing_type(text)
            source = "inferred" if financing else None
    today = query.today.toordinal() if query.today else _today_ord()
    declined = np.array(
        sorted(index.key_pos[k] for k in query.declined_keys if k in index.key_pos), dtype=np.int64
    )
    return QueryPlan(
        query=query,
        kind=query.kind,
        text=text,
        term_ids=np.asarray(ids, dtype=np.int64),
        term_w=np.asarray([weights_by_id[i] for i in ids]),
        intended_w=intended,
        county_id=index.county_ids.get(county, -1),
        prefecture_id=index.prefecture_ids.get(prefecture, -1),
        chain_idx=chain_idx,
        direction=direction,
        own_link=own_link,
        mentioned_links=frozenset(m for m in mentioned if m != own_link),
        financing_type=financing,
        stage_cue=infer_stage(text) if query.kind == "capital" else None,
        today_ord=today,
        declined_pos=declined,
        term_set=frozenset(ids),
        region_col=index.county_ids.get(county, len(index.county_ids)),
        financing_source=source,
        wants_insurance=any(c in text for c in INSURANCE_CUES),
        specific=specific,
        literal_set=frozenset(i for i in literal if not generic[i]),
        expanded={i: expanded[i] for i in expanded if i in weights_by_id},
        requester_pos=requester_pos,
    )


def _today_ord() -> int:
    from datetime import date

    return date.today().toordinal()


# ---- features (over one order kind's PoolView; arrays aligned with view.pos) ---------------------------
def bm25_scores(view: PoolView, plan: QueryPlan, mask: np.ndarray | None = None) -> np.ndarray:
    """Raw BM25 score of every resource in the pool for the plan's terms (those of ``mask`` only)."""
    n = len(view)
    term_ids, term_w = plan.term_ids, plan.term_w
    if mask is not None:
        term_ids, term_w = term_ids[mask], term_w[mask]
    if len(term_ids) == 0:
        return np.zeros(n)
    indptr = view.post_indptr
    spans = [
        (start, end, tw)
        for start, end, tw in zip(
            indptr[term_ids].tolist(),
            indptr[term_ids + 1].tolist(),
            term_w.tolist(),
            strict=True,
        )
        if end > start
    ]
    if not spans:
        return np.zeros(n)
    # every term's postings, term after term (the order bincount sums in): slices, not an index gather
    docs = np.concatenate([view.post_docs[start:end] for start, end, _tw in spans])
    vals = np.concatenate([view.post_w[start:end] * tw for start, end, tw in spans])
    return np.bincount(docs, weights=vals, minlength=n)


def bm25_split(view: PoolView, plan: QueryPlan) -> tuple[np.ndarray, np.ndarray]:
    """(BM25 of the plan's specific terms, BM25 of all its terms): ``bm25_scores`` of the specific terms
    plus that of the others, summed in the same order, from one pass over the postings."""
    n = len(view)
    spec_spans: list[tuple[int, int, float]] = []
    other_spans: list[tuple[int, int, float]] = []
    if len(plan.term_ids):
        indptr = view.post_indptr
        term_ids = plan.term_ids
        for start, end, tw, is_spec in zip(
            indptr[term_ids].tolist(),
            indptr[term_ids + 1].tolist(),
            plan.term_w.tolist(),
            plan.specific.tolist(),
            strict=True,
        ):
            if end > start:
                (spec_spans if is_spec else other_spans).append((start, end, tw))
    spans = spec_spans + other_spans
    if not spans:
        return np.zeros(n), np.zeros(n)
    docs = np.concatenate([view.post_docs[start:end] for start, end, _tw in spans])
    vals = np.concatenate([view.post_w[start:end] * tw for start, end, tw in spans])
    cut = sum(end - start for start, end, _tw in spec_spans)
    spec = np.bincount(docs[:cut], weights=vals[:cut], minlength=n) if spec_spans else np.zeros(n)
    other = np.bincount(docs[cut:], weights=vals[cut:], minlength=n) if other_spans else np.zeros(n)
    return spec, spec + other


def text_feature(
    raw: np.ndarray, view: PoolView, plan: QueryPlan, w: Mapping[str, float], best: float | None = None
) -> np.ndarray:
    """BM25 relative to the best candidate, in [0, 1].

    ``best`` is the best eligible candidate's raw score (default: ``raw.max()``).  The divisor is at least
    ``text.norm_floor`` × the best score any single resource could reach (each query term at its pool
    maximum), so weak matches stay weak when nothing matches well.
    """
    top = best if best is not None else (float(raw.max()) if raw.size else 0.0)
    if len(plan.term_ids):
        bound = float(np.dot(view.term_max[plan.term_ids], plan.intended_w))
        top = max(top, w["text.norm_floor"] * bound)
    return np.clip(raw / top, 0.0, 1.0) if top > 0 else np.zeros_like(raw)


def chain_feature(view: View, plan: QueryPlan) -> np.ndarray:
    """Affinity of each resource with the order's chain type (explicit, or keyword overlap)."""
    if plan.chain_idx < 0:
        return np.zeros(len(view))
    if isinstance(view, PoolView):
        return view.chain_aff64[:, plan.chain_idx]
    return view.chain_col(plan.chain_idx).astype(np.float64)


def geo_feature(view: View, plan: QueryPlan, w: Mapping[str, float]) -> np.ndarray:
    """Same county > same prefecture > in Fujian > elsewhere (values from the weights)."""
    base = view.base if isinstance(view, PoolSubset) else view
    # the value of each place class, then one gather
    lut = np.where(base.class_in_fujian, w["geo.in_fujian"], w["geo.elsewhere"])
    if plan.prefecture_id >= 0:
        lut[base.class_prefecture == plan.prefecture_id] = w["geo.same_prefecture"]
    if plan.county_id >= 0:
        lut[base.class_county == plan.county_id] = w["geo.same_county"]
    return lut[view.geo_class]


def financing_type_fit(
    view: View, plan: QueryPlan, w: Mapping[str, float], is_fund: np.ndarray | None = None
) -> np.ndarray:
    """How well each product's or fund's class suits the order's financing type (part of the capital fit)."""
    fin = view.fin_class
    if is_fund is None:
        is_fund = view.rtype == TYPE_CODE["fund"]
    match, partial, mismatch = w["fit.type_match"], w["fit.type_partial"], w["fit.type_mismatch"]
    if plan.financing_type == "loan":
        return np.where(fin == FIN_LOAN, match, np.where(is_fund, mismatch, partial))
    if plan.financing_type == "equity":
        return np.where(fin == FIN_EQUITY, match, np.where(fin == FIN_LOAN, mismatch, partial))
    if plan.financing_type == "either":
        return np.where(fin == FIN_OTHER, partial * 0.8, match)  # 投贷联动: loans and funds alike
    return np.where(fin == FIN_OTHER, partial * 0.8, partial)


def capital_fit(view: View, plan: QueryPlan, w: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Financing-type, amount and fund stage fit; returns each part and their mean as ``fit``."""
    is_fund = view.rtype == TYPE_CODE["fund"]
    type_fit = financing_type_fit(view, plan, w, is_fund)
    amount = plan.query.amount_yuan
    unknown = w["fit.amount_unknown"]
    if amount and amount > 0:
        with np.errstate(invalid="ignore", divide="ignore"):
            cover = np.where(np.isnan(view.max_amount), unknown, np.clip(view.max_amount / amount, 0.0, 1.0))
            max_share = w["fit.fund_max_share"]
            share = amount / view.size
            fund_fit = np.clip(1.0 - (share - max_share) / max(1e-9, 1.0 - max_share), 0.0, 1.0)
            fund_fit = np.where(np.isnan(view.size), unknown, fund_fit)
        amount_fit = np.where(is_fund, fund_fit, cover)
    else:
        amount_fit = np.full(len(view), unknown)
    stage_fit = np.ones(len(view))
    if plan.stage_cue is not None:
        code = FUND_STAGES.index(plan.stage_cue)
        guidance = FUND_STAGES.index("guidance")
        stage_fit = np.where(
            view.fund_stage == code,
            w["fit.stage_match"],
            np.where(view.fund_stage == guidance, w["fit.stage_guidance"], w["fit.stage_other"]),
        )
        stage_fit = np.where(is_fund, stage_fit, 1.0)
    fit = np.where(is_fund, (type_fit + amount_fit + stage_fit) / 3.0, (type_fit + amount_fit) / 2.0)
    if amount and amount > 0:
        with np.errstate(invalid="ignore"):
            under = ~is_fund & (view.max_amount < amount)
    else:
        under = np.zeros(len(view), dtype=bool)
    return {
        "fit": fit,
        "type_fit": type_fit,
        "amount_fit": amount_fit,
        "stage_fit": stage_fit,
        "under_amount": under.astype(np.float64),
    }


def outcome_feature(
    view: View, plan: QueryPlan, w: Mapping[str, float], index: Index
) -> tuple[np.ndarray, np.ndarray]:
    """(success, irrelevant) in [0, 1) per resource from earlier orders of the same chain type and kind.

    Each outcome weighs proximity × decay: proximity 1 (same county), 0.6 (same prefecture) or 0.3
    (elsewhere), decay 0.5 ** (age in days / half-life); a resource's feature is 1 - exp(-Σ weights / tau)
    (saturating, so no single outcome dominates).
    """
    n = len(view)
    group = index.outcome_groups.get((plan.chain_idx, plan.kind)) if plan.chain_idx >= 0 else None
    if group is None or n == 0:
        return np.zeros(n), np.zeros(n)
    if group.pool is not None and group.pool.view is (view.base if isinstance(view, PoolSubset) else view):
        return _pool_outcomes(view, plan, w, group.pool)
    pos = view.pos
    at = np.searchsorted(pos, group.pos)
    at = np.minimum(at, n - 1)
    hit = pos[at] == group.pos
    if not hit.any():
        return np.zeros(n), np.zeros(n)
    prox = np.where(
        (group.county == plan.county_id) & (group.county >= 0),
        w["outcome.same_county"],
        np.where(
            (group.prefecture == plan.prefecture_id) & (group.prefecture >= 0),
            w["outcome.same_prefecture"],
            w["outcome.in_province"],
        ),
    )
    age = np.maximum(plan.today_ord - group.day, 0)
    weight = prox * np.power(0.5, age / max(w["outcome.half_life_days"], 1e-9)) * hit
    if plan.query.order_id is not None:
        weight = weight * (group.order != plan.query.order_id)  # an order's own outcomes are not "similar"
    tau = max(w["outcome.tau"], 1e-9)
    # only the few candidates with outcomes are touched (the view holds thousands): sum their weights in
    # input order (as bincount would), saturate them, leave the rest at 0
    at, weight, polarity = at[hit], weight[hit], group.polarity[hit]
    touched = np.unique(at)
    good, bad = np.zeros(n), np.zeros(n)
    np.add.at(good, at, weight * (polarity > 0))
    np.add.at(bad, at, weight * (polarity < 0))
    good[touched] = 1.0 - np.exp(-good[touched] / tau)
    bad[touched] = 1.0 - np.exp(-bad[touched] / tau)
    return good, bad


def _pool_outcomes(view: View, plan: QueryPlan, w: Mapping[str, float], rows: InPool):
    """:func:`outcome_feature` from the group's rows resolved against the pool at build time: the same
    arithmetic on the same rows, computed per touched resource of the pool, then gathered for ``view``
    (whose rows are sorted, as the general path assumes too)."""
    n = len(view)
    if not len(rows.touched):
        return np.zeros(n), np.zeros(n)
    prox = np.where(
        (rows.county == plan.county_id) & (rows.county >= 0),
        w["outcome.same_county"],
        np.where(
            (rows.prefecture == plan.prefecture_id) & (rows.prefecture >= 0),
            w["outcome.same_prefecture"],
            w["outcome.in_province"],
        ),
    )
    age = np.maximum(plan.today_ord - rows.day, 0)
    weight = prox * np.power(0.5, age / max(w["outcome.half_life_days"], 1e-9))
    if plan.query.order_id is not None:
        weight = weight * (rows.order != plan.query.order_id)  # an order's own outcomes are not "similar"
    tau = max(w["outcome.tau"], 1e-9)
    size = len(rows.touched)
    # per resource, its rows' weights summed in row order (as `np.add.at` does), then saturated
    good_t = 1.0 - np.exp(-np.bincount(rows.inverse, weights=weight * rows.good, minlength=size) / tau)
    bad_t = 1.0 - np.exp(-np.bincount(rows.inverse, weights=weight * rows.bad, minlength=size) / tau)
    good, bad = np.zeros(n), np.zeros(n)
    if isinstance(view, PoolSubset):
        at = np.minimum(np.searchsorted(view.sel, rows.touched), n - 1)
        found = view.sel[at] == rows.touched
        good[at[found]] = good_t[found]
        bad[at[found]] = bad_t[found]
    else:
        good[rows.touched] = good_t
        bad[rows.touched] = bad_t
    return good, bad


def kind_fit(view: View, plan: QueryPlan) -> np.ndarray:
    """How well the kind of resource suits the order kind (innovation/talent)."""
    if plan.kind == "innovation":
        return np.where(view.rtype == TYPE_CODE["institution"], 1.0, 0.6)
    if plan.kind == "talent":
        return np.where(view.rtype == TYPE_CODE["talent_resource"], 1.0, 0.6)
    return np.ones(len(view))


_NO_ROWS = np.zeros(0, dtype=np.int64)


def relation_feature(view: View, plan: QueryPlan, w: Mapping[str, float], index: Index) -> np.ndarray:
    """Industry orders: is the enterprise's link on the wanted side of the order's own link?"""
    if plan.chain_idx < 0:
        return np.zeros(len(view))
    if isinstance(view, PoolView):
        rows = view.link_rows.get(plan.chain_idx, _NO_ROWS)
    else:
        rows = np.flatnonzero((view.chain_id == plan.chain_idx) & (view.link_order >= 0))
    out = np.zeros(len(view))
    if len(rows) == 0:
        return out
    # only resources on the same chain get a relation: compute it for them alone
    order = view.link_order[rows]
    n_links = len(index.chain_types[plan.chain_idx].links)
    table = np.zeros(max(n_links, int(order.max(initial=0))) + 1, dtype=bool)
    for m in plan.mentioned_links:
        table[m] = True
    mentioned = table[order]
    if plan.own_link is None or plan.direction is None:
        base = np.where(mentioned, w["rel.wanted"], w["rel.unknown"])
        if plan.own_link is not None:
            base = np.where(order == plan.own_link, w["rel.same_link"], base)
        out[rows] = base
        return out
    own = index.chain_types[plan.chain_idx].links[plan.own_link]
    sign = 1 if plan.direction == "upstream" else -1
    stage_gap = (STAGE_RANK.get(own.stage, 1) - view.link_stage[rows].astype(np.int64)) * sign  # > 0: wanted
    order_gap = (plan.own_link - order.astype(np.int64)) * sign
    rel = np.where(
        stage_gap > 0,
        w["rel.wanted"],
        np.where((stage_gap == 0) & (order_gap > 0), w["rel.wanted_same_stage"], w["rel.other_side"]),
    )
    rel = np.where((rel > 0) & mentioned, w["rel.wanted_mentioned"], rel)
    rel = np.where(order == plan.own_link, w["rel.same_link"], rel)
    out[rows] = rel
    return out
