"""Synthetic catalog/orders and timings (index build, single-order latency, full re-match, baseline).

``python -m devtools.matching.bench --resources 35000 --orders 10000`` prints the result dict.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from engine.index import Index, build_index
from engine.loaders import Catalog, records_from_csv_dir
from engine.records import ORDER_KINDS, ChainTypeRec, OrderQuery, OutcomeRec, ResourceRec
from engine.scoring import rank
from engine.thesaurus import load_thesaurus
from matchmaking.choices import OrderKind

DATA_DIR = Path(__file__).resolve().parents[2] / "chains" / "data"
TODAY = date(2025, 6, 1)

_TYPE_SHARES = (
    ("enterprise", 0.62),
    ("institution", 0.12),
    ("financial_product", 0.10),
    ("fund", 0.06),
    ("talent_resource", 0.10),
)
_ENTERPRISE_SUFFIX = ("科技有限公司", "新材料有限公司", "实业有限公司", "股份有限公司", "制造有限公司")
_INSTITUTION_SUFFIX = ("研究院", "工程技术研究中心", "重点实验室", "学院", "产业研究所")
_INSTITUTION_KINDS = (
    "university",
    "research_institute",
    "engineering_center",
    "innovation_lab",
    "cas_institute",
)
_PRODUCT_KINDS = ("credit_loan", "tech_loan", "pledge_loan", "supply_chain", "leasing", "equity", "guarantee")
_PRODUCT_WORDS = {
    "credit_loan": ("信用贷", "纯信用、线上审批的流动资金贷款"),
    "tech_loan": ("技改贷", "支持设备更新和技术改造的中长期贷款"),
    "pledge_loan": ("质押贷", "以存货、仓单或知识产权质押的融资"),
    "supply_chain": ("链融通", "基于核心企业确权应收账款的供应链融资"),
    "leasing": ("融资租赁", "以直租或回租方式购置生产设备"),
    "equity": ("投贷联动", "银行与股权投资机构联动的科技金融产品"),
    "guarantee": ("担保贷", "政府性融资担保增信的普惠贷款"),
}
_TALENT_KINDS = ("expert_panel", "training_base", "industry_college", "service_team", "talent_program")
_TALENT_SUFFIX = {
    "expert_panel": "特聘专家团",
    "training_base": "技能人才实训基地",
    "industry_college": "产业学院",
    "service_team": "专家服务团",
    "talent_program": "人才计划",
}
_FUND_STAGES = ("guidance", "venture", "growth", "transformation")
_GENERIC = (
    "推进智能化改造和数字化转型",
    "开展关键技术攻关与成果转化",
    "建设绿色工厂并降低能耗",
    "拓展海外市场和品牌建设",
    "提升产品质量和标准化水平",
    "完善上下游配套与协同",
)


def _pick_keywords(rng: random.Random, chain: ChainTypeRec, k: int) -> list[str]:
    words = sorted({kw for link in chain.links for kw in link.keywords})
    return rng.sample(words, min(k, len(words)))


def _disciplines(chain: ChainTypeRec) -> list:
    """The thesaurus disciplines specialising in the chain type (so the synthetic data exercise it)."""
    thes = load_thesaurus()
    vocab = thes.chains.get(chain.code)
    return [d for d in (thes.discipline(n) for n in (vocab.disciplines if vocab else ())) if d is not None]


def _field_words(rng: random.Random, chain: ChainTypeRec) -> list[str]:
    """A discipline name (or alias) of the chain, as an institution states its fields."""
    found = _disciplines(chain)
    return [rng.choice(rng.choice(found).names)] if found else []


def _discipline_term(rng: random.Random, chain: ChainTypeRec) -> str | None:
    """A technical term one of the chain's disciplines covers, as an order may use it."""
    found = [t for d in _disciplines(chain) for t in d.terms]
    return rng.choice(found) if found else None


def synthetic_catalog(n_resources: int, seed: int = 7, base: Catalog | None = None) -> Catalog:
    """A believable catalog of ``n_resources`` built from the chain types' keywords (deterministic)."""
    base = base or records_from_csv_dir(DATA_DIR)
    rng = random.Random(seed)
    chains = list(base.chain_types)
    counties = sorted(base.counties_to_prefecture)
    prefectures = sorted(set(base.counties_to_prefecture.values()))
    resources: list[ResourceRec] = []
    for rtype, share in _TYPE_SHARES:
        for i in range(round(n_resources * share)):
            chain = rng.choice(chains)
            county = rng.choice(counties)
            prefecture = base.counties_to_prefecture[county]
            kws = _pick_keywords(rng, chain, rng.randint(3, 5))
            generic = rng.choice(_GENERIC)
            key = f"{rtype}:{i + 1}"
            if rtype == "enterprise":
                link = rng.choice(chain.links)
                name = f"{county[:2]}{rng.choice(link.keywords)}{rng.choice(_ENTERPRISE_SUFFIX)}{i}"
                products = "；".join(rng.sample(link.keywords, min(len(link.keywords), 2)) + kws[:1])
                rec = ResourceRec(
                    key=key,
                    resource_type=rtype,
                    name=name,
                    fields_text=products,
                    text=f"{county}的{chain.name}产业链{link.name}环节企业，主营{products}，{generic}。",
                    chain_type=chain.code,
                    link_name=link.name,
                    link_id=link.id,
                    county=county,
                    prefecture=prefecture,
                    in_fujian=True,
                    kind=rng.choice(("leading", "specialized", "supporting")),
                )
            elif rtype == "institution":
                other = rng.choice(chains)
                # half the institutions state a discipline (学科) instead of one of the chain's words
                fields = (kws if rng.random() < 0.5 else kws[1:] + _field_words(rng, chain)) + _pick_keywords(
                    rng, other, 2
                )
                in_fj = rng.random() < 0.5
                name = f"{(prefecture if in_fj else '华东')}{kws[0]}{rng.choice(_INSTITUTION_SUFFIX)}{i}"
                rec = ResourceRec(
                    key=key,
                    resource_type=rtype,
                    name=name,
                    fields_text="；".join(fields),
                    text=f"面向{chain.name}和{other.name}领域的科研机构，在{'、'.join(fields[:3])}方面具有研究基础，{generic}。",
                    county=None,
                    prefecture=prefecture if in_fj else None,
                    in_fujian=in_fj,
                    kind=rng.choice(_INSTITUTION_KINDS),
                )
            elif rtype == "financial_product":
                pkind = rng.choice(_PRODUCT_KINDS)
                short, desc = _PRODUCT_WORDS[pkind]
                r = rng.random()
                region = "全省" if r < 0.6 else (rng.choice(prefectures) if r < 0.85 else county)
                rec = ResourceRec(
                    key=key,
                    resource_type=rtype,
                    name=f"{chain.name}{short}{i}",
                    fields_text="；".join(kws[:2]),
                    text=f"面向{chain.name}产业链企业的{desc}，适用于{'、'.join(kws)}等环节。",
                    region=region,
                    county=county if region == county else None,
                    prefecture=region
                    if region in prefectures
                    else (prefecture if region == county else None),
                    max_amount_yuan=rng.choice((None, 1_000_000, 5_000_000, 10_000_000, 50_000_000)),
                    kind=pkind,
                    valid_until=rng.choice((None, None, TODAY + timedelta(days=rng.randint(-200, 600)))),
                )
            elif rtype == "fund":
                stage = rng.choice(_FUND_STAGES)
                rec = ResourceRec(
                    key=key,
                    resource_type=rtype,
                    name=f"{county}{chain.name}产业基金{i}",
                    fields_text="；".join(kws),
                    text=f"{county}设立的{chain.name}产业基金，重点投向{'、'.join(kws)}，{generic}。",
                    county=county,
                    prefecture=prefecture,
                    in_fujian=True,
                    stage=stage,
                    kind="county",
                    size_yuan=rng.choice((None, 100_000_000, 500_000_000, 1_000_000_000)),
                )
            else:
                tkind = rng.choice(_TALENT_KINDS)
                region = "全省" if rng.random() < 0.6 else county
                rec = ResourceRec(
                    key=key,
                    resource_type=rtype,
                    name=f"{chain.name}{_TALENT_SUFFIX[tkind]}{i}",
                    fields_text="；".join(kws),
                    text=f"服务{chain.name}产业链的人才资源，覆盖{'、'.join(kws)}。",
                    region=region,
                    county=county if region == county else None,
                    prefecture=prefecture if region == county else None,
                    kind=tkind,
                )
            resources.append(rec)
    return Catalog(
        resources=tuple(resources),
        chain_types=base.chain_types,
        counties_to_prefecture=base.counties_to_prefecture,
    )


def synthetic_orders(n: int, seed: int = 11, base: Catalog | None = None) -> list[OrderQuery]:
    """``n`` believable orders over all kinds (deterministic with ``seed``)."""
    base = base or records_from_csv_dir(DATA_DIR)
    rng = random.Random(seed)
    chains = list(base.chain_types)
    counties = sorted(base.counties_to_prefecture)
    out = []
    for i in range(n):
        kind = OrderKind.values[i % 4]
        chain = rng.choice(chains)
        county = rng.choice(counties)
        kws = _pick_keywords(rng, chain, 3)
        link = rng.choice(chain.links)
        amount = None
        if kind == "innovation":
            term = _discipline_term(rng, chain) if rng.random() < 0.5 else None
            if term:  # a technical term some institutions only cover through their discipline
                kws = [term, *kws[1:]]
            title = f"{kws[0]}关键技术攻关"
            text = (
                f"{chain.name}产业链企业需要在{kws[0]}、{kws[1]}方面与高校院所合作，"
                f"解决{rng.choice(kws)}工艺难题。"
            )
        elif kind == "capital":
            amount = rng.choice((2_000_000, 5_000_000, 20_000_000, 100_000_000))
            way = rng.choice(("流动资金贷款", "股权投资", "融资租赁购置设备", "知识产权质押贷款"))
            title = f"{kws[0]}项目融资"
            text = f"{chain.name}企业扩建{kws[0]}产线，需要{amount // 10_000}万元，希望通过{way}解决。"
        elif kind == "talent":
            title = f"{kws[0]}技能人才培养"
            text = f"{chain.name}产业链急需{kws[0]}和{kws[1]}方面的技能人才和专家指导，希望定向培养。"
        else:
            direction = rng.choice(("上游供应商", "下游客户"))
            title = f"{link.name}{direction[:2]}{'配套' if direction.startswith('上') else '市场'}对接"
            text = (
                f"{link.name}环节企业生产{rng.choice(link.keywords)}，寻找{'、'.join(kws[:2])}等{direction}。"
            )
        out.append(
            OrderQuery(
                kind=kind,
                county=county,
                chain_type=chain.code,
                title=title,
                text=text,
                amount_yuan=amount,
                today=TODAY,
            )
        )
    return out


def synthetic_outcomes(catalog: Catalog, n: int, seed: int = 17) -> list[OutcomeRec]:
    """``n`` outcomes of earlier orders on random resources (deterministic): 80 % successes, 20 %
    irrelevant declines, over the last two years, each on the chain type and kind its resource serves."""
    rng = random.Random(seed)
    kinds = {
        "institution": ("innovation", "talent"),
        "talent_resource": ("talent", "innovation"),
        "fund": ("capital",),
        "financial_product": ("capital",),
        "enterprise": ("industry",),
    }
    chains = [c.code for c in catalog.chain_types]
    counties = sorted(catalog.counties_to_prefecture)
    resources = catalog.resources
    out = []
    for i in range(n):
        res = resources[rng.randrange(len(resources))]
        kind = rng.choice(kinds.get(res.resource_type, ORDER_KINDS))
        out.append(
            OutcomeRec(
                chain_type=res.chain_type or rng.choice(chains),
                kind=kind,
                county=rng.choice(counties),
                day=TODAY - timedelta(days=rng.randint(0, 730)),
                polarity=1 if rng.random() < 0.8 else -1,
                key=res.key,
                order_title=f"同类需求{i}",
            )
        )
    return out


# ---- timings --------------------------------------------------------------------------------------------
def _clear_caches(index: Index) -> None:
    index.segmenter._cached.cache_clear()
    index.segmenter._query_cached.cache_clear()
    index.segmenter._expand.cache_clear()


def time_index_build(
    catalog: Catalog, outcomes: Sequence[OutcomeRec] = (), background: Sequence[str] = ()
) -> tuple[float, Index]:
    """Seconds to build the index (thesaurus on; with these outcomes and earlier orders' texts)."""
    t0 = time.perf_counter()
    index = build_index(
        catalog.resources,
        catalog.chain_types,
        catalog.counties_to_prefecture,
        version="bench",
        outcomes=outcomes,
        background_texts=background,
    )
    seconds = time.perf_counter() - t0
    _clear_caches(index)  # the segmenter is shared: the next timed build starts cold too
    return seconds, index


def time_single(
    index: Index, orders: Sequence[OrderQuery], top: int = 10, warmup: int = 20
) -> dict[str, float]:
    """Per-order latency (segmentation + retrieval + scoring + reasons), caches cleared first.

    The first ``warmup`` orders are ranked once untimed (numpy/scipy first-call costs), then the
    segmentation cache is cleared so every timed order is segmented afresh.
    """
    for q in orders[:warmup]:
        rank(q, index, top=top)
    _clear_caches(index)
    times = []
    for q in orders:
        t0 = time.perf_counter()
        rank(q, index, top=top)
        times.append((time.perf_counter() - t0) * 1000.0)
    return {"p50_ms": statistics.median(times), "p95_ms": float(np.percentile(times, 95))}


def time_rematch(index: Index, orders: Sequence[OrderQuery], top: int = 10) -> float:
    _clear_caches(index)
    t0 = time.perf_counter()
    for q in orders:
        rank(q, index, top=top)
    return time.perf_counter() - t0


def time_baseline(
    index: Index, orders: Sequence[OrderQuery], top: int = 10, per_kind: bool = False
) -> dict[str, float]:
    """rank_bm25.BM25Okapi over the same texts and tokens (text relevance only, no other feature).

    By default one BM25Okapi over the whole catalog (the straightforward use of rank_bm25); with
    ``per_kind`` one model per order kind's pool, like the engine's own per-kind postings.
    """
    from rank_bm25 import BM25Okapi

    seg = index.segmenter
    docs = [list(seg.tokens(f"{r.name} {r.fields_text} {r.text}")) for r in index.resources]
    if per_kind:
        models = {kind: BM25Okapi([docs[i] for i in pool]) for kind, pool in index.pools.items()}
    else:
        everything = BM25Okapi(docs)
        models = dict.fromkeys(index.pools, everything)
    times = []
    cpu = []
    for q in orders:
        t0, c0 = time.perf_counter(), time.thread_time()
        scores = models[q.kind].get_scores(list(seg.tokens(f"{q.title} {q.text}")))
        np.argsort(-scores)[:top]
        times.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.thread_time() - c0) * 1000.0)
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": float(np.percentile(times, 95)),
        "cpu_p50_ms": statistics.median(cpu),
        "cpu_p95_ms": float(np.percentile(cpu, 95)),
    }


def run_benchmark(
    n_resources: int = 35_000,
    n_orders: int = 10_000,
    seed: int = 7,
    single_samples: int = 2000,
    baseline_samples: int = 20,
) -> dict[str, float]:
    """Keys: index_build_s, single_p50_ms, single_p95_ms, rematch_s, baseline_p95_ms, speedup.

    ``baseline_*`` is rank_bm25 over the whole catalog; ``*_per_kind`` is rank_bm25 restricted to the
    order kind's pool (a stricter comparison, also reported).
    """
    base = records_from_csv_dir(DATA_DIR)
    catalog = synthetic_catalog(n_resources, seed, base)
    orders = synthetic_orders(n_orders, seed + 1, base)
    outcomes = synthetic_outcomes(catalog, n_orders, seed + 2)
    build_s, index = time_index_build(catalog, outcomes, [f"{q.title} {q.text}" for q in orders])
    single = time_single(index, orders[:single_samples])
    rematch_s = time_rematch(index, orders)
    baseline = time_baseline(index, orders[:baseline_samples])
    baseline_pools = time_baseline(index, orders[:baseline_samples], per_kind=True)
    return {
        "n_resources": len(catalog.resources),
        "n_orders": len(orders),
        "index_build_s": round(build_s, 3),
        "single_p50_ms": round(single["p50_ms"], 3),
        "single_p95_ms": round(single["p95_ms"], 3),
        "rematch_s": round(rematch_s, 3),
        "baseline_p50_ms": round(baseline["p50_ms"], 1),
        "baseline_p95_ms": round(baseline["p95_ms"], 1),
        "speedup": round(baseline["p95_ms"] / max(single["p95_ms"], 1e-9), 1),
        "baseline_per_kind_p95_ms": round(baseline_pools["p95_ms"], 1),
        "speedup_per_kind": round(baseline_pools["p95_ms"] / max(single["p95_ms"], 1e-9), 1),
    }


def main(argv: Sequence[str] | None = None) -> Mapping[str, float]:  # pragma: no cover
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Benchmark the matching engine on a synthetic catalog.")
    parser.add_argument("--resources", type=int, default=35_000)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-samples", type=int, default=20)
    args = parser.parse_args(argv)
    result = run_benchmark(args.resources, args.orders, args.seed, baseline_samples=args.baseline_samples)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":  # pragma: no cover
    main()
