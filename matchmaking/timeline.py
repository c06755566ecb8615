"""An order's timeline: the append-only OrderEvent rows every service writes with its change."""

from django.utils import timezone

from matchmaking import texts
from matchmaking.choices import EventKind
from matchmaking.models import Order, OrderEvent

# Events that are not progress on the order (they must not restart the service-level clock).
NOT_PROGRESS = {EventKind.REMINDED, EventKind.ESCALATED, EventKind.COMMENTED}


def log_event(
    order, kind, by=None, *, from_state="", to_state="", note="", at=None, note_message=None, stamped=False
) -> OrderEvent:
    """Append one timeline entry (and keep the order's progress clock); call inside the caller's transaction.
    `note_message` (matchmaking.texts.message) is platform wording rendered per reader; `note` then holds its
    Chinese text. `stamped`: the caller has already set the order's `last_progress_at` to `at` in the row."""
    now = at or timezone.now()
    if note_message:
        note = texts.render_in("zh-hans", note_message)
    event = OrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=by,
        # the id: the actor's organization row need not be read
        organization_id=getattr(by, "organization_id", None) if by is not None else None,
        from_state=from_state,
        to_state=to_state,
        note=note,
        note_message=note_message or {},
        created_at=now,
    )
    if kind not in NOT_PROGRESS:
        if not stamped:
            Order.objects.filter(pk=order.pk).update(last_progress_at=now)
        order.last_progress_at = now
    return event
