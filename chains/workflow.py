"""The declaration workflow of county key chains (县申报、市审核、省认定) as one transition table.

    action    from                                   to          who
    declare   (new)                                  declared    the county (a chain of its own county)
    submit    returned                               declared    the chain's county (declares again after a return)
    review    declared                               reviewed    the county's prefecture city, administrator
    return    declared                               returned    the county's prefecture city, administrator (reason)
    confirm   reviewed                               confirmed   the province: a body that confirms chains (省工信厅), administrator
    adjust    reviewed, confirmed                    (same)      the province (changes the declaration's content)
    revoke    declared, reviewed, returned, confirmed revoked     the province (reason)
    import    any                                    confirmed   the official list (import_catalog chains, admin import)

Orders may be placed on declared, reviewed and confirmed chains (declared and reviewed are shown as 待认定);
a revoked chain's open orders stay open and say so. Anything else is refused with
`ChainWorkflowError(code="illegal_transition")`; an actor outside the chain's scope gets `forbidden`
(views and the API answer 404).

Actors are scopes (see chains.scoping): plain ids and flags, never an import of accounts.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chains.choices import ChainStatus
from chains.models import ProvincialBody
from core.errors import ServiceError


class ChainWorkflowError(ServiceError):
    """A refused chain action (see `core.errors.ServiceError`); codes: `illegal_transition`, `forbidden` (views
    answer 404), `invalid` (`errors` maps fields to messages), `conflict` (someone changed the chain meanwhile).
    """


COUNTY = "county"
CITY = "city"
PROVINCE = "province"
ADMIN = "admin"


@dataclass(frozen=True)
class Transition:
    """One row of the transition table; `target` None keeps the status (an adjustment)."""

    action: str
    sources: tuple[str, ...]
    target: str | None
    actors: tuple[str, ...]
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", (ChainStatus.RETURNED,), ChainStatus.DECLARED, (COUNTY,)),
        Transition("review", (ChainStatus.DECLARED,), ChainStatus.REVIEWED, (CITY, ADMIN)),
        Transition("return", (ChainStatus.DECLARED,), ChainStatus.RETURNED, (CITY, ADMIN), needs_reason=True),
        Transition("confirm", (ChainStatus.REVIEWED,), ChainStatus.CONFIRMED, (PROVINCE, ADMIN)),
        Transition("adjust", (ChainStatus.REVIEWED, ChainStatus.CONFIRMED), None, (PROVINCE, ADMIN)),
        Transition(
            "revoke",
            (ChainStatus.DECLARED, ChainStatus.REVIEWED, ChainStatus.RETURNED, ChainStatus.CONFIRMED),
            ChainStatus.REVOKED,
            (PROVINCE, ADMIN),
            needs_reason=True,
        ),
    )
}

ACTION_LABELS = {
    "declare": gettext_lazy("申报"),
    "submit": gettext_lazy("重新申报"),
    "review": gettext_lazy("审核通过"),
    "return": gettext_lazy("退回修改"),
    "confirm": gettext_lazy("认定"),
    "adjust": gettext_lazy("调整"),
    "revoke": gettext_lazy("撤销"),
}

# States in which the chain's own county may still change what it declared.
COUNTY_EDITABLE = (ChainStatus.DECLARED, ChainStatus.RETURNED)


def is_province(scope) -> bool:
    """Whether the scope acts for the province on chains: a body that confirms chains (省工信厅)."""
    if scope is None or not getattr(scope, "is_body", False):
        return False
    cached = getattr(scope, "_confirms_chains", None)
    if cached is None:
        cached = ProvincialBody.objects.filter(pk=scope.body_id, confirms_chains=True).exists()
        object.__setattr__(scope, "_confirms_chains", cached)  # Scope is a frozen dataclass
    return cached


def keeps_white_list(scope) -> bool:
    """Whether the scope may maintain the white list: an administrator or a body that keeps it."""
    if scope is None or not getattr(scope, "active", False):
        return False
    if scope.is_admin:
        return True
    return (
        bool(scope.is_body)
        and ProvincialBody.objects.filter(pk=scope.body_id, keeps_white_list=True).exists()
    )


def actor_may(role: str, scope, chain) -> bool:
    """Whether an actor in this scope plays `role` for the chain."""
    if scope is None or not getattr(scope, "active", False):
        return False
    if role == ADMIN:
        return scope.is_admin
    if role == COUNTY:
        return scope.is_county and scope.county_id == chain.county_id
    if role == CITY:
        return scope.is_city and scope.prefecture_id == chain.county.prefecture_id
    if role == PROVINCE:
        return is_province(scope)
    return False


def in_scope(scope, chain) -> bool:
    """Whether the actor is one of the chain's parties at all (else it is told the chain does not exist)."""
    return any(actor_may(role, scope, chain) for role in (COUNTY, CITY, PROVINCE, ADMIN))


def check(chain, action: str, scope, reason: str = "") -> Transition:
    """Validate a transition for a chain and actor; return the table row or raise ChainWorkflowError."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ChainWorkflowError(_("未知的操作：%(a)s") % {"a": action}, code="illegal_transition")
    if not any(actor_may(role, scope, chain) for role in transition.actors):
        raise ChainWorkflowError(
            _("您无权对该产业链执行“%(action)s”。") % {"action": ACTION_LABELS[action]}, "forbidden"
        )
    if chain.status not in transition.sources:
        raise ChainWorkflowError(
            _("该产业链当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": chain.get_status_display(), "action": ACTION_LABELS[action]},
            code="illegal_transition",
        )
    if transition.needs_reason and not (reason or "").strip():
        raise ChainWorkflowError(_("请填写原因。"), code="invalid", errors={"reason": _("请填写原因。")})
    return transition


def can(chain, action: str, scope) -> bool:
    """Whether `check` would pass (reasons aside): used by templates to show buttons."""
    transition = TRANSITIONS[action]
    return chain.status in transition.sources and any(actor_may(r, scope, chain) for r in transition.actors)


def allowed_actions(chain, scope) -> list[str]:
    """The actions this actor may take on the chain now, in table order."""
    return [action for action in TRANSITIONS if can(chain, action, scope)]


def county_may_edit(chain, scope) -> bool:
    """The chain's county may change its declaration while it is declared or returned."""
    return chain.status in COUNTY_EDITABLE and actor_may(COUNTY, scope, chain)
