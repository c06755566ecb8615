"""Where a resource may serve: a region string as an allowed-county mask, and the region of a local fund."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from .records import ResourceRec

PROVINCE_WIDE = ("全省", "福建省", "省级", "全国", "省内")
_REGION_SPLIT = re.compile(r"[；;、，,/／\s]+")
# A county or city fund serves its own region unless its profile says it invests wider.
FUND_WIDE_CUES = ("全省", "全国", "跨区域", "不限地域", "省内各地")


def region_allowed(
    region: str | None, c2p: Mapping[str, str], county_ids: Mapping[str, int], n_counties: int
) -> np.ndarray | None:
    """Allowed-county mask of a region string, or None when it restricts nothing we can tell."""
    if not region:
        return None
    allowed = np.zeros(n_counties + 1, dtype=bool)
    known = False
    for part in _REGION_SPLIT.split(region.strip()):
        if not part:
            continue
        if any(part.startswith(p) for p in PROVINCE_WIDE):
            allowed[:n_counties] = True
            allowed[n_counties] = part.startswith("全国")
            known = True
            continue
        if part in county_ids:
            allowed[county_ids[part]] = True
            known = True
            continue
        for county, prefecture in c2p.items():
            if prefecture == part or (len(part) >= 2 and prefecture.startswith(part)):
                allowed[county_ids[county]] = True
                known = True
    return allowed if known else None


def fund_region(res: ResourceRec) -> str | None:
    """The region a county or city fund serves (its county or prefecture), or None when it serves the
    province (a provincial fund, or a profile that says it invests province-wide)."""
    if res.kind not in ("county", "city"):
        return None
    if any(cue in f"{res.text} {res.fields_text}" for cue in FUND_WIDE_CUES):
        return None
    if res.kind == "county" and res.county:
        return res.county
    return res.prefecture or res.county
