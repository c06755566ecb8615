"""Capital orders' fit: financing type, amount and fund stage, per resource of the capital pool."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .features import QueryPlan, View
from .index import FIN_EQUITY, FIN_LOAN, FIN_OTHER, FUND_STAGES, TYPE_CODE
from .memo import pool_memo
from .pools import PoolSubset, PoolView


def financing_type_fit(
    view: View, plan: QueryPlan, w: Mapping[str, float], is_fund: np.ndarray | None = None
) -> np.ndarray:
    """How well each product's or fund's class suits the order's financing type (part of the capital fit)."""
    fin = view.fin_class
    if is_fund is None:
        is_fund = view.rtype == TYPE_CODE["fund"]
    match, partial, mismatch = w["fit.type_match"], w["fit.type_partial"], w["fit.type_mismatch"]
    if plan.financing_type == "loan":
        return np.where(fin == FIN_LOAN, match, np.where(is_fund, mismatch, partial))
    if plan.financing_type == "equity":
        return np.where(fin == FIN_EQUITY, match, np.where(fin == FIN_LOAN, mismatch, partial))
    if plan.financing_type == "either":
        return np.where(fin == FIN_OTHER, partial * 0.8, match)  # 投贷联动: loans and funds alike
    return np.where(fin == FIN_OTHER, partial * 0.8, partial)


def capital_fit(view: View, plan: QueryPlan, w: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Financing-type, amount and fund stage fit; returns each part and their mean as ``fit``.

    For some candidates of a pool, each part is taken from the whole pool's, memoised per the fact it
    reads (financing type, amount, stage cue): the same values, computed once for every order alike."""
    if isinstance(view, PoolSubset):
        parts = [part[view.sel] for part in capital_parts(view.base, plan, w)]
    else:
        parts = [make() for _key, make in _capital_makers(view, plan, w)]
    is_fund, type_fit, amount_fit, stage_fit, under = parts
    fit = np.where(is_fund, (type_fit + amount_fit + stage_fit) / 3.0, (type_fit + amount_fit) / 2.0)
    return {
        "fit": fit,
        "type_fit": type_fit,
        "amount_fit": amount_fit,
        "stage_fit": stage_fit,
        "under_amount": under,
    }


def capital_parts(view: PoolView, plan: QueryPlan, w: Mapping[str, float]) -> list[np.ndarray]:
    """(is a fund, type fit, amount fit, stage fit, under the amount as 0/1) over the whole pool, memoised."""
    return [pool_memo(view, key, make) for key, make in _capital_makers(view, plan, w)]


def _capital_makers(view: View, plan: QueryPlan, w: Mapping[str, float]):
    amount = plan.query.amount_yuan if plan.query.amount_yuan and plan.query.amount_yuan > 0 else None
    unknown = w["fit.amount_unknown"]

    def is_fund():
        return view.rtype == TYPE_CODE["fund"]

    def amount_fit():
        funds = is_fund()
        if amount is None:
            return np.full(len(view), unknown)
        with np.errstate(invalid="ignore", divide="ignore"):
            cover = np.where(np.isnan(view.max_amount), unknown, np.clip(view.max_amount / amount, 0.0, 1.0))
            max_share = w["fit.fund_max_share"]
            share = amount / view.size
            fund_fit = np.clip(1.0 - (share - max_share) / max(1e-9, 1.0 - max_share), 0.0, 1.0)
            fund_fit = np.where(np.isnan(view.size), unknown, fund_fit)
        return np.where(funds, fund_fit, cover)

    def stage_fit():
        if plan.stage_cue is None:
            return np.ones(len(view))
        code = FUND_STAGES.index(plan.stage_cue)
        guidance = FUND_STAGES.index("guidance")
        found = np.where(
            view.fund_stage == code,
            w["fit.stage_match"],
            np.where(view.fund_stage == guidance, w["fit.stage_guidance"], w["fit.stage_other"]),
        )
        return np.where(is_fund(), found, 1.0)

    def under():
        if amount is None:
            return np.zeros(len(view))
        with np.errstate(invalid="ignore"):
            return (~is_fund() & (view.max_amount < amount)).astype(np.float64)

    fit_w = tuple(w[k] for k in ("fit.type_match", "fit.type_partial", "fit.type_mismatch"))
    stage_w = tuple(w[k] for k in ("fit.stage_match", "fit.stage_guidance", "fit.stage_other"))
    return [
        (("is_fund",), is_fund),
        (("type_fit", plan.financing_type, fit_w), lambda: financing_type_fit(view, plan, w)),
        (("amount_fit", amount, unknown, w["fit.fund_max_share"]), amount_fit),
        (("stage_fit", plan.stage_cue, stage_w), stage_fit),
        (("under", amount), under),
    ]
