"""What the event services share: inputs, scope, errors, the event log and notifications."""

from accounts.choices import OrgKind
from accounts.models import User
from accounts.scoping import Scope
from events.models import (
    EventLog,
)
from events.workflow import WorkflowError
from matchmaking import notifications
from matchmaking.choices import NotificationKind

# Event fields an organizer sets through create/update (the many-to-many targets are set separately).
EVENT_INPUTS = (
    "title",
    "kind",
    "order_kinds",
    "place",
    "online_url",
    "starts_at",
    "ends_at",
    "registration_deadline",
    "capacity",
    "agenda",
    "requires_approval",
    "meetings_start",
    "slot_minutes",
    "slot_count",
    "table_count",
)

EVENT_TARGETS = ("chains", "chain_types", "counties")

ORGANIZER_KINDS = (OrgKind.BODY, OrgKind.CITY, OrgKind.COUNTY, OrgKind.PROVIDER, OrgKind.PLATFORM)

PARTICIPANT_KINDS = (OrgKind.COUNTY, OrgKind.CITY, OrgKind.BODY, OrgKind.PROVIDER)


def _scope(user) -> Scope | None:
    return Scope.for_user(user) if user is not None else None


def _invalid(message, **errors) -> WorkflowError:
    return WorkflowError(message, code="invalid", errors=errors or {"__all__": message})


def log(event, kind, by=None, *, from_state="", to_state="", note="", meeting=None) -> EventLog:
    """Append one entry to the event's log; call inside the caller's transaction."""
    return EventLog.objects.create(
        event=event,
        kind=kind,
        actor=by,
        organization=getattr(by, "organization", None) if by is not None else None,
        from_state=from_state,
        to_state=to_state,
        note=(note or "")[:1000],
        meeting=meeting,
    )


def org_members(org_ids) -> list[User]:
    """Active, approved members of the given organizations."""
    return list(
        User.objects.filter(organization_id__in=list(org_ids), is_active=True, approval_state="approved")
    )


def tell(org_ids, title: str, body: str = "") -> None:
    """In-app notification (and e-mail, by the user's preference) to the members of organizations."""
    users = org_members(org_ids)
    if users:
        notifications.notify(users, NotificationKind.REMINDER, None, title[:200], body)


def _tell_admins(title: str) -> None:
    notifications.notify(notifications.admins(), NotificationKind.SUBMITTED, None, title[:200])


def _unplaced() -> dict:
    return {"slot": None, "table": None}
