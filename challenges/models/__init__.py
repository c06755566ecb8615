"""Tables of 揭榜挂帅, each with its `visible_to(user)` queryset (the one access-control mechanism).

Sealed bids are enforced here: before a challenge's bid deadline a bid is visible only to the bidder (its own
organization and its named consortium partners) — not to the publisher, the panel or an administrator; a member
of a bidding organization who sits on the challenge's panel sees its bids only as an expert.
After the deadline the publisher's organization and administrators see submitted bids; panel experts see the
bids they have not declared a conflict of interest on (what they may read of each is `policy.py`'s decision).

One module per concern (`challenges`, `bids`, `projects`, `records`); every model is importable from `challenges.models`."""

from challenges.models.bids import (
    Bid,
    BidMilestone,
    BidPartner,
    BidQuerySet,
    ConflictDeclaration,
    Review,
    ReviewQuerySet,
    ReviewScore,
    bidder_q,
)
from challenges.models.challenges import (
    LIVE_BID_STATES,
    PUBLIC_LIST_STATES,
    Challenge,
    ChallengeList,
    ChallengeListQuerySet,
    ChallengeQuerySet,
    PanelMember,
    PublicScopedQuerySet,
    ReviewCriterion,
)
from challenges.models.projects import (
    Milestone,
    MilestoneQuerySet,
    MilestoneReport,
    Project,
    ProjectQuerySet,
)
from challenges.models.records import (
    Achievement,
    AchievementQuerySet,
    ChallengeEvent,
    ChallengeFile,
    file_path,
)

__all__ = [
    "LIVE_BID_STATES",
    "PUBLIC_LIST_STATES",
    "Achievement",
    "AchievementQuerySet",
    "Bid",
    "BidMilestone",
    "BidPartner",
    "BidQuerySet",
    "Challenge",
    "ChallengeEvent",
    "ChallengeFile",
    "ChallengeList",
    "ChallengeListQuerySet",
    "ChallengeQuerySet",
    "ConflictDeclaration",
    "Milestone",
    "MilestoneQuerySet",
    "MilestoneReport",
    "PanelMember",
    "Project",
    "ProjectQuerySet",
    "PublicScopedQuerySet",
    "Review",
    "ReviewCriterion",
    "ReviewQuerySet",
    "ReviewScore",
    "bidder_q",
    "file_path",
]
