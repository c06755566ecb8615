"""Sample indicator values (示例) for all 83 counties, generated deterministically: the same county, year and
indicator always get the same value. They are illustrative only — every result computed from them is marked
as a sample on every page, export and API row — and never stand for the real statistics.

Each county gets a latent strength from its kind (district, county-level city, county), its prefecture and a
hash of its name; each indicator is a plausible function of it plus noise drawn from a generator seeded by
(county, year, indicator). A few counties leave some indicators blank, and one reports too few to be ranked,
so the missing-value rule is visible in the demo.
"""

import hashlib
from decimal import Decimal

import numpy as np
import tablib

from chains.models import County

DEMO_YEARS = (2024, 2025)
# Prefectures whose counties are, on average, more industrial in the demo (not a statement about reality).
PREFECTURE_LIFT = {"厦门市": 0.18, "泉州市": 0.15, "福州市": 0.12, "漳州市": 0.04, "宁德市": 0.03}
KIND_BASE = {"district": 0.42, "city": 0.5, "county": 0.3}


def _seed(*parts) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


def strength(county: County, year: int) -> float:
    """The county's latent strength in [0.05, 0.98] (drifting slightly from year to year)."""
    rng = np.random.default_rng(_seed("strength", county.name))
    base = KIND_BASE.get(county.kind, 0.35) + PREFECTURE_LIFT.get(county.prefecture.name, 0.0)
    base += rng.normal(0, 0.14)
    drift = np.random.default_rng(_seed("drift", county.name, year)).normal(0.01 * (year - 2024), 0.03)
    return float(np.clip(base + drift, 0.05, 0.98))


def _value(code: str, s: float, rng: np.random.Generator) -> float:
    noise = float(rng.lognormal(0, 0.25))
    generators = {
        "industrial_revenue": lambda: round(30 + 2600 * s**2.5 * noise, 1),
        "value_added_growth": lambda: round(2 + 8 * s + rng.normal(0, 2.5), 1),
        "industry_gdp_share": lambda: round(float(np.clip(15 + 35 * s + rng.normal(0, 6), 5, 70)), 1),
        "rd_intensity": lambda: round(float(np.clip(0.5 + 2.5 * s + rng.normal(0, 0.4), 0.1, 6)), 2),
        "new_patents": lambda: int(80 + 5200 * s**2 * noise),
        "high_tech_firms": lambda: int(8 + 620 * s**2 * noise),
        "new_rd_platforms": lambda: int(rng.poisson(1 + 12 * s)),
        "chain_output_share": lambda: round(float(np.clip(30 + 45 * s + rng.normal(0, 8), 10, 95)), 1),
        "quality_firms": lambda: int(4 + 210 * s**2 * noise),
        "net_new_firms": lambda: round(float(rng.normal(5 + 60 * s, 12))),
        "emerging_output_share": lambda: round(float(np.clip(10 + 40 * s + rng.normal(0, 7), 2, 80)), 1),
        "profit_margin": lambda: round(3 + 5 * s + rng.normal(0, 1.5), 2),
        "energy_intensity_drop": lambda: round(float(np.clip(rng.normal(2 + 3 * s, 2.5), -5, 15)), 2),
        "specialised_firms": lambda: int(3 + 125 * s**2 * noise),
        "smart_factories": lambda: int(rng.poisson(1 + 15 * s**1.5)),
        "green_factories": lambda: int(rng.poisson(1 + 12 * s**1.5)),
    }
    return generators[code]()


def blanks(county: County, codes: list[str]) -> set[str]:
    """Indicators the county leaves blank in the demo: most none, about one in ten one or two, one county
    (the first of the list whose hash says so) nine — below the coverage threshold."""
    roll = _seed("blanks", county.name) % 100
    rng = np.random.default_rng(_seed("which-blanks", county.name))
    if roll < 2:
        return set(rng.choice(codes, size=9, replace=False).tolist())
    if roll < 12:
        return set(rng.choice(codes, size=1 + roll % 2, replace=False).tolist())
    return set()


def values_for(county: County, year: int, codes: list[str]) -> dict[str, Decimal | None]:
    """The county's sample values of a year (None where it leaves the indicator blank)."""
    s = strength(county, year)
    skipped = blanks(county, codes)
    out = {}
    for code in codes:
        rng = np.random.default_rng(_seed("value", county.name, year, code))
        out[code] = None if code in skipped else Decimal(str(_value(code, s, rng)))
    return out


def dataset(year: int, codes: list[str]) -> tablib.Dataset:
    """The sample values of every county for a year, as an import sheet (county, year, one column per code)."""
    sheet = tablib.Dataset(headers=["county", "year", *codes])
    for county in County.objects.select_related("prefecture"):
        values = values_for(county, year, codes)
        sheet.append([county.name, year, *("" if values[c] is None else str(values[c]) for c in codes)])
    return sheet


def pilot_counties(exclude: set[int], size: int = 10) -> list[County]:
    """Demo 试点县 (marked 示例): the white paper does not name them; ten counties picked by a hash of their
    names among those holding no other tier."""
    candidates = [c for c in County.objects.all() if c.pk not in exclude]
    return sorted(candidates, key=lambda c: _seed("pilot", c.name))[:size]
