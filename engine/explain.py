"""Explanations for one ranked candidate (only computed for the returned top-k), as structured reasons."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence

from .features import QueryPlan
from .index import STAGE_RANK, Index
from .reasons import money, reason

__all__ = ["matched_terms", "matched_terms_many", "money", "reasons_for"]

MAX_KEYWORDS = 3


def matched_terms(index: Index, plan: QueryPlan, pos: int, limit: int = MAX_KEYWORDS) -> list[str]:
    """The order's terms found in the resource, strongest first, without terms nested in a shown one."""
    return matched_terms_many(index, plan, [pos], limit)[0]


def matched_terms_many(
    index: Index, plan: QueryPlan, positions: Sequence[int], limit: int = MAX_KEYWORDS
) -> list[list[str]]:
    """:func:`matched_terms` of several resources: each resource's terms are stored strongest first
    (:func:`~.index._shown_term_order`), so this walks them until ``limit`` are shown."""
    out: list[list[str]] = []
    wanted = plan.literal_set
    if not wanted:
        return [[] for _ in positions]
    terms = index.terms
    doc_indptr, ids, ranks = index.doc_indptr_list, index.doc_ids_list, index.shown_rank_list
    for pos in positions:
        shown: list[str] = []
        lo, hi = doc_indptr[pos], doc_indptr[pos + 1]
        # the wanted words the resource has (a set intersection), put in its shown order
        placed = []
        for t in wanted.intersection(ids[lo:hi]):
            at = bisect_left(ids, t, lo, hi)
            if ranks[at] >= 0:
                placed.append((ranks[at], t))
        placed.sort()
        found = [t for _rank, t in placed]
        for t in found:
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


def chain_evidence(index: Index, pos: int, chain_idx: int) -> str | None:
    """The resource's strongest word that belongs to the chain type's vocabulary (why it serves it)."""
    if chain_idx < 0 or chain_idx >= len(index.chain_kw_sets):
        return None
    best = index.chain_evidence_tids[chain_idx][pos]
    return index.terms[best] if best >= 0 else None


def thesaurus_matches(index: Index, plan: QueryPlan, pos: int, limit: int = 2) -> list[dict]:
    """Reasons for the thesaurus words (synonyms, disciplines) the resource matched, strongest first."""
    if not plan.expanded:
        return []
    indptr = index.doc_indptr_list
    lo, hi = indptr[pos], indptr[pos + 1]
    expanded = plan.expanded
    ids, vals = index.doc_ids_list, index.doc_vals_list
    hits = []
    for t in expanded.keys() & ids[lo:hi]:
        at = bisect_left(ids, t, lo, hi)
        hits.append((vals[at], t))
    found = sorted(hits, key=lambda x: (-x[0], x[1]))
    out, seen = [], set()
    for _v, tid in found:
        relation, field_name, term = plan.expanded[tid]
        if relation == "synonym":
            item = reason("synonym", synonym=index.terms[tid], term=term)
        else:
            item = reason(relation, field=field_name, term=term)
        key = (item["code"], tuple(sorted(item["params"].items())))
        if key in seen:
            continue
        seen.add(key)
        out.append(item)
        if len(out) >= limit:
            break
    return out


def best_outcome(index: Index, plan: QueryPlan, pos: int, w: Mapping[str, float]) -> tuple[str, str] | None:
    """(order title, county) of the resource's weightiest success on a similar order."""
    group = index.outcome_groups.get((plan.chain_idx, plan.kind)) if plan.chain_idx >= 0 else None
    if group is None:
        return None
    own = plan.query.order_id if plan.query.order_id is not None else -2
    # the group is sorted by position: only the resource's own rows are looked at (a handful: plain
    # Python, the same arithmetic as the arrays of `outcome_feature`, first best on ties as argmax)
    lo, hi = bisect_left(group.pos_list, pos), bisect_right(group.pos_list, pos)
    same_county, same_prefecture = w["outcome.same_county"], w["outcome.same_prefecture"]
    in_province, half_life = w["outcome.in_province"], max(w["outcome.half_life_days"], 1e-9)
    best, best_value = -1, 0.0
    for i in range(lo, hi):
        _pos, county, prefecture, day, polarity, order = group.rows[i]
        if polarity <= 0 or order == own:
            continue
        if county == plan.county_id and county >= 0:
            prox = same_county
        elif prefecture == plan.prefecture_id:
            prox = same_prefecture
        else:
            prox = in_province
        value = prox * 0.5 ** (max(plan.today_ord - day, 0) / half_life)
        if best < 0 or value > best_value:
            best, best_value = i, value
    if best < 0:
        return None
    return group.title[best], group.county_name[best]


def reasons_for(
    index: Index,
    plan: QueryPlan,
    pos: int,
    features: Mapping[str, float],
    w: Mapping[str, float],
    terms: list[str] | None = None,
) -> list[dict]:
    """Structured reasons (``{"code", "params"}``, see :mod:`.reasons`) for one candidate, each from a
    feature of the score; ``terms`` are its :func:`matched_terms` when already known."""
    res = index.resources[pos]
    facts = index.facts[pos]  # (chain_id, link_order, county, prefecture, in_fujian, fin_class) as ints
    out: list[dict] = []
    chain = index.chain_types[plan.chain_idx] if plan.chain_idx >= 0 else None
    # chain fit: explicit membership, or a specialisation shown by the resource's own words
    if chain is not None:
        if facts[0] == plan.chain_idx:
            out.append(reason("same_chain", chain=chain.name))
        elif features.get("chain", 0.0) >= w["chain.reason_min"] and features.get("chain", 0.0) >= w[
            "chain.specialised_share"
        ] * float(index.chain_max[pos]):
            evidence = chain_evidence(index, pos, plan.chain_idx)
            if evidence:
                out.append(reason("serves_chain", chain=chain.name, term=evidence))
    # link relation (industry)
    if plan.kind == "industry" and chain is not None and facts[0] == plan.chain_idx:
        order = facts[1]
        if order >= 0:
            link = chain.links[order]
            if plan.own_link is None:
                out.append(reason("link_located", link=link.name))
            else:
                own = chain.links[plan.own_link]
                gap = (STAGE_RANK.get(own.stage, 1) - STAGE_RANK.get(link.stage, 1)) or (
                    own.order - link.order
                )
                code = (
                    "link_same" if order == own.order else ("link_upstream" if gap > 0 else "link_downstream")
                )
                out.append(reason(code, link=link.name))
    # text: literal words, then thesaurus words
    if terms is None:
        terms = matched_terms(index, plan, pos)
    if terms:
        out.append(reason("keywords", terms=list(terms)))
    out.extend(thesaurus_matches(index, plan, pos))
    # capital: financing type, amount, fund
    if plan.kind == "capital":
        if plan.financing_type and plan.financing_source and w["filter.financing_pool"] > 0:
            out.append(reason(f"financing_{plan.financing_type}_{plan.financing_source}"))
        amount = plan.query.amount_yuan
        if res.resource_type == "financial_product" and res.max_amount_yuan:
            if amount and res.max_amount_yuan >= amount:
                out.append(reason("amount_covers"))
            elif amount:
                out.append(reason("amount_below", max=res.max_amount_yuan))
            else:
                out.append(reason("amount_max", max=res.max_amount_yuan))
        if res.resource_type == "fund" and res.size_yuan:
            out.append(reason("fund_size", size=res.size_yuan))
        if res.resource_type == "fund" and plan.stage_cue and res.stage == plan.stage_cue:
            out.append(reason("fund_stage", stage=res.stage))
    # geography / region
    if res.region:
        out.append(reason("region", region=res.region))
    if plan.county_id >= 0 and facts[2] == plan.county_id:
        out.append(reason("geo_county" if not res.region else "geo_county_usable"))
    elif plan.prefecture_id >= 0 and facts[3] == plan.prefecture_id:
        out.append(reason("geo_prefecture"))
    elif not res.region and facts[4]:
        out.append(reason("geo_province"))
    elif not facts[4]:
        where = res.extra.get("location") if res.extra else None
        out.append(reason("geo_outside_at", location=where) if where else reason("geo_outside"))
    # outcomes of similar orders
    if features.get("outcome", 0.0) > 0:
        found = best_outcome(index, plan, pos, w)
        if found:
            out.append(reason("outcome_success", order=found[0], county=found[1]))
    if features.get("irrelevant", 0.0) > 0:
        out.append(reason("outcome_irrelevant"))
    if features.get("declined", 0.0) > 0:
        out.append(reason("declined"))
    return out
