"""Catalog change → re-score the open orders it may affect (one task per committed transaction).

A saved or deleted catalog row adds the order kinds it can change to a per-thread set; after the
transaction commits, one `rescore_orders` task is enqueued for the whole set (an import of thousands of
rows enqueues one task; a rolled-back change none). Enterprises only affect industry orders of their chain
type; institutions innovation and talent orders; talent resources talent and innovation orders; funds and
financial products capital orders; chain types and links every kind.
"""

import logging
import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.choices import OrgKind
from accounts.models import Organization
from chains.models import (
    ChainLink,
    ChainType,
    Enterprise,
    FinancialProduct,
    Fund,
    Institution,
    TalentResource,
)
from core import dispatch
from matchmaking.choices import EventKind
from matchmaking.match_index import KINDS_AFFECTED, ORDER_KINDS, RESOURCE_MODEL, resource_keys_of_orgs
from matchmaking.matching import split_key
from matchmaking.models import Match, OrderEvent

logger = logging.getLogger(__name__)

ALL_CHAINS = None  # scope value: every chain type
_state = threading.local()


def _pending() -> dict:
    if not hasattr(_state, "scope"):
        _state.scope = {}
    return _state.scope


def add_to_scope(kind: str, chain_type_id: int | None = ALL_CHAINS) -> None:
    """Remember that open orders of this kind (and chain type, or all) need re-scoring after commit."""
    scope = _pending()
    if not _scheduled():
        scope.clear()  # left over from a transaction that rolled back
    if chain_type_id is ALL_CHAINS:
        scope[kind] = ALL_CHAINS
    elif kind not in scope:
        scope[kind] = {chain_type_id}
    elif scope[kind] is not ALL_CHAINS:
        scope[kind].add(chain_type_id)
    _schedule()


def _scheduled() -> bool:
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(entry[1] is flush for entry in connection.run_on_commit)


def _schedule() -> None:
    if not _scheduled():
        transaction.on_commit(flush, robust=True)


def flush() -> None:
    """Enqueue one `rescore_orders` for everything changed since the last flush (runs after commit)."""
    scope = _pending()
    if not scope:
        return
    payload = {kind: (None if ids is ALL_CHAINS else sorted(ids)) for kind, ids in scope.items()}
    scope.clear()
    dispatch.enqueue("matchmaking.tasks.matching.rescore_orders", payload)


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures being loaded

    if sender in (ChainType, ChainLink):
        if sender is ChainLink:
            # links carry no timestamp: touch their chain type so the catalog version (and index) follows
            ChainType.objects.filter(pk=instance.chain_type_id).update(updated_at=timezone.now())
        for kind in ORDER_KINDS:
            add_to_scope(kind)
        return
    rtype = next(name for name, model in RESOURCE_MODEL.items() if model is sender)
    for kind in KINDS_AFFECTED[rtype]:
        if sender is Enterprise:
            add_to_scope(kind, instance.chain_type_id)
        else:
            add_to_scope(kind)


for _model in (Institution, Fund, FinancialProduct, TalentResource, Enterprise, ChainType, ChainLink):
    receiver(post_save, sender=_model, dispatch_uid=f"matching-rescore-save-{_model.__name__}")(_changed)
    receiver(post_delete, sender=_model, dispatch_uid=f"matching-rescore-delete-{_model.__name__}")(_changed)


# ---- the workflow and provider organizations -------------------------------------------------------------
def _order_event_saved(sender, instance, created, **kwargs) -> None:
    """An order just published: tell its strongly matched providers (now that they can see it)."""
    if created and not kwargs.get("raw") and instance.kind == EventKind.PUBLISHED:
        dispatch.enqueue_on_commit("matchmaking.tasks.matching.notify_matched_providers", instance.order_id)


def _organization_changed(sender, instance, **kwargs) -> None:
    """A provider organization now stands for catalog entries: name it on their existing matches."""
    if kwargs.get("raw") or instance.pk is None:
        return
    action = kwargs.get("action")
    if action is not None and action not in ("post_add", "post_remove", "post_clear"):
        return
    org_id = instance.pk
    transaction.on_commit(lambda: relink_provider(org_id), robust=True)


def relink_provider(org_id: int) -> int:
    """Set `provider_org` on the matches of the organization's catalog entries (and unset it where the
    organization no longer stands for them); returns how many rows changed."""
    org = Organization.objects.filter(pk=org_id).first()
    active = org is not None and org.is_active and org.kind == OrgKind.PROVIDER
    keys = resource_keys_of_orgs([org_id]) if active else set()
    changed = 0
    for key in keys:
        rtype, pk = split_key(key)
        changed += Match.objects.filter(
            resource_type=rtype, resource_id=pk, provider_org__isnull=True
        ).update(provider_org_id=org_id)
    stale = Match.objects.filter(provider_org_id=org_id)
    for key in keys:
        rtype, pk = split_key(key)
        stale = stale.exclude(resource_type=rtype, resource_id=pk)
    changed += stale.update(provider_org=None)
    return changed


def _connect_domain_signals() -> None:
    post_save.connect(_order_event_saved, sender=OrderEvent, dispatch_uid="matching-order-published")
    post_save.connect(_organization_changed, sender=Organization, dispatch_uid="matching-provider-org")
    m2m_changed.connect(
        _organization_changed,
        sender=Organization.financial_products.through,
        dispatch_uid="matching-provider-products",
    )


_connect_domain_signals()
