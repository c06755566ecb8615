"""Review aggregation: weighted totals per expert, then per bid the mean, the spread and flagged outliers.

- An expert's total for a bid is the weighted mean of their criterion scores: Σ wᵢ·sᵢ / Σ wᵢ (0–100).
- A bid's score is the mean of its experts' totals; its spread is their population standard deviation
  (`statistics.pstdev`), and the range (lowest, highest) is kept too.
- With at least three reviews, a total that lies more than `CHALLENGE_OUTLIER_POINTS` points from the median
  of the bid's totals is flagged as an outlier (shown to the publisher; it still counts in the mean).
- Bids rank by score (highest first); ties by smaller spread, then by earlier submission.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import mean, median, pstdev

MIN_REVIEWS_FOR_OUTLIERS = 3


def weighted_total(scores: Mapping[int, int], weights: Mapping[int, int]) -> float:
    """Σ w·s / Σ w over the criteria (criterion id → score, criterion id → weight); every criterion scored."""
    total_weight = sum(weights.values())
    if total_weight <= 0:
        return 0.0
    return sum(weights[c] * scores[c] for c in weights) / total_weight


@dataclass
class BidScore:
    """The aggregate of one bid's reviews."""

    bid_id: int
    totals: dict[int, float] = field(default_factory=dict)  # expert id → weighted total
    n: int = 0
    score: float | None = None
    spread: float | None = None
    low: float | None = None
    high: float | None = None
    outliers: set[int] = field(default_factory=set)  # expert ids
    rank: int | None = None


def aggregate(bid_ids: Sequence[int], reviews: Iterable[tuple[int, int, float]], outlier_points: float):
    """Aggregate (bid id, expert id, total) rows for the given bids; return BidScores in rank order
    (bids without reviews last, unranked)."""
    out = {bid_id: BidScore(bid_id) for bid_id in bid_ids}
    for bid_id, expert_id, total in reviews:
        if bid_id in out:
            out[bid_id].totals[expert_id] = float(total)
    for agg in out.values():
        values = list(agg.totals.values())
        agg.n = len(values)
        if not values:
            continue
        agg.score = mean(values)
        agg.spread = pstdev(values)
        agg.low, agg.high = min(values), max(values)
        if agg.n >= MIN_REVIEWS_FOR_OUTLIERS:
            mid = median(values)
            agg.outliers = {e for e, v in agg.totals.items() if abs(v - mid) > outlier_points}
    order = {bid_id: i for i, bid_id in enumerate(bid_ids)}
    scored = sorted(
        (a for a in out.values() if a.score is not None),
        key=lambda a: (-a.score, a.spread, order[a.bid_id]),
    )
    for rank, agg in enumerate(scored, start=1):
        agg.rank = rank
    return scored + [a for a in out.values() if a.score is None]
