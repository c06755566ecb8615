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
from .index import STAGE_RANK, TYPE_CODE, Index
from .memo import pool_memo
from .outcomes import InPool
from .pools import PoolSubset, PoolView
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
    # places of term_ids, the specific ones first (each group in term order), and how many are specific
    spec_first: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    n_specific: int = 0


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
    heads = _name_heads(index)
    n = len(subject)
    hits = []
    # the party placing the need opens the sentence (after at most a few words such as 我县、县内): only
    # the lengths of the names beginning with the two characters at a start are looked up
    for start in range(min(n - 2, SUBJECT_NAME_START) + 1):
        for size in heads.get(subject[start : start + 2], ()):
            if start + size <= n:
                found = names.get(subject[start : start + size])
                if found:
                    hits.append((-size, start, found))
    # longest first, then leftmost: a name nested in a longer one already found is left out
    for neg_size, start, found in sorted(hits, key=lambda h: (h[0], h[1])):
        end = start - neg_size
        if not any(s <= start and end <= e for s, e, _ in spans):
            spans.append((start, end, found))
    return sorted({pos for _, _, found in spans for pos in found})


def _name_heads(index: Index) -> dict[str, tuple[int, ...]]:
    """The first two characters of the catalog names → the lengths of the names beginning with them."""
    heads = index.memo.get("name_heads")
    if heads is None:
        lengths: dict[str, set[int]] = {}
        for name in index.name_pos:
            if len(name) >= 2:
                lengths.setdefault(name[:2], set()).add(len(name))
        heads = index.memo["name_heads"] = {k: tuple(sorted(v)) for k, v in lengths.items()}
    return heads  # type: ignore[return-value]


def _partner_ids(index: Index) -> frozenset[int]:
    """Term ids of the words naming the kind of partner wanted (:data:`PARTNER_WORDS`)."""
    found = index.memo.get("partner_ids")
    if found is None:
        found = index.memo["partner_ids"] = frozenset(
            index.vocab[w] for w in PARTNER_WORDS if w in index.vocab
        )
    return found  # type: ignore[return-value]


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
    partner = _partner_ids(index)
    for tid in partner.intersection(weights_by_id):
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
        spec_first=np.argsort(~specific, kind="stable"),
        n_specific=int(specific.sum()),
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
    if not len(plan.term_ids):
        return np.zeros(n), np.zeros(n)
    # the specific terms' postings first, then the others' (each group in term order): one gather
    order = plan.spec_first
    starts = view.post_indptr[plan.term_ids[order]]
    lengths = view.post_indptr[plan.term_ids[order] + 1] - starts
    ends = np.cumsum(lengths)
    total = int(ends[-1])
    if not total:
        return np.zeros(n), np.zeros(n)
    at = np.arange(total) + np.repeat(starts - (ends - lengths), lengths)
    docs = view.post_docs[at]
    vals = view.post_w[at] * np.repeat(plan.term_w[order], lengths)
    cut = int(ends[plan.n_specific - 1]) if plan.n_specific else 0
    spec = np.bincount(docs[:cut], weights=vals[:cut], minlength=n) if cut else np.zeros(n)
    other = np.bincount(docs[cut:], weights=vals[cut:], minlength=n) if cut < total else np.zeros(n)
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
    values = tuple(w[k] for k in ("geo.in_fujian", "geo.elsewhere", "geo.same_prefecture", "geo.same_county"))

    def classes():  # the value of each place class (memoised per county), then one gather
        lut = np.where(base.class_in_fujian, values[0], values[1])
        if plan.prefecture_id >= 0:
            lut[base.class_prefecture == plan.prefecture_id] = values[2]
        if plan.county_id >= 0:
            lut[base.class_county == plan.county_id] = values[3]
        return lut

    return pool_memo(base, ("geo", plan.county_id, plan.prefecture_id, values), classes)[view.geo_class]


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
    size = len(rows.touched)
    if not size:
        return np.zeros(n), np.zeros(n)
    # proximity: elsewhere, unless the same prefecture, unless the same county (ids >= 0)
    prox = np.full(len(rows.bins), w["outcome.in_province"])
    if plan.prefecture_id in rows.by_prefecture:
        prox[rows.by_prefecture[plan.prefecture_id]] = w["outcome.same_prefecture"]
    if plan.county_id in rows.by_county:
        prox[rows.by_county[plan.county_id]] = w["outcome.same_county"]
    half_life = max(w["outcome.half_life_days"], 1e-9)
    decay = rows.decay.get((plan.today_ord, half_life))
    if decay is None:
        if len(rows.decay) > 8:
            rows.decay.clear()
        age = np.maximum(plan.today_ord - rows.day, 0)
        decay = rows.decay[(plan.today_ord, half_life)] = np.power(0.5, age / half_life)
    weight = prox * decay
    if plan.query.order_id is not None:
        weight = weight * (rows.order != plan.query.order_id)  # an order's own outcomes are not "similar"
    tau = max(w["outcome.tau"], 1e-9)
    # per resource, its successes' and its irrelevant marks' weights summed in row order (as `np.add.at`
    # does; the other polarity only ever added 0.0), then saturated: successes first, then marks
    both = 1.0 - np.exp(-np.bincount(rows.bins, weights=weight, minlength=2 * size) / tau)
    out = np.zeros((2, n))
    if isinstance(view, PoolSubset):
        at = np.minimum(np.searchsorted(view.sel, rows.touched), n - 1)
        found = np.flatnonzero(view.sel[at] == rows.touched)
        out[:, at[found]] = both.reshape(2, size)[:, found]
    else:
        out[:, rows.touched] = both.reshape(2, size)
    return out[0], out[1]


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
