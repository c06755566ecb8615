"""The profile revision transition table and the one function every state change goes through.

    action    from      to         who
    submit    (new)     pending    a member of the provider the entry stands for (services.submit_revision)
    approve   pending   approved   administrator (the entry changes; affected orders are re-matched)
    reject    pending   rejected   administrator (reason required)
    withdraw  pending   withdrawn  a member of the provider that submitted it

Anything else is refused with `WorkflowError(code="illegal_transition")`; a wrong actor with `forbidden`.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Scope
from core.errors import ServiceError as WorkflowError
from profiles.choices import RevisionState
from profiles.models import ProfileRevision, RevisionEvent

__all__ = ["TABLE", "WorkflowError", "transition"]

ADMIN, OWNER = "admin", "owner"


@dataclass(frozen=True)
class Transition:
    """One row of the transition table."""

    action: str
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    needs_reason: bool = False


TABLE = {
    t.action: t
    for t in (
        Transition("approve", (RevisionState.PENDING,), RevisionState.APPROVED, (ADMIN,)),
        Transition("reject", (RevisionState.PENDING,), RevisionState.REJECTED, (ADMIN,), needs_reason=True),
        Transition("withdraw", (RevisionState.PENDING,), RevisionState.WITHDRAWN, (OWNER,)),
    )
}


def _roles(revision: ProfileRevision, user) -> set[str]:
    scope = Scope.for_user(user)
    roles = set()
    if scope.is_admin:
        roles.add(ADMIN)
    if scope.active and scope.is_provider and scope.org_id == revision.organization_id:
        roles.add(OWNER)
    return roles


def can(revision: ProfileRevision, action: str, user) -> bool:
    """Whether `user` may do `action` on the revision now."""
    t = TABLE.get(action)
    return bool(t and revision.state in t.sources and _roles(revision, user) & set(t.actors))


def transition(revision: ProfileRevision, action: str, by, reason: str = "") -> ProfileRevision:
    """Validate the move, save the revision and append its event row (call inside a transaction)."""
    t = TABLE.get(action)
    if t is None or revision.state not in t.sources:
        raise WorkflowError(_("当前状态下不能执行该操作。"), code="illegal_transition")
    if not _roles(revision, by) & set(t.actors):
        raise WorkflowError(_("无权执行该操作。"), code="forbidden")
    reason = (reason or "").strip()
    if t.needs_reason and not reason:
        raise WorkflowError(_("请填写原因。"), errors={"reason": _("请填写原因。")})
    source = revision.state
    revision.state = t.target
    if action in ("approve", "reject"):
        revision.decided_by, revision.decided_at = by, timezone.now()
        revision.decision_reason = reason if action == "reject" else ""
    revision.save()
    RevisionEvent.objects.create(
        revision=revision, action=action, from_state=source, to_state=t.target, actor=by, note=reason
    )
    return revision
