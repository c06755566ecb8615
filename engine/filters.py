"""Eligibility filters: resources that fail them are removed from the results, not scored down."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .features import QueryPlan, View
from .index import FIN_EQUITY, FIN_LOAN, FIN_OTHER, Index
from .memo import pool_memo
from .pools import PoolSubset, PoolView
from .regions import fund_region


def region_ok(view: View, plan: QueryPlan, w: Mapping[str, float]) -> np.ndarray:
    """False where the resource's region (全省 / a prefecture / a county) excludes the order's county."""
    ok = view.region_col(plan.region_col)
    bound = view.product_region_bound
    if w["filter.restrict_talent_programs"] > 0:
        bound = bound | view.talent_region_bound
    return ok | ~bound


def amount_ok(view: View, plan: QueryPlan, w: Mapping[str, float]) -> np.ndarray:
    """False where a stated maximum amount is far below the amount needed."""
    amount = plan.query.amount_yuan
    if not amount or amount <= 0:
        return np.ones(len(view), dtype=bool)
    with np.errstate(invalid="ignore"):
        too_small = view.max_amount < w["filter.amount_min_coverage"] * amount
    return ~too_small


def financing_ok(view: View, plan: QueryPlan) -> np.ndarray:
    """The financing type decides the pool: loan → loan, leasing, pledge and guarantee products; equity →
    funds and equity-linked products (投贷联动); either → both.  Insurance only when the need asks for it."""
    fin = view.fin_class
    if plan.financing_type == "loan":
        ok = fin == FIN_LOAN
    elif plan.financing_type == "equity":
        ok = fin == FIN_EQUITY
    else:
        ok = fin != FIN_OTHER
    if plan.wants_insurance or plan.financing_type is None:
        ok = ok | (fin == FIN_OTHER)
    return ok


def not_requester(view: View, plan: QueryPlan) -> np.ndarray:
    """False for the party placing the need (named in its text, or given with the order)."""
    return ~np.isin(view.pos, plan.requester_pos)


def not_expired(view: View, plan: QueryPlan) -> np.ndarray:
    """False where ``valid_until`` is before the order's ``today``."""
    return view.valid_until >= plan.today_ord


def eligible(view: View, plan: QueryPlan, w: Mapping[str, float]) -> np.ndarray | None:
    """Mask of resources passing every filter, or None when the pool has nothing any filter could drop."""
    base = view.base if isinstance(view, PoolSubset) else view
    restricts_talent = w["filter.restrict_talent_programs"] > 0
    amount = plan.query.amount_yuan
    checks = []
    if base.any_product_bound or (restricts_talent and base.any_talent_bound):
        checks.append(region_ok(view, plan, w))
    if amount and amount > 0 and base.any_max_amount:
        checks.append(amount_ok(view, plan, w))
    if base.min_valid_until < plan.today_ord:
        checks.append(not_expired(view, plan))
    if plan.kind == "capital" and plan.financing_type is not None and w["filter.financing_pool"] > 0:
        checks.append(financing_ok(view, plan))
    if len(plan.requester_pos):
        checks.append(not_requester(view, plan))
    if not checks:
        return None
    ok = checks[0]
    for mask in checks[1:]:
        ok = ok & mask
    return ok


def eligible_pool(view: PoolView, plan: QueryPlan, w: Mapping[str, float]) -> np.ndarray | None:
    """:func:`eligible` of the whole pool: each filter's mask depends on one or two facts of the order
    (its county, amount, date, financing type), so it is computed once per pool and value, then combined."""
    if not len(view):
        return None
    restricts_talent = w["filter.restrict_talent_programs"] > 0
    amount = plan.query.amount_yuan
    checks = []
    if view.any_product_bound or (restricts_talent and view.any_talent_bound):
        key = ("region", plan.region_col, restricts_talent)
        checks.append(pool_memo(view, key, lambda: region_ok(view, plan, w)))
    if amount and amount > 0 and view.any_max_amount:
        key = ("amount", amount, w["filter.amount_min_coverage"])
        checks.append(pool_memo(view, key, lambda: amount_ok(view, plan, w)))
    if view.min_valid_until < plan.today_ord:
        checks.append(pool_memo(view, ("expired", plan.today_ord), lambda: not_expired(view, plan)))
    if plan.kind == "capital" and plan.financing_type is not None and w["filter.financing_pool"] > 0:
        key = ("financing", plan.financing_type, plan.wants_insurance)
        checks.append(pool_memo(view, key, lambda: financing_ok(view, plan)))
    if not checks and not len(plan.requester_pos):
        return None
    ok = checks[0] if checks else np.ones(len(view), dtype=bool)
    for mask in checks[1:]:
        ok = ok & mask
    if len(plan.requester_pos):
        # the party placing the need: a handful of rows set apart (sorted positions, as the pool's)
        at = np.minimum(np.searchsorted(view.pos, plan.requester_pos), len(view) - 1)
        at = at[view.pos[at] == plan.requester_pos]
        if len(at):
            ok = ok if ok.flags.writeable else ok.copy()
            ok[at] = False
    return ok


def exclusion_reasons(index: Index, plan: QueryPlan, key: str, w: Mapping[str, float]) -> list[str]:
    """Why one resource is filtered out of this order's results (Chinese); empty when it is eligible."""
    view = index.views[plan.kind]
    pos = index.key_pos[key]
    local = np.flatnonzero(view.pos == pos)
    if len(local) == 0:
        return ["资源类型不适用于该类需求"]
    i = int(local[0])
    res = index.resources[pos]
    out = []
    if not region_ok(view, plan, w)[i]:
        out.append(f"适用地区（{res.region or fund_region(res)}）不含本县")
    if plan.kind == "capital" and plan.financing_type is not None and not financing_ok(view, plan)[i]:
        out.append("融资方式不符")
    if not not_requester(view, plan)[i]:
        out.append("需求提出方本身")
    if not amount_ok(view, plan, w)[i]:
        out.append("额度远低于需求金额")
    if not not_expired(view, plan)[i]:
        out.append(f"已过有效期（{res.valid_until}）")
    return out
