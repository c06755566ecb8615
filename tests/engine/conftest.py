"""Fixtures for the pure-Python engine tests (no Django, no database)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine import build_index, records_from_csv_dir  # noqa: E402
from engine.records import ChainTypeRec, LinkRec, ResourceRec  # noqa: E402

DATA_DIR = ROOT / "chains" / "data"
CASES = Path(__file__).resolve().parents[1] / "data" / "match_dev_cases.jsonl"
TODAY = date(2025, 6, 1)


@pytest.fixture(scope="session")
def catalog():
    return records_from_csv_dir(DATA_DIR)


@pytest.fixture(scope="session")
def real_index(catalog):
    return build_index(catalog.resources, catalog.chain_types, catalog.counties_to_prefecture, version="test")


# ---- a tiny hand-made world -----------------------------------------------------------------------------
CHAIN = ChainTypeRec(
    code="lb",
    name="锂电新能源",
    links=(
        LinkRec("lb:0", "正极材料", "upstream", 0, ("正极材料", "磷酸铁锂")),
        LinkRec("lb:1", "结构件与电子元件", "midstream", 1, ("结构件", "精密结构件")),
        LinkRec("lb:2", "电芯与电池包", "midstream", 2, ("电芯", "动力电池", "储能电池")),
        LinkRec("lb:3", "储能与光储充检", "downstream", 3, ("储能", "光储充")),
    ),
)
OTHER = ChainTypeRec(
    code="tea", name="茶", links=(LinkRec("tea:0", "茶叶加工", "midstream", 0, ("白茶", "茶叶加工")),)
)
COUNTIES = {"甲县": "东市", "乙县": "东市", "丙县": "西市"}


def ent(key, name, link, county, products, chain="lb"):
    chain_rec = CHAIN if chain == "lb" else OTHER
    lk = chain_rec.link(link)
    return ResourceRec(
        key=key,
        resource_type="enterprise",
        name=name,
        fields_text=products,
        text=f"{name}，主营{products}。",
        chain_type=chain,
        link_name=link,
        link_id=lk.id if lk else None,
        county=county,
        prefecture=COUNTIES.get(county),
        in_fujian=county in COUNTIES,
    )


def inst(key, name, county, prefecture, in_fujian, fields):
    return ResourceRec(
        key=key,
        resource_type="institution",
        name=name,
        fields_text=fields,
        text=f"研究{fields}。",
        county=county,
        prefecture=prefecture,
        in_fujian=in_fujian,
        kind="university",
    )


def product(key, name, region, max_amount=None, valid_until=None, kind="credit_loan", text="流动资金贷款"):
    county = region if region in COUNTIES else None
    prefecture = COUNTIES.get(region) if county else (region if region in COUNTIES.values() else None)
    return ResourceRec(
        key=key,
        resource_type="financial_product",
        name=name,
        fields_text="锂电企业",
        text=text,
        region=region,
        county=county,
        prefecture=prefecture,
        in_fujian=True,
        max_amount_yuan=max_amount,
        valid_until=valid_until,
        kind=kind,
    )


TINY_RESOURCES = (
    ent("enterprise:1", "甲正极公司", "正极材料", "甲县", "磷酸铁锂；正极材料"),
    ent("enterprise:2", "乙结构件公司", "结构件与电子元件", "乙县", "精密结构件"),
    ent("enterprise:3", "甲电芯公司", "电芯与电池包", "甲县", "动力电池；电芯"),
    ent("enterprise:4", "丙储能公司", "储能与光储充检", "丙县", "储能系统；光储充"),
    ent("enterprise:5", "甲白茶公司", "茶叶加工", "甲县", "白茶", chain="tea"),
    inst("institution:1", "甲县电池研究院", "甲县", "东市", True, "动力电池；电池材料"),
    inst("institution:2", "乙县电池研究院", "乙县", "东市", True, "动力电池；电池材料"),
    inst("institution:3", "丙县电池研究院", "丙县", "西市", True, "动力电池；电池材料"),
    inst("institution:4", "省外电池研究院", None, None, False, "动力电池；电池材料"),
    product("financial_product:1", "全省电池贷", "全省", 20_000_000),
    product("financial_product:2", "东市电池贷", "东市", 5_000_000),
    product("financial_product:3", "丙县电池贷", "丙县", 20_000_000),
    product("financial_product:4", "小额电池贷", "全省", 1_000_000),
    product("financial_product:5", "过期电池贷", "全省", 20_000_000, valid_until=date(2025, 1, 1)),
    product("financial_product:6", "长期电池贷", "全省", 20_000_000, valid_until=date(2026, 1, 1)),
    ResourceRec(
        key="fund:1",
        resource_type="fund",
        name="东市电池创投基金",
        fields_text="锂电；动力电池",
        text="创业投资 股权投资 初创企业",
        county=None,
        prefecture="东市",
        in_fujian=True,
        size_yuan=500_000_000,
        stage="venture",
        kind="city",
    ),
)


@pytest.fixture(scope="session")
def tiny_index():
    return build_index(TINY_RESOURCES, (CHAIN, OTHER), COUNTIES, version="tiny")
