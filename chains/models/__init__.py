"""Regions, the chain map and the resource catalog: what exists in Fujian's county key chains.

One module per concern (`regions`, `catalog`, `bodies`); every model is importable from `chains.models`."""

from chains.models.bodies import (
    ProvincialBody,
    ProvincialBodyQuerySet,
    WhiteListEntry,
    WhiteListQuerySet,
)
from chains.models.catalog import (
    Enterprise,
    FinancialProduct,
    Fund,
    Institution,
    TalentResource,
    region_covers,
)
from chains.models.regions import (
    KEYWORD_SPLIT,
    NATURAL_KEYS,
    ChainEvent,
    ChainEventQuerySet,
    ChainLink,
    ChainLinkManager,
    ChainType,
    County,
    CountyChain,
    CountyChainQuerySet,
    Prefecture,
    catalog_rows,
    split_keywords,
)

__all__ = [
    "KEYWORD_SPLIT",
    "NATURAL_KEYS",
    "ChainEvent",
    "ChainEventQuerySet",
    "ChainLink",
    "ChainLinkManager",
    "ChainType",
    "County",
    "CountyChain",
    "CountyChainQuerySet",
    "Enterprise",
    "FinancialProduct",
    "Fund",
    "Institution",
    "Prefecture",
    "ProvincialBody",
    "ProvincialBodyQuerySet",
    "TalentResource",
    "WhiteListEntry",
    "WhiteListQuerySet",
    "catalog_rows",
    "region_covers",
    "split_keywords",
]
