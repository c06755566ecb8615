"""What a viewer may read of a challenge, a bid or its reviews: one module for pages, API, exports and
notifications.

Whether a row is visible at all is `Model.objects.visible_to(user)` (sealed bids, conflicts); this module
decides the parts:

| part                                   | bidder (own bid)  | publisher, administrator | panel expert                       |
| -------------------------------------- | ----------------- | ------------------------ | ---------------------------------- |
| bid content (team, approach, budget,   | yes               | after the deadline       | after declaring no conflict        |
| milestones, partners, attachments)     |                   |                          | (conflicted: the bid is invisible) |
| bid result                             | state + reason    | state + reason           | state                              |
|                                        | category          | category                 |                                    |
| reviews and scores                     | no                | all, with aggregates     | their own                          |
| panel (who reviews)                    | no                | yes                      | no                                 |
| proposed bidders (matching)            | no                | yes                      | no                                 |
| bid count                              | after deadline    | after deadline           | after deadline                     |
| award / no-award / cancel reason       | yes               | yes                      | yes                                |
| linked orders                          | —                 | those the viewer may see | —                                  |
"""

from dataclasses import dataclass

from django.utils import timezone

from accounts.scoping import Scope
from challenges.models import Bid, ConflictDeclaration, PanelMember, Review
from matchmaking.models import Order


@dataclass
class ChallengeReadPolicy:
    """What one user may read of one challenge."""

    scope: Scope
    challenge: object
    is_publisher: bool
    is_expert: bool
    now: object

    @classmethod
    def of(cls, user, challenge, now=None) -> "ChallengeReadPolicy":
        """The policy of `user` for `challenge`."""
        scope = Scope.for_user(user)
        publisher = scope.active and (scope.is_admin or scope.org_id == challenge.list.publisher_org_id)
        expert = (
            bool(scope.user_id)
            and PanelMember.objects.filter(challenge=challenge, expert_id=scope.user_id).exists()
        )
        return cls(scope, challenge, bool(publisher), expert, now or timezone.now())

    @property
    def unsealed(self) -> bool:
        """The bid deadline has passed."""
        return self.challenge.deadline_passed(self.now)

    @property
    def sees_panel(self) -> bool:
        """Who reviews is the publisher's business."""
        return self.is_publisher

    @property
    def sees_proposals(self) -> bool:
        """Proposed bidders from the matching engine."""
        return self.is_publisher

    @property
    def sees_bid_count(self) -> bool:
        """How many bids came in: nobody learns it before the deadline."""
        return self.unsealed and self.scope.active

    @property
    def sees_reviews(self) -> bool:
        """All reviews and the aggregates."""
        return self.is_publisher and self.unsealed

    @property
    def sees_timeline(self) -> bool:
        """The list/challenge timeline (never the bid events)."""
        return self.is_publisher

    def visible_orders(self, user):
        """The linked orders the viewer may see (government viewers; providers see none)."""
        if self.scope.is_provider or not self.scope.active:
            return Order.objects.none()
        return Order.objects.visible_to(user).filter(challenges=self.challenge)


@dataclass
class BidReadPolicy:
    """What one user may read of one bid (which the user can already see)."""

    scope: Scope
    bid: Bid
    role: str  # bidder | publisher | expert | ""
    declared: bool | None  # expert: None undeclared, False no conflict, True conflict

    @classmethod
    def of(cls, user, bid) -> "BidReadPolicy":
        """The policy of `user` for `bid`."""
        scope = Scope.for_user(user)
        role, declared = "", None
        if not scope.active:
            return cls(scope, bid, role, declared)
        if PanelMember.objects.filter(challenge_id=bid.challenge_id, expert_id=scope.user_id).exists():
            role = "expert"  # a panelist reads the challenge's bids as an expert, whatever their organization
            row = ConflictDeclaration.objects.filter(bid=bid, expert_id=scope.user_id).first()
            declared = None if row is None else row.has_conflict
        elif scope.org_id and (
            bid.bidder_org_id == scope.org_id or bid.partners.filter(organization_id=scope.org_id).exists()
        ):
            role = "bidder"
        elif (
            scope.is_admin or scope.org_id == bid.challenge.list.publisher_org_id
        ) and bid.challenge.deadline_passed():
            role = "publisher"
        return cls(scope, bid, role, declared)

    @classmethod
    def for_bids(cls, user, bids) -> dict[int, "BidReadPolicy"]:
        """Policies for many bids at once (three queries whatever their number): bid id → policy."""
        bids = list(bids)
        scope = Scope.for_user(user)
        if not bids or not scope.active:
            return {b.pk: cls(scope, b, "", None) for b in bids}
        ids = [b.pk for b in bids]
        partner_of = set()
        if scope.org_id:
            partner_of = set(
                Bid.objects.filter(pk__in=ids, partners__organization_id=scope.org_id).values_list(
                    "pk", flat=True
                )
            )
        panels = set(
            PanelMember.objects.filter(
                challenge_id__in={b.challenge_id for b in bids}, expert_id=scope.user_id
            ).values_list("challenge_id", flat=True)
        )
        declared = dict(
            ConflictDeclaration.objects.filter(bid_id__in=ids, expert_id=scope.user_id).values_list(
                "bid_id", "has_conflict"
            )
        )
        now = timezone.now()
        out = {}
        for bid in bids:
            role, decl = "", None
            if bid.challenge_id in panels:
                role, decl = "expert", declared.get(bid.pk)
            elif scope.org_id and (bid.bidder_org_id == scope.org_id or bid.pk in partner_of):
                role = "bidder"
            elif (
                scope.is_admin or scope.org_id == bid.challenge.list.publisher_org_id
            ) and bid.challenge.deadline_passed(now):
                role = "publisher"
            out[bid.pk] = cls(scope, bid, role, decl)
        return out

    @property
    def reads_content(self) -> bool:
        """Team, approach, budget, milestones, partners and attachments."""
        if self.role in ("bidder", "publisher"):
            return True
        return self.role == "expert" and self.declared is False

    @property
    def reads_reason(self) -> bool:
        """The reason category of an unsuccessful bid."""
        return self.role in ("bidder", "publisher")

    @property
    def reads_reviews(self) -> bool:
        """Every review of the bid (the expert reads only their own, see `own_review`)."""
        return self.role == "publisher"

    @property
    def must_declare(self) -> bool:
        """An expert who has not declared on this bid yet."""
        return self.role == "expert" and self.declared is None

    def reviews(self):
        """The reviews this user may read of the bid."""
        if self.role == "publisher":
            return Review.objects.filter(bid=self.bid).select_related("expert").prefetch_related("scores")
        if self.role == "expert":
            return Review.objects.filter(bid=self.bid, expert_id=self.scope.user_id).prefetch_related(
                "scores"
            )
        return Review.objects.none()


def expert_conflicted_orgs(user) -> set[int]:
    """Organizations an expert is conflicted with by affiliation: their own organization."""
    return {user.organization_id} if getattr(user, "organization_id", None) else set()
