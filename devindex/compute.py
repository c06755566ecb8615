"""The index computation as a pure function (no Django): values in, scores and ranks out.

The method as implemented (the method page and the README say the same):

1. Coverage. A county takes part in a year's ranking when it reported at least `min_coverage` of the
   indicators (default 8 of 16). Counties below it get no scores and no rank ("未参与排名") and are left out
   of every statistic below.
2. Missing values. An indicator a ranked county did not report is set to the median of that indicator over
   the ranked counties that did report it (the county's result lists these indicators as imputed). An
   indicator nobody reported that year is left out, and its dimension's other indicators share its weight;
   a dimension with no indicator left is left out the same way.
3. Normalisation, per indicator across the ranked counties of the year, direction-aware (x = value,
   lo/hi = the smallest/largest value): r = (x − lo) / (hi − lo) for a positive indicator,
   r = (hi − x) / (hi − lo) for a negative one, r = 1 for everyone when hi = lo. Min-max (the default):
   score = 100·r (0–100); efficacy coefficient (功效系数法, the option): score = 60 + 40·r (60–100).
4. Weighted sums. Dimension score = Σ wᵢ·scoreᵢ / Σ wᵢ over its indicators (equal weights by default);
   total = Σ W_d·dimension_d / Σ W_d over the dimensions (equal by default). Both lie on the indicator scale.
5. Rounding and ranks. Scores are rounded half-up to two decimals; ranks are "1224" competition ranks of
   the rounded scores (equal scores share a rank, the next rank skips), for the total and each dimension.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

MINMAX = "minmax"
EFFICACY = "efficacy"
POSITIVE = "positive"
NEGATIVE = "negative"
CENT = Decimal("0.01")


class MethodError(ValueError):
    """The method's parameters are unusable (unknown normalisation or direction, negative or no weights)."""


@dataclass(frozen=True)
class Method:
    """Everything a computation depends on besides the values."""

    indicators: Mapping[str, Sequence[str]]  # dimension code → its indicator codes, in order
    dimension_weights: Mapping[str, float]
    indicator_weights: Mapping[str, float]
    directions: Mapping[str, str]
    normalisation: str = MINMAX
    min_coverage: int = 8

    def check(self) -> None:
        """Raise MethodError when the parameters cannot produce scores."""
        if self.normalisation not in (MINMAX, EFFICACY):
            raise MethodError(f"unknown normalisation: {self.normalisation}")
        if self.min_coverage < 1:
            raise MethodError("min_coverage must be at least 1")
        for dimension, codes in self.indicators.items():
            if self.dimension_weights.get(dimension, 0) < 0:
                raise MethodError(f"negative weight for dimension {dimension}")
            for code in codes:
                if self.directions.get(code, POSITIVE) not in (POSITIVE, NEGATIVE):
                    raise MethodError(f"unknown direction for {code}")
                if self.indicator_weights.get(code, 0) < 0:
                    raise MethodError(f"negative weight for indicator {code}")
            if not sum(self.indicator_weights.get(c, 0) for c in codes) > 0:
                raise MethodError(f"dimension {dimension} has no positive indicator weight")
        if not sum(self.dimension_weights.get(d, 0) for d in self.indicators) > 0:
            raise MethodError("no positive dimension weight")

    @property
    def codes(self) -> list[str]:
        """Every indicator code, dimension by dimension."""
        return [code for codes in self.indicators.values() for code in codes]


@dataclass
class CountyScore:
    """One county's outcome for the year."""

    county: Hashable
    coverage: int
    total: Decimal | None = None
    rank: int | None = None
    dimensions: dict[str, Decimal | None] = field(default_factory=dict)
    dimension_ranks: dict[str, int | None] = field(default_factory=dict)
    indicator_scores: dict[str, float] = field(default_factory=dict)
    imputed: list[str] = field(default_factory=list)

    @property
    def ranked(self) -> bool:
        """Whether the county took part in the ranking."""
        return self.rank is not None


def round2(x: float) -> Decimal:
    """Half-up rounding to two decimals (as published: 71.65), independent of binary float artefacts."""
    return Decimal(repr(float(x))).quantize(CENT, rounding=ROUND_HALF_UP)


def competition_ranks(scores: Mapping[Hashable, Decimal]) -> dict[Hashable, int]:
    """'1224' ranks, highest score first; equal scores share the rank."""
    ordered = sorted(scores.values(), reverse=True)
    first = {}
    for position, value in enumerate(ordered, 1):
        first.setdefault(value, position)
    return {key: first[value] for key, value in scores.items()}


def normalise(column: np.ndarray, direction: str, normalisation: str) -> np.ndarray:
    """One indicator's values (no NaN) on the method's scale, direction-aware."""
    lo, hi = float(column.min()), float(column.max())
    if hi > lo:
        r = (column - lo) / (hi - lo) if direction == POSITIVE else (hi - column) / (hi - lo)
    else:
        r = np.ones_like(column)
    return 60.0 + 40.0 * r if normalisation == EFFICACY else 100.0 * r


def _weighted(parts: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray | None:
    """Σ w·part / Σ w over the parts with a positive weight (None when none is left)."""
    used = [(weights.get(k, 0.0), v) for k, v in parts.items() if weights.get(k, 0.0) > 0]
    if not used:
        return None
    total_weight = sum(w for w, _v in used)
    return sum(w * v for w, v in used) / total_weight


def compute(
    values: Mapping[Hashable, Mapping[str, float | None]], method: Method
) -> dict[Hashable, CountyScore]:
    """Scores and ranks of every county in `values` (county → indicator code → value or None)."""
    method.check()
    codes = method.codes
    counties = list(values)
    matrix = np.full((len(counties), len(codes)), np.nan)
    for i, county in enumerate(counties):
        for j, code in enumerate(codes):
            v = values[county].get(code)
            if v is not None:
                matrix[i, j] = float(v)
    coverage = (~np.isnan(matrix)).sum(axis=1) if len(counties) else np.zeros(0, dtype=int)
    results = {c: CountyScore(county=c, coverage=int(coverage[i])) for i, c in enumerate(counties)}
    eligible = np.flatnonzero(coverage >= method.min_coverage)
    if not len(eligible):
        return results
    data = matrix[eligible]
    imputed_mask = np.isnan(data)
    indicator_scores: dict[str, np.ndarray] = {}
    for j, code in enumerate(codes):
        column = data[:, j]
        known = column[~np.isnan(column)]
        if not len(known):
            continue  # nobody reported it: left out, its dimension's other indicators share its weight
        filled = np.where(np.isnan(column), float(np.median(known)), column)
        indicator_scores[code] = normalise(
            filled, method.directions.get(code, POSITIVE), method.normalisation
        )
    dimension_scores: dict[str, np.ndarray] = {}
    for dimension, dim_codes in method.indicators.items():
        parts = {code: indicator_scores[code] for code in dim_codes if code in indicator_scores}
        score = _weighted(parts, method.indicator_weights)
        if score is not None:
            dimension_scores[dimension] = score
    total = _weighted(dimension_scores, method.dimension_weights)
    if total is None:
        return results
    rounded_total = {counties[i]: round2(total[k]) for k, i in enumerate(eligible)}
    total_ranks = competition_ranks(rounded_total)
    rounded_dims = {
        d: {counties[i]: round2(scores[k]) for k, i in enumerate(eligible)}
        for d, scores in dimension_scores.items()
    }
    dim_ranks = {d: competition_ranks(r) for d, r in rounded_dims.items()}
    for k, i in enumerate(eligible):
        county = counties[i]
        result = results[county]
        result.total = rounded_total[county]
        result.rank = total_ranks[county]
        result.dimensions = {
            d: rounded_dims[d][county] if d in rounded_dims else None for d in method.indicators
        }
        result.dimension_ranks = {
            d: dim_ranks[d][county] if d in dim_ranks else None for d in method.indicators
        }
        result.indicator_scores = {code: float(s[k]) for code, s in indicator_scores.items()}
        result.imputed = [codes[j] for j in np.flatnonzero(imputed_mask[k]) if codes[j] in indicator_scores]
    return results
