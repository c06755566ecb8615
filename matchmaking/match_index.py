"""The matching index: catalog rows → engine records, one index per process and catalog version.

- builds the engine's records from the catalog loaded in the database, through the same per-row builders
  the CSV loaders use (`engine.loaders.*_record`), so the database and the reference files rank alike;
- keeps one index per process and rebuilds it only when `catalog_version()` (one aggregate query over the
  catalog tables) changes; `preload_index()` builds it in a parent before it forks its workers
  (`config.warmup.preload_indexes`), so one copy per host serves all of them until the catalog changes;
- loads the outcomes of earlier orders (accepted proposals, resolved partners, proposals declined as
  irrelevant) for the engine's outcome feature in three queries per outcome change, never per order.

Engine weights come from `settings.MATCHING_WEIGHTS` (keys of `engine.weights.DEFAULT_WEIGHTS`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core import checks
from django.db import models
from django.db.models import Count, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, Length
from django.utils import timezone

from accounts.models import Organization
from chains.models import (
    ChainLink,
    ChainType,
    County,
    Enterprise,
    FinancialProduct,
    Fund,
    Institution,
    TalentResource,
    catalog_rows,
    split_keywords,
)
from core import compiledsql
from engine import Catalog, Index, build_index, merge_weights
from engine.loaders import (
    chain_types_from_json,
    enterprise_record,
    financial_product_record,
    fund_record,
    institution_record,
    talent_record,
)
from engine.outcomes import with_outcomes
from engine.records import OutcomeRec
from engine.thesaurus import load_thesaurus
from matchmaking.choices import DeclineReason, OrderKind, ProposalState
from matchmaking.models import Order, Outcome, Proposal

logger = logging.getLogger(__name__)

# Catalog models per engine resource type (the engine key is "<resource_type>:<pk>").
RESOURCE_MODEL = {
    "institution": Institution,
    "fund": Fund,
    "financial_product": FinancialProduct,
    "talent_resource": TalentResource,
    "enterprise": Enterprise,
}
# Which order kinds a change of each resource type can affect (see the engine's pools per kind).
KINDS_AFFECTED = {
    "institution": ("innovation", "talent"),
    "talent_resource": ("talent", "innovation"),
    "fund": ("capital",),
    "financial_product": ("capital",),
    "enterprise": ("industry",),
}
ORDER_KINDS = tuple(OrderKind.values)


def engine_weights() -> dict[str, float]:
    """The engine weights in force: `settings.MATCHING_WEIGHTS` over the engine defaults."""
    return merge_weights(getattr(settings, "MATCHING_WEIGHTS", None) or {})


def _weights_fingerprint() -> str:
    overrides = getattr(settings, "MATCHING_WEIGHTS", None) or {}
    blob = json.dumps({k: float(v) for k, v in overrides.items()}, sort_keys=True)
    return hashlib.sha1(blob.encode(), usedforsecurity=False).hexdigest()[:8]


# ---- catalog version ---------------------------------------------------------------------------------
STAT_COLUMNS = ("label", "n", "top", "changed", "checksum")  # of each row of `catalog_stats`


def _stats(model, label: str, extra: Mapping[str, object] | None = None) -> models.QuerySet:
    """One aggregate row (label, count, max pk, max updated_at or NULL, checksum) over a catalog table."""
    fields = {f.name for f in model._meta.get_fields()}
    updated = (
        Max("updated_at") if "updated_at" in fields else Value(None, output_field=models.DateTimeField())
    )
    return (
        model.objects.order_by()
        .annotate(label=Value(label))
        .values("label")
        .annotate(
            n=Count("pk"),
            top=Coalesce(Max("pk"), 0),
            changed=updated,
            checksum=(extra or {}).get("checksum", Value(0)),
        )
        .values(*STAT_COLUMNS)
    )


def catalog_stats() -> dict[str, tuple]:
    """(count, max pk, last change, checksum) of every table the index is built from — one query, the same SQL
    every time (it depends on no value), so built and compiled once per database connection (core.compiledsql)."""
    rows = compiledsql.fetch("match_index.catalog_stats", _catalog_stats_query, ())
    return {row["label"]: (row["n"], row["top"], row["changed"], row["checksum"]) for row in rows}


def _catalog_stats_query(_no_value=()) -> models.QuerySet:
    """The query of `catalog_stats`: one aggregate row per table, in a UNION ALL."""
    parts = [
        _stats(Institution, "institution"),
        _stats(Fund, "fund"),
        _stats(FinancialProduct, "financial_product"),
        _stats(TalentResource, "talent_resource"),
        _stats(Enterprise, "enterprise"),
        _stats(ChainType, "chain_type"),
        # links and counties carry no modification time: length/position sums stand in (and a saved link
        # also touches its chain type's updated_at, see matchmaking.signals)
        _stats(
            ChainLink,
            "chain_link",
            {"checksum": Coalesce(Sum(Length("keywords") * 7 + Length("name") * 3 + F("position")), 0)},
        ),
        _stats(County, "county", {"checksum": Coalesce(Sum(F("prefecture_id") * 97 + Length("name")), 0)}),
        *_outcome_stats(),
    ]
    return parts[0].union(*parts[1:], all=True)


# Labels of `catalog_stats` rows that describe outcomes, not the catalog (they never rebuild the index).
OUTCOME_LABELS = ("outcome_response", "outcome_partner")


def _outcome_stats() -> list[models.QuerySet]:
    """Aggregate rows over what feeds the outcome feature: decided responses and recorded outcomes."""
    decided = (
        Proposal.objects.filter(_outcome_response_q())
        .order_by()
        .annotate(label=Value("outcome_response"))
        .values("label")
        .annotate(
            n=Count("pk"),
            top=Coalesce(Max("pk"), 0),
            changed=Max("decided_at"),
            checksum=Coalesce(Sum(Length("state")), 0),
        )
        .values(*STAT_COLUMNS)
    )
    partners = (
        Outcome.objects.order_by()
        .annotate(label=Value("outcome_partner"))
        .values("label")
        .annotate(
            n=Count("pk"),
            top=Coalesce(Max("pk"), 0),
            changed=Max("created_at"),
            checksum=Coalesce(Sum(Length("partner")), 0),
        )
        .values(*STAT_COLUMNS)
    )
    return [decided, partners]


def _outcome_response_q() -> Q:
    return Q(state=ProposalState.ACCEPTED) | Q(
        state=ProposalState.DECLINED, reason_category=DeclineReason.IRRELEVANT
    )


def _version_of(stats: Mapping[str, tuple], labels) -> list[str]:
    parts = []
    for label in sorted(labels):
        n, top, changed, checksum = stats.get(label, (0, 0, None, 0))
        stamp = changed.isoformat() if hasattr(changed, "isoformat") else str(changed or "")
        parts.append(f"{label}={n}/{top}/{stamp}/{checksum}")
    return parts


def outcome_version(stats: Mapping[str, tuple] | None = None) -> str:
    """A short string that changes whenever an outcome the engine learns from changes."""
    stats = catalog_stats() if stats is None else stats
    blob = ";".join(_version_of(stats, OUTCOME_LABELS))
    return hashlib.sha1(blob.encode(), usedforsecurity=False).hexdigest()[:16]


def catalog_version(stats: Mapping[str, tuple] | None = None) -> str:
    """A short string that changes whenever a catalog row (or the weights, or the thesaurus) changes."""
    stats = catalog_stats() if stats is None else stats
    parts = []
    for label in sorted(set(stats) - set(OUTCOME_LABELS)):
        n, top, changed, checksum = stats[label]
        stamp = changed.isoformat() if hasattr(changed, "isoformat") else str(changed or "")
        parts.append(f"{label}={n}/{top}/{stamp}/{checksum}")
    parts.append(f"w={_weights_fingerprint()}")
    parts.append(f"t={_thesaurus_version()}")
    return hashlib.sha1(";".join(parts).encode(), usedforsecurity=False).hexdigest()[:16]


# ---- records from the database -----------------------------------------------------------------------
def _counties_to_prefecture() -> dict[str, str]:
    return dict(
        County.objects.order_by("prefecture__position", "position", "pk").values_list(
            "name", "prefecture__name"
        )
    )


def _chain_types():
    links = defaultdict(list)
    for link in ChainLink.objects.order_by("chain_type_id", "position", "pk").values(
        "chain_type_id", "name", "stage", "keywords"
    ):
        links[link["chain_type_id"]].append(
            {"name": link["name"], "stage": link["stage"], "keywords": split_keywords(link["keywords"])}
        )
    types = [
        {"code": code, "name": name, "links": links[pk]}
        for pk, code, name in ChainType.objects.order_by("position", "code").values_list("pk", "code", "name")
    ]
    return chain_types_from_json({"types": types})


def catalog_records() -> Catalog:
    """The loaded catalog as engine records (same builders and columns as `records_from_csv_dir`)."""
    c2p = _counties_to_prefecture()
    chain_types = _chain_types()
    chains = {c.code: c for c in chain_types}
    out = []
    for row in catalog_rows(Institution):
        out.append(institution_record(f"institution:{row['pk']}", row, c2p))
    for row in catalog_rows(Fund):
        out.append(fund_record(f"fund:{row['pk']}", row, c2p))
    for row in catalog_rows(FinancialProduct, "valid_until"):
        out.append(financial_product_record(f"financial_product:{row['pk']}", row, c2p))
    for row in catalog_rows(TalentResource):
        out.append(talent_record(f"talent_resource:{row['pk']}", row, c2p))
    for row in catalog_rows(Enterprise):
        out.append(enterprise_record(f"enterprise:{row['pk']}", row, c2p, chains))
    return Catalog(resources=tuple(out), chain_types=chain_types, counties_to_prefecture=c2p)


# ---- the index, once per process and catalog version -------------------------------------------------
_index_lock = threading.Lock()
_index: Index | None = None
BUILDS = {"count": 0}  # how many indexes this process has built (read by tests and the bench command)


def _thesaurus_version() -> str:
    return load_thesaurus().version


def background_texts() -> list[str]:
    """Titles and descriptions of the latest orders (`MATCH_GENERIC_ORDERS`): the engine learns from them
    which words every order uses (generic words)."""
    limit = settings.MATCH_GENERIC_ORDERS
    if limit <= 0:
        return []
    rows = Order.objects.order_by("-pk").values_list("title", "description")[:limit]
    return [f"{title} {description}" for title, description in rows]


# The catalog entry an organization stands for, per engine resource type (products: many, through a table).
ORG_RESOURCE_FIELDS = (
    ("institution", "institution_id"),
    ("fund", "fund_id"),
    ("talent_resource", "talent_resource_id"),
    ("enterprise", "enterprise_id"),
)


def org_resource_keys(org_ids: Iterable[int]) -> dict[int, set[str]]:
    """Provider organization id → engine keys of the catalog entries it stands for (two queries)."""
    org_ids = list(org_ids)
    out: dict[int, set[str]] = defaultdict(set)
    if not org_ids:
        return out
    fields = [field for _rtype, field in ORG_RESOURCE_FIELDS]
    for org_id, *pks in Organization.objects.filter(pk__in=org_ids).values_list("pk", *fields):
        for (rtype, _field), pk in zip(ORG_RESOURCE_FIELDS, pks, strict=True):
            if pk:
                out[org_id].add(f"{rtype}:{pk}")
    through = Organization.financial_products.through
    for org_id, pk in through.objects.filter(organization_id__in=org_ids).values_list(
        "organization_id", "financialproduct_id"
    ):
        out[org_id].add(f"financial_product:{pk}")
    return out


def outcome_records() -> list[OutcomeRec]:
    """What earlier orders teach the engine, in three queries (plus two for the organizations' entries):

    - an accepted response: +1 for the responding provider's catalog entries;
    - a resolved order's outcome naming a partner: +1 for the catalog entry of that name;
    - a response declined as irrelevant (不相关): -1 for the provider's entries.
    """
    fields = (
        "provider_org_id",
        "state",
        "order_id",
        "order__kind",
        "order__chain__chain_type__code",
        "order__county__name",
    )
    responses = list(
        Proposal.objects.filter(_outcome_response_q()).values_list(
            *fields, "decided_at", "created_at", "order__title"
        )
    )
    keys = org_resource_keys({r[0] for r in responses})
    out = []
    for org_id, state, order_id, kind, chain_code, county, decided_at, created_at, title in responses:
        when = timezone.localdate(decided_at or created_at)
        polarity = 1 if state == ProposalState.ACCEPTED else -1
        for key in sorted(keys.get(org_id, ())):
            out.append(
                OutcomeRec(
                    chain_code, kind, county, when, polarity, key=key, order_title=title, order_id=order_id
                )
            )
    for partner, order_id, kind, chain_code, county, day, title in Outcome.objects.exclude(
        partner=""
    ).values_list(
        "partner",
        "order_id",
        "order__kind",
        "order__chain__chain_type__code",
        "order__county__name",
        "date",
        "order__title",
    ):
        for name in split_keywords(partner):
            out.append(
                OutcomeRec(chain_code, kind, county, day, 1, name=name, order_title=title, order_id=order_id)
            )
    return out


def get_index(version: str | None = None) -> Index:
    """The index of the current catalog: cached per process, rebuilt only when the version changes; the
    outcomes of earlier orders are swapped in (without a rebuild) when they change."""
    global _index
    stats = None
    if version is None:
        stats = catalog_stats()
        version = catalog_version(stats)
    outcomes_at = outcome_version(stats)
    current = _index
    if current is not None and current.version == version and current.outcome_version == outcomes_at:
        return current
    with _index_lock:
        if _index is not None and _index.version == version:
            if _index.outcome_version != outcomes_at:
                _index = with_outcomes(_index, outcome_records(), outcomes_at)
            return _index
        catalog = catalog_records()
        built = build_index(
            catalog.resources,
            catalog.chain_types,
            catalog.counties_to_prefecture,
            version=version,
            weights=getattr(settings, "MATCHING_WEIGHTS", None) or {},
            background_texts=background_texts(),
            outcomes=outcome_records(),
        )
        built.outcome_version = outcomes_at
        BUILDS["count"] += 1
        logger.info("matching index built: version %s, %d resources", version, len(catalog.resources))
        _index = built
        return built


def preload_index() -> dict[str, object]:
    """Build the index now, in a process about to fork its workers (gunicorn's master, the Celery worker's main
    process): children forked afterwards find it current in `get_index` and share its memory instead of each
    building their own. A child whose catalog version has moved on by then builds its own, as before."""
    builds = BUILDS["count"]
    index = get_index()
    return {"version": index.version, "resources": index.size_n, "built": BUILDS["count"] - builds}


def clear_index_cache() -> None:
    """Forget the cached index (the next `get_index` rebuilds it)."""
    global _index
    with _index_lock:
        _index = None


def resource_keys_of_orgs(org_ids: Iterable[int]) -> set[str]:
    """Engine keys of the catalog entries the given provider organizations stand for."""
    return set().union(*org_resource_keys(org_ids).values())


@checks.register()
def check_matching_weights(app_configs=None, **kwargs):
    """`MATCHING_WEIGHTS` may only name known engine weights, with numeric values."""
    try:
        engine_weights()
    except (KeyError, TypeError, ValueError) as exc:
        return [checks.Error(f"MATCHING_WEIGHTS: {exc}", id="matchmaking.E101")]
    return []
