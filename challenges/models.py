"""Tables of 揭榜挂帅, each with its `visible_to(user)` queryset (the one access-control mechanism).

Sealed bids are enforced here: before a challenge's bid deadline a bid is visible only to the bidder (its own
organization and its named consortium partners) — not to the publisher, the panel or an administrator; a member
of a bidding organization who sits on the challenge's panel sees its bids only as an expert.
After the deadline the publisher's organization and administrators see submitted bids; panel experts see the
bids they have not declared a conflict of interest on (what they may read of each is `policy.py`'s decision).
"""

import builtins
import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import NOTHING, Scope, ScopedQuerySet
from chains.models import split_keywords
from challenges.choices import (
    BidState,
    ChallengeState,
    EventKind,
    IpKind,
    Licensing,
    ListState,
    Maturity,
    MilestoneState,
    ProjectState,
    RegionScope,
    UnsuccessfulReason,
)
from core.validators import validate_one_line

PUBLIC_LIST_STATES = (ListState.PUBLISHED, ListState.CLOSED)
LIVE_BID_STATES = (BidState.SUBMITTED, BidState.AWARDED, BidState.UNSUCCESSFUL)


def _list_q(scope: Scope, prefix: str = "") -> Q:
    """Lists a signed-in scope may see: published ones, its own organization's, its county's (and, for a city,
    its counties')."""
    q = Q(**{f"{prefix}state__in": PUBLIC_LIST_STATES}) | Q(**{f"{prefix}publisher_org_id": scope.org_id})
    if scope.is_county:
        q |= Q(**{f"{prefix}county_id": scope.county_id})
    if scope.is_city:
        q |= Q(**{f"{prefix}county__prefecture_id": scope.prefecture_id})
    return q


class PublicScopedQuerySet(ScopedQuerySet):
    """A scoped queryset whose published rows anyone (anonymous visitors too) may see."""

    def public_q(self) -> Q:
        """Rows anyone may see."""
        return NOTHING

    def visible_to(self, user):
        """Published rows for everyone; more for signed-in scopes; everything for administrators."""
        scope = Scope.for_user(user)
        if scope.is_admin:
            return self.all()
        if not scope.active:
            return self.filter(self.public_q())
        return self.filter(self.public_q() | self.visibility_q(scope))

    def public(self):
        """Only the rows anyone may see (the public pages)."""
        return self.filter(self.public_q())


class ChallengeListQuerySet(PublicScopedQuerySet):
    """Published lists are public; drafts belong to the publisher, the county they are for and its city."""

    def public_q(self) -> Q:
        """Published and closed lists."""
        return Q(state__in=PUBLIC_LIST_STATES)

    def visibility_q(self, scope: Scope) -> Q:
        """See `_list_q`."""
        return _list_q(scope)

    def editability_q(self, scope: Scope) -> Q:
        """The publisher's organization (and the county a list is drafted for) change drafts."""
        editable = Q(state__in=(ListState.DRAFT, ListState.RETURNED))
        q = Q(publisher_org_id=scope.org_id)
        if scope.is_county:
            q |= Q(county_id=scope.county_id)
        return editable & q


class ChallengeList(models.Model):
    """榜单: a list of challenges published by a provincial body (or by a city for one of its counties)."""

    title = models.CharField(_("榜单名称"), max_length=200, validators=[validate_one_line])
    description = models.TextField(_("榜单说明"), blank=True)
    publisher_org = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="challenge_lists",
        verbose_name=_("发榜单位"),
    )
    county = models.ForeignKey(
        "chains.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenge_lists",
        verbose_name=_("代县域发榜"),
    )
    state = models.CharField(_("状态"), max_length=16, choices=ListState.choices, default=ListState.DRAFT)
    state_note = models.TextField(_("状态说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    is_sample = models.BooleanField(_("示例数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核通过时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    objects = ChallengeListQuerySet.as_manager()

    class Meta:
        verbose_name = _("榜单")
        verbose_name_plural = _("榜单")
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return self.title


class ChallengeQuerySet(PublicScopedQuerySet):
    """Challenges follow their list."""

    def public_q(self) -> Q:
        """Challenges of published and closed lists."""
        return Q(list__state__in=PUBLIC_LIST_STATES)

    def visibility_q(self, scope: Scope) -> Q:
        """Challenges of the lists the scope may see."""
        return _list_q(scope, "list__")

    def editability_q(self, scope: Scope) -> Q:
        """Challenges of lists the scope may edit."""
        q = Q(list__publisher_org_id=scope.org_id)
        if scope.is_county:
            q |= Q(list__county_id=scope.county_id)
        return Q(list__state__in=(ListState.DRAFT, ListState.RETURNED)) & q


class Challenge(models.Model):
    """榜: one technical challenge with targets, acceptance criteria, funding, deadline and eligibility."""

    list = models.ForeignKey(
        ChallengeList, on_delete=models.CASCADE, related_name="challenges", verbose_name=_("榜单")
    )
    title = models.CharField(_("榜题"), max_length=200, validators=[validate_one_line])
    summary = models.TextField(_("需求说明"))
    targets = models.TextField(_("技术指标"))
    acceptance_criteria = models.TextField(_("验收标准（可量化）"))
    keywords = models.CharField(_("关键词"), max_length=300, blank=True, help_text=_("以“；”分隔"))
    chain_type = models.ForeignKey(
        "chains.ChainType", on_delete=models.PROTECT, related_name="challenges", verbose_name=_("产业链类型")
    )
    chain = models.ForeignKey(
        "chains.CountyChain",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
        verbose_name=_("县域重点产业链"),
    )
    link = models.ForeignKey(
        "chains.ChainLink",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
        verbose_name=_("环节"),
    )
    funding_yuan = models.PositiveBigIntegerField(_("榜额（元）"))
    funder = models.CharField(_("出资方"), max_length=200)
    bid_deadline = models.DateTimeField(_("揭榜截止时间"))
    region_scope = models.CharField(
        _("揭榜方地域"), max_length=16, choices=RegionScope.choices, default=RegionScope.ANY
    )
    region_prefecture = models.ForeignKey(
        "chains.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("限定设区市"),
    )
    eligible_kinds = models.JSONField(
        _("可揭榜单位类型"), default=builtins.list, blank=True, help_text=_("资源方类型代码；为空表示不限")
    )
    joint_bids_allowed = models.BooleanField(_("允许联合揭榜"), default=True)
    orders = models.ManyToManyField(
        "matchmaking.Order", blank=True, related_name="challenges", verbose_name=_("来源需求")
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=ChallengeState.choices, default=ChallengeState.DRAFT
    )
    state_note = models.TextField(_("授榜/撤榜说明"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    subscribers_told_at = models.DateTimeField(_("已通知关注者"), null=True, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        verbose_name = _("榜")
        verbose_name_plural = _("榜")
        ordering = ["bid_deadline", "pk"]
        indexes = [models.Index(fields=["state", "bid_deadline"])]

    def __str__(self):
        return self.title

    @property
    def publisher_org_id(self) -> int:
        """The organization that published the challenge's list."""
        return self.list.publisher_org_id

    def deadline_passed(self, now=None) -> bool:
        """Whether bids are unsealed (the bid deadline has passed)."""
        return (now or timezone.now()) >= self.bid_deadline

    @property
    def keyword_list(self):
        """Keywords as a list."""
        return split_keywords(self.keywords or "")


class ReviewCriterion(models.Model):
    """评审指标: one criterion of a challenge's review with its weight."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("榜")
    )
    name = models.CharField(_("指标"), max_length=100)
    weight = models.PositiveSmallIntegerField(
        _("权重"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    description = models.CharField(_("说明"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评审指标")
        verbose_name_plural = _("评审指标")
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.name}（{self.weight}）"


class PanelMember(models.Model):
    """评审专家: a user on a challenge's review panel."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="panel", verbose_name=_("榜")
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panels", verbose_name=_("专家")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("添加人"),
    )
    added_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "expert"], name="challenges_panel_unique")
        ]

    def __str__(self):
        return str(self.expert)


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


class ProjectQuerySet(ScopedQuerySet):
    """Projects: the winner (and its partners), the publisher, administrators."""

    def visibility_q(self, scope: Scope) -> Q:
        """The winning organization's and the publisher's projects."""
        return bidder_q(scope, "bid__") | Q(challenge__list__publisher_org_id=scope.org_id)


class Project(models.Model):
    """攻关项目: an awarded bid carried out milestone by milestone until final acceptance (验收)."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="projects", verbose_name=_("榜")
    )
    bid = models.OneToOneField(
        Bid, on_delete=models.CASCADE, related_name="project", verbose_name=_("中榜方案")
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=ProjectState.choices, default=ProjectState.ACTIVE
    )
    acceptance_note = models.TextField(_("验收意见"), blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("立项时间"), auto_now_add=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("攻关项目")
        verbose_name_plural = _("攻关项目")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.challenge.title} · {self.bid.bidder_org}"


class MilestoneQuerySet(ScopedQuerySet):
    """Milestones follow their project."""

    def visibility_q(self, scope: Scope) -> Q:
        """Milestones of the projects the scope may see."""
        return bidder_q(scope, "project__bid__") | Q(project__challenge__list__publisher_org_id=scope.org_id)


class Milestone(models.Model):
    """项目里程碑: copied from the awarded bid; reported with evidence, accepted or sent back for rework."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("项目")
    )
    title = models.CharField(_("里程碑"), max_length=200)
    due_date = models.DateField(_("计划完成日期"))
    deliverable = models.CharField(_("交付成果"), max_length=300)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    state = models.CharField(
        _("状态"), max_length=16, choices=MilestoneState.choices, default=MilestoneState.PENDING
    )
    reported_at = models.DateTimeField(_("最近报告时间"), null=True, blank=True)
    first_reported_at = models.DateTimeField(_("首次报告时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    decision_note = models.TextField(_("验收意见"), blank=True)
    reminded_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目里程碑")
        verbose_name_plural = _("项目里程碑")
        ordering = ["position", "due_date", "pk"]

    def __str__(self):
        return self.title

    def is_overdue(self, today=None) -> bool:
        """Due date passed and not reported (or sent back)."""
        today = today or timezone.localdate()
        return self.state in (MilestoneState.PENDING, MilestoneState.REWORK) and self.due_date < today

    @property
    def on_time(self) -> bool | None:
        """Whether it was first reported by its due date and then accepted (None while not accepted)."""
        if self.state != MilestoneState.ACCEPTED or self.first_reported_at is None:
            return None
        return timezone.localdate(self.first_reported_at) <= self.due_date


class MilestoneReport(models.Model):
    """进展报告: the winner's report on a milestone with evidence (text and files)."""

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="reports", verbose_name=_("里程碑")
    )
    text = models.TextField(_("进展与证明材料说明"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("报告人"),
    )
    created_at = models.DateTimeField(_("报告时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.milestone} · {self.created_at:%Y-%m-%d}"


def file_path(instance, filename):
    """Stored under a generated name (never the uploader's), keeping only a vetted extension."""
    return f"private/challenges/{instance.pk}{Path(filename).suffix.lower()}"


class ChallengeFile(models.Model):
    """附件 of a bid or of a milestone report, served only through a checked view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, null=True, blank=True, related_name="files", verbose_name=_("揭榜方案")
    )
    report = models.ForeignKey(
        MilestoneReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
        verbose_name=_("进展报告"),
    )
    file = models.FileField(_("文件"), upload_to=file_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("揭榜附件")
        verbose_name_plural = _("揭榜附件")
        ordering = ["created_at"]

    def __str__(self):
        return self.original_name


class ChallengeEvent(models.Model):
    """One thing that happened to a list, challenge, bid, project or milestone (append-only)."""

    list = models.ForeignKey(
        ChallengeList, on_delete=models.CASCADE, related_name="events", verbose_name=_("榜单")
    )
    challenge = models.ForeignKey(
        Challenge,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("榜"),
    )
    bid = models.ForeignKey(
        Bid,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("揭榜方案"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("项目"),
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("里程碑"),
    )
    kind = models.CharField(_("事件"), max_length=24, choices=EventKind.choices)
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作组织"),
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("揭榜挂帅事件")
        verbose_name_plural = _("揭榜挂帅事件")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        """Events are written once and never changed."""
        if self.pk is not None:
            raise ValueError("ChallengeEvent is append-only.")
        super().save(*args, **kwargs)


class AchievementQuerySet(PublicScopedQuerySet):
    """The supply list is public; unpublished entries belong to their organization."""

    def public_q(self) -> Q:
        """Published achievements."""
        return Q(is_published=True)

    def visibility_q(self, scope: Scope) -> Q:
        """The organization's own achievements."""
        return Q(organization_id=scope.org_id)

    def editability_q(self, scope: Scope) -> Q:
        """The organization's own achievements."""
        return Q(organization_id=scope.org_id)


class Achievement(models.Model):
    """科技成果: an institution's or firm's achievement on the supply list (科技成果供给清单)."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="achievements",
        verbose_name=_("成果单位"),
    )
    title = models.CharField(_("成果名称"), max_length=200)
    field = models.CharField(_("技术领域"), max_length=100)
    summary = models.TextField(_("成果简介"))
    keywords = models.CharField(_("关键词"), max_length=300, blank=True, help_text=_("以“；”分隔"))
    chain_type = models.ForeignKey(
        "chains.ChainType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="achievements",
        verbose_name=_("适用产业链类型"),
    )
    maturity = models.CharField(_("成熟度"), max_length=16, choices=Maturity.choices)
    ip_kind = models.CharField(_("知识产权类型"), max_length=20, choices=IpKind.choices)
    ip_number = models.CharField(_("知识产权编号"), max_length=100, blank=True)
    licensing = models.CharField(_("转化方式"), max_length=16, choices=Licensing.choices)
    licensing_terms = models.CharField(_("转化条件"), max_length=300, blank=True)
    is_published = models.BooleanField(_("公开"), default=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AchievementQuerySet.as_manager()

    class Meta:
        verbose_name = _("科技成果")
        verbose_name_plural = _("科技成果")
        ordering = ["-updated_at", "-pk"]

    def __str__(self):
        return self.title
