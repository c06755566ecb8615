"""The computation against hand-computed fixtures: missing values, negative indicators, coverage, weights,
the efficacy-coefficient option, ties and rounding. Pure functions: no database."""

from decimal import Decimal

import pytest

from devindex.compute import Method, MethodError, competition_ranks, compute, round2

# Two dimensions: X = x1 (positive) and x2 (negative), Y = y1 (positive).
INDICATORS = {"X": ["x1", "x2"], "Y": ["y1"]}
DIRECTIONS = {"x1": "positive", "x2": "negative", "y1": "positive"}
VALUES = {
    "A": {"x1": 10, "x2": 5, "y1": 1},
    "B": {"x1": 20, "x2": 15, "y1": 3},
    "C": {"x1": 30, "x2": 10, "y1": None},  # y1 missing: the median of A and B (2)
}


def method(**overrides) -> Method:
    params = {
        "indicators": INDICATORS,
        "dimension_weights": {"X": 1, "Y": 1},
        "indicator_weights": {"x1": 1, "x2": 1, "y1": 1},
        "directions": DIRECTIONS,
        "normalisation": "minmax",
        "min_coverage": 2,
    }
    params.update(overrides)
    return Method(**params)


def totals(result) -> dict:
    return {k: (v.total, v.rank) for k, v in result.items()}


def test_min_max_with_a_missing_value_and_a_negative_indicator():
    # x1: A 0, B 50, C 100 · x2 (negative, lo 5 hi 15): A 100, B 0, C 50 · y1 (C = median 2): A 0, B 100, C 50
    # X: A 50, B 25, C 75 · Y: A 0, B 100, C 50 · total: A 25, B 62.5, C 62.5 (B and C share rank 1)
    result = compute(VALUES, method())
    assert totals(result) == {
        "A": (Decimal("25.00"), 3),
        "B": (Decimal("62.50"), 1),
        "C": (Decimal("62.50"), 1),
    }
    assert {k: v.dimensions for k, v in result.items()} == {
        "A": {"X": Decimal("50.00"), "Y": Decimal("0.00")},
        "B": {"X": Decimal("25.00"), "Y": Decimal("100.00")},
        "C": {"X": Decimal("75.00"), "Y": Decimal("50.00")},
    }
    assert {k: v.dimension_ranks for k, v in result.items()} == {
        "A": {"X": 2, "Y": 3},
        "B": {"X": 3, "Y": 1},
        "C": {"X": 1, "Y": 2},
    }
    assert result["C"].imputed == ["y1"] and result["A"].imputed == []
    assert result["A"].indicator_scores == {"x1": 0.0, "x2": 100.0, "y1": 0.0}
    assert result["C"].indicator_scores["y1"] == 50.0


def test_changed_dimension_weights():
    # X weighs 3, Y 1: A (3·50 + 0)/4 = 37.5, B (75 + 100)/4 = 43.75, C (225 + 50)/4 = 68.75
    result = compute(VALUES, method(dimension_weights={"X": 3, "Y": 1}))
    assert totals(result) == {
        "A": (Decimal("37.50"), 3),
        "B": (Decimal("43.75"), 2),
        "C": (Decimal("68.75"), 1),
    }


def test_changed_indicator_weights():
    # x1 weighs 3, x2 1: X = A (0 + 100)/4 = 25, B (150 + 0)/4 = 37.5, C (300 + 50)/4 = 87.5
    result = compute(VALUES, method(indicator_weights={"x1": 3, "x2": 1, "y1": 1}))
    assert {k: v.dimensions["X"] for k, v in result.items()} == {
        "A": Decimal("25.00"),
        "B": Decimal("37.50"),
        "C": Decimal("87.50"),
    }
    # total = (X + Y) / 2: A 12.5, B 68.75, C 68.75
    assert totals(result) == {
        "A": (Decimal("12.50"), 3),
        "B": (Decimal("68.75"), 1),
        "C": (Decimal("68.75"), 1),
    }


def test_a_zero_weight_leaves_the_indicator_out():
    result = compute(VALUES, method(indicator_weights={"x1": 1, "x2": 0, "y1": 1}))
    assert {k: v.dimensions["X"] for k, v in result.items()} == {
        "A": Decimal("0.00"),
        "B": Decimal("50.00"),
        "C": Decimal("100.00"),
    }


def test_flipping_a_direction():
    # x2 read as positive: A 0, B 100, C 50 → X: A 0, B 75, C 75
    result = compute(VALUES, method(directions={**DIRECTIONS, "x2": "positive"}))
    assert {k: v.dimensions["X"] for k, v in result.items()} == {
        "A": Decimal("0.00"),
        "B": Decimal("75.00"),
        "C": Decimal("75.00"),
    }


def test_efficacy_coefficient():
    # 60 + 40·r: x1 A 60 B 80 C 100 · x2 A 100 B 60 C 80 · y1 A 60 B 100 C 80
    # X: A 80, B 70, C 90 · Y: A 60, B 100, C 80 · total: A 70, B 85, C 85
    result = compute(VALUES, method(normalisation="efficacy"))
    assert totals(result) == {
        "A": (Decimal("70.00"), 3),
        "B": (Decimal("85.00"), 1),
        "C": (Decimal("85.00"), 1),
    }
    assert result["A"].dimensions == {"X": Decimal("80.00"), "Y": Decimal("60.00")}


def test_counties_below_the_coverage_threshold_are_unranked_and_left_out_of_the_scale():
    # D reported one indicator (below 2): no score, and its huge x1 does not stretch the others' scale.
    values = {**VALUES, "D": {"x1": 1000, "x2": None, "y1": None}}
    result = compute(values, method())
    assert result["D"].rank is None and result["D"].total is None and result["D"].coverage == 1
    assert not result["D"].ranked
    assert totals({k: v for k, v in result.items() if k != "D"}) == totals(compute(VALUES, method()))


def test_median_ignores_unranked_counties():
    # E is unranked (one value); C's missing y1 is still the median of A and B only.
    values = {**VALUES, "E": {"y1": 100}}
    assert compute(values, method())["C"].indicator_scores["y1"] == 50.0


def test_an_indicator_nobody_reported_is_left_out_and_its_dimension_keeps_the_others():
    indicators = {"X": ["x1", "x2"], "Y": ["y1", "y2"]}
    weights = {"x1": 1, "x2": 1, "y1": 1, "y2": 5}
    values = {k: {**v, "y2": None} for k, v in VALUES.items()}
    result = compute(values, method(indicators=indicators, indicator_weights=weights, min_coverage=2))
    assert totals(result) == totals(compute(VALUES, method()))
    assert "y2" not in result["A"].indicator_scores and "y2" not in result["A"].imputed


def test_a_constant_indicator_gives_everyone_the_top_score():
    values = {"A": {"x1": 5, "x2": 1, "y1": 7}, "B": {"x1": 5, "x2": 2, "y1": 7}}
    result = compute(values, method())
    assert result["A"].indicator_scores["x1"] == 100.0 and result["B"].indicator_scores["x1"] == 100.0
    assert result["A"].indicator_scores["y1"] == 100.0


def test_no_ranked_county_means_no_scores():
    result = compute({"A": {"x1": 1}}, method(min_coverage=2))
    assert result["A"].rank is None and result["A"].dimensions == {}


def test_rounding_half_up_and_competition_ranks():
    assert round2(0.125) == Decimal("0.13")
    assert round2(2 / 3 * 100) == Decimal("66.67")
    assert round2(71.645) == Decimal("71.65")
    ranks = competition_ranks({"a": Decimal(3), "b": Decimal(5), "c": Decimal(5), "d": Decimal(1)})
    assert ranks == {"b": 1, "c": 1, "a": 3, "d": 4}


@pytest.mark.parametrize(
    "overrides",
    [
        {"normalisation": "zscore"},
        {"min_coverage": 0},
        {"directions": {**DIRECTIONS, "x1": "up"}},
        {"indicator_weights": {"x1": -1, "x2": 1, "y1": 1}},
        {"indicator_weights": {"x1": 0, "x2": 0, "y1": 1}},
        {"dimension_weights": {"X": 0, "Y": 0}},
    ],
)
def test_unusable_methods_are_refused(overrides):
    with pytest.raises(MethodError):
        compute(VALUES, method(**overrides))
