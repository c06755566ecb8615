"""One order kind's pool of resources: contiguous copies of the index's arrays and term-major BM25 postings.

:func:`make_view` cuts a :class:`PoolView` per order kind when the index is built; :class:`PoolSubset` is a
lazily gathered selection of one (what scoring reads once eligibility has narrowed the pool).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # type only: the index module imports this one to cut its views
    from .index import Index

NO_DATE = date.max.toordinal()
# Terms in more than this share of a kind's resources are not shown as "关键词" reasons.
GENERIC_TERM_SHARE = 0.2
GENERIC_TERM_MIN_DOCS = 10


@dataclass
class PoolView:
    """The resources one order kind ranks, with contiguous copies of their arrays and BM25 postings."""

    pos: np.ndarray  # positions into Index.resources
    rtype: np.ndarray
    county: np.ndarray
    prefecture: np.ndarray
    in_fujian: np.ndarray
    region_ok: np.ndarray
    product_region_bound: np.ndarray
    talent_region_bound: np.ndarray
    max_amount: np.ndarray
    size: np.ndarray
    valid_until: np.ndarray
    chain_id: np.ndarray
    link_order: np.ndarray
    link_stage: np.ndarray
    chain_aff: np.ndarray  # (pool, n_chains), Fortran order: one chain's column is contiguous
    chain_max: np.ndarray  # best affinity with any chain type (how specialised the resource is)
    fin_class: np.ndarray
    fund_stage: np.ndarray
    is_sample: np.ndarray
    post_indptr: np.ndarray  # term-major postings with pool-local document ids
    post_docs: np.ndarray
    post_w: np.ndarray
    term_max: np.ndarray  # best BM25 weight of each term in this pool (for the text-score floor)
    chain_aff64: np.ndarray  # chain_aff as float64 (what the chain feature reads), Fortran order
    # pool-wide facts that let filters and penalties skip work that cannot change anything
    any_product_bound: bool = True
    any_talent_bound: bool = True
    any_max_amount: bool = True
    min_valid_until: int = 0
    any_sample: bool = True
    # each resource's place class (distinct county, prefecture, in-Fujian triple) for one-gather geo features
    geo_class: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    class_county: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    class_prefecture: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    class_in_fujian: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # per term id: generic for this pool (curated, learnt from earlier orders, or in > 20% of the pool)
    generic: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    chain_max64: np.ndarray = field(default_factory=lambda: np.zeros(0))  # chain_max as float64
    # chain index → pool-local rows of the resources on one of its links (what the relation reads)
    link_rows: dict[int, np.ndarray] = field(default_factory=dict)
    # pool-wide masks that depend only on a few weights, computed on first use (see scoring)
    memo: dict[tuple, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.pos)

    def region_col(self, col: int) -> np.ndarray:
        return self.region_ok[:, col]

    def chain_col(self, chain_idx: int) -> np.ndarray:
        return self.chain_aff[:, chain_idx]

    def subset(self, sel: np.ndarray) -> PoolSubset:
        return PoolSubset(self, sel)


class PoolSubset:
    """Some resources of a :class:`PoolView` (``sel`` = pool-local indices); 1-D arrays are taken lazily."""

    def __init__(self, base: PoolView, sel: np.ndarray):
        self.base = base
        self.sel = sel
        self.pos = base.pos[sel]

    def __len__(self) -> int:
        return len(self.sel)

    def __getattr__(self, name: str) -> np.ndarray:
        if name not in _VIEW_ARRAYS:
            raise AttributeError(name)
        arr = getattr(self.base, name)[self.sel]
        setattr(self, name, arr)
        return arr

    def region_col(self, col: int) -> np.ndarray:
        return self.base.region_ok[:, col][self.sel]

    def chain_col(self, chain_idx: int) -> np.ndarray:
        return self.base.chain_aff[:, chain_idx][self.sel]


_VIEW_ARRAYS = (
    "rtype",
    "county",
    "prefecture",
    "in_fujian",
    "product_region_bound",
    "talent_region_bound",
    "max_amount",
    "size",
    "valid_until",
    "chain_id",
    "link_order",
    "link_stage",
    "chain_max",
    "fin_class",
    "fund_stage",
    "is_sample",
    "geo_class",
)


def _rows_on_links(chain_id: np.ndarray, link_order: np.ndarray) -> dict[int, np.ndarray]:
    on_link = np.flatnonzero((chain_id >= 0) & (link_order >= 0))
    return {int(c): on_link[chain_id[on_link] == c] for c in np.unique(chain_id[on_link])}


def make_view(index: Index, pool: np.ndarray) -> PoolView:
    arrays = {name: np.ascontiguousarray(getattr(index, name)[pool]) for name in _VIEW_ARRAYS[:-1]}
    places = np.stack([arrays["county"], arrays["prefecture"], arrays["in_fujian"].astype(np.int32)], axis=1)
    classes, geo_class = np.unique(places.reshape(-1, 3), axis=0, return_inverse=True)
    arrays["geo_class"] = np.ascontiguousarray(geo_class.reshape(-1), dtype=np.int32)
    post = index.doc_terms[pool].T.tocsr()
    post.sort_indices()
    term_max = np.zeros(post.shape[0])
    df = np.diff(post.indptr)
    generic = index.generic_fixed.copy()
    if len(pool) >= GENERIC_TERM_MIN_DOCS:
        generic |= df > GENERIC_TERM_SHARE * len(pool)
    nonempty = np.flatnonzero(df > 0)
    if len(nonempty):
        term_max[nonempty] = np.maximum.reduceat(post.data, post.indptr[nonempty])
    chain_aff = np.asfortranarray(index.chain_aff[pool])
    return PoolView(
        pos=pool,
        region_ok=np.asfortranarray(index.region_ok[pool]),
        chain_aff=chain_aff,
        chain_aff64=np.asfortranarray(chain_aff, dtype=np.float64),
        any_product_bound=bool(arrays["product_region_bound"].any()),
        any_talent_bound=bool(arrays["talent_region_bound"].any()),
        any_max_amount=bool((~np.isnan(arrays["max_amount"])).any()),
        min_valid_until=int(arrays["valid_until"].min(initial=NO_DATE)),
        any_sample=bool(arrays["is_sample"].any()),
        class_county=np.ascontiguousarray(classes[:, 0]),
        class_prefecture=np.ascontiguousarray(classes[:, 1]),
        class_in_fujian=classes[:, 2].astype(bool),
        post_indptr=post.indptr,
        post_docs=post.indices,
        post_w=post.data,
        term_max=term_max,
        generic=generic,
        chain_max64=arrays["chain_max"].astype(np.float64),
        link_rows=_rows_on_links(arrays["chain_id"], arrays["link_order"]),
        **arrays,
    )
