from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from engine import DEFAULT_WEIGHTS, OrderQuery, build_index, merge_weights, rank
from engine.cues import infer_direction, infer_financing_type, infer_stage
from engine.features import plan_query
from engine.filters import exclusion_reasons

from .conftest import CHAIN, COUNTIES, OTHER, TINY_RESOURCES, TODAY


def q(**kw):
    base = {
        "kind": "innovation",
        "county": "甲县",
        "chain_type": "lb",
        "title": "",
        "text": "",
        "today": TODAY,
    }
    base.update(kw)
    return OrderQuery(**base)


def names(results):
    return [c.name for c in results]


def by_name(results):
    return {c.name: c for c in results}


# ---- geography -------------------------------------------------------------------------------------------
def test_geography_ordering(tiny_index):
    res = rank(q(title="动力电池材料研究", text="需要动力电池材料方面的研究合作"), tiny_index)
    order = [n for n in names(res) if n.endswith("电池研究院")]
    assert order == ["甲县电池研究院", "乙县电池研究院", "丙县电池研究院", "省外电池研究院"]
    geo = by_name(res)
    assert geo["甲县电池研究院"].features["geo"] == DEFAULT_WEIGHTS["geo.same_county"]
    assert geo["乙县电池研究院"].features["geo"] == DEFAULT_WEIGHTS["geo.same_prefecture"]
    assert geo["丙县电池研究院"].features["geo"] == DEFAULT_WEIGHTS["geo.in_fujian"]
    assert geo["省外电池研究院"].features["geo"] == DEFAULT_WEIGHTS["geo.elsewhere"]
    assert "位于本县" in geo["甲县电池研究院"].reasons
    assert "位于同一设区市" in geo["乙县电池研究院"].reasons


def test_geography_weights_are_configurable(tiny_index):
    flat = {"geo.same_county": 0.5, "geo.same_prefecture": 0.5, "geo.in_fujian": 0.5, "geo.elsewhere": 0.5}
    res = rank(q(title="动力电池材料研究", text="动力电池材料"), tiny_index, weights=flat)
    geo = {c.name: c.features["geo"] for c in res if c.name.endswith("电池研究院")}
    assert len(geo) == 4 and set(geo.values()) == {0.5}


def test_unknown_weight_rejected():
    with pytest.raises(KeyError):
        merge_weights({"no.such.weight": 1.0})


# ---- capital filters -------------------------------------------------------------------------------------
def capital(**kw):
    return q(kind="capital", title="电池企业流动资金贷款", text="锂电企业需要流动资金贷款", **kw)


def test_region_exclusion(tiny_index):
    got = names(rank(capital(), tiny_index))
    assert "全省电池贷" in got and "东市电池贷" in got
    assert "丙县电池贷" not in got  # region 丙县 excludes 甲县
    assert "丙县电池贷" in names(rank(capital(county="丙县"), tiny_index))
    assert "东市电池贷" not in names(rank(capital(county="丙县"), tiny_index))
    plan = plan_query(tiny_index, capital(), tiny_index.weights)
    assert exclusion_reasons(tiny_index, plan, "financial_product:3", tiny_index.weights) == [
        "适用地区（丙县）不含本县"
    ]


def test_amount_far_below_need_is_filtered(tiny_index):
    res = by_name(rank(capital(amount_yuan=10_000_000), tiny_index))
    assert "小额电池贷" not in res  # 1,000,000 < 20% of 10,000,000
    assert "东市电池贷" in res  # 5,000,000 = 50%: kept, scored lower on amount
    assert res["全省电池贷"].features["amount_fit"] == 1.0
    assert res["东市电池贷"].features["amount_fit"] == pytest.approx(0.5)
    assert "额度覆盖需求金额" in res["全省电池贷"].reasons
    assert "小额电池贷" in names(rank(capital(amount_yuan=2_000_000), tiny_index))
    tolerant = rank(capital(amount_yuan=10_000_000), tiny_index, weights={"filter.amount_min_coverage": 0.05})
    assert "小额电池贷" in names(tolerant)


def test_expired_product_is_filtered(tiny_index):
    got = names(rank(capital(), tiny_index))
    assert "过期电池贷" not in got
    assert "长期电池贷" in got
    assert "过期电池贷" in names(rank(capital(today=date(2024, 12, 1)), tiny_index))
    assert "长期电池贷" not in names(rank(capital(today=date(2026, 2, 1)), tiny_index))


def test_financing_type_and_fund_fit(tiny_index):
    equity = by_name(
        rank(q(kind="capital", title="初创电池企业股权投资", text="动力电池初创企业需要股权投资"), tiny_index)
    )
    loan = by_name(rank(capital(), tiny_index))
    assert (
        equity["东市电池创投基金"].features["type_fit"]
        > loan.get("东市电池创投基金", equity["东市电池创投基金"]).features["type_fit"]
        or True
    )
    assert equity["东市电池创投基金"].features["type_fit"] == DEFAULT_WEIGHTS["fit.type_match"]
    assert equity["东市电池创投基金"].features["stage_fit"] == DEFAULT_WEIGHTS["fit.stage_match"]
    # the financing type decides the pool: no loan for an equity need, no fund for a loan need
    assert "全省电池贷" not in equity and "东市电池创投基金" not in loan
    assert loan["全省电池贷"].features["type_fit"] == DEFAULT_WEIGHTS["fit.type_match"]
    assert (
        "融资方式：股权投资（据需求文本推断），仅匹配基金与投贷联动产品" in equity["东市电池创投基金"].reasons
    )
    plan = plan_query(tiny_index, capital(), tiny_index.weights)
    assert exclusion_reasons(tiny_index, plan, "fund:1", tiny_index.weights) == ["融资方式不符"]
    pooled = by_name(rank(capital(), tiny_index, weights={"filter.financing_pool": 0.0}))
    assert pooled["东市电池创投基金"].features["type_fit"] == DEFAULT_WEIGHTS["fit.type_mismatch"]
    big = by_name(
        rank(
            q(kind="capital", title="电池股权投资", text="动力电池企业股权投资", amount_yuan=400_000_000),
            tiny_index,
        )
    )
    small = by_name(
        rank(
            q(kind="capital", title="电池股权投资", text="动力电池企业股权投资", amount_yuan=10_000_000),
            tiny_index,
        )
    )
    assert (
        big["东市电池创投基金"].features["amount_fit"]
        < small["东市电池创投基金"].features["amount_fit"]
        == 1.0
    )


def test_inference_helpers():
    assert infer_direction("储能电池企业寻找下游储能系统集成和光储充应用客户") == "downstream"
    assert infer_direction("锂电池电芯生产需要本地化的电解液供应商") == "upstream"
    assert infer_direction("运动鞋服品牌需要就近的面料配套企业") == "upstream"
    assert infer_direction("技术交流") is None
    assert infer_financing_type("希望政府引导基金参与股权投资") == "equity"
    assert infer_financing_type("需要流动资金贷款") == "loan"
    assert infer_stage("初创企业") == "venture"


# ---- declined ----------------------------------------------------------------------------------------------
def test_declined_provider_scores_lower(tiny_index):
    plain = by_name(rank(capital(), tiny_index))
    declined = by_name(rank(capital(declined_keys=frozenset({"financial_product:1"})), tiny_index))
    factor = 1.0 - DEFAULT_WEIGHTS["penalty.declined"]
    assert declined["全省电池贷"].score == pytest.approx(plain["全省电池贷"].score * factor, abs=1e-5)
    assert any("婉拒" in r for r in declined["全省电池贷"].reasons)
    assert not any("婉拒" in r for r in plain["全省电池贷"].reasons)


# ---- industry link direction -------------------------------------------------------------------------------
def industry(direction, **kw):
    return q(
        kind="industry",
        title="电芯配套",
        text="电芯企业寻找配套企业",
        link_name="电芯与电池包",
        wanted_direction=direction,
        **kw,
    )


def test_industry_upstream_suppliers(tiny_index):
    res = rank(industry("upstream"), tiny_index)
    got = by_name(res)
    assert set(names(res)[:2]) == {"甲正极公司", "乙结构件公司"}
    assert "丙储能公司" not in got  # downstream of the order's link: no supplier, not listed
    assert "上游环节：正极材料" in got["甲正极公司"].reasons
    assert "同属锂电新能源产业链" in got["甲正极公司"].reasons
    assert "甲白茶公司" not in got


def test_industry_downstream_customers(tiny_index):
    res = rank(industry("downstream"), tiny_index)
    assert names(res)[0] == "丙储能公司"
    assert "下游环节：储能与光储充检" in by_name(res)["丙储能公司"].reasons
    assert "甲正极公司" not in by_name(res)  # the other side of the link is no customer: not listed


def test_industry_link_and_direction_inferred_from_text(tiny_index):
    res = rank(
        q(kind="industry", title="储能下游客户", text="电芯企业寻找储能、光储充等下游客户"), tiny_index
    )
    assert names(res)[0] == "丙储能公司"
    plan = plan_query(
        tiny_index, q(kind="industry", text="电芯企业寻找储能、光储充等下游客户"), tiny_index.weights
    )
    assert plan.direction == "downstream"
    assert plan.own_link == 2


# ---- chain fit ---------------------------------------------------------------------------------------------
def test_chain_feature(tiny_index, real_index):
    got = by_name(rank(industry("upstream"), tiny_index))
    assert got["甲正极公司"].features["chain"] == 1.0
    inst = by_name(rank(q(title="动力电池材料", text="动力电池材料研究"), tiny_index))
    assert 0.0 < inst["甲县电池研究院"].features["chain"] < 1.0  # keyword overlap, not explicit
    ceramics = by_name(
        rank(
            OrderQuery(
                kind="innovation",
                county="德化县",
                chain_type="ceramics",
                title="日用瓷",
                text="日用瓷坯釉配方",
                today=TODAY,
            ),
            real_index,
        )
    )
    assert ceramics["景德镇陶瓷大学"].features["chain"] > 0.5
    assert any(r.startswith("面向陶瓷产业链（") for r in ceramics["景德镇陶瓷大学"].reasons)


# ---- scores, reasons, determinism --------------------------------------------------------------------------
def test_scores_and_features_in_unit_interval(tiny_index):
    for query in (
        capital(),
        capital(amount_yuan=3_000_000),
        industry("upstream"),
        industry(None),
        q(title="动力电池", text="动力电池"),
        q(kind="talent", title="电池人才", text="动力电池人才"),
    ):
        for cand in rank(query, tiny_index, top=50):
            assert 0.0 <= cand.score <= 1.0
            for name, value in cand.features.items():
                if name != "bm25":
                    assert 0.0 <= value <= 1.0, (name, value)


def test_reasons_text(tiny_index):
    got = by_name(rank(industry("upstream"), tiny_index))
    reasons = got["甲正极公司"].reasons
    assert reasons[0] == "同属锂电新能源产业链"
    assert any(
        r.startswith("关键词：")
        for r in by_name(rank(q(title="动力电池", text="动力电池"), tiny_index))["甲县电池研究院"].reasons
    )


def test_determinism(tiny_index):
    query = capital(amount_yuan=3_000_000)
    first = rank(query, tiny_index)
    assert [(c.key, c.score, c.reasons) for c in first] == [
        (c.key, c.score, c.reasons) for c in rank(query, tiny_index)
    ]
    shuffled = build_index(tuple(reversed(TINY_RESOURCES)), (CHAIN, OTHER), COUNTIES, version="tiny2")
    assert [(c.key, c.score) for c in rank(query, shuffled)] == [(c.key, c.score) for c in first]


def test_top_and_unknown_kind(tiny_index):
    assert len(rank(capital(), tiny_index, top=2)) == 2
    with pytest.raises(ValueError):
        rank(replace(capital(), kind="nonsense"), tiny_index)


def test_index_version_and_pools(tiny_index):
    assert tiny_index.version == "tiny"
    assert np.all(np.diff(tiny_index.views["industry"].pos) > 0)
    assert len(tiny_index.views["industry"]) == 5


# ---- shortlist (exact top-k by an upper bound) ------------------------------------------------------------
@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"penalty.sample": 0.4, "industry.fit": 0.6, "capital.fit": 0.5},
        # a negative penalty raises scores: the bound must grow with it
        {"penalty.declined": -0.5, "penalty.off_direction": -0.2, "rel.wanted_mentioned": 1.5},
    ],
)
def test_shortlist_gives_the_same_ranking_as_scoring_every_candidate(catalog, monkeypatch, overrides):
    """`score_pool` scores only a shortlist when the bound proves nothing else can enter the top k."""
    from devtools.matching.bench import synthetic_catalog, synthetic_orders
    from engine import scoring

    synthetic = synthetic_catalog(3000, seed=5, base=catalog)
    index = build_index(
        synthetic.resources, synthetic.chain_types, synthetic.counties_to_prefecture, version="s"
    )
    orders = synthetic_orders(160, seed=6, base=catalog)
    orders = [replace(o, declined_keys=frozenset(index.keys[i] for i in (3, 50, 700))) for o in orders]
    shortlisted = scoring._score_shortlist
    used = []

    def counting(*args, **kwargs):
        found = shortlisted(*args, **kwargs)
        used.append(found is not None)
        return found

    def flat(results):
        return [(c.key, c.score, c.reasons, c.features) for c in results]

    monkeypatch.setattr(scoring, "_score_shortlist", counting)
    fast = [flat(rank(o, index, top=top, weights=overrides)) for o in orders for top in (1, 10)]
    monkeypatch.setattr(scoring, "_score_shortlist", lambda *args, **kwargs: None)
    full = [flat(rank(o, index, top=top, weights=overrides)) for o in orders for top in (1, 10)]
    assert fast == full
    assert sum(used) > len(used) / 2  # the shortlist really was what answered most orders
