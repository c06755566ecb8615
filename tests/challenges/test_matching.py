"""Achievements in the matching engine: a challenge's proposed bidders include the organization whose achievement
fits, with the achievement named in the reasons; the engine without achievements ranks as before."""

import pytest

from challenges import matching, services
from engine import OrderQuery, build_index, rank
from engine.loaders import achievement_record, records_from_csv_dir
from engine.records import RESOURCE_TYPE_POOLS
from tests.challenges.conftest import make_challenge

pytestmark = pytest.mark.django_db


def test_registry_puts_achievements_in_the_innovation_pool_only():
    assert RESOURCE_TYPE_POOLS == {"achievement": ("innovation",)}
    catalog = records_from_csv_dir("chains/data")
    c2p = dict(catalog.counties_to_prefecture)
    row = {
        "title": "高镍正极材料包覆改性技术",
        "field": "正极材料；锂电池",
        "keywords": "高镍正极；包覆",
        "summary": "高镍三元正极材料表面包覆改性，提升循环寿命",
        "location": "福建省福州市鼓楼区",
    }
    index = build_index(
        (*catalog.resources, achievement_record("achievement:1", row, c2p)),
        catalog.chain_types,
        c2p,
        version="t",
    )
    query = OrderQuery(kind="innovation", county="蕉城区", chain_type="lithium-battery", title="高镍正极材料包覆改性",
                       text="高镍正极材料循环寿命提升，需要表面包覆改性技术")  # fmt: skip
    found = {c.key: c for c in rank(query, index, top=10)}
    assert "achievement:1" in found
    assert found["achievement:1"].resource_type == "achievement"
    assert "关键词：包覆、高镍正极、改性" in found["achievement:1"].reasons
    capital = rank(
        OrderQuery(
            kind="capital", county="蕉城区", chain_type="lithium-battery", text="高镍正极材料包覆改性"
        ),
        index,
    )
    assert all(c.resource_type != "achievement" for c in capital)


def test_proposed_bidders_name_the_fitting_achievement(personas, experts):
    services.save_achievement(
        None,
        by=experts["inst_fzu"],
        data={
            "title": "抗菌凉感功能性面料整理技术",
            "field": "纺织材料",
            "summary": "纳米银抗菌与凉感纤维复合整理工艺，抗菌率99%，凉感系数0.25，已在针织面料中试。",
            "keywords": "功能性面料；抗菌；凉感",
            "maturity": "pilot",
            "ip_kind": "invention_patent",
            "licensing": "license",
        },
    )
    challenge = make_challenge(personas)
    proposals = matching.proposed_bidders(challenge)
    by_name = {p.name: p for p in proposals}
    assert "福州大学" in by_name, [p.name for p in proposals]
    fzu = by_name["福州大学"]
    assert fzu.organization_id == experts["inst_fzu"].organization_id
    assert fzu.achievements == ["抗菌凉感功能性面料整理技术"]
    assert fzu.reasons[0] == "科技成果契合：《抗菌凉感功能性面料整理技术》（中试阶段）"
    assert fzu.as_dict()["reasons"][0].startswith("科技成果契合")


def test_unpublished_achievements_are_not_indexed(personas, experts):
    services.save_achievement(
        None,
        by=experts["inst_fzu"],
        data={"title": "抗菌凉感功能性面料整理技术", "field": "纺织材料", "summary": "抗菌 凉感 功能性面料",
              "maturity": "pilot", "ip_kind": "know_how", "licensing": "joint", "is_published": False},
    )  # fmt: skip
    challenge = make_challenge(personas)
    assert all(not p.achievements for p in matching.proposed_bidders(challenge))
