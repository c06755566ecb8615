"""Issue 15: domain vocabulary, no filler, true reasons, strict eligibility and learning from outcomes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from devtools.matching.evaluate import load_cases, query_from_case
from engine import build_index, rank
from engine.features import plan_query
from engine.outcomes import with_outcomes
from engine.reasons import render_reason
from engine.records import OrderQuery, OutcomeRec
from engine.segment import normalize
from engine.thesaurus import load_thesaurus, parse_thesaurus
from engine.weights import DEFAULT_WEIGHTS

from .conftest import CASES, TODAY
from .reason_check import chain_words_of, unsupported

CASES_V2 = CASES.parent / "match_cases_v2.jsonl"


def by_name(results):
    return {c.name: c for c in results}


def query(**kw):
    base = {"kind": "innovation", "county": "罗源县", "chain_type": "metallurgy", "today": TODAY}
    base.update(kw)
    return OrderQuery(**base)


# ---- the thesaurus ---------------------------------------------------------------------------------------
def test_thesaurus_file_covers_every_chain_type_and_aquaculture(catalog):
    thes = load_thesaurus()
    assert thes.version
    codes = {c.code for c in catalog.chain_types}
    assert codes <= set(thes.chains), codes - set(thes.chains)
    assert thes.chains["aquaculture"].name == "水产"
    assert {"大黄鱼", "鲍鱼", "水产品"} <= thes.chain_words("aquaculture") | set(
        thes.discipline("水产").terms
    )
    for chain in catalog.chain_types:
        assert thes.chain_words(chain.code), f"{chain.code} has no chain vocabulary"


def test_thesaurus_expansions_link_terms_fields_and_synonyms():
    exp = load_thesaurus().expansions()
    fields = {(e.target, e.relation, e.field, e.term) for e in exp["合金"]}
    assert ("材料科学与工程", "thesaurus", "材料科学与工程", "合金") in fields
    assert ("金属材料", "thesaurus", "金属材料", "合金") in fields
    fluor = {(e.target, e.field) for e in exp["含氟聚合物"]}
    assert ("有机氟化学", "有机氟化学") in fluor
    assert ("化学工程与催化", "化学工程与技术") in {(e.target, e.field) for e in exp["催化剂"]}
    assert ("锂离子电池", "synonym") in {(e.target, e.relation) for e in exp["锂电池"]}
    narrower = {e.target for e in exp["冶金工程"] if e.relation == "thesaurus_narrower"}
    assert {"冶炼", "熔炼", "钢坯"} <= narrower


def test_thesaurus_rejects_a_chain_naming_an_unknown_discipline():
    with pytest.raises(ValueError, match="unknown disciplines"):
        parse_thesaurus({"disciplines": {"化学工程": {}}, "chains": {"x": {"disciplines": ["不存在"]}}})


def test_a_field_reaches_a_resource_that_states_only_the_discipline(real_index):
    q = query(title="高温合金", text="特钢企业开发高温合金和特种合金产品，需要合金成分设计方面的高校合作。")
    plan = plan_query(real_index, q, real_index.weights)
    expanded = {real_index.terms[t]: v for t, v in plan.expanded.items()}
    assert expanded["材料科学与工程"] == ("thesaurus", "材料科学与工程", "高温合金")
    weights = dict(zip(plan.term_ids.tolist(), plan.term_w.tolist(), strict=True))
    literal = weights[real_index.vocab["高温合金"]]
    assert weights[real_index.vocab["材料科学与工程"]] < literal  # lower weight than the literal word
    got = by_name(rank(q, real_index))
    ustb = got["北京科技大学"]  # states 冶金工程, 钢铁材料, 材料科学与工程, never 合金
    assert "合金" not in normalize(real_index.resources[real_index.key_pos[ustb.key]].fields_text)
    assert any(r.startswith("学科相关：") and "⊃" in r for r in ustb.reasons)
    off = rank(
        q, real_index, weights={"thesaurus.field": 0.0, "thesaurus.narrower": 0.0, "thesaurus.synonym": 0.0}
    )
    assert ustb.score > by_name(off).get("北京科技大学", ustb).score or "北京科技大学" not in by_name(off)


# ---- no filler -------------------------------------------------------------------------------------------
def test_generic_words_carry_almost_no_weight_and_list_no_one(real_index):
    q = query(
        chain_type="motors",
        county="福安市",
        title="电机新产品联合攻关",
        text="电机企业希望与高校院所联合攻关，开展新产品研发。",
    )
    plan = plan_query(real_index, q, real_index.weights)
    for word in ("研发", "攻关"):
        tid = real_index.vocab[word]
        at = plan.term_ids.tolist().index(tid)
        assert plan.term_w[at] <= DEFAULT_WEIGHTS["query.generic_term"] and not plan.specific[at]
    names = [c.name for c in rank(q, real_index)]
    assert names[0] in ("哈尔滨工业大学", "华中科技大学")
    assert "氢能产业联合研究院" not in names and "藤铁工业创新发展研究院" not in names


def test_a_word_inside_a_longer_word_is_no_reason(real_index):
    q = OrderQuery(
        kind="industry",
        county="福鼎市",
        chain_type="lithium-battery",
        title="磷酸铁锂正极材料本地配套",
        text="电芯企业寻找本地磷酸铁锂正极材料供应商。",
        today=TODAY,
    )
    names = [c.name for c in rank(q, real_index)]
    assert names[0].startswith(("福鼎正极材料企业", "厦钨新能源", "蕉城正极前驱体企业"))
    assert not any("六氟磷酸锂" in n for n in names)  # 磷酸 inside 磷酸铁锂 matched 六氟磷酸锂 before


def test_the_list_ends_below_the_score_floor(real_index):
    q = query(
        chain_type="ceramics",
        county="德化县",
        title="陶瓷窑炉节能改造",
        text="陶瓷企业的隧道窑能耗高，需要窑炉节能技术支持。",
    )
    full = rank(q, real_index, top=20)
    assert 0 < len(full) < 20 and min(c.score for c in full) >= DEFAULT_WEIGHTS["list.min_score"]
    assert len(rank(q, real_index, top=20, min_score=0.5)) < len(full)


# ---- reasons that are true -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [CASES, CASES_V2], ids=["dev", "v2"])
def test_every_reason_is_supported_by_the_resource_data(real_index, path):
    chain_words = chain_words_of(real_index)
    checked = 0
    for case in load_cases(path):
        q = query_from_case(case, TODAY)
        q = replace(q, prefecture=real_index.prefecture_of(q.county))
        for cand in rank(q, real_index, top=10):
            res = real_index.resources[real_index.key_pos[cand.key]]
            assert cand.reasons == [render_reason(r) for r in cand.reason_codes]
            for reason in cand.reason_codes:
                problem = unsupported(reason, res, q, chain_words)
                assert problem is None, f"{case['id']} {cand.name}: {render_reason(reason)} — {problem}"
                checked += 1
    assert checked > 300


def test_no_chain_label_from_a_generic_word(real_index):
    q = query(title="高端合金冶炼", text="冶金企业需要高温合金冶炼与深加工方面的科研支持。")
    for cand in rank(q, real_index, top=20):
        for r in cand.reasons:
            assert not (cand.name == "中国农业科学院茶叶研究所" and "绿色冶金" in r)


# ---- strict eligibility ----------------------------------------------------------------------------------
def capital(**kw):
    base = {"kind": "capital", "county": "安溪县", "chain_type": "tea", "today": TODAY}
    base.update(kw)
    return OrderQuery(**base)


def test_the_financing_type_decides_the_pool(real_index):
    loan = rank(
        capital(title="茶企流动资金", text="茶企收购茶青需要流动资金贷款300万元。", amount_yuan=3_000_000),
        real_index,
    )
    assert loan and all(c.resource_type == "financial_product" for c in loan)
    assert all("融资方式：贷款（据需求文本推断）" in "；".join(c.reasons) for c in loan)
    equity = rank(capital(title="茶企股权融资", text="茶企引入股权投资扩产。"), real_index, top=20)
    assert equity and all(
        c.resource_type == "fund" or "投贷联动" in c.reasons[0] or c.features["type_fit"] == 1 for c in equity
    )
    assert not any(c.resource_type == "financial_product" and c.features["type_fit"] < 1 for c in equity)
    both = rank(
        capital(title="投贷联动", text="项目希望以投贷联动方式获得股权投资和贷款。"), real_index, top=20
    )
    assert {"fund", "financial_product"} <= {c.resource_type for c in both}


def test_a_county_fund_serves_its_own_county(real_index):
    q = capital(
        county="海沧区",
        chain_type="biomedicine",
        title="创新药股权融资",
        text="创新药企业寻求股权投资。",
        financing_type="equity",
    )
    names = [c.name for c in rank(q, real_index, top=20)]
    assert "海沧区政府引导基金" in names
    assert not {"同创基金", "同研基金", "安溪县股权投资基金（系列）"} & set(names)
    city = rank(replace(q, county="同安区"), real_index, top=20)
    assert "海沧区政府引导基金" not in [c.name for c in city]


def test_a_ceiling_below_the_need_ranks_after_the_products_that_cover_it(real_index):
    q = capital(
        county="晋江市",
        chain_type="textile-apparel",
        title="技改贷款",
        text="纺织企业技术改造需要技改贷款4000万元。",
        amount_yuan=40_000_000,
        financing_type="loan",
    )
    got = rank(q, real_index, top=20)
    below = [i for i, c in enumerate(got) if c.features.get("under_amount")]
    covering = [i for i, c in enumerate(got) if not c.features.get("under_amount")]
    assert below and covering and max(covering) < min(below)
    assert all("低于需求金额" in "；".join(got[i].reasons) for i in below)


def test_the_party_placing_the_need_is_never_its_own_candidate(real_index):
    q = query(
        county="蕉城区",
        chain_type="lithium-battery",
        title="固态电池基础研究合作",
        text="宁德时代21C创新实验室希望与高校院所合作开展固态电池前沿基础研究。",
    )
    assert "宁德时代21C创新实验室" not in [c.name for c in rank(q, real_index, top=20)]
    keyed = replace(
        q, text="希望与高校院所合作开展固态电池前沿基础研究。", requester_keys=frozenset({"institution:68"})
    )
    name = real_index.resources[real_index.key_pos["institution:68"]].name
    assert name not in [c.name for c in rank(keyed, real_index, top=20)]


def test_competitors_on_the_own_link_come_after_every_partner(real_index):
    q = OrderQuery(
        kind="industry",
        county="罗源县",
        chain_type="metallurgy",
        title="上游钢带供应",
        text="钢材深加工企业寻找上游不锈钢带和钢坯供应商。",
        today=TODAY,
    )
    got = rank(q, real_index, top=20)
    same = [i for i, c in enumerate(got) if any(r.startswith("同一环节") for r in c.reasons)]
    others = [i for i, c in enumerate(got) if i not in same]
    assert others and (not same or max(others) < min(same))
    assert got[0].name in ("宝钢德盛", "罗源闽光", "三钢闽光")


# ---- learning from outcomes ------------------------------------------------------------------------------
def _innovation():
    return query(
        chain_type="ceramics",
        county="德化县",
        title="日用瓷烧成",
        text="陶瓷企业需要日用瓷烧成工艺方面的科研合作。",
    )


def test_success_on_similar_orders_lifts_a_provider_and_is_explained(real_index):
    plain = by_name(rank(_innovation(), real_index, top=20))
    target = "中国科学院上海硅酸盐研究所"
    key = plain[target].key
    outcome = OutcomeRec(
        "ceramics", "innovation", "德化县", TODAY - timedelta(days=30), 1, key=key, order_title="白瓷釉面攻关"
    )
    learnt = with_outcomes(real_index, [outcome])
    got = by_name(rank(_innovation(), learnt, top=20))[target]
    assert got.score > plain[target].score
    assert "曾为同类需求成功对接：白瓷釉面攻关（德化县）" in got.reasons
    # another chain type or kind teaches nothing
    other = with_outcomes(real_index, [replace(outcome, chain_type="tea"), replace(outcome, kind="talent")])
    assert by_name(rank(_innovation(), other, top=20))[target].score == plain[target].score


def test_a_single_outcome_cannot_dominate_and_old_ones_fade(real_index):
    plain = rank(_innovation(), real_index, top=20)
    last = plain[-1]
    w = DEFAULT_WEIGHTS
    outcome = OutcomeRec("ceramics", "innovation", "德化县", TODAY, 1, key=last.key, order_title="某需求")
    one = by_name(rank(_innovation(), with_outcomes(real_index, [outcome]), top=20))[last.name]
    # formula: score × (1 + boost × (1 − exp(−Σ proximity × 0.5^(age/half-life) / tau)))
    assert one.score == pytest.approx(
        min(1.0, last.score * (1 + w["outcome.boost"] * (1 - 2.718281828**-1))), abs=2e-6
    )
    many = with_outcomes(real_index, [outcome] * 50)
    capped = by_name(rank(_innovation(), many, top=20))[last.name]
    assert capped.score <= last.score * (1 + w["outcome.boost"]) + 1e-6
    assert capped.score < plain[0].score or last.name == plain[0].name
    old = replace(outcome, day=TODAY - timedelta(days=int(3 * w["outcome.half_life_days"])))
    faded = by_name(rank(_innovation(), with_outcomes(real_index, [old]), top=20))[last.name]
    assert last.score < faded.score < one.score
    far = replace(outcome, county="上杭县")  # another prefecture: less than the same county
    assert by_name(rank(_innovation(), with_outcomes(real_index, [far]), top=20))[last.name].score < one.score


def test_irrelevant_declines_lower_a_provider_for_similar_needs(real_index):
    plain = by_name(rank(_innovation(), real_index, top=20))
    target = "景德镇陶瓷大学"
    bad = OutcomeRec("ceramics", "innovation", "德化县", TODAY, -1, key=plain[target].key, order_title="x")
    got = by_name(rank(_innovation(), with_outcomes(real_index, [bad]), top=20))[target]
    assert got.score < plain[target].score
    assert got.score >= plain[target].score * (1 - DEFAULT_WEIGHTS["outcome.penalty"]) - 1e-6
    assert "曾被同类需求标为不相关（已降权）" in got.reasons


def test_outcomes_resolve_partners_by_name(real_index):
    rec = OutcomeRec("ceramics", "innovation", "德化县", TODAY, 1, name="景德镇陶瓷大学", order_title="y")
    learnt = with_outcomes(real_index, [rec])
    group = learnt.outcome_groups[(learnt.chain_pos["ceramics"], "innovation")]
    assert [learnt.resources[p].name for p in group.pos.tolist()] == ["景德镇陶瓷大学"]
    assert real_index.outcome_groups == {}  # the original index is untouched


def test_build_index_takes_outcomes_and_background_texts(catalog):
    texts = ["本县企业需要技术支持与服务"] * 60
    idx = build_index(
        catalog.resources,
        catalog.chain_types,
        catalog.counties_to_prefecture,
        background_texts=texts,
        outcomes=[OutcomeRec("tea", "capital", "安溪县", date(2025, 1, 1), 1, name="福农e链")],
    )
    assert idx.generic_fixed[idx.vocab["支持"]] if "支持" in idx.vocab else True
    assert (idx.chain_pos["tea"], "capital") in idx.outcome_groups


def test_an_orders_own_outcome_does_not_count_for_it(real_index):
    plain = by_name(rank(_innovation(), real_index, top=20))
    target = "景德镇陶瓷大学"
    rec = OutcomeRec(
        "ceramics", "innovation", "德化县", TODAY, 1, key=plain[target].key, order_title="z", order_id=5
    )
    learnt = with_outcomes(real_index, [rec])
    same = by_name(rank(replace(_innovation(), order_id=5), learnt, top=20))[target]
    other = by_name(rank(replace(_innovation(), order_id=6), learnt, top=20))[target]
    assert same.score == plain[target].score and not any("成功对接" in r for r in same.reasons)
    assert other.score > plain[target].score and any("成功对接：z" in r for r in other.reasons)
