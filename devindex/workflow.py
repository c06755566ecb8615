"""The yearly report workflow (县域填报、设区市审核) as one transition table, and the one check every change
goes through.

    action    from                 to          who
    submit    draft, returned      submitted   the county itself
    approve   submitted            approved    the county's prefecture city, administrator
    return    submitted            returned    the county's prefecture city, administrator (reason required)
    reopen    approved             returned    administrator (reason required)

Values are edited by the county while its report is a draft or returned, and by administrators in any state
(a bulk import writes approved reports directly). Only approved values enter the computation.
Anything else is refused with `DevIndexError(code="illegal_transition")` or `code="forbidden"`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import Scope
from core.errors import ServiceError
from devindex.choices import EventAction, ReportState


class DevIndexError(ServiceError):
    """A refused index action (see `core.errors.ServiceError` for the codes)."""


COUNTY = "county"
CITY = "city"
ADMIN = "admin"


@dataclass(frozen=True)
class Transition:
    """One row of the transition table."""

    action: str
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    event: str
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "submit",
            (ReportState.DRAFT, ReportState.RETURNED),
            ReportState.SUBMITTED,
            (COUNTY,),
            EventAction.SUBMITTED,
        ),
        Transition(
            "approve", (ReportState.SUBMITTED,), ReportState.APPROVED, (CITY, ADMIN), EventAction.APPROVED
        ),
        Transition(
            "return",
            (ReportState.SUBMITTED,),
            ReportState.RETURNED,
            (CITY, ADMIN),
            EventAction.RETURNED,
            needs_reason=True,
        ),
        Transition(
            "reopen",
            (ReportState.APPROVED,),
            ReportState.RETURNED,
            (ADMIN,),
            EventAction.REOPENED,
            needs_reason=True,
        ),
    )
}

ACTION_LABELS = {
    "submit": gettext_lazy("提交审核"),
    "approve": gettext_lazy("审核通过"),
    "return": gettext_lazy("退回修改"),
    "reopen": gettext_lazy("重新打开"),
}

# States in which the county itself may still change its values.
COUNTY_EDITABLE = (ReportState.DRAFT, ReportState.RETURNED)


def actor_may(role: str, scope: Scope, report) -> bool:
    """Whether an actor in this scope plays `role` for the report."""
    if role == ADMIN:
        return scope.is_admin
    if role == COUNTY:
        return scope.is_county and scope.county_id == report.county_id
    if role == CITY:
        return scope.is_city and scope.prefecture_id == report.county.prefecture_id
    return False


def check(report, action: str, scope: Scope, reason: str = "") -> Transition:
    """Validate a transition for a report and actor; return the table row or raise DevIndexError."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DevIndexError(_("未知的操作：%(a)s") % {"a": action}, code="illegal_transition")
    if report.state not in transition.sources:
        raise DevIndexError(
            _("填报当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"state": report.get_state_display(), "action": ACTION_LABELS[action]},
            code="illegal_transition",
        )
    if not any(actor_may(role, scope, report) for role in transition.actors):
        raise DevIndexError(
            _("您无权对该填报执行“%(action)s”。") % {"action": ACTION_LABELS[action]}, code="forbidden"
        )
    if transition.needs_reason and not (reason or "").strip():
        raise DevIndexError(_("请填写原因。"), code="invalid", errors={"reason": _("请填写原因。")})
    return transition


def can(report, action: str, scope: Scope) -> bool:
    """Whether `check` would pass (reasons aside): used by pages and the API to offer the action."""
    transition = TRANSITIONS[action]
    return report.state in transition.sources and any(actor_may(r, scope, report) for r in transition.actors)


def may_edit_values(report, scope: Scope) -> bool:
    """The county while its report is a draft or returned; administrators always."""
    if scope.is_admin:
        return True
    return actor_may(COUNTY, scope, report) and report.state in COUNTY_EDITABLE
