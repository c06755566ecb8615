"""Pure-Python matching engine (no Django): records in, ranked and explained candidates out.

Typical use::

    catalog = records_from_csv_dir("chains/data")
    index = build_index(catalog.resources, catalog.chain_types, catalog.counties_to_prefecture, version="v1")
    candidates = rank(OrderQuery(kind="innovation", county="德化县", chain_type="ceramics",
                                 title="日用瓷新材料", text="..."), index, top=10)
"""

from .index import Index, build_index
from .loaders import Catalog, records_from_csv_dir
from .records import Candidate, ChainTypeRec, LinkRec, OrderQuery, ResourceRec
from .scoring import rank
from .weights import DEFAULT_WEIGHTS, merge_weights

__all__ = [
    "DEFAULT_WEIGHTS",
    "Candidate",
    "Catalog",
    "ChainTypeRec",
    "Index",
    "LinkRec",
    "OrderQuery",
    "ResourceRec",
    "build_index",
    "merge_weights",
    "rank",
    "records_from_csv_dir",
]
