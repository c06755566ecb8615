"""All tunable numbers of the engine, in one dict.

``rank(..., weights=overrides)`` and ``build_index(..., weights=overrides)`` merge an override dict
over :data:`DEFAULT_WEIGHTS` (unknown keys are rejected).  Keys marked *index-time* only take effect
when the index is (re)built.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_WEIGHTS: dict[str, float] = {
    # --- how the features combine, per order kind (each group is normalised to sum 1) -----------------
    # innovation (创新需求): text relevance dominates; chain fit next; a good lab far away is still good.
    "innovation.text": 0.60,
    "innovation.chain": 0.25,
    "innovation.geo": 0.10,
    "innovation.fit": 0.05,  # resource kind suits research (institutions > research-carrying talent)
    # capital (资金需求): fit (financing type, amount, fund stage/size) matters as much as chain fit.
    "capital.text": 0.50,
    "capital.chain": 0.15,
    "capital.geo": 0.10,
    "capital.fit": 0.25,
    # talent (人才需求): text relevance, then locality (training and panels work on site).
    "talent.text": 0.60,
    "talent.chain": 0.15,
    "talent.geo": 0.15,
    "talent.fit": 0.10,  # talent resources > institutions that train
    # industry (产业配套需求): link relation (supplier/customer side of the order's link) is the fit.
    "industry.text": 0.40,
    "industry.chain": 0.10,
    "industry.geo": 0.15,
    "industry.fit": 0.35,
    # --- geography feature values -------------------------------------------------------------------
    "geo.same_county": 1.0,  # resource in the order's county (or usable only there)
    "geo.same_prefecture": 0.7,  # same 设区市
    "geo.in_fujian": 0.4,  # elsewhere in Fujian, or province-wide
    "geo.elsewhere": 0.0,  # outside Fujian
    # --- penalties (multiplicative) ------------------------------------------------------------------
    "penalty.declined": 0.5,  # a resource that declined this county's similar order keeps 50% of its score
    "penalty.off_direction": 0.5,  # industry: same-chain firm on the own link / wrong side loses 50%
    "penalty.off_chain": 0.3,  # innovation/talent: share off a resource specialised in another chain (× gap)
    "penalty.off_chain_capital": 0.7,  # capital: a product or fund aimed at another chain (× gap)
    "penalty.sample": 0.0,  # share taken off sample (示例) entries; 0 = rank them like real ones
    "penalty.same_link": 0.7,  # industry: a firm on the order's own link (a competitor) loses 70%
    "penalty.under_amount": 0.5,  # capital: a product whose ceiling is below the amount needed loses 50%
    # --- filters -------------------------------------------------------------------------------------
    "filter.amount_min_coverage": 0.2,  # drop a product whose max amount < 20% of the amount needed
    "filter.restrict_talent_programs": 1.0,  # 1 = a county/city talent programme only serves its region
    "filter.restrict_funds": 1.0,  # 1 = a county/city fund only serves its region (unless it says 全省)
    "filter.financing_pool": 1.0,  # 1 = the financing type decides the pool (loan → loans, equity → funds)
    # --- the end of the list -------------------------------------------------------------------------
    "list.min_score": 0.15,  # candidates below this score are not listed (the list ends early)
    # --- capital fit ---------------------------------------------------------------------------------
    "fit.amount_unknown": 0.6,  # product max amount / fund size not stated, or no amount in the order
    "fit.type_match": 1.0,  # product/fund class matches the financing type (loan vs equity)
    "fit.type_partial": 0.6,  # e.g. 投贷联动 for a loan need, or financing type unknown
    "fit.type_mismatch": 0.2,  # a fund for a loan need, a loan for an equity need
    "fit.fund_max_share": 0.2,  # a fund comfortably invests up to this share of its size in one order
    "fit.stage_match": 1.0,  # fund stage matches the order's stage cue (初创 → venture, 扩产 → growth...)
    "fit.stage_guidance": 0.8,  # guidance funds fit any stage reasonably
    "fit.stage_other": 0.5,  # mismatching stage, or no cue in the order
    # --- industry link relation ----------------------------------------------------------------------
    "rel.wanted_mentioned": 1.0,  # link on the wanted side and named in the order text
    "rel.wanted": 0.85,  # link on the wanted side (other stage)
    "rel.wanted_same_stage": 0.6,  # same stage, earlier/later link (siblings are weak suppliers)
    "rel.same_link": 0.15,  # competitors on the order's own link
    "rel.other_side": 0.0,  # the opposite direction
    "rel.unknown": 0.5,  # no direction/link known: any link of the same chain
    # --- chain fit -----------------------------------------------------------------------------------
    "chain.explicit": 1.0,  # resource explicitly on the order's chain type (enterprises)
    "chain.tau": 1.0,  # keyword-overlap affinity = 1 - exp(-weighted matches / tau)
    "chain.reason_min": 0.5,  # affinity above which "同属…产业链" is given as a reason
    "chain.specialised_share": 0.6,  # "面向…产业链" only where the affinity is ≥ 60% of the resource's best
    # --- text / index (index-time) -------------------------------------------------------------------
    "text.norm_floor": 0.4,  # text score = BM25 / max(best match, 40% of the best reachable score)
    "bm25.k1": 1.2,
    "bm25.b": 0.75,
    "field.name": 2.0,  # a term in the resource name counts twice
    "field.fields": 2.0,  # research fields / products / focus / target count twice
    "field.text": 1.0,  # free-text description
    "query.repeat_boost": 1.25,  # query term repeated (e.g. in title and text)
    "query.keyword_boost": 1.5,  # term from the order's explicit keywords
    "query.own_link_term": 0.2,  # industry: words naming the order's own link (they describe the orderer)
    "query.partner_term": 0.3,  # words naming the kind of partner wanted (高校院所, 科研机构 …)
    "query.generic_term": 0.1,  # generic words (curated, or in > 20% of a pool's resources or of orders)
    "query.subword": 0.5,  # a word found inside a longer query word (磷酸 in 磷酸铁锂)
    # --- thesaurus expansion (weights relative to the literal query word) ------------------------------
    "thesaurus.synonym": 0.8,  # 锂电池 → 锂离子电池
    "thesaurus.field": 0.45,  # 合金 → 材料科学与工程 (a discipline covering the word)
    "thesaurus.narrower": 0.3,  # 冶金工程 → 冶炼 (the query names a discipline)
    # --- outcomes of earlier orders (same chain type and kind; nearby counties count more) -------------
    "outcome.boost": 0.15,  # at most +15% for providers that succeeded on similar orders
    "outcome.penalty": 0.5,  # at most -50% for providers marked irrelevant on similar orders
    "outcome.tau": 1.0,  # feature = 1 - exp(-sum of outcome weights / tau)
    "outcome.half_life_days": 365.0,  # an outcome's weight halves every year
    "outcome.same_county": 1.0,
    "outcome.same_prefecture": 0.6,
    "outcome.in_province": 0.3,
}


def merge_weights(overrides: Mapping[str, float] | None) -> dict[str, float]:
    merged = dict(DEFAULT_WEIGHTS)
    if overrides:
        unknown = set(overrides) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise KeyError(f"unknown engine weights: {sorted(unknown)}")
        merged.update({k: float(v) for k, v in overrides.items()})
    return merged


def kind_weights(weights: Mapping[str, float], kind: str) -> dict[str, float]:
    """The normalised combination weights (text/chain/geo/fit) of one order kind."""
    parts = {name: max(0.0, weights[f"{kind}.{name}"]) for name in ("text", "chain", "geo", "fit")}
    total = sum(parts.values()) or 1.0
    return {k: v / total for k, v in parts.items()}


def score_ceilings(weights: Mapping[str, float]) -> tuple[float, float]:
    """(largest value a fit feature can take, largest factor the multiplicative penalties can apply) with
    these weights: fit parts are capped at 1 or at a weight; a penalty only raises a score if negative.
    The outcome factor is not among them: the shortlist bound uses each candidate's own."""
    fit = max(1.0, *(v for k, v in weights.items() if k.startswith(("fit.", "rel."))))
    penalty = 1.0
    for name in (
        "penalty.off_direction",
        "penalty.off_chain",
        "penalty.off_chain_capital",
        "penalty.declined",
        "penalty.sample",
        "penalty.same_link",
        "penalty.under_amount",
    ):
        penalty *= max(1.0, 1.0 - weights[name])
    return fit, penalty  # the outcome factor is known per candidate before the shortlist (not a ceiling)
