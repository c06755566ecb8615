"""Stored match reasons: structured, supported by the resource's data, rendered per language; the list ends
without padding; older text reasons are migrated."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from engine.reasons import TEMPLATES, render_reason
from matchmaking import match_index, matching
from matchmaking.choices import MatchState, OrderKind, OrderState
from matchmaking.models import Match
from tests.engine.reason_check import chain_words_of, unsupported

ORDERS = [
    {"kind": OrderKind.INNOVATION},
    {"kind": OrderKind.CAPITAL},
    {"kind": OrderKind.TALENT},
    {"kind": OrderKind.INDUSTRY, "link_name": "织造"},
    {
        "kind": OrderKind.INNOVATION,
        "county": "罗源县",
        "chain_type": "metallurgy",
        "title": "高温合金材料研发合作",
        "description": "冶金企业希望与高校院所合作开展高温合金材料研发和冶炼余热回收节能工艺改造。",
        "keywords": "高温合金；节能",
    },
    {
        "kind": OrderKind.CAPITAL,
        "county": "罗源县",
        "title": "结构件项目股权融资",
        "description": "新能源电池结构件项目拟引入产业基金股权投资，用于扩建产线。",
        "amount_yuan": 50_000_000,
        "financing_type": "",
    },
]


def test_every_stored_reason_is_structured_and_supported_by_the_resource(order_factory):
    index = match_index.get_index()
    chain_words = chain_words_of(index)
    checked = 0
    for fields in ORDERS:
        order = order_factory(**fields)
        assert matching.match_and_store(order.pk) == "done"
        query = matching.query_for_order(order)
        rows = list(Match.objects.filter(order=order).order_by("rank"))
        assert rows, fields
        for match in rows:
            res = index.resources[index.key_pos[f"{match.resource_type}:{match.resource_id}"]]
            for reason in match.reasons:
                assert isinstance(reason, dict) and reason["code"] in TEMPLATES
                problem = unsupported(reason, res, query, chain_words)
                assert problem is None, (
                    f"{order.title} {match.resource_name}: {render_reason(reason)} — {problem}"
                )
                checked += 1
    assert checked > 60


def test_reasons_render_in_the_active_language(db):
    match = Match(
        reasons=[
            {"code": "thesaurus", "params": {"field": "材料科学与工程", "term": "合金"}},
            {"code": "amount_below", "params": {"max": 30_000_000}},
            {"code": "financing_loan_stated", "params": {}},
            "旧版本的理由",
        ]
    )
    with translation.override("zh-hans"):
        assert match.reason_texts == [
            "学科相关：材料科学与工程 ⊃ 合金",
            "最高额度3000万元，低于需求金额（排在覆盖需求的产品之后）",
            "融资方式：贷款（需求注明），仅匹配贷款与担保类产品",
            "旧版本的理由",
        ]
    with translation.override("en"):
        texts = match.reason_texts
    assert texts[0] == "Related field: 材料科学与工程 ⊃ 合金"
    assert texts[1].startswith("Ceiling 3000 ten-thousand yuan, below the amount needed")
    assert texts[2].startswith("Financing: loan (stated in the order)")
    assert texts[3] == "旧版本的理由"


def test_migration_keeps_text_reasons_and_queues_open_orders(order_factory):
    migration = importlib.import_module("matchmaking.migrations.0005_structured_match_reasons")
    order = order_factory(state=OrderState.PUBLISHED, match_state=MatchState.DONE)
    done = order_factory(state=OrderState.RESOLVED, match_state=MatchState.DONE)
    Match.objects.create(
        order=order, resource_type="institution", resource_id=1, rank=1, score=0.5, reasons=["旧理由"]
    )
    migration.forwards(apps, None)
    assert Match.objects.get(order=order).reasons == [{"code": "text", "params": {"text": "旧理由"}}]
    order.refresh_from_db()
    done.refresh_from_db()
    assert order.match_state == MatchState.PENDING and done.match_state == MatchState.DONE
    migration.backwards(apps, None)
    assert Match.objects.get(order=order).reasons == ["旧理由"]


@pytest.mark.parametrize("min_score", [0.15, 0.6])
def test_the_score_floor_comes_from_the_settings(order_factory, settings, min_score):
    settings.MATCH_MIN_SCORE = min_score
    ranked = matching.rank_order(order_factory())
    assert ranked and all(c.score >= min_score for c in ranked)
