"""Plain records the engine works on (no Django).

The Django adapter builds the same records from the database; :mod:`.loaders` builds them from the
reference CSV/JSON files.  All records are frozen dataclasses so they can be shared between threads and
cached safely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

RESOURCE_TYPES = ("institution", "fund", "financial_product", "talent_resource", "enterprise", "achievement")
ORDER_KINDS = ("innovation", "capital", "talent", "industry")
STAGES = ("upstream", "midstream", "downstream")
DIRECTIONS = ("upstream", "downstream")
FINANCING_TYPES = ("loan", "equity", "either")

RESOURCE_TYPE_LABELS = {
    "institution": "科研机构",
    "fund": "基金",
    "financial_product": "金融产品",
    "talent_resource": "人才资源",
    "enterprise": "企业",
    "achievement": "科技成果",
}
# The resource-type registry for types beyond the five catalog ones: the order kinds whose candidate pool each
# joins (the built-in pools have their own rules in ``index.build_index``). Registering a type here is all the
# engine needs to rank it; a catalog without rows of the type ranks exactly as before.
RESOURCE_TYPE_POOLS: Mapping[str, tuple[str, ...]] = {
    "achievement": ("innovation",),  # 科技成果 (supply list): answers research and technology needs
}
ORDER_KIND_LABELS = {
    "innovation": "创新需求",
    "capital": "资金需求",
    "talent": "人才需求",
    "industry": "产业配套需求",
}


@dataclass(frozen=True)
class LinkRec:
    """One link (环节) of a chain type; ``order`` runs from upstream (0) to downstream."""

    id: str
    name: str
    stage: str
    order: int
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChainTypeRec:
    """An industry chain type (产业链类型) with its ordered links."""

    code: str
    name: str
    links: tuple[LinkRec, ...] = ()

    def link(self, name_or_id: str | None) -> LinkRec | None:
        if not name_or_id:
            return None
        for link in self.links:
            if name_or_id in (link.name, link.id):
                return link
        return None


@dataclass(frozen=True)
class ResourceRec:
    """One catalog resource.

    ``text`` is all searchable free text (description etc.); ``fields_text`` holds the short, dense
    descriptors (research fields, products, fund focus, product target and collateral) that the index
    weights above free text.  ``county``/``prefecture``/``in_fujian`` locate the resource; for financial
    products and talent resources ``region`` is the area allowed to use it (全省, a prefecture or a county).
    """

    key: str
    resource_type: str
    name: str
    text: str = ""
    fields_text: str = ""
    chain_type: str | None = None
    link_name: str | None = None
    link_id: str | None = None
    county: str | None = None
    prefecture: str | None = None
    in_fujian: bool = True
    region: str | None = None
    max_amount_yuan: int | None = None
    size_yuan: int | None = None
    stage: str | None = None
    kind: str | None = None
    valid_until: date | None = None
    is_sample: bool = False
    extra: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class OrderQuery:
    """An order (需求) to match.

    ``prefecture`` may be left ``None``: the engine fills it from the index's county table.  For
    industry orders ``link_name`` is the order's own link and ``wanted_direction`` whether it looks for
    ``upstream`` suppliers or ``downstream`` customers; when absent both are inferred from the text.
    ``declined_keys`` are resource keys that declined this county's similar orders before.
    ``requester_keys`` are catalog entries that place the need themselves (besides those the text names
    as the party seeking partners); they are never candidates.
    """

    kind: str
    county: str | None
    chain_type: str | None
    title: str = ""
    text: str = ""
    prefecture: str | None = None
    link_name: str | None = None
    wanted_direction: str | None = None
    keywords: tuple[str, ...] = ()
    amount_yuan: int | None = None
    financing_type: str | None = None
    declined_keys: frozenset[str] = frozenset()
    today: date | None = None
    requester_keys: frozenset[str] = frozenset()  # the party placing the need (never its own candidate)
    order_id: int | None = None  # the order itself: its own outcomes teach nothing about it


@dataclass(frozen=True)
class OutcomeRec:
    """A past result for a resource: accepted or a resolved order's partner (``polarity`` +1), or a response
    declined as irrelevant (-1), on an order of ``kind`` and ``chain_type`` in ``county`` on ``day``.

    ``key`` names the resource; when it is None, ``name`` (e.g. an outcome's free-text partner) is looked up
    among the catalog names.
    """

    chain_type: str
    kind: str
    county: str | None
    day: date
    polarity: int
    key: str | None = None
    name: str | None = None
    order_title: str = ""
    order_id: int | None = None


@dataclass
class Candidate:
    """One ranked result: score in [0, 1], reasons (structured in ``reason_codes``, rendered in Chinese in
    ``reasons``), and the raw features behind the score."""

    key: str
    name: str
    resource_type: str
    score: float
    features: dict[str, float] = field(default_factory=dict)
    is_sample: bool = False
    reason_codes: list[dict] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """The reasons rendered in Chinese, when read (the platform stores the codes and renders per reader)."""
        from .reasons import render_reasons

        return render_reasons(self.reason_codes)
