"""What a viewer may read of a county key chain (pages, API and notifications alike).

part                                    who reads it
name, type, status, links, 链长, 链主企业  everyone who can see the chain (confirmed chains: everyone)
专班 contact, 申报人, status note (reason)  the chain's parties: its county, its prefecture city, the
                                        province's bodies, administrators
history (申报、审核、认定 steps)          the chain's parties (others see the status only)
white list                               approved users (government, banks, funds, firms); not anonymous
actions                                  what `chains.workflow` lets this actor do now
"""

from dataclasses import dataclass, field

from chains import workflow
from chains.scoping import scope_of


@dataclass(frozen=True)
class ChainReadPolicy:
    """One viewer's reading of one chain."""

    party: bool = False
    white_list: bool = False
    actions: tuple[str, ...] = ()
    can_edit: bool = False
    edit_is_adjustment: bool = False
    hidden: tuple[str, ...] = field(default=())

    @property
    def contact(self) -> bool:
        """The 专班 contact and who declared it."""
        return self.party

    @property
    def history(self) -> bool:
        """The declaration history with its notes."""
        return self.party

    @property
    def notes(self) -> bool:
        """Reasons of returns and revocations."""
        return self.party


PARTY_ONLY_FIELDS = ("task_force_contact", "status_note", "declared_by")


def is_party(scope, chain) -> bool:
    """The chain's county, its prefecture city, any provincial body, administrators."""
    if scope is None or not scope.active:
        return False
    if scope.is_admin or scope.is_body:
        return True
    if scope.is_county:
        return scope.county_id == chain.county_id
    if scope.is_city:
        return scope.prefecture_id == chain.county.prefecture_id
    return False


def may_see_white_list(user) -> bool:
    """Approved users of any kind see the white list; anonymous visitors do not."""
    scope = scope_of(user)
    return scope is not None and scope.active


def for_chain(user, chain) -> ChainReadPolicy:
    """Decide what `user` may read and do of `chain` (a chain the user can see)."""
    scope = scope_of(user)
    party = is_party(scope, chain)
    county_edit = workflow.county_may_edit(chain, scope)
    adjust = workflow.can(chain, "adjust", scope)
    return ChainReadPolicy(
        party=party,
        white_list=scope is not None and scope.active,
        actions=tuple(a for a in workflow.allowed_actions(chain, scope) if a != "adjust"),
        can_edit=county_edit or adjust,
        edit_is_adjustment=adjust and not county_edit,
        hidden=() if party else PARTY_ONLY_FIELDS,
    )
