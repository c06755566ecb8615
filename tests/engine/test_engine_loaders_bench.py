import csv

from devtools.matching.bench import (
    synthetic_catalog,
    synthetic_orders,
    time_baseline,
    time_index_build,
    time_rematch,
    time_single,
)
from engine import rank
from engine.loaders import locate

from .conftest import DATA_DIR


def _count(name):
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_records_from_csv_dir(catalog):
    by_type = {}
    for res in catalog.resources:
        by_type.setdefault(res.resource_type, []).append(res)
    assert len(by_type["institution"]) == _count("institutions.csv")
    assert len(by_type["enterprise"]) == _count("enterprises.csv")
    assert len(by_type["financial_product"]) == _count("financial_products.csv")
    assert len(catalog.chain_types) == 34  # the white paper's 33 and 水产 (section 二(六))
    assert len(catalog.counties_to_prefecture) == 83
    res = {r.name: r for r in catalog.resources}
    assert res["华侨大学"].key.startswith("institution:")
    assert res["华侨大学"].prefecture == "泉州市" and res["华侨大学"].in_fujian
    assert not res["浙江大学"].in_fujian
    assert res["闽南理工学院"].county == "石狮市"
    assert res["质量贷"].region == "晋江市" and res["质量贷"].county == "晋江市"
    assert res["林权抵押贷（示例）"].prefecture == "南平市" and res["林权抵押贷（示例）"].is_sample
    assert res["知识产权质押贷（示例）"].max_amount_yuan == 10_000_000
    assert res["宁德时代"].chain_type == "lithium-battery" and res["宁德时代"].link_id == "lithium-battery:6"
    assert res["巴斯夫"].in_fujian is False


def test_locate():
    c2p = {"石狮市": "泉州市", "鼓楼区": "福州市"}
    assert locate("福建省泉州市石狮市", c2p) == ("石狮市", "泉州市")
    assert locate("福建省泉州市", c2p) == (None, "泉州市")
    assert locate("上海市", c2p) == (None, None)


def test_synthetic_generators_are_deterministic_and_benchmarks_run(catalog):
    a = synthetic_catalog(300, seed=3, base=catalog)
    b = synthetic_catalog(300, seed=3, base=catalog)
    assert a.resources == b.resources and len(a.resources) == 300
    orders = synthetic_orders(40, seed=4, base=catalog)
    assert orders == synthetic_orders(40, seed=4, base=catalog)
    assert {o.kind for o in orders} == {"innovation", "capital", "talent", "industry"}
    build_s, index = time_index_build(a)
    assert build_s > 0
    assert any(rank(o, index) for o in orders)
    single = time_single(index, orders[:10])
    assert single["p95_ms"] >= single["p50_ms"] > 0
    assert time_rematch(index, orders) > 0
    assert time_baseline(index, orders[:3])["p95_ms"] > 0
