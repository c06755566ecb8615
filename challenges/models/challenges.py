"""Challenge lists (榜单) and their challenges, review criteria and panel members."""

import builtins

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
    ListState,
    RegionScope,
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
