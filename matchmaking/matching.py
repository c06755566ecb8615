"""The matching adapter: catalog rows → engine records, one index per catalog version, orders → Match rows.

The engine (`matchmaking.engine`) knows nothing of Django. This module

- builds the engine's records from the catalog loaded in the database, through the same per-row builders
  the CSV loaders use (`engine.loaders.*_record`), so the database and the reference files rank alike;
- keeps one index per process and rebuilds it only when `catalog_version()` (one aggregate query over the
  catalog tables) changes;
- turns an `Order` into an `OrderQuery`;
- loads the outcomes of earlier orders (accepted responses, resolved partners, responses declined as
  irrelevant) for the engine's outcome signal in three queries per outcome change, never per order;
- replaces an order's Match rows atomically (reasons stored structured: code and parameters) and tells
  providers about strong new matches.

Engine weights come from `settings.MATCHING_WEIGHTS` (keys of `engine.weights.DEFAULT_WEIGHTS`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import DatabaseError, models, transaction
from django.db.models import Count, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, Length
from django.utils import timezone

from chains.models import (
    ChainLink,
    ChainType,
    County,
    Enterprise,
    FinancialProduct,
    Fund,
    Institution,
    TalentResource,
    split_keywords,
)
from matchmaking.engine import Candidate, Catalog, Index, OrderQuery, build_index, merge_weights, rank
from matchmaking.engine.index import with_outcomes
from matchmaking.engine.loaders import (
    chain_types_from_json,
    enterprise_record,
    financial_product_record,
    fund_record,
    institution_record,
    talent_record,
)
from matchmaking.engine.records import OutcomeRec

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
ORDER_KINDS = ("innovation", "capital", "talent", "industry")


def engine_weights() -> dict[str, float]:
    """The engine weights in force: `settings.MATCHING_WEIGHTS` over the engine defaults."""
    return merge_weights(getattr(settings, "MATCHING_WEIGHTS", None) or {})


def _weights_fingerprint() -> str:
    overrides = getattr(settings, "MATCHING_WEIGHTS", None) or {}
    blob = json.dumps({k: float(v) for k, v in overrides.items()}, sort_keys=True)
    return hashlib.sha1(blob.encode(), usedforsecurity=False).hexdigest()[:8]


# ---- catalog version ---------------------------------------------------------------------------------
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
        .values_list("label", "n", "top", "changed", "checksum")
    )


def catalog_stats() -> dict[str, tuple]:
    """(count, max pk, last change, checksum) of every table the index is built from — one query."""
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
    query = parts[0].union(*parts[1:], all=True)
    return {label: (n, top, changed, checksum) for label, n, top, changed, checksum in query}


# Labels of `catalog_stats` rows that describe outcomes, not the catalog (they never rebuild the index).
OUTCOME_LABELS = ("outcome_response", "outcome_partner")


def _outcome_stats() -> list[models.QuerySet]:
    """Aggregate rows over what feeds the outcome signal: decided responses and recorded outcomes."""
    from matchmaking.models import Outcome, Response

    decided = (
        Response.objects.filter(_outcome_response_q())
        .order_by()
        .annotate(label=Value("outcome_response"))
        .values("label")
        .annotate(
            n=Count("pk"),
            top=Coalesce(Max("pk"), 0),
            changed=Max("decided_at"),
            checksum=Coalesce(Sum(Length("state")), 0),
        )
        .values_list("label", "n", "top", "changed", "checksum")
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
        .values_list("label", "n", "top", "changed", "checksum")
    )
    return [decided, partners]


def _outcome_response_q() -> Q:
    from matchmaking.choices import DeclineReason, ResponseState

    return Q(state=ResponseState.ACCEPTED) | Q(
        state=ResponseState.DECLINED, reason_category=DeclineReason.IRRELEVANT
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
    for row in Institution.objects.values(
        "pk", "name", "kind", "location", "in_fujian", "fields", "description", "source"
    ):
        out.append(institution_record(f"institution:{row['pk']}", row, c2p))
    for row in Fund.objects.values(
        "pk",
        "name",
        "sponsor",
        "level",
        "size_yuan",
        "stage",
        "focus",
        "description",
        "source",
        prefecture_name=models.F("prefecture__name"),
        county_name=models.F("county__name"),
    ):
        row = {**row, "prefecture": row["prefecture_name"], "county": row["county_name"]}
        out.append(fund_record(f"fund:{row['pk']}", row, c2p))
    for row in FinancialProduct.objects.values(
        "pk",
        "name",
        "provider",
        "product_type",
        "region",
        "max_amount_yuan",
        "term_months",
        "collateral",
        "target",
        "description",
        "valid_until",
        "source",
    ):
        out.append(financial_product_record(f"financial_product:{row['pk']}", row, c2p))
    for row in TalentResource.objects.values(
        "pk", "name", "organizer", "kind", "region", "fields", "description", "source"
    ):
        out.append(talent_record(f"talent_resource:{row['pk']}", row, c2p))
    for row in Enterprise.objects.values(
        "pk",
        "name",
        "role",
        "products",
        "description",
        "source",
        county_name=models.F("county__name"),
        chain_code=models.F("chain_type__code"),
        link_name=models.F("link__name"),
    ):
        row = {**row, "county": row["county_name"], "chain_type": row["chain_code"], "link": row["link_name"]}
        out.append(enterprise_record(f"enterprise:{row['pk']}", row, c2p, chains))
    return Catalog(resources=tuple(out), chain_types=chain_types, counties_to_prefecture=c2p)


# ---- the index, once per process and catalog version -------------------------------------------------
_index_lock = threading.Lock()
_index: Index | None = None
BUILDS = {"count": 0}  # how many indexes this process has built (read by tests and the bench command)


def _thesaurus_version() -> str:
    from matchmaking.engine.thesaurus import load_thesaurus

    return load_thesaurus().version


def background_texts() -> list[str]:
    """Titles and descriptions of the latest orders (`MATCH_GENERIC_ORDERS`): the engine learns from them
    which words every order uses (generic words)."""
    from matchmaking.models import Order

    limit = settings.MATCH_GENERIC_ORDERS
    if limit <= 0:
        return []
    rows = Order.objects.order_by("-pk").values_list("title", "description")[:limit]
    return [f"{title} {description}" for title, description in rows]


def org_resource_keys(org_ids: Iterable[int]) -> dict[int, set[str]]:
    """Provider organization id → engine keys of the catalog entries it stands for (two queries)."""
    from accounts.models import Organization

    org_ids = list(org_ids)
    out: dict[int, set[str]] = defaultdict(set)
    if not org_ids:
        return out
    rows = Organization.objects.filter(pk__in=org_ids).values_list(
        "pk", "institution_id", "fund_id", "talent_resource_id", "enterprise_id"
    )
    for org_id, inst, fund, talent, ent in rows:
        for rtype, pk in (
            ("institution", inst),
            ("fund", fund),
            ("talent_resource", talent),
            ("enterprise", ent),
        ):
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
    from matchmaking.choices import ResponseState
    from matchmaking.models import Outcome, Response

    fields = (
        "provider_org_id",
        "state",
        "order_id",
        "order__kind",
        "order__chain__chain_type__code",
        "order__county__name",
    )
    responses = list(
        Response.objects.filter(_outcome_response_q()).values_list(
            *fields, "decided_at", "created_at", "order__title"
        )
    )
    keys = org_resource_keys({r[0] for r in responses})
    out = []
    for org_id, state, order_id, kind, chain_code, county, decided_at, created_at, title in responses:
        when = timezone.localdate(decided_at or created_at)
        polarity = 1 if state == ResponseState.ACCEPTED else -1
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


def clear_index_cache() -> None:
    """Forget the cached index (the next `get_index` rebuilds it)."""
    global _index
    with _index_lock:
        _index = None


# ---- orders → queries ----------------------------------------------------------------------------------
def order_text(order) -> str:
    """The order's free text for matching: description plus its kind's descriptive fields."""
    parts = [order.description]
    for name in ("tech_field", "expected_outcome", "talent_profile", "products"):
        value = getattr(order, name, "") or ""
        if value:
            parts.append(value)
    return "\n".join(p for p in parts if p)


def order_keywords(order) -> tuple[str, ...]:
    """Explicit keywords: the keyword field plus the short technical field / wanted products."""
    items = list(order.keyword_list)
    for name in ("tech_field", "products"):
        items.extend(split_keywords(getattr(order, name, "") or ""))
    return tuple(dict.fromkeys(items))


def resource_keys_of_orgs(org_ids: Iterable[int]) -> set[str]:
    """Engine keys of the catalog entries the given provider organizations stand for."""
    from accounts.models import Organization

    org_ids = list(org_ids)
    if not org_ids:
        return set()
    keys: set[str] = set()
    rows = Organization.objects.filter(pk__in=org_ids).values_list(
        "institution_id", "fund_id", "talent_resource_id", "enterprise_id"
    )
    for inst, fund, talent, ent in rows:
        for rtype, pk in (
            ("institution", inst),
            ("fund", fund),
            ("talent_resource", talent),
            ("enterprise", ent),
        ):
            if pk:
                keys.add(f"{rtype}:{pk}")
    through = Organization.financial_products.through
    for pk in through.objects.filter(organization_id__in=org_ids).values_list(
        "financialproduct_id", flat=True
    ):
        keys.add(f"financial_product:{pk}")
    return keys


def query_for_order(order, today=None) -> OrderQuery:
    """The engine query of an order (its county, chain type, link, texts, amount); what earlier orders'
    outcomes teach is in the index (`outcome_records`), not read per order."""
    link_name = order.link.name if order.link_id else None
    return OrderQuery(
        kind=str(order.kind),
        county=order.county.name,
        prefecture=order.county.prefecture.name,
        chain_type=order.chain.chain_type.code,
        title=order.title,
        text=order_text(order),
        link_name=link_name,
        wanted_direction=(str(order.wanted_link) or None) if order.kind == "industry" else None,
        keywords=order_keywords(order),
        amount_yuan=order.amount_yuan if order.kind == "capital" else None,
        financing_type=(str(order.financing_type) or None) if order.kind == "capital" else None,
        today=today or timezone.localdate(),
        order_id=order.pk,
    )


def load_order(order_id: int):
    """The order with everything `query_for_order` reads, or None."""
    from matchmaking.models import Order

    return (
        Order.objects.select_related("county__prefecture", "chain__chain_type", "link")
        .filter(pk=order_id)
        .first()
    )


def rank_order(order, index: Index | None = None, top: int | None = None) -> list[Candidate]:
    """Ranked, explained candidates of an order against the current catalog (nothing is saved)."""
    index = index or get_index()
    return rank(
        query_for_order(order), index, top=top or settings.MATCH_TOP_N, min_score=settings.MATCH_MIN_SCORE
    )


# ---- storing matches ------------------------------------------------------------------------------------
def split_key(key: str) -> tuple[str, int]:
    """("institution", 12) from "institution:12"."""
    rtype, _, pk = key.partition(":")
    return rtype, int(pk)


def provider_orgs_for(keys: Sequence[str]) -> dict[str, int]:
    """Engine key → id of the active provider organization standing for it (lowest id when several)."""
    from accounts.choices import OrgKind
    from accounts.models import Organization

    by_type: dict[str, list[int]] = defaultdict(list)
    for key in keys:
        rtype, pk = split_key(key)
        by_type[rtype].append(pk)
    if not by_type:
        return {}
    cond = Q()
    for rtype, field in (
        ("institution", "institution_id"),
        ("fund", "fund_id"),
        ("talent_resource", "talent_resource_id"),
        ("enterprise", "enterprise_id"),
    ):
        if by_type.get(rtype):
            cond |= Q(**{f"{field}__in": by_type[rtype]})
    out: dict[str, int] = {}
    orgs = Organization.objects.filter(kind=OrgKind.PROVIDER, is_active=True)
    if cond:
        for org_id, inst, fund, talent, ent in (
            orgs.filter(cond)
            .order_by("-pk")
            .values_list("pk", "institution_id", "fund_id", "talent_resource_id", "enterprise_id")
        ):
            for rtype, pk in (
                ("institution", inst),
                ("fund", fund),
                ("talent_resource", talent),
                ("enterprise", ent),
            ):
                if pk and pk in by_type.get(rtype, ()):
                    out[f"{rtype}:{pk}"] = org_id
    if by_type.get("financial_product"):
        through = Organization.financial_products.through
        for org_id, pk in (
            through.objects.filter(
                financialproduct_id__in=by_type["financial_product"],
                organization__kind=OrgKind.PROVIDER,
                organization__is_active=True,
            )
            .order_by("-organization_id")
            .values_list("organization_id", "financialproduct_id")
        ):
            out[f"financial_product:{pk}"] = org_id
    return out


@dataclass
class StoreResult:
    """What `store_matches` did: rows written, and the provider organizations matched strongly."""

    count: int
    strong_orgs: list[int]


def store_matches(order, candidates: Sequence[Candidate]) -> StoreResult:
    """Replace the order's Match rows with these candidates (call inside a transaction).

    Deletes and re-creates the rows, so running it twice with the same candidates leaves identical rows;
    the unique (order, resource_type, resource_id) constraint forbids duplicates.
    """
    from matchmaking.models import Match

    threshold = settings.MATCH_NOTIFY_THRESHOLD
    orgs = provider_orgs_for([c.key for c in candidates])
    rows = []
    for position, cand in enumerate(candidates, 1):
        rtype, pk = split_key(cand.key)
        rows.append(
            Match(
                order=order,
                resource_type=rtype,
                resource_id=pk,
                resource_name=cand.name[:200],
                provider_org_id=orgs.get(cand.key),
                rank=position,
                score=min(max(float(cand.score), 0.0), 1.0),
                reasons=list(cand.reason_codes),
            )
        )
    Match.objects.filter(order=order).delete()
    Match.objects.bulk_create(rows)
    strong = list(
        dict.fromkeys(r.provider_org_id for r in rows if r.provider_org_id and r.score >= threshold)
    )
    return StoreResult(count=len(rows), strong_orgs=strong)


# ---- configuration check ---------------------------------------------------------------------------------
@checks.register()
def check_matching_weights(app_configs=None, **kwargs):
    """`MATCHING_WEIGHTS` may only name known engine weights, with numeric values."""
    try:
        engine_weights()
    except (KeyError, TypeError, ValueError) as exc:
        return [checks.Error(f"MATCHING_WEIGHTS: {exc}", id="matchmaking.E101")]
    return []


# ---- the pipeline: match one order, sweep, re-score ----------------------------------------------------
LEASE_PREFIX = "matching:lease:"
SWEEP_COUNT_PREFIX = "matching:sweeps:"


def _open_states():
    from matchmaking.choices import OrderState as S

    # orders whose matches are still used: under moderation, returned for changes, or open for responses
    return (S.SUBMITTED, S.RETURNED, S.PUBLISHED, S.CLAIMED, S.DOCKING)


def open_orders():
    """Orders whose match set is kept up to date (submitted, returned, published, claimed, docking)."""
    from matchmaking.models import Order

    return Order.objects.filter(state__in=_open_states())


def take_lease(order_id: int, seconds: int | None = None) -> None:
    """Mark the order as being matched by a live task (the sweeper leaves it alone meanwhile).

    Leases are advisory: when the cache is unreachable the task goes on (the sweeper may then start a
    second, harmless copy, since matching is idempotent).
    """
    try:
        cache.set(
            f"{LEASE_PREFIX}{order_id}", timezone.now().timestamp(), seconds or settings.MATCH_RUNNING_TIMEOUT
        )
    except Exception:  # any cache backend error
        logger.warning("matching lease for order %s not stored (cache unavailable)", order_id, exc_info=True)


def release_lease(order_id: int) -> None:
    """The task is over (done or failed for good)."""
    try:
        cache.delete(f"{LEASE_PREFIX}{order_id}")
    except Exception:  # any cache backend error; the lease then simply expires
        logger.warning(
            "matching lease for order %s not released (cache unavailable)", order_id, exc_info=True
        )


def note_retry(order_id: int, attempt: int, error: BaseException) -> None:
    """While a transient error is being retried, say so on the order (administrators see it)."""
    from matchmaking.models import Order

    text = f"{timezone.now():%Y-%m-%d %H:%M} 第 {attempt} 次重试：{type(error).__name__}: {error}"
    try:
        Order.objects.filter(pk=order_id).update(match_error=text[:2000])
    except DatabaseError:
        logger.warning("could not note the retry on order %s", order_id)


def leased(order_ids: Iterable[int]) -> set[int]:
    """Which of these orders a live task holds."""
    ids = list(order_ids)
    found = cache.get_many([f"{LEASE_PREFIX}{pk}" for pk in ids])
    return {pk for pk in ids if f"{LEASE_PREFIX}{pk}" in found}


class StaleInputs(Exception):
    """The order's matching inputs changed while it was being ranked."""


def match_and_store(order_id: int, index: Index | None = None) -> str:
    """Rank an order and replace its Match rows atomically; returns done / stale / missing / final.

    The order's inputs are read at the start; if `match_inputs_at` moved while ranking, nothing is
    stored (the caller re-enqueues). Running it twice on unchanged inputs leaves identical rows.
    """
    from matchmaking.choices import MatchState
    from matchmaking.models import FINAL, Order

    order = load_order(order_id)
    if order is None:
        return "missing"
    if order.state in FINAL:
        return "final"  # a finished order keeps the matches it had
    inputs_at = order.match_inputs_at
    Order.objects.filter(pk=order_id).update(match_state=MatchState.RUNNING)
    candidates = rank_order(order, index)
    with transaction.atomic():
        current = (
            Order.objects.select_for_update().filter(pk=order_id).values("match_inputs_at", "state").first()
        )
        if current is None:
            return "missing"
        stale = current["match_inputs_at"] != inputs_at
        if stale:
            Order.objects.filter(pk=order_id).update(match_state=MatchState.PENDING)
        else:
            _store(order, order_id, candidates, current["state"])
    if stale:
        raise StaleInputs(order_id)
    return "done"


def _store(order, order_id: int, candidates: Sequence[Candidate], state: str) -> None:
    """Store the matches, mark the order done, and have strong matches told once it is open."""
    from matchmaking.choices import MatchState
    from matchmaking.models import RESPONDABLE, Order

    result = store_matches(order, candidates)
    Order.objects.filter(pk=order_id).update(
        match_state=MatchState.DONE, matched_at=timezone.now(), match_error=""
    )
    cache.delete(f"{SWEEP_COUNT_PREFIX}{order_id}")  # a later failure gets its sweep retries again
    if result.strong_orgs and state in RESPONDABLE:
        from matchmaking.tasks.matching import notify_matched_providers

        notify_matched_providers.delay_on_commit(order_id)


def mark_failed(order_id: int, error: BaseException | str) -> None:
    """The order's matching failed for good: visible to administrators as `match_state=failed`."""
    from matchmaking.choices import MatchState
    from matchmaking.models import Order

    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    Order.objects.filter(pk=order_id).update(
        match_state=MatchState.FAILED, match_error=f"{timezone.now():%Y-%m-%d %H:%M} {text}"[:2000]
    )


def notify_strong_matches(order_id: int) -> int:
    """Tell members of strongly matched provider organizations about an order they can see; once each.

    Strong means a score of at least `MATCH_NOTIFY_THRESHOLD`. A member is told only when the order is
    visible to them (published and open, or they were invited) and was not told of this order before.
    """
    from matchmaking import notifications
    from matchmaking.choices import NotificationKind
    from matchmaking.models import Match, Notification, Order

    order = Order.objects.select_related("county").filter(pk=order_id).first()
    if order is None:
        return 0
    strong = Match.objects.filter(
        order_id=order_id, score__gte=settings.MATCH_NOTIFY_THRESHOLD, provider_org__isnull=False
    ).order_by("rank")
    best = {}
    for org_id, score, reasons in strong.values_list("provider_org_id", "score", "reasons"):
        best.setdefault(org_id, (score, reasons))
    if not best:
        return 0
    told = set(
        Notification.objects.filter(order_id=order_id, kind=NotificationKind.MATCHED).values_list(
            "recipient_id", flat=True
        )
    )
    count = 0
    for org_id, (score, reasons) in best.items():
        users = [
            u
            for u in notifications.org_users([org_id]).select_related("organization")
            if u.pk not in told and Order.objects.visible_to(u).filter(pk=order_id).exists()
        ]
        if not users:
            continue
        from matchmaking import texts

        title = texts.message(
            texts.gettext_noop("匹配到新需求（匹配度 %(score)s%%）：%(title)s"),
            score=round(score * 100),
            title=order.title,
        )
        body_message = texts.message(texts.gettext_noop("%(reasons)s"), reasons={"reasons": reasons})
        body = texts.render_in("zh-hans", body_message)
        notifications.notify(users, NotificationKind.MATCHED, order, title, body, body_message=body_message)
        count += len(users)
    return count


def kinds_changed_at(stats: Mapping[str, tuple] | None = None) -> dict[str, object]:
    """Per order kind, the last modification time of the catalog rows that kind is ranked against."""
    stats = catalog_stats() if stats is None else stats
    out = {}
    for kind in ORDER_KINDS:
        times = [stats.get("chain_type", (0, 0, None, 0))[2]]
        times += [
            stats.get(rtype, (0, 0, None, 0))[2] for rtype, kinds in KINDS_AFFECTED.items() if kind in kinds
        ]
        times = [t for t in times if t is not None]
        out[kind] = max(times) if times else None
    return out


def orders_to_sweep(now=None) -> dict[str, list[int]]:
    """Open orders whose matches need (re)computing, by reason; orders held by a live task are left out.

    - ``stuck``: `running` with no live task (the worker died) — reset to pending;
    - ``pending``: never matched, older than the grace period (its task was lost);
    - ``failed``: failed, while the sweeper has retries left for it (`MATCH_SWEEP_RETRIES`);
    - ``outdated``: matched before its inputs last changed;
    - ``catalog``: matched before the catalog rows of its kind last changed.
    """
    from matchmaking.choices import MatchState

    now = now or timezone.now()
    grace = now - timedelta(seconds=settings.MATCH_SWEEP_GRACE)
    batch = settings.MATCH_SWEEP_BATCH
    base = open_orders().order_by("pk")
    found: dict[str, list[int]] = {}
    found["stuck"] = list(base.filter(match_state=MatchState.RUNNING).values_list("pk", flat=True)[:batch])
    found["pending"] = list(
        base.filter(match_state=MatchState.PENDING)
        .filter(Q(match_inputs_at__lt=grace) | Q(match_inputs_at__isnull=True, updated_at__lt=grace))
        .values_list("pk", flat=True)[:batch]
    )
    failed = list(base.filter(match_state=MatchState.FAILED).values_list("pk", flat=True)[:batch])
    counts = cache.get_many([f"{SWEEP_COUNT_PREFIX}{pk}" for pk in failed])
    found["failed"] = [
        pk for pk in failed if counts.get(f"{SWEEP_COUNT_PREFIX}{pk}", 0) < settings.MATCH_SWEEP_RETRIES
    ]
    done = base.filter(match_state=MatchState.DONE)
    found["outdated"] = list(
        done.filter(Q(matched_at__isnull=True) | Q(matched_at__lt=models.F("match_inputs_at"))).values_list(
            "pk", flat=True
        )[:batch]
    )
    catalog_q = Q()
    for kind, changed in kinds_changed_at().items():
        if changed is not None:
            catalog_q |= Q(kind=kind, matched_at__lt=changed)
    found["catalog"] = (
        list(done.filter(catalog_q).exclude(pk__in=found["outdated"]).values_list("pk", flat=True)[:batch])
        if catalog_q
        else []
    )
    held = leased({pk for ids in found.values() for pk in ids})
    return {reason: [pk for pk in ids if pk not in held] for reason, ids in found.items()}


def sweep(enqueue) -> dict[str, int]:
    """Re-enqueue (through ``enqueue(order_id)``) every order `orders_to_sweep` finds; returns counts."""
    from matchmaking.choices import MatchState
    from matchmaking.models import Order

    found = orders_to_sweep()
    if found["stuck"]:
        Order.objects.filter(pk__in=found["stuck"], match_state=MatchState.RUNNING).update(
            match_state=MatchState.PENDING
        )
    for pk in found["failed"]:
        key = f"{SWEEP_COUNT_PREFIX}{pk}"
        cache.set(key, cache.get(key, 0) + 1, 7 * 24 * 3600)
    seen = set()
    for ids in found.values():
        for pk in ids:
            if pk not in seen:
                seen.add(pk)
                enqueue(pk)
    return {reason: len(ids) for reason, ids in found.items()}


def orders_affected(scope: Mapping[str, Sequence[int] | None]):
    """Open orders a catalog change may re-rank: ``{kind: chain type ids or None for every chain}``."""
    cond = Q()
    for kind, chain_type_ids in scope.items():
        if chain_type_ids is None:
            cond |= Q(kind=kind)
        elif chain_type_ids:
            cond |= Q(kind=kind, chain__chain_type_id__in=list(chain_type_ids))
    if not cond:
        return open_orders().none()
    return open_orders().filter(cond)
