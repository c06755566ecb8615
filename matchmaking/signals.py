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
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from chains.models import (
    ChainLink,
    ChainType,
    Enterprise,
    FinancialProduct,
    Fund,
    Institution,
    TalentResource,
)

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
    from matchmaking.tasks.matching import rescore_orders

    rescore_orders.delay(payload)


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures being loaded
    from matchmaking.matching import KINDS_AFFECTED, ORDER_KINDS, RESOURCE_MODEL

    if sender in (ChainType, ChainLink):
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
