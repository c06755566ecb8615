"""Sealed bids, their partners and milestones, conflict declarations, reviews and scores."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope
from challenges.choices import (
    BidState,
    UnsuccessfulReason,
)
from challenges.models.challenges import Challenge, ReviewCriterion


def bidder_q(scope: Scope, prefix: str = "") -> Q:
    """Bids of the scope's organization, as lead bidder or as a named consortium partner."""
    return Q(**{f"{prefix}bidder_org_id": scope.org_id}) | Q(
        **{f"{prefix}partners__organization_id": scope.org_id}
    )


class BidQuerySet(models.QuerySet):
    """Sealed bids: see the module docstring. Withdrawn bids are the bidder's own business."""

    def visible_to(self, user, now=None):
        """Bids the user may see (administrators too are bound by the seal)."""
        scope = Scope.for_user(user)
        if not scope.active:
            return self.none()
        now = now or timezone.now()
        unsealed = Q(challenge__bid_deadline__lte=now) & ~Q(state=BidState.WITHDRAWN)
        if scope.is_admin:
            return self.filter(unsealed)
        # A member of a bidding organization who sits on the challenge's panel reads it only as an expert.
        own = bidder_q(scope) & ~Q(challenge__panel__expert_id=scope.user_id)
        publisher = unsealed & Q(challenge__list__publisher_org_id=scope.org_id)
        expert = (
            unsealed
            & Q(challenge__panel__expert_id=scope.user_id)
            & ~Q(
                pk__in=ConflictDeclaration.objects.filter(expert_id=scope.user_id, has_conflict=True).values(
                    "bid_id"
                )
            )
        )
        ids = self.filter(own | publisher | expert).values("pk")
        return self.filter(pk__in=ids)

    def own(self, user):
        """The bids of the user's organization (lead or partner), whatever the deadline."""
        scope = Scope.for_user(user)
        if not scope.active or (scope.is_admin and not scope.org_id):
            return self.none()
        return self.filter(pk__in=self.filter(bidder_q(scope)).values("pk"))


class Bid(models.Model):
    """揭榜方案: an institution's or firm's sealed bid (alone or with consortium partners)."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="bids", verbose_name=_("榜")
    )
    bidder_org = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="challenge_bids",
        verbose_name=_("揭榜单位"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    lead_name = models.CharField(_("项目负责人"), max_length=50)
    lead_title = models.CharField(_("负责人职称/职务"), max_length=50, blank=True)
    team = models.TextField(_("团队成员"))
    approach = models.TextField(_("技术路线"))
    budget_yuan = models.PositiveBigIntegerField(_("申请经费（元）"))
    state = models.CharField(_("状态"), max_length=16, choices=BidState.choices, default=BidState.SUBMITTED)
    reason_category = models.CharField(
        _("未中榜原因"), max_length=16, choices=UnsuccessfulReason.choices, blank=True
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("结果时间"), null=True, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = BidQuerySet.as_manager()

    class Meta:
        verbose_name = _("揭榜方案")
        verbose_name_plural = _("揭榜方案")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "bidder_org"],
                condition=~Q(state="withdrawn"),
                name="challenges_one_live_bid_per_org",
            )
        ]

    def __str__(self):
        return f"{self.bidder_org} · {self.challenge}"


class BidPartner(models.Model):
    """联合体成员: a named partner of a consortium bid (a registered organization or just a name)."""

    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, related_name="partners", verbose_name=_("揭榜方案")
    )
    name = models.CharField(_("单位名称"), max_length=100)
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("平台组织"),
    )
    role = models.CharField(_("分工"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("联合体成员")
        verbose_name_plural = _("联合体成员")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class BidMilestone(models.Model):
    """A milestone a bid proposes: date and deliverable."""

    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("揭榜方案")
    )
    title = models.CharField(_("里程碑"), max_length=200)
    due_date = models.DateField(_("计划完成日期"))
    deliverable = models.CharField(_("交付成果"), max_length=300)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("方案里程碑")
        verbose_name_plural = _("方案里程碑")
        ordering = ["position", "due_date", "pk"]

    def __str__(self):
        return self.title


class ConflictDeclaration(models.Model):
    """利益冲突声明: an expert's declaration on one bid; a conflicted expert neither reads nor scores it."""

    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("揭榜方案")
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("专家")
    )
    has_conflict = models.BooleanField(_("存在利益冲突"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    declared_at = models.DateTimeField(_("声明时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("利益冲突声明")
        verbose_name_plural = _("利益冲突声明")
        constraints = [models.UniqueConstraint(fields=["bid", "expert"], name="challenges_conflict_unique")]

    def __str__(self):
        return f"{self.expert} · {self.bid_id}"


class ReviewQuerySet(models.QuerySet):
    """An expert's own reviews; all reviews of a challenge for its publisher and administrators."""

    def visible_to(self, user):
        """Reviews the user may read."""
        scope = Scope.for_user(user)
        if not scope.active:
            return self.none()
        if scope.is_admin:
            return self.all()
        return self.filter(
            Q(expert_id=scope.user_id) | Q(bid__challenge__list__publisher_org_id=scope.org_id)
        )


class Review(models.Model):
    """评审意见: one expert's scores of one bid, per criterion, with comments."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("揭榜方案"))
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="challenge_reviews",
        verbose_name=_("专家"),
    )
    comment = models.TextField(_("总体意见"), blank=True)
    total = models.FloatField(_("加权得分"))
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("评审意见")
        verbose_name_plural = _("评审意见")
        ordering = ["bid_id", "submitted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["bid", "expert"], name="challenges_review_unique")]

    def __str__(self):
        return f"{self.expert} · {self.bid_id}: {self.total:.1f}"


class ReviewScore(models.Model):
    """One criterion's score (0–100) in a review."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("评审意见")
    )
    criterion = models.ForeignKey(
        ReviewCriterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("评审指标")
    )
    score = models.PositiveSmallIntegerField(_("得分"), validators=[MaxValueValidator(100)])
    comment = models.CharField(_("意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["criterion__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="challenges_score_unique"),
            models.CheckConstraint(condition=Q(score__lte=100), name="challenges_score_max_100"),
        ]

    def __str__(self):
        return f"{self.criterion.name}: {self.score}"
