"""Eligibility filters: resources that fail them are removed from the results, not scored down."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .index import Index
from .signals import QueryPlan


def region_ok(index: Index, plan: QueryPlan, pool: np.ndarray, w: Mapping[str, float]) -> np.ndarray:
    """False where the resource's region (全省 / a prefecture / a county) excludes the order's county."""
    col = plan.county_id if plan.county_id >= 0 else index.region_ok.shape[1] - 1
    ok = index.region_ok[pool, col]
    bound = index.product_region_bound[pool]
    if w["filter.restrict_talent_programs"] > 0:
        bound = bound | index.talent_region_bound[pool]
    return ok | ~bound


def amount_ok(index: Index, plan: QueryPlan, pool: np.ndarray, w: Mapping[str, float]) -> np.ndarray:
    """False where a stated maximum amount is far below the amount needed."""
    amount = plan.query.amount_yuan
    if not amount or amount <= 0:
        return np.ones(len(pool), dtype=bool)
    max_amount = index.max_amount[pool]
    with np.errstate(invalid="ignore"):
        too_small = max_amount < w["filter.amount_min_coverage"] * amount
    return ~too_small


def not_expired(index: Index, plan: QueryPlan, pool: np.ndarray) -> np.ndarray:
    """False where ``valid_until`` is before the order's ``today``."""
    return index.valid_until[pool] >= plan.today_ord


def eligible(index: Index, plan: QueryPlan, pool: np.ndarray, w: Mapping[str, float]) -> np.ndarray:
    return region_ok(index, plan, pool, w) & amount_ok(index, plan, pool, w) & not_expired(index, plan, pool)


def exclusion_reasons(index: Index, plan: QueryPlan, pos: int, w: Mapping[str, float]) -> list[str]:
    """Why one resource is filtered out (Chinese), for admin screens and tests."""
    one = np.array([pos])
    res = index.resources[pos]
    out = []
    if not region_ok(index, plan, one, w)[0]:
        out.append(f"适用地区（{res.region}）不含本县")
    if not amount_ok(index, plan, one, w)[0]:
        out.append("额度远低于需求金额")
    if not not_expired(index, plan, one)[0]:
        out.append(f"已过有效期（{res.valid_until}）")
    return out
