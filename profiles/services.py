"""State changes of profile revisions: submit, approve (apply and re-match), reject, withdraw."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dispatch
from core.errors import ServiceError
from matchmaking.match_index import KINDS_AFFECTED
from matchmaking.matching import orders_affected
from profiles import entries, workflow
from profiles.choices import RevisionAction, RevisionState
from profiles.models import ProfileRevision, RevisionEvent

REMATCH_TASK = "profiles.tasks.rematch_orders"


def _plain(value):
    """A JSON-safe copy of a field value (choices and numbers as they are, None kept)."""
    return value if value is None or isinstance(value, int | float | bool) else str(value)


def submit_revision(*, by, entry: entries.Entry, data: dict, note: str = "") -> ProfileRevision:
    """Propose new values for the editable fields of an entry of the user's organization (one pending at a time)."""
    org = by.organization
    if entries.entry_of(org, entry.resource_type, entry.obj.pk) is None:
        raise ServiceError(_("无权修改该资料。"), code="forbidden")
    current = entries.MODELS[entry.resource_type].objects.get(
        pk=entry.obj.pk
    )  # (a bound form alters entry.obj)
    changes = {}
    for field in entries.EDITABLE[entry.resource_type]:
        if field not in data:
            continue
        old, new = _plain(getattr(current, field)), _plain(data[field])
        if (old or None) != (new or None):
            changes[field] = {"old": old, "new": new}
    if not changes:
        raise ServiceError(_("资料没有变化。"))
    try:
        with transaction.atomic():
            revision = ProfileRevision.objects.create(
                organization=org,
                resource_type=entry.resource_type,
                resource_id=entry.obj.pk,
                resource_name=current.name,
                changes=changes,
                note=(note or "").strip()[:500],
                submitted_by=by,
            )
            RevisionEvent.objects.create(
                revision=revision,
                action=RevisionAction.SUBMIT,
                to_state=RevisionState.PENDING,
                actor=by,
                note=revision.note,
            )
    except IntegrityError as exc:
        raise ServiceError(
            _("该资料已有一条待审核的修改，请等待审核或先撤回。"), code="illegal_transition"
        ) from exc
    return revision


@transaction.atomic
def approve_revision(revision: ProfileRevision, *, by) -> ProfileRevision:
    """Apply the revision to its catalog entry and re-match the open orders the entry can affect (after commit)."""
    revision = ProfileRevision.objects.select_for_update().get(pk=revision.pk)
    workflow.transition(revision, "approve", by)
    model = entries.MODELS[revision.resource_type]
    values = {field: change["new"] for field, change in revision.changes.items()}
    for field in ("max_amount_yuan", "term_months"):
        if field in values and values[field] in ("", None):
            values[field] = None
    # update(): the catalog signal would re-score every open order of the kind; these are re-matched below
    model.objects.filter(pk=revision.resource_id).update(**values, updated_at=timezone.now())
    dispatch.enqueue_on_commit(REMATCH_TASK, affected_order_ids(revision))
    return revision


def affected_order_ids(revision: ProfileRevision) -> list[int]:
    """Open orders the entry's change may re-rank: the kinds it serves (an enterprise: its chain type only)."""
    model = entries.MODELS[revision.resource_type]
    chain_type_ids = None
    if revision.resource_type == "enterprise":
        chain_type_ids = list(
            model.objects.filter(pk=revision.resource_id).values_list("chain_type_id", flat=True)
        )
    scope = dict.fromkeys(KINDS_AFFECTED[revision.resource_type], chain_type_ids)
    return sorted(orders_affected(scope).values_list("pk", flat=True))


@transaction.atomic
def reject_revision(revision: ProfileRevision, *, by, reason: str) -> ProfileRevision:
    """Refuse the revision with a reason (the entry is unchanged)."""
    revision = ProfileRevision.objects.select_for_update().get(pk=revision.pk)
    return workflow.transition(revision, "reject", by, reason)


@transaction.atomic
def withdraw_revision(revision: ProfileRevision, *, by) -> ProfileRevision:
    """The provider takes its pending revision back."""
    revision = ProfileRevision.objects.select_for_update().get(pk=revision.pk)
    return workflow.transition(revision, "withdraw", by)
