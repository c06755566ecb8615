"""The three commands: `match`, `evaluate_matching` and `bench_matching`, run as documented."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

CASES = Path(__file__).resolve().parents[2] / "data" / "match_dev_cases.jsonl"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_match_ranks_without_saving(reference):
    from matchmaking.models import Match, Order

    out = run(
        "match",
        "--county",
        "罗源县",
        "--kind",
        "industry",
        "--chain-type",
        "lithium-battery",
        "--text",
        "本县电池材料企业寻找上游的正极材料、锂盐原料供应商。",
        "--link",
        "电芯与电池包",
        "--top",
        "5",
        "--json",
    )
    rows = json.loads(out)
    assert 1 <= len(rows) <= 5
    assert all(set(r) == {"name", "resource_type", "score", "reasons"} for r in rows)
    assert all(r["resource_type"] == "enterprise" and r["reasons"] for r in rows)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert not Match.objects.exists() and not Order.objects.exists()


def test_match_capital_with_amount_and_plain_output(reference):
    out = run(
        "match",
        "--county",
        "罗源县",
        "--kind",
        "capital",
        "--chain-type",
        "metallurgy",
        "--text",
        "扩建产线需要流动资金贷款",
        "--amount",
        "5000000",
        "--top",
        "3",
    )
    assert out.count("\n") >= 2 and "financial_product" in out


def test_match_rejects_unknown_county_and_chain_type(reference):
    with pytest.raises(CommandError, match="未知的县域"):
        run("match", "--county", "不存在县", "--kind", "talent", "--chain-type", "food", "--text", "x")
    with pytest.raises(CommandError, match="未知的产业链类型"):
        run("match", "--county", "罗源县", "--kind", "talent", "--chain-type", "nope", "--text", "x")


def test_evaluate_matching_on_the_development_cases(reference):
    result = json.loads(run("evaluate_matching", str(CASES), "--json"))
    assert result["overall"]["n"] == 22
    assert result["overall"]["recall@5"] >= 0.9
    assert set(result["by_kind"]) == {"innovation", "capital", "talent", "industry"}
    assert result["forbid_violations"] == []
    table = run("evaluate_matching", str(CASES))
    assert "overall" in table and "R@5" in table and "forbid violations: 0" in table


def test_evaluate_matching_reports_forbid_violations(reference, tmp_path):
    case = {
        "id": "X1",
        "county": "晋江市",
        "kind": "innovation",
        "chain_type": "textile-apparel",
        "title": "功能性面料",
        "text": "纺织企业需要功能性面料和纤维材料方面的高校合作。",
        "expect": ["东华大学"],
        "forbid": ["东华大学"],
    }
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(case, ensure_ascii=False) + "\n", encoding="utf-8")
    result = json.loads(run("evaluate_matching", str(path), "--json"))
    assert [v["forbid"] for v in result["forbid_violations"]] == ["东华大学"]
    assert "FORBID X1" in run("evaluate_matching", str(path))


def test_bench_matching_prints_the_documented_keys(reference):
    result = json.loads(
        run(
            "bench_matching",
            "--resources",
            "600",
            "--orders",
            "40",
            "--repeat",
            "1",
            "--baseline-samples",
            "5",
            "--json",
        )
    )
    for key in ("index_build_s", "single_p50_ms", "single_p95_ms", "rematch_s", "baseline_p95_ms", "speedup"):
        assert isinstance(result[key], (int, float)) and result[key] >= 0
    assert result["n_resources"] == 600 and result["n_orders"] == 40
    for key in ("index_rss_mb", "index_build_peak_rss_mb", "process_rss_mb"):  # memory, from /proc
        assert isinstance(result[key], float)
    assert result["index_build_peak_rss_mb"] >= result["process_rss_mb"] * 0.5 > 0
