"""Build engine records from the reference CSV/JSON files (no Django).

The ``*_record`` builders take one row as a plain dict with the CSV column names, so the Django adapter
can call them with model field values and get exactly the records the tests and benchmarks use.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .records import ChainTypeRec, LinkRec, ResourceRec

# Chinese labels appended to the searchable text so that orders phrased in everyday words find them.
INSTITUTION_KIND_LABELS = {
    "university": "高校 大学 院校 科研院校 人才培养",
    "cas_institute": "中国科学院 研究所 科研院所",
    "research_institute": "研究院 研究所 科研院所",
    "enterprise_institute": "企业研究院 产学研平台",
    "design_firm": "设计机构 设计服务",
    "innovation_lab": "创新实验室 科研平台",
    "engineering_center": "工程研究中心 工程化 成果转化",
}
FUND_STAGE_LABELS = {
    "guidance": "引导基金 政府引导基金 母基金 股权投资",
    "venture": "创业投资 创投 早期 初创 股权投资",
    "growth": "成长期 产业投资 股权投资 扩产",
    "transformation": "成果转化 转化基金 中试 股权投资",
}
PRODUCT_TYPE_LABELS = {
    "credit_loan": "信用贷款 贷款 流动资金",
    "tech_loan": "科技贷款 技改 贷款 中长期贷款",
    "pledge_loan": "质押贷款 抵押贷款 贷款",
    "supply_chain": "供应链金融 供应链融资 保理",
    "leasing": "融资租赁 租赁",
    "insurance": "保险 风险保障",
    "equity": "投贷联动 股权 认股权",
    "guarantee": "融资担保 担保贷款 贷款",
}
TALENT_KIND_LABELS = {
    "expert_panel": "专家团 特聘专家 技术攻关 咨询",
    "service_team": "专家服务团 服务团 咨询",
    "commissioner_team": "特派团 特派员 科技服务",
    "training_base": "实训基地 技能培训 技能人才 培训",
    "industry_college": "产业学院 人才培养 技能人才 定向培养 产教融合",
    "talent_program": "人才政策 引才 人才计划",
    "postdoc_station": "博士后 工作站 科研",
}
PROVINCE_WIDE = ("全省", "福建省", "省级", "全国")


@dataclass(frozen=True)
class Catalog:
    """Everything ``build_index`` needs."""

    resources: tuple[ResourceRec, ...]
    chain_types: tuple[ChainTypeRec, ...]
    counties_to_prefecture: Mapping[str, str]


def _s(row: Mapping[str, object], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _int(value: object) -> int | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError:
        return None


def _date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    text = "" if value is None else str(value).strip()
    return date.fromisoformat(text) if text else None


def _bool(value: object, default: bool = True) -> bool:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if not text:
        return default
    return text in ("1", "true", "yes", "y", "t", "是")


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def locate(text: str, counties_to_prefecture: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(county, prefecture) named in a location/region string such as ``福建省泉州市石狮市``."""
    if not text:
        return None, None
    best = None
    for county in counties_to_prefecture:
        if county in text and (best is None or len(county) > len(best)):
            best = county
    if best:
        return best, counties_to_prefecture[best]
    for prefecture in sorted(set(counties_to_prefecture.values())):
        if prefecture in text:
            return None, prefecture
    return None, None


def _region_place(region: str, c2p: Mapping[str, str]) -> tuple[str | None, str | None, bool]:
    if not region or any(region.startswith(p) for p in PROVINCE_WIDE):
        return None, None, True
    county, prefecture = locate(region, c2p)
    return county, prefecture, True


def institution_record(key: str, row: Mapping[str, object], c2p: Mapping[str, str]) -> ResourceRec:
    location = _s(row, "location")
    county, prefecture = locate(location, c2p)
    kind = _s(row, "kind")
    name = _s(row, "name")
    return ResourceRec(
        key=key,
        resource_type="institution",
        name=name,
        fields_text=_s(row, "fields"),
        text=_join(_s(row, "description"), location, INSTITUTION_KIND_LABELS.get(kind, "")),
        county=county,
        prefecture=prefecture,
        in_fujian=_bool(row.get("in_fujian"), "福建" in location),
        kind=kind,
        is_sample=_s(row, "source") == "sample" or "示例" in name,
        extra={"location": location},
    )


def achievement_record(key: str, row: Mapping[str, object], c2p: Mapping[str, str]) -> ResourceRec:
    """A 科技成果 of the supply list: title, field and keywords as dense descriptors, the summary as text; placed
    where its organization is (``location``); ``extra`` keeps its owner and maturity for the caller."""
    location = _s(row, "location")
    county, prefecture = locate(location, c2p)
    title = _s(row, "title")
    return ResourceRec(
        key=key,
        resource_type="achievement",
        name=title,
        fields_text=_join(_s(row, "field"), _s(row, "keywords")),
        text=_join(_s(row, "summary"), _s(row, "licensing_terms")),
        chain_type=_s(row, "chain_type") or None,
        county=county,
        prefecture=prefecture,
        in_fujian=_bool(row.get("in_fujian"), "福建" in location),
        kind=_s(row, "maturity") or None,
        is_sample=_bool(row.get("is_sample"), False) or "示例" in title,
        extra={
            "organization": _s(row, "organization"),
            "maturity": _s(row, "maturity"),
            "location": location,
        },
    )


def fund_record(key: str, row: Mapping[str, object], c2p: Mapping[str, str]) -> ResourceRec:
    county = _s(row, "county") or None
    prefecture = _s(row, "prefecture") or (c2p.get(county) if county else None)
    stage = _s(row, "stage")
    name = _s(row, "name")
    return ResourceRec(
        key=key,
        resource_type="fund",
        name=name,
        fields_text=_s(row, "focus"),
        text=_join(_s(row, "sponsor"), _s(row, "description"), FUND_STAGE_LABELS.get(stage, "")),
        county=county,
        prefecture=prefecture,
        in_fujian=True,
        size_yuan=_int(row.get("size_yuan")),
        stage=stage or None,
        kind=_s(row, "level") or None,
        valid_until=_date(row.get("valid_until")),
        is_sample=_s(row, "source") == "sample" or "示例" in name,
        extra={"sponsor": _s(row, "sponsor")},
    )


def financial_product_record(key: str, row: Mapping[str, object], c2p: Mapping[str, str]) -> ResourceRec:
    region = _s(row, "region")
    county, prefecture, in_fujian = _region_place(region, c2p)
    ptype = _s(row, "product_type")
    name = _s(row, "name")
    return ResourceRec(
        key=key,
        resource_type="financial_product",
        name=name,
        fields_text=_join(_s(row, "target"), _s(row, "collateral")),
        text=_join(_s(row, "provider"), _s(row, "description"), PRODUCT_TYPE_LABELS.get(ptype, "")),
        county=county,
        prefecture=prefecture,
        in_fujian=in_fujian,
        region=region or None,
        max_amount_yuan=_int(row.get("max_amount_yuan")),
        kind=ptype or None,
        valid_until=_date(row.get("valid_until")),
        is_sample=_s(row, "source") == "sample" or "示例" in name,
        extra={"provider": _s(row, "provider"), "term_months": _s(row, "term_months")},
    )


def talent_record(key: str, row: Mapping[str, object], c2p: Mapping[str, str]) -> ResourceRec:
    region = _s(row, "region")
    county, prefecture, in_fujian = _region_place(region, c2p)
    kind = _s(row, "kind")
    name = _s(row, "name")
    return ResourceRec(
        key=key,
        resource_type="talent_resource",
        name=name,
        fields_text=_s(row, "fields"),
        text=_join(_s(row, "organizer"), _s(row, "description"), TALENT_KIND_LABELS.get(kind, "")),
        county=county,
        prefecture=prefecture,
        in_fujian=in_fujian,
        region=region or None,
        kind=kind or None,
        valid_until=_date(row.get("valid_until")),
        is_sample=_s(row, "source") == "sample" or "示例" in name,
        extra={"organizer": _s(row, "organizer")},
    )


def enterprise_record(
    key: str, row: Mapping[str, object], c2p: Mapping[str, str], chains: Mapping[str, ChainTypeRec]
) -> ResourceRec:
    county = _s(row, "county") or None
    chain_code = _s(row, "chain_type") or None
    link_name = _s(row, "link") or None
    link = chains[chain_code].link(link_name) if chain_code in chains else None
    name = _s(row, "name")
    return ResourceRec(
        key=key,
        resource_type="enterprise",
        name=name,
        fields_text=_s(row, "products"),
        text=_join(_s(row, "description"), link_name or ""),
        chain_type=chain_code,
        link_name=link_name,
        link_id=link.id if link else None,
        county=county,
        prefecture=c2p.get(county) if county else None,
        in_fujian=bool(county and county in c2p),
        kind=_s(row, "role") or None,
        is_sample=_s(row, "source") == "sample" or "示例" in name,
    )


def chain_types_from_json(data: Mapping[str, object]) -> tuple[ChainTypeRec, ...]:
    out = []
    for t in data["types"]:  # type: ignore[index]
        links = tuple(
            LinkRec(
                id=f"{t['code']}:{i}",
                name=link["name"],
                stage=link["stage"],
                order=i,
                keywords=tuple(link.get("keywords", ())),
            )
            for i, link in enumerate(t["links"])
        )
        out.append(ChainTypeRec(code=t["code"], name=t["name"], links=links))
    return tuple(out)


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def records_from_csv_dir(path: str | Path) -> Catalog:
    """Read ``chains/data``-style files into a :class:`Catalog` (keys like ``institution:12``, 1-based)."""
    path = Path(path)
    c2p = {r["county"]: r["prefecture"] for r in _rows(path / "fujian_counties.csv")}
    chain_types = chain_types_from_json(json.loads((path / "chain_types.json").read_text(encoding="utf-8")))
    chains = {c.code: c for c in chain_types}
    resources: list[ResourceRec] = []
    for i, row in enumerate(_rows(path / "institutions.csv"), 1):
        resources.append(institution_record(f"institution:{i}", row, c2p))
    for i, row in enumerate(_rows(path / "funds.csv"), 1):
        resources.append(fund_record(f"fund:{i}", row, c2p))
    for i, row in enumerate(_rows(path / "financial_products.csv"), 1):
        resources.append(financial_product_record(f"financial_product:{i}", row, c2p))
    for i, row in enumerate(_rows(path / "talent_resources.csv"), 1):
        resources.append(talent_record(f"talent_resource:{i}", row, c2p))
    for i, row in enumerate(_rows(path / "enterprises.csv"), 1):
        resources.append(enterprise_record(f"enterprise:{i}", row, c2p, chains))
    return Catalog(resources=tuple(resources), chain_types=chain_types, counties_to_prefecture=c2p)
