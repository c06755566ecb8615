"""Signals: each maps an order and a pool of resource positions to values in [0, 1] (vectorised)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

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
from .records import OrderQuery
from .segment import normalize

View = PoolView | PoolSubset

# ---- cues read from the order text --------------------------------------------------------------------
UPSTREAM_CUES = ("上游", "供应商", "供货", "原料供应", "原材料", "配套企业", "配套商", "供应")
DOWNSTREAM_CUES = ("下游", "客户", "买家", "采购商", "采购方", "经销商", "销售渠道", "应用方", "用户")
EQUITY_CUES = ("股权", "入股", "参股", "基金", "创投", "风投", "天使", "投资机构", "股权投资")
LOAN_CUES = ("贷款", "贷", "授信", "信贷", "质押", "抵押", "融资租赁", "租赁", "保理", "流动资金", "担保")
# Words naming the kind of partner an order wants rather than what it is about.
PARTNER_WORDS = (
    "高校",
    "院校",
    "大学",
    "高等院校",
    "高校院所",
    "科研院所",
    "科研院校",
    "院所",
    "校院",
    "科研机构",
    "研究机构",
    "科研单位",
    "研发机构",
)
STAGE_CUES = {
    "venture": ("初创", "种子", "天使", "早期", "孵化", "创业"),
    "transformation": ("成果转化", "中试", "概念验证", "转化"),
    "growth": ("扩产", "扩能", "成长", "产能", "并购", "扩建", "技改", "升级"),
}


def infer_direction(text: str) -> str | None:
    """``upstream`` (looking for suppliers) / ``downstream`` (customers) from the order text."""
    text = normalize(text)
    up = text.find("上游")
    down = text.find("下游")
    if up >= 0 or down >= 0:
        if down < 0 or (0 <= up < down):
            return "upstream"
        return "downstream"
    if any(c in text for c in DOWNSTREAM_CUES):
        return "downstream"
    if any(c in text for c in UPSTREAM_CUES) or "配套" in text:
        return "upstream"
    return None


def infer_financing_type(text: str) -> str | None:
    text = normalize(text)
    equity = any(c in text for c in EQUITY_CUES)
    loan = any(c in text for c in LOAN_CUES)
    if equity and not loan:
        return "equity"
    if loan and not equity:
        return "loan"
    return "either" if equity and loan else None


def infer_stage(text: str) -> str | None:
    text = normalize(text)
    for stage, cues in STAGE_CUES.items():
        if any(c in text for c in cues):
            return stage
    return None


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


def _own_link(index: Index, query: OrderQuery, chain_idx: int, direction: str | None, text: str):
    """(own link order or None, links mentioned in the text) for an industry order."""
    if query.kind != "industry" or chain_idx < 0:
        return None, []
    mentioned = mentioned_links(index, chain_idx, text)
    link = index.chain_types[chain_idx].link(query.link_name)
    if link is not None:
        return link.order, mentioned
    if len(mentioned) < 2 or direction is None:
        return None, mentioned  # one named link may be the wanted one as well as the own one
    return (max(mentioned) if direction == "upstream" else min(mentioned)), mentioned


def plan_query(index: Index, query: OrderQuery, weights: Mapping[str, float]) -> QueryPlan:
    """Resolve an order against the index: terms and their weights, places, chain, link, cues."""
    text = " ".join(p for p in (query.title, query.text, " ".join(query.keywords)) if p)
    chain_idx = index.chain_pos.get(query.chain_type or "", -1)
    direction = query.wanted_direction or (infer_direction(text) if query.kind == "industry" else None)
    own_link, mentioned = _own_link(index, query, chain_idx, direction, text)
    seg = index.segmenter
    counts: dict[int, float] = {}
    for part in (query.title, query.text):
        for tok in seg.tokens(part):
            tid = index.vocab.get(tok)
            if tid is not None:
                counts[tid] = counts.get(tid, 0.0) + 1.0
    weights_by_id = {tid: (weights["query.repeat_boost"] if c > 1 else 1.0) for tid, c in counts.items()}
    for kw in query.keywords:
        for tok in seg.tokens(kw):
            tid = index.vocab.get(tok)
            if tid is not None:
                weights_by_id[tid] = max(weights_by_id.get(tid, 0.0), weights["query.keyword_boost"])
    for word in PARTNER_WORDS:
        # words naming the kind of partner wanted (高校院所 …) say who, not what: the kind fit covers them
        tid = index.vocab.get(word)
        if tid in weights_by_id:
            weights_by_id[tid] *= weights["query.partner_term"]
    ids = sorted(weights_by_id)
    intended = np.asarray([weights_by_id[i] for i in ids])
    if own_link is not None and direction is not None:
        # words naming the order's own link describe the orderer, not what it looks for
        for word in index.link_keywords.get((chain_idx, own_link), ()):
            tid = index.vocab.get(word)
            if tid in weights_by_id:
                weights_by_id[tid] *= weights["query.own_link_term"]
    county = query.county or ""
    prefecture = query.prefecture or index.prefecture_of(county) or ""
    financing = query.financing_type or (infer_financing_type(text) if query.kind == "capital" else None)
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
    )


def _today_ord() -> int:
    from datetime import date

    return date.today().toordinal()


# ---- signals (over one order kind's PoolView; arrays aligned with view.pos) ---------------------------
def bm25_scores(view: PoolView, plan: QueryPlan) -> np.ndarray:
    """Raw BM25 score of every resource in the pool for the plan's terms."""
    n = len(view)
    if len(plan.term_ids) == 0:
        return np.zeros(n)
    indptr = view.post_indptr
    spans = [
        (start, end, tw)
        for start, end, tw in zip(
            indptr[plan.term_ids].tolist(),
            indptr[plan.term_ids + 1].tolist(),
            plan.term_w.tolist(),
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


def text_signal(raw: np.ndarray, view: PoolView, plan: QueryPlan, w: Mapping[str, float]) -> np.ndarray:
    """BM25 relative to the best candidate, in [0, 1].

    The divisor is at least ``text.norm_floor`` × the best score any single resource could reach (each
    query term at its pool maximum), so weak matches stay weak when nothing matches well.
    """
    top = float(raw.max()) if raw.size else 0.0
    if len(plan.term_ids):
        bound = float(np.dot(view.term_max[plan.term_ids], plan.intended_w))
        top = max(top, w["text.norm_floor"] * bound)
    return np.clip(raw / top, 0.0, 1.0) if top > 0 else np.zeros_like(raw)


def chain_signal(view: View, plan: QueryPlan) -> np.ndarray:
    """Affinity of each resource with the order's chain type (explicit, or keyword overlap)."""
    if plan.chain_idx < 0:
        return np.zeros(len(view))
    if isinstance(view, PoolView):
        return view.chain_aff64[:, plan.chain_idx]
    return view.chain_col(plan.chain_idx).astype(np.float64)


def geo_signal(view: View, plan: QueryPlan, w: Mapping[str, float]) -> np.ndarray:
    """Same county > same prefecture > in Fujian > elsewhere (values from the weights)."""
    base = view.base if isinstance(view, PoolSubset) else view
    # the value of each place class, then one gather
    lut = np.where(base.class_in_fujian, w["geo.in_fujian"], w["geo.elsewhere"])
    if plan.prefecture_id >= 0:
        lut[base.class_prefecture == plan.prefecture_id] = w["geo.same_prefecture"]
    if plan.county_id >= 0:
        lut[base.class_county == plan.county_id] = w["geo.same_county"]
    return lut[view.geo_class]


def capital_fit(view: View, plan: QueryPlan, w: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Financing-type, amount and fund stage fit; returns each part and their mean as ``fit``."""
    fin = view.fin_class
    is_fund = view.rtype == TYPE_CODE["fund"]
    match, partial, mismatch = w["fit.type_match"], w["fit.type_partial"], w["fit.type_mismatch"]
    if plan.financing_type == "loan":
        type_fit = np.where(fin == FIN_LOAN, match, np.where(is_fund, mismatch, partial))
    elif plan.financing_type == "equity":
        type_fit = np.where(fin == FIN_EQUITY, match, np.where(fin == FIN_LOAN, mismatch, partial))
    else:
        type_fit = np.where(fin == FIN_OTHER, partial * 0.8, partial)
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
    return {"fit": fit, "type_fit": type_fit, "amount_fit": amount_fit, "stage_fit": stage_fit}


def kind_fit(view: View, plan: QueryPlan) -> np.ndarray:
    """How well the kind of resource suits the order kind (innovation/talent)."""
    if plan.kind == "innovation":
        return np.where(view.rtype == TYPE_CODE["institution"], 1.0, 0.6)
    if plan.kind == "talent":
        return np.where(view.rtype == TYPE_CODE["talent_resource"], 1.0, 0.6)
    return np.ones(len(view))


def relation_signal(view: View, plan: QueryPlan, w: Mapping[str, float], index: Index) -> np.ndarray:
    """Industry orders: is the enterprise's link on the wanted side of the order's own link?"""
    if plan.chain_idx < 0:
        return np.zeros(len(view))
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
