from devtools.matching.evaluate import evaluate, format_table, load_cases, query_from_case

from .conftest import CASES, TODAY


def test_dev_cases_recall_and_no_forbid_violations(real_index):
    cases = load_cases(CASES)
    assert len(cases) >= 20
    result = evaluate(cases, real_index, today=TODAY)
    misses = [(r["id"], r["top5"]) for r in result["cases"] if r["rank"] is None or r["rank"] > 5]
    assert result["overall"]["recall@5"] >= 0.9, misses
    assert result["forbid_violations"] == []
    assert set(result["by_kind"]) == {"innovation", "capital", "talent", "industry"}
    for metrics in [result["overall"], *result["by_kind"].values()]:
        assert 0.0 <= metrics["recall@1"] <= metrics["recall@5"] <= 1.0
        assert 0.0 <= metrics["mrr"] <= 1.0
    assert "overall" in format_table(result)


def test_metrics_definition(real_index):
    case = {
        "id": "X",
        "kind": "capital",
        "county": "南安市",
        "chain_type": "stone",
        "title": "荒料仓单质押",
        "text": "石材企业希望以荒料仓单质押融资",
        "expect": ["不存在的名字"],
        "forbid": ["石材荒料仓单质押贷"],
    }
    result = evaluate([case], real_index, today=TODAY)
    assert result["overall"] == {"n": 1, "recall@1": 0.0, "recall@5": 0.0, "mrr": 0.0}
    assert result["forbid_violations"][0]["rank"] == 1
    hit = dict(case, expect=["石材荒料仓单质押贷"], forbid=[])
    assert evaluate([hit], real_index, today=TODAY)["overall"]["mrr"] == 1.0


def test_query_from_case():
    query = query_from_case(
        {
            "kind": "capital",
            "county": "南安市",
            "chain_type": "stone",
            "title": "t",
            "text": "x",
            "amount_yuan": "5000000",
            "declined_keys": ["fund:1"],
        },
        TODAY,
    )
    assert query.amount_yuan == 5_000_000
    assert query.declined_keys == frozenset({"fund:1"})
    assert query.today == TODAY
