"""揭榜挂帅 API (/api/v1/): challenge lists, challenges, sealed bids, reviews, projects, milestones, achievements.

Thin by design: every object comes through `visible_to` (outside scope, a sealed bid, a bid an expert declared a
conflict on ⇒ 404), every change goes through `challenges.services`, what a visible bid shows is
`challenges.policy` (the same as the pages and exports), and a `WorkflowError` becomes 400/403/409 in the
orders API's error shape (a late bid: 409 `deadline_passed`).

One module per concern (`common`, `serializers`, `viewsets`); everything public is importable from `challenges.api`."""

from challenges.api.common import (
    ERRORS,
    LIST_ERRORS,
    MAX_AMOUNT,
    READ_ERRORS,
    ListFiltersOnly,
    call,
)
from challenges.api.serializers import (
    AchievementSerializer,
    AwardSerializer,
    BidMilestoneSerializer,
    BidSerializer,
    BidWriteSerializer,
    ChallengeListSerializer,
    ChallengeListWriteSerializer,
    ChallengeNoteSerializer,
    ChallengeReasonSerializer,
    ChallengeSerializer,
    ChallengeWriteSerializer,
    ConflictSerializer,
    CriterionSerializer,
    ExpertSerializer,
    FileSerializer,
    MilestoneReportInSerializer,
    MilestoneReportOutSerializer,
    MilestoneSerializer,
    PartnerSerializer,
    ProjectSerializer,
    ReviewSerializer,
    ReviewWriteSerializer,
    ScoreSerializer,
)
from challenges.api.viewsets import (
    AchievementViewSet,
    BidViewSet,
    ChallengeListViewSet,
    ChallengeViewSet,
    MilestoneViewSet,
    ProjectViewSet,
    ReviewViewSet,
    register,
)

__all__ = [
    "ERRORS",
    "LIST_ERRORS",
    "MAX_AMOUNT",
    "READ_ERRORS",
    "AchievementSerializer",
    "AchievementViewSet",
    "AwardSerializer",
    "BidMilestoneSerializer",
    "BidSerializer",
    "BidViewSet",
    "BidWriteSerializer",
    "ChallengeListSerializer",
    "ChallengeListViewSet",
    "ChallengeListWriteSerializer",
    "ChallengeNoteSerializer",
    "ChallengeReasonSerializer",
    "ChallengeSerializer",
    "ChallengeViewSet",
    "ChallengeWriteSerializer",
    "ConflictSerializer",
    "CriterionSerializer",
    "ExpertSerializer",
    "FileSerializer",
    "ListFiltersOnly",
    "MilestoneReportInSerializer",
    "MilestoneReportOutSerializer",
    "MilestoneSerializer",
    "MilestoneViewSet",
    "PartnerSerializer",
    "ProjectSerializer",
    "ProjectViewSet",
    "ReviewSerializer",
    "ReviewViewSet",
    "ReviewWriteSerializer",
    "ScoreSerializer",
    "call",
    "register",
]
