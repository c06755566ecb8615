"""Chinese explanations for one ranked candidate (only computed for the returned top-k)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .index import FIN_EQUITY, FIN_LOAN, STAGE_RANK, Index
from .signals import QueryPlan

STAGE_LABELS = {
    "guidance": "引导基金",
    "venture": "创业投资",
    "growth": "成长期投资",
    "transformation": "成果转化",
}
MAX_KEYWORDS = 3


def money(yuan: float) -> str:
    if yuan >= 1e8:
        return f"{yuan / 1e8:g}亿元"
    if yuan >= 1e4:
        return f"{yuan / 1e4:g}万元"
    return f"{yuan:g}元"


def matched_terms(index: Index, plan: QueryPlan, pos: int, limit: int = MAX_KEYWORDS) -> list[str]:
    """The order's terms found in the resource, strongest first, without terms nested in a shown one."""
    return matched_terms_many(index, plan, [pos], limit)[0]


def matched_terms_many(
    index: Index, plan: QueryPlan, positions: Sequence[int], limit: int = MAX_KEYWORDS
) -> list[list[str]]:
    """:func:`matched_terms` of several resources: each resource's terms are stored strongest first
    (:func:`~.index._shown_term_order`), so this walks them until ``limit`` are shown."""
    out: list[list[str]] = []
    wanted = plan.term_set
    if not wanted:
        return [[] for _ in positions]
    indptr, stored, terms = index.shown_indptr, index.shown_terms, index.terms
    for pos in positions:
        shown: list[str] = []
        for t in [t for t in stored[indptr[pos] : indptr[pos + 1]].tolist() if t in wanted]:
            term = terms[t]
            nested = False
            for s in shown:
                if term in s:
                    nested = True  # nested in a term already shown
                    break
            if nested:
                continue
            if shown:
                # a shown term nested in this one gives way to it
                shown = [s for s in shown if s not in term]
            shown.append(term)
            if len(shown) >= limit:
                break
        out.append(shown)
    return out


def reasons_for(
    index: Index,
    plan: QueryPlan,
    pos: int,
    signals: Mapping[str, float],
    w: Mapping[str, float],
    terms: list[str] | None = None,
) -> list[str]:
    """Chinese reasons for one candidate; ``terms`` are its :func:`matched_terms` when already known."""
    res = index.resources[pos]
    facts = index.facts[pos]  # (chain_id, link_order, county, prefecture, in_fujian, fin_class) as ints
    out: list[str] = []
    chain = index.chain_types[plan.chain_idx] if plan.chain_idx >= 0 else None
    # chain fit
    if chain is not None and signals.get("chain", 0.0) >= w["chain.reason_min"]:
        if facts[0] == plan.chain_idx:
            out.append(f"同属{chain.name}产业链")
        else:
            out.append(f"面向{chain.name}产业链")
    # link relation (industry)
    if plan.kind == "industry" and chain is not None and facts[0] == plan.chain_idx:
        order = facts[1]
        if order >= 0:
            link = chain.links[order]
            if plan.own_link is None:
                out.append(f"所在环节：{link.name}")
            else:
                own = chain.links[plan.own_link]
                gap = (STAGE_RANK.get(own.stage, 1) - STAGE_RANK.get(link.stage, 1)) or (
                    own.order - link.order
                )
                label = "同一环节" if order == own.order else ("上游环节" if gap > 0 else "下游环节")
                out.append(f"{label}：{link.name}")
    # text
    if terms is None:
        terms = matched_terms(index, plan, pos)
    if terms:
        out.append("关键词：" + "、".join(terms))
    # geography / region
    if res.region:
        out.append(f"适用地区：{res.region}")
    if plan.county_id >= 0 and facts[2] == plan.county_id:
        out.append("位于本县" if not res.region else "本县可用")
    elif plan.prefecture_id >= 0 and facts[3] == plan.prefecture_id:
        out.append("位于同一设区市")
    elif not res.region and facts[4]:
        out.append("位于省内")
    elif not facts[4]:
        where = res.extra.get("location") if res.extra else None
        out.append(f"省外资源（{where}）" if where else "省外资源")
    # capital fit
    if plan.kind == "capital":
        amount = plan.query.amount_yuan
        if res.resource_type == "financial_product":
            if amount and res.max_amount_yuan:
                if res.max_amount_yuan >= amount:
                    out.append("额度覆盖需求金额")
                else:
                    out.append(f"最高额度{money(res.max_amount_yuan)}，低于需求金额")
            elif res.max_amount_yuan:
                out.append(f"最高额度{money(res.max_amount_yuan)}")
        if res.resource_type == "fund" and res.size_yuan:
            out.append(f"基金规模{money(res.size_yuan)}")
        fin = facts[5]
        if plan.financing_type == "equity" and fin == FIN_EQUITY:
            out.append("股权类资金，契合股权融资需求")
        elif plan.financing_type == "loan" and fin == FIN_LOAN:
            out.append("债权类产品，契合贷款融资需求")
        if res.resource_type == "fund" and plan.stage_cue and res.stage == plan.stage_cue:
            out.append(f"基金阶段契合：{STAGE_LABELS.get(res.stage, res.stage)}")
    if signals.get("declined", 0.0) > 0:
        out.append("曾婉拒本县类似需求（已降权）")
    if res.is_sample:
        out.append("示例条目")
    return out
