"""The matching adapter: orders → engine queries → Match rows, and the pipeline around it.

The engine (`engine`) knows nothing of Django; `matchmaking.match_index` gives it the catalog as one index
per catalog version. This module

- turns an `Order` into an `OrderQuery` and ranks it;
- replaces an order's Match rows atomically (reasons stored structured: code and parameters) and tells
  providers about strong new matches;
- keeps the pipeline honest: leases while a task runs, `failed` after the last retry, and the sweeper that
  re-enqueues orders whose matches are missing, failed, stuck or older than their inputs or the catalog.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.choices import OrgKind
from accounts.models import Organization
from chains.models import WhiteListEntry, split_keywords
from core import compiledsql, dispatch
from engine import Candidate, Index, OrderQuery, rank
from engine.reasons import reason
from matchmaking import notifications, texts
from matchmaking.choices import MatchState, NotificationKind, OrderState
from matchmaking.match_index import KINDS_AFFECTED, ORDER_KINDS, ORG_RESOURCE_FIELDS, catalog_stats, get_index
from matchmaking.models import FINAL, RESPONDABLE, Match, Notification, Order

logger = logging.getLogger(__name__)


# ---- orders → queries ----------------------------------------------------------------------------------
def order_text(order) -> str:
    """The order's free text for matching: description plus its kind's descriptive fields."""
    parts = [order.description]
    for name in Order.MATCH_TEXTS:
        value = getattr(order, name, "") or ""
        if value:
            parts.append(value)
    return "\n".join(p for p in parts if p)


def order_keywords(order) -> tuple[str, ...]:
    """Explicit keywords: the keyword field plus the short technical field / wanted products."""
    items = list(order.keyword_list)
    for name in Order.MATCH_KEYWORD_TEXTS:
        items.extend(split_keywords(getattr(order, name, "") or ""))
    return tuple(dict.fromkeys(items))


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
    """The order with everything `query_for_order` reads, or None (SQL compiled once per connection)."""
    rows = compiledsql.fetch("matching.load_order", _order_with_inputs, order_id)
    return rows[0] if rows else None


def _order_with_inputs(order_id: int) -> models.QuerySet:
    """The order (a queryset of at most one) with the rows `query_for_order` reads."""
    return Order.objects.select_related("county__prefecture", "chain__chain_type", "link").filter(pk=order_id)


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
    by_type: dict[str, list[int]] = defaultdict(list)
    for key in keys:
        rtype, pk = split_key(key)
        by_type[rtype].append(pk)
    if not by_type:
        return {}
    cond = Q()
    for rtype, field in ORG_RESOURCE_FIELDS:
        if by_type.get(rtype):
            cond |= Q(**{f"{field}__in": by_type[rtype]})
    out: dict[str, int] = {}
    orgs = Organization.objects.filter(kind=OrgKind.PROVIDER, is_active=True)
    if cond:
        fields = [field for _rtype, field in ORG_RESOURCE_FIELDS]
        for org_id, *pks in orgs.filter(cond).order_by("-pk").values_list("pk", *fields):
            for (rtype, _field), pk in zip(ORG_RESOURCE_FIELDS, pks, strict=True):
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


def white_list_reasons(order, keys: Sequence[str]) -> dict[str, list[dict]]:
    """列入重点企业白名单: for matched catalog firms on the key-firm white list, one reason naming the latest
    year and the chain (the order's own chain first). A reason only; scores and ranks are the engine's."""
    firm_ids = [pk for rtype, pk in map(split_key, keys) if rtype == "enterprise"]
    if not firm_ids:
        return {}
    best: dict[int, tuple] = {}
    for firm_id, year, chain_id, chain_name in WhiteListEntry.objects.filter(
        enterprise_id__in=firm_ids
    ).values_list("enterprise_id", "year", "chain_id", "chain__name"):
        rank_key = (chain_id == order.chain_id, year)
        if firm_id not in best or rank_key > best[firm_id][0]:
            best[firm_id] = (rank_key, year, chain_name)
    return {
        f"enterprise:{firm_id}": [reason("white_list", year=year, chain=chain_name)]
        for firm_id, (_rank, year, chain_name) in best.items()
    }


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
    threshold = settings.MATCH_NOTIFY_THRESHOLD
    orgs = provider_orgs_for([c.key for c in candidates])
    listed = white_list_reasons(order, [c.key for c in candidates])
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
                reasons=[*cand.reason_codes, *listed.get(cand.key, [])],
            )
        )
    Match.objects.filter(order=order).delete()
    Match.objects.bulk_create(rows)
    strong = list(
        dict.fromkeys(r.provider_org_id for r in rows if r.provider_org_id and r.score >= threshold)
    )
    return StoreResult(count=len(rows), strong_orgs=strong)


# ---- the pipeline: match one order, sweep, re-score ----------------------------------------------------
LEASE_PREFIX = "matching:lease:"
SWEEP_COUNT_PREFIX = "matching:sweeps:"


def _open_states():
    # orders whose matches are still used: under moderation, returned for changes, or open for responses
    return (
        OrderState.SUBMITTED,
        OrderState.RETURNED,
        OrderState.PUBLISHED,
        OrderState.CLAIMED,
        OrderState.DOCKING,
    )


def open_orders():
    """Orders whose match set is kept up to date (submitted, returned, published, claimed, docking)."""
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
    result = store_matches(order, candidates)
    Order.objects.filter(pk=order_id).update(
        match_state=MatchState.DONE, matched_at=timezone.now(), match_error=""
    )
    cache.delete(f"{SWEEP_COUNT_PREFIX}{order_id}")  # a later failure gets its sweep retries again
    if result.strong_orgs and state in RESPONDABLE:
        dispatch.enqueue_on_commit("matchmaking.tasks.matching.notify_matched_providers", order_id)


def mark_failed(order_id: int, error: BaseException | str) -> None:
    """The order's matching failed for good: visible to administrators as `match_state=failed`."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    Order.objects.filter(pk=order_id).update(
        match_state=MatchState.FAILED, match_error=f"{timezone.now():%Y-%m-%d %H:%M} {text}"[:2000]
    )


def _order_with_county(order_id: int) -> models.QuerySet:
    """The order (a queryset of at most one) with its county."""
    return Order.objects.select_related("county").filter(pk=order_id)


def notify_strong_matches(order_id: int) -> int:
    """Tell members of strongly matched provider organizations about an order they can see; once each.

    Strong means a score of at least `MATCH_NOTIFY_THRESHOLD`. A member is told only when the order is
    visible to them (published and open, or they were invited) and was not told of this order before.
    """
    rows = compiledsql.fetch("matching.order_with_county", _order_with_county, order_id)
    if not rows:
        return 0
    order = rows[0]
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
