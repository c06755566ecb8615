"""Past outcomes in the index: grouped per (chain type, order kind) as arrays, swapped in without a rebuild."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .records import ORDER_KINDS, OutcomeRec
from .vocabulary import name_variants

if TYPE_CHECKING:  # the index holds these groups; only its type is needed here
    from .index import Index


@dataclass
class OutcomeGroup:
    """Past outcomes of one (chain type, order kind), as arrays (see :func:`with_outcomes`)."""

    pos: np.ndarray  # resource positions
    county: np.ndarray  # county id of the order (-1 unknown)
    prefecture: np.ndarray  # prefecture id of the order (-1 unknown)
    day: np.ndarray  # date ordinal
    polarity: np.ndarray  # +1 success, -1 irrelevant
    order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # order id (-1 unknown)
    title: list[str] = field(default_factory=list)
    county_name: list[str] = field(default_factory=list)
    # the same rows as plain tuples (pos, county, prefecture, day, polarity, order) for per-resource
    # look-ups (explanations), and their positions for bisect
    rows: list[tuple[int, int, int, int, int, int]] = field(default_factory=list)
    pos_list: list[int] = field(default_factory=list)
    # the rows whose resource is in the order kind's pool, resolved once against ``Index.views[kind]``:
    # what ``outcome_feature`` reads (see :func:`_in_pool`)
    pool: InPool | None = None


@dataclass
class InPool:
    """A group's rows on resources of its order kind's pool (``view``), in the group's order."""

    view: object  # the PoolView the rows were resolved against
    touched: np.ndarray  # pool-local rows with at least one outcome, sorted
    inverse: np.ndarray  # per row: its resource's place in ``touched``
    county: np.ndarray
    prefecture: np.ndarray
    day: np.ndarray
    order: np.ndarray
    good: np.ndarray  # polarity > 0, as bool
    bad: np.ndarray  # polarity < 0, as bool
    bins: np.ndarray  # per row: its place in ``touched``, plus len(touched) for a row marked irrelevant
    by_county: dict[int, np.ndarray] = field(default_factory=dict)  # county id (>= 0) → its rows
    by_prefecture: dict[int, np.ndarray] = field(default_factory=dict)  # prefecture id (>= 0) → its rows
    decay: dict[tuple[int, float], np.ndarray] = field(default_factory=dict)  # (day, half-life) → per row


def _in_pool(group: OutcomeGroup, view) -> InPool:
    pos = view.pos
    n = len(pos)
    at = np.minimum(np.searchsorted(pos, group.pos), max(n - 1, 0))
    hit = pos[at] == group.pos if n else np.zeros(len(group.pos), dtype=bool)
    touched, inverse = np.unique(at[hit], return_inverse=True)
    inverse = inverse.reshape(-1)
    county, prefecture = group.county[hit], group.prefecture[hit]
    return InPool(
        bins=inverse + len(touched) * (group.polarity[hit] < 0),
        by_county={int(c): np.flatnonzero(county == c) for c in np.unique(county[county >= 0])},
        by_prefecture={
            int(p): np.flatnonzero(prefecture == p) for p in np.unique(prefecture[prefecture >= 0])
        },
        view=view,
        touched=touched,
        inverse=inverse,
        county=county,
        prefecture=prefecture,
        day=group.day[hit],
        order=group.order[hit],
        good=group.polarity[hit] > 0,
        bad=group.polarity[hit] < 0,
    )


def outcome_groups(index: Index, outcomes: Iterable[OutcomeRec]) -> dict[tuple[int, str], OutcomeGroup]:
    """Outcomes grouped per (chain index, order kind), resources resolved by key or else by name."""
    rows: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for rec in outcomes:
        ci = index.chain_pos.get(rec.chain_type)
        if ci is None or rec.kind not in ORDER_KINDS or rec.polarity == 0:
            continue
        if rec.key is not None:
            found: Sequence[int] = (index.key_pos[rec.key],) if rec.key in index.key_pos else ()
        else:
            found = next(
                (index.name_pos[v] for v in name_variants(rec.name or "") if v in index.name_pos), ()
            )
        county = index.county_ids.get(rec.county or "", -1)
        prefecture = index.prefecture_ids.get(index.prefecture_of(rec.county) or "", -1)
        for pos in found:
            rows[(ci, rec.kind)].append(
                (
                    pos,
                    county,
                    prefecture,
                    rec.day.toordinal(),
                    1 if rec.polarity > 0 else -1,
                    rec.order_title,
                    rec.county or "",
                    -1 if rec.order_id is None else rec.order_id,
                )
            )
    out = {}
    for key, items in rows.items():
        items.sort(key=lambda r: (r[0], -r[3]))
        out[key] = OutcomeGroup(
            pos=np.asarray([r[0] for r in items], dtype=np.int64),
            county=np.asarray([r[1] for r in items], dtype=np.int32),
            prefecture=np.asarray([r[2] for r in items], dtype=np.int32),
            day=np.asarray([r[3] for r in items], dtype=np.int64),
            polarity=np.asarray([r[4] for r in items], dtype=np.int8),
            order=np.asarray([r[7] for r in items], dtype=np.int64),
            title=[r[5] for r in items],
            county_name=[r[6] for r in items],
            rows=[(r[0], r[1], r[2], r[3], r[4], r[7]) for r in items],
            pos_list=[r[0] for r in items],
        )
        view = index.views.get(key[1])
        if view is not None:
            out[key].pool = _in_pool(out[key], view)
    return out


def with_outcomes(index: Index, outcomes: Iterable[OutcomeRec], version: str = "") -> Index:
    """A copy of ``index`` (sharing all its arrays) with these outcomes instead of its own: outcomes
    change far more often than the catalog, so they are swapped in without rebuilding."""
    out = copy.copy(index)
    out.outcome_groups = outcome_groups(index, outcomes)
    out.outcome_version = version
    return out
