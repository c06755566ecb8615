"""Signals: each maps an order and a pool of resource positions to values in [0, 1] (vectorised)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .index import FIN_EQUITY, FIN_LOAN, FUND_STAGES, STAGE_RANK, TYPE_CODE, Index
from .records import OrderQuery
from .segment import normalize

# ---- cues read from the order text --------------------------------------------------------------------
UPSTREAM_CUES = ("上游", "供应商", "供货", "原料供应", "原材料", "配套企业", "配套商", "供应")
DOWNSTREAM_CUES = ("下游", "客户", "买家", "采购商", "采购方", "经销商", "销售渠道", "应用方", "用户")
EQUITY_CUES = ("股权", "入股", "参股", "基金", "创投", "风投", "天使", "投资机构", "股权投资")
LOAN_CUES = ("贷款", "贷", "授信", "信贷", "质押", "抵押", "融资租赁", "租赁", "保理", "流动资金", "担保")
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


def plan_query(index: Index, query: OrderQuery, weights: Mapping[str, float]) -> QueryPlan:
    text = " ".join(p for p in (query.title, query.text, " ".join(query.keywords)) if p)
    counts: dict[int, float] = {}
    for part in (query.title, query.text):
        for tok in index.segmenter.tokens(part):
            tid = index.vocab.get(tok)
            if tid is not None:
                counts[tid] = counts.get(tid, 0.0) + 1.0
    weights_by_id = {tid: (weights["query.repeat_boost"] if c > 1 else 1.0) for tid, c in counts.items()}
    for kw in query.keywords:
        for tok in index.segmenter.tokens(kw):
            tid = index.vocab.get(tok)
            if tid is not None:
                weights_by_id[tid] = max(weights_by_id.get(tid, 0.0), weights["query.keyword_boost"])
    ids = sorted(weights_by_id)
    county = query.county or ""
    prefecture = query.prefecture or index.prefecture_of(county) or ""
    chain_idx = index.chain_pos.get(query.chain_type or "", -1)
    direction = query.wanted_direction or (infer_direction(text) if query.kind == "industry" else None)
    own_link: int | None = None
    mentioned: list[int] = []
    if query.kind == "industry" and chain_idx >= 0:
        chain = index.chain_types[chain_idx]
        mentioned = mentioned_links(index, chain_idx, text)
        link = chain.link(query.link_name)
        if link is not None:
            own_link = link.order
        elif mentioned:
            own_link = max(mentioned) if direction == "upstream" else min(mentioned)
            if direction is None and len(mentioned) > 1:
                own_link = None
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
    )


def _today_ord() -> int:
    from datetime import date

    return date.today().toordinal()


# ---- signals ------------------------------------------------------------------------------------------
def bm25_scores(index: Index, plan: QueryPlan) -> np.ndarray:
    """Raw BM25 score of every resource (length N) for the plan's terms."""
    n = index.size_n
    if len(plan.term_ids) == 0:
        return np.zeros(n)
    indptr = index.post_indptr
    starts = indptr[plan.term_ids]
    ends = indptr[plan.term_ids + 1]
    lengths = ends - starts
    if lengths.sum() == 0:
        return np.zeros(n)
    docs = np.concatenate([index.post_docs[s:e] for s, e in zip(starts, ends, strict=True)])
    vals = np.concatenate([index.post_w[s:e] for s, e in zip(starts, ends, strict=True)])
    vals = vals * np.repeat(plan.term_w, lengths)
    return np.bincount(docs, weights=vals, minlength=n)


def text_signal(raw: np.ndarray) -> np.ndarray:
    """BM25 relative to the best candidate of the pool, in [0, 1]."""
    top = float(raw.max()) if raw.size else 0.0
    return raw / top if top > 0 else np.zeros_like(raw)


def chain_signal(index: Index, plan: QueryPlan, pool: np.ndarray) -> np.ndarray:
    if plan.chain_idx < 0:
        return np.zeros(len(pool))
    return index.chain_aff[pool, plan.chain_idx].astype(np.float64)


def geo_signal(index: Index, plan: QueryPlan, pool: np.ndarray, w: Mapping[str, float]) -> np.ndarray:
    out = np.where(index.in_fujian[pool], w["geo.in_fujian"], w["geo.elsewhere"]).astype(np.float64)
    if plan.prefecture_id >= 0:
        out[index.prefecture[pool] == plan.prefecture_id] = w["geo.same_prefecture"]
    if plan.county_id >= 0:
        out[index.county[pool] == plan.county_id] = w["geo.same_county"]
    return out


def capital_fit(
    index: Index, plan: QueryPlan, pool: np.ndarray, w: Mapping[str, float]
) -> dict[str, np.ndarray]:
    """Financing-type, amount and fund stage fit; returns each part and their mean as ``fit``."""
    fin = index.fin_class[pool]
    ftype = plan.financing_type
    if ftype == "loan":
        type_fit = np.where(
            fin == FIN_LOAN,
            w["fit.type_match"],
            np.where(fin == FIN_EQUITY, w["fit.type_mismatch"], w["fit.type_partial"]),
        )
        type_fit = np.where(
            (fin == FIN_EQUITY) & (index.rtype[pool] != TYPE_CODE["fund"]), w["fit.type_partial"], type_fit
        )
    elif ftype == "equity":
        type_fit = np.where(
            fin == FIN_EQUITY,
            w["fit.type_match"],
            np.where(fin == FIN_LOAN, w["fit.type_mismatch"], w["fit.type_partial"]),
        )
    else:
        type_fit = np.where(fin == 2, w["fit.type_partial"] * 0.8, w["fit.type_partial"])
    amount = plan.query.amount_yuan
    unknown = w["fit.amount_unknown"]
    is_fund = index.rtype[pool] == TYPE_CODE["fund"]
    if amount and amount > 0:
        max_amount = index.max_amount[pool]
        cover = np.where(np.isnan(max_amount), unknown, np.clip(max_amount / amount, 0.0, 1.0))
        size = index.size[pool]
        share = amount / size
        fund_fit = np.where(
            np.isnan(size),
            unknown,
            np.clip(
                1.0 - (share - w["fit.fund_max_share"]) / max(1e-9, 1 - w["fit.fund_max_share"]), 0.0, 1.0
            ),
        )
        amount_fit = np.where(is_fund, fund_fit, cover)
    else:
        amount_fit = np.full(len(pool), unknown)
    stage_fit = np.full(len(pool), 1.0)
    if plan.stage_cue is not None:
        code = FUND_STAGES.index(plan.stage_cue)
        fs = index.fund_stage[pool]
        stage_fit = np.where(
            fs == code,
            w["fit.stage_match"],
            np.where(fs == FUND_STAGES.index("guidance"), w["fit.stage_guidance"], w["fit.stage_other"]),
        )
        stage_fit = np.where(is_fund, stage_fit, 1.0)
    fit = np.where(is_fund, (type_fit + amount_fit + stage_fit) / 3.0, (type_fit + amount_fit) / 2.0)
    return {"fit": fit, "type_fit": type_fit, "amount_fit": amount_fit, "stage_fit": stage_fit}


def kind_fit(index: Index, plan: QueryPlan, pool: np.ndarray) -> np.ndarray:
    """How well the kind of resource suits the order kind (innovation/talent)."""
    rtype = index.rtype[pool]
    if plan.kind == "innovation":
        return np.where(rtype == TYPE_CODE["institution"], 1.0, 0.6)
    if plan.kind == "talent":
        return np.where(rtype == TYPE_CODE["talent_resource"], 1.0, 0.6)
    return np.ones(len(pool))


def relation_signal(index: Index, plan: QueryPlan, pool: np.ndarray, w: Mapping[str, float]) -> np.ndarray:
    """Industry orders: is the enterprise's link on the wanted side of the order's own link?"""
    same_chain = index.chain_id[pool] == plan.chain_idx
    order = index.link_order[pool]
    if plan.chain_idx < 0:
        return np.zeros(len(pool))
    mentioned = (
        np.isin(order, list(plan.mentioned_links)) if plan.mentioned_links else np.zeros(len(pool), bool)
    )
    if plan.own_link is None or plan.direction is None:
        base = np.where(mentioned, w["rel.wanted"], w["rel.unknown"])
        if plan.own_link is not None:
            base = np.where(order == plan.own_link, w["rel.same_link"], base)
        return np.where(same_chain, base, 0.0)
    chain = index.chain_types[plan.chain_idx]
    own = chain.links[plan.own_link]
    own_stage = STAGE_RANK.get(own.stage, 1)
    stage = index.link_stage[pool]
    sign = 1 if plan.direction == "upstream" else -1
    # positive "distance" = on the wanted side
    stage_gap = (own_stage - stage) * sign
    order_gap = (plan.own_link - order) * sign
    rel = np.where(
        stage_gap > 0,
        w["rel.wanted"],
        np.where((stage_gap == 0) & (order_gap > 0), w["rel.wanted_same_stage"], w["rel.other_side"]),
    )
    rel = np.where((rel > 0) & mentioned, w["rel.wanted_mentioned"], rel)
    rel = np.where(order == plan.own_link, w["rel.same_link"], rel)
    return np.where(same_chain & (order >= 0), rel, 0.0)
