"""Fixtures of the development index tests: the reference data and a small hand-checkable year."""

import pytest
import tablib

from devindex import services
from devindex.reference import load_reference
from tests.matchmaking.conftest import make_order, order_data  # noqa: F401 (fixtures re-used here)

INNOVATION = ("rd_intensity", "new_patents", "high_tech_firms", "new_rd_platforms")
# 2024: three counties with every indicator; 罗源县 leads in 创新能力 only. Min-max per indicator gives
# 晋江市 100 / 南安市 50 / 罗源县 0 on the 12 other indicators and 50 / 0 / 100 on the four innovation ones;
# totals (five equal dimensions): 晋江市 90, 南安市 40, 罗源县 20.
SMALL = {"晋江市": 30, "南安市": 20, "罗源县": 10}


@pytest.fixture
def index_system(db):
    """Indicator system, method version 1 (equal weights), published 2025 results and named tiers."""
    load_reference()
    from devindex.models import Indicator

    return list(Indicator.objects.values_list("code", flat=True))


def sheet(rows: dict[str, dict[str, object]], year: int) -> tablib.Dataset:
    """An import sheet: county name → {indicator code: value}."""
    codes = sorted({code for values in rows.values() for code in values})
    data = tablib.Dataset(headers=["county", "year", *codes])
    for county, values in rows.items():
        data.append([county, year, *(values.get(code, "") for code in codes)])
    return data


def small_rows(codes) -> dict[str, dict[str, object]]:
    rows = {name: dict.fromkeys(codes, value) for name, value in SMALL.items()}
    rows["罗源县"].update(dict.fromkeys(INNOVATION, 40))
    return rows


@pytest.fixture
def small_year(index_system):
    """2024 values of 晋江市, 南安市 and 罗源县 imported (approved) and computed."""
    outcome = services.import_values(sheet(small_rows(index_system), 2024))
    assert outcome.ok, outcome.problems
    services.compute_year(2024)
    return 2024
