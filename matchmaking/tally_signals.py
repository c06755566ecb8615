"""Receivers that keep the dashboards' summary table (`matchmaking.tally`) exact when an order, its outcome,
a response or a route is saved or deleted outside a service's state change (forms, the admin, fixtures).
Writes that bypass signals (QuerySet.update, bulk_create) recount through the services or `rebuild()`."""

from contextlib import contextmanager

from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete, pre_save
from django.dispatch import receiver

from matchmaking import tally
from matchmaking.choices import OrderState, ProposalState
from matchmaking.models import Order, OrderRoute, OrderTally, Outcome, Proposal

RELATED = (Outcome, Proposal, OrderRoute)


# The order fields its summary cells and figures depend on: a save of other fields only changes no cell.
COUNTED_FIELDS = frozenset(
    {
        *tally.DIMENSIONS,
        *(name.removesuffix("_id") for name in tally.DIMENSIONS),
        "claimed_by_body",
        "claimed_by_body_id",
        "published_at",
        "claimed_at",
        "claim_due_at",
        "finished_at",
    }
)


def _uncounted(instance, update_fields) -> bool:
    """A save that changes no summary cell: of fields that are not counted, or of a new draft (no cells)."""
    if update_fields is not None and not COUNTED_FIELDS.intersection(update_fields):
        return True
    return instance.pk is None and instance.state == OrderState.DRAFT


@receiver(pre_save, sender=Order, dispatch_uid="tally_order_before")
def _order_before(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    instance._tally_skip = _uncounted(instance, update_fields)
    if not instance._tally_skip:
        instance._tally_before = tally.cells_of(instance.pk) if instance.pk else set()


@receiver(post_save, sender=Order, dispatch_uid="tally_order_after")
def _order_after(sender, instance, raw=False, **kwargs):
    if not raw and not getattr(instance, "_tally_skip", False):
        tally.recount_order(instance.pk, getattr(instance, "_tally_before", set()))


def _before_delete(sender, instance, **kwargs):
    instance._tally_before = tally.cells_of(instance.pk if sender is Order else instance.order_id)


def _after_delete(sender, instance, **kwargs):
    if sender is Order:
        tally.recount(getattr(instance, "_tally_before", set()))
    else:
        tally.recount_order(instance.order_id, getattr(instance, "_tally_before", set()))


def _related_saved(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    # The figures count accepted responses only (`docked`): a new response that is not accepted adds one
    # response of its provider to the order's cells (an exact delta), every other save recounts them.
    if sender is Proposal and created and instance.state != ProposalState.ACCEPTED:
        tally.shift_response(instance.order_id, instance.provider_org_id)
    else:
        tally.recount_order(instance.order_id)


# Connected per model (a receiver for every sender would stop Django's fast cascade deletes everywhere).
def _connect_deletes() -> None:
    for model in (Order, *RELATED):
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=f"tally_before_delete_{model.__name__}")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"tally_after_delete_{model.__name__}")


@contextmanager
def deletes_uncounted():
    """Bulk deletes without per-row recounts (and with Django's fast deletes); rebuild the table afterwards."""
    for model in (Order, *RELATED):
        pre_delete.disconnect(sender=model, dispatch_uid=f"tally_before_delete_{model.__name__}")
        post_delete.disconnect(sender=model, dispatch_uid=f"tally_after_delete_{model.__name__}")
    try:
        yield
    finally:
        _connect_deletes()


_connect_deletes()
for model in RELATED:
    post_save.connect(_related_saved, sender=model, dispatch_uid=f"tally_saved_{model.__name__}")


@receiver(post_migrate, dispatch_uid="tally_fill_after_migrate")
def _fill_after_migrate(sender, app_config=None, apps=None, **kwargs):
    """Fill an empty summary table once the migrations that created it have run on a database with orders
    (an upgraded site), so the dashboards never read zeros; later drift is the nightly check's job."""
    if getattr(app_config, "label", None) != "matchmaking":
        return
    try:  # a migration back to before the table (e.g. a migration test) has no summary to fill
        apps.get_model("matchmaking", "OrderTally")
    except (AttributeError, LookupError):
        return
    if not OrderTally.objects.exists() and Order.objects.exists():
        tally.rebuild()
