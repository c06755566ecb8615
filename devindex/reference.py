"""Reference data of the index: the indicator system (表 3-1), the first method version (equal weights),
the published 2025 results (表 3-2) and the tiers the white paper names. Idempotent: running it again
changes nothing; a changed CSV row updates that row only."""

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from chains.models import County
from devindex.choices import (
    EventAction,
    Normalisation,
    ResultSource,
    Tier,
    TierSource,
)
from devindex.models import (
    CountyTier,
    Dimension,
    DimensionScore,
    IndexEvent,
    IndexResult,
    Indicator,
    MethodVersion,
)
from devindex.services import refresh_industrial_strong

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_MIN_COVERAGE = 8
PUBLISHED_NOTE = (
    "2025 年县域重点产业链发展指数白皮书 表 3-2（前十名总分；各维度前十名未纳入本平台数据，维度得分为空）"
)


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _decimal(text: str) -> Decimal | None:
    text = (text or "").strip()
    return Decimal(text) if text else None


@dataclass
class LoadReport:
    """What a reference load changed."""

    indicators: int = 0
    method_created: bool = False
    published: int = 0
    tiers: int = 0


def load_indicator_system() -> int:
    """Create or update the 5 dimensions and 16 indicators from indicators.csv; return rows changed."""
    changed = 0
    dimensions: dict[str, Dimension] = {}
    for position, row in enumerate(_rows("indicators.csv")):
        code = row["dimension"]
        if code not in dimensions:
            dim, created = Dimension.objects.get_or_create(
                code=code, defaults={"name": row["dimension_name"], "position": len(dimensions)}
            )
            if not created and (dim.name, dim.position) != (row["dimension_name"], len(dimensions)):
                dim.name, dim.position = row["dimension_name"], len(dimensions)
                dim.save()
                changed += 1
            changed += created
            dimensions[code] = dim
        fields = {
            "dimension": dimensions[code],
            "name": row["name"],
            "unit": row["unit"],
            "min_value": _decimal(row["min"]),
            "max_value": _decimal(row["max"]),
            "integer": row["integer"] == "true",
            "position": position,
        }
        indicator = Indicator.objects.filter(code=row["code"]).first()
        if indicator is None:
            Indicator.objects.create(code=row["code"], direction=row["direction"], **fields)
            changed += 1
        elif any(getattr(indicator, k) != v for k, v in fields.items()):
            # the direction is the method's (edited through method versions), never reset here
            for key, value in fields.items():
                setattr(indicator, key, value)
            indicator.save()
            changed += 1
    return changed


def ensure_first_method() -> bool:
    """Method version 1 (min-max, at least 8 of 16 indicators, equal weights) if there is none yet."""
    if MethodVersion.objects.exists():
        return False
    indicators = list(Indicator.objects.select_related("dimension"))
    MethodVersion.objects.create(
        number=1,
        normalisation=Normalisation.MINMAX,
        min_coverage=DEFAULT_MIN_COVERAGE,
        dimension_weights={d.code: 1.0 for d in Dimension.objects.all()},
        indicator_weights={i.code: 1.0 for i in indicators},
        directions={i.code: i.direction for i in indicators},
        note="初始版本：各维度、各维度内各指标等权",
    )
    return True


def load_published() -> int:
    """The published 2025 top-10 totals and ranks (dimension scores empty: not in the platform's data)."""
    changed = 0
    counties = {c.name: c for c in County.objects.all()}
    dimensions = list(Dimension.objects.all())
    for row in _rows("published_2025.csv"):
        county = counties[row["county"]]
        fields = {"total": Decimal(row["total"]), "rank": int(row["rank"]), "note": PUBLISHED_NOTE}
        result, created = IndexResult.objects.get_or_create(
            year=int(row["year"]), county=county, source=ResultSource.PUBLISHED, defaults=fields
        )
        if not created and any(getattr(result, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(result, key, value)
            result.save()
            changed += 1
        changed += created
        for dimension in dimensions:
            DimensionScore.objects.get_or_create(
                result=result, dimension=dimension, defaults={"score": None, "rank": None}
            )
    return changed


def load_named_tiers() -> int:
    """The tiers the white paper names: 产业特色县 (tiers.csv) and 工业强县 = the published top 10."""
    changed = 0
    counties = {c.name: c for c in County.objects.all()}
    for row in _rows("tiers.csv"):
        tier, created = CountyTier.objects.get_or_create(
            county=counties[row["county"]],
            year=int(row["year"]),
            tier=row["tier"],
            defaults={"source": TierSource.PUBLISHED, "note": row["note"]},
        )
        if not created and (tier.source, tier.note) != (TierSource.PUBLISHED, row["note"]):
            tier.source, tier.note = TierSource.PUBLISHED, row["note"]
            tier.save()
            changed += 1
        changed += created
    years = (
        IndexResult.objects.filter(source=ResultSource.PUBLISHED).values_list("year", flat=True).distinct()
    )
    for year in years:
        changed += refresh_industrial_strong(year)
    return changed


@transaction.atomic
def load_reference() -> LoadReport:
    """Everything above, in one transaction; logs one event when published figures changed."""
    report = LoadReport()
    report.indicators = load_indicator_system()
    report.method_created = ensure_first_method()
    report.published = load_published()
    report.tiers = load_named_tiers()
    if report.published:
        IndexEvent.objects.create(action=EventAction.PUBLISHED_LOADED, year=2025, note=PUBLISHED_NOTE)
    return report


__all__ = ["Tier", "load_reference"]
