"""Engine refinements made with the adapter: partner-type words and the off-chain penalty (no database)."""

from datetime import date

import pytest

from engine import OrderQuery, build_index, rank
from engine.features import plan_query
from engine.records import ChainTypeRec, LinkRec, ResourceRec
from engine.segment import STOPWORDS
from engine.weights import DEFAULT_WEIGHTS

STEEL = ChainTypeRec(
    "steel", "绿色冶金", (LinkRec("steel:0", "钢铁冶炼", "upstream", 0, ("钢铁", "冶炼", "冶金")),)
)
TEXTILE = ChainTypeRec(
    "textile", "纺织鞋服", (LinkRec("textile:0", "织造", "midstream", 0, ("功能性面料", "纺织", "面料")),)
)
COUNTIES = {"甲县": "东市"}


def inst(key, name, fields, text=""):
    return ResourceRec(
        key=key,
        resource_type="institution",
        name=name,
        fields_text=fields,
        text=text or f"研究{fields}。",
        in_fujian=True,
        prefecture="东市",
        kind="research_institute",
    )


@pytest.fixture(scope="module")
def index():
    resources = (
        inst("institution:1", "冶金材料研究院", "冶金；钢铁；复合材料"),
        inst("institution:2", "纺织面料研究院", "纺织；功能性面料；面料；复合材料"),
        inst("institution:3", "综合服务中心", "技术服务", "组织高校院所专家开展服务。"),
    )
    return build_index(resources, (STEEL, TEXTILE), COUNTIES, version="tuning")


def q(text, chain="steel"):
    return OrderQuery(kind="innovation", county="甲县", chain_type=chain, text=text, today=date(2025, 6, 1))


def test_relation_words_are_stop_words():
    assert {"合作", "对接", "联合"} <= STOPWORDS


def test_partner_words_weigh_little(index):
    damped = [c.name for c in rank(q("需要复合材料方面与高校院所合作"), index)]
    assert damped[0] == "冶金材料研究院"
    # 高校院所 says who is wanted, not what about: it weighs little and is no specific reason to list one
    assert "综合服务中心" not in damped
    plan = plan_query(index, q("需要复合材料方面与高校院所合作"), index.weights)
    partner = next(w for w in ("高校院所", "院所", "高校") if w in index.vocab)
    at = plan.term_ids.tolist().index(index.vocab[partner])
    assert plan.term_w[at] == pytest.approx(DEFAULT_WEIGHTS["query.partner_term"])
    assert not plan.specific[at]


def test_specialist_of_another_chain_is_scored_down(index):
    results = rank(q("需要复合材料方面的研发"), index)
    by_name = {c.name: c for c in results}
    steel, textile = by_name["冶金材料研究院"], by_name["纺织面料研究院"]
    assert steel.features["text"] == pytest.approx(textile.features["text"], abs=0.35)
    assert steel.score > textile.score
    no_penalty = {
        c.name: c for c in rank(q("需要复合材料方面的研发"), index, weights={"penalty.off_chain": 0.0})
    }
    assert no_penalty["纺织面料研究院"].score > textile.score
    # the same institute ranks first for its own chain
    assert rank(q("需要复合材料方面的研发", chain="textile"), index)[0].name == "纺织面料研究院"
