"""The development index as data: dimensions, indicators, method versions, yearly values, results and tiers.

Access goes through `visible_to(user)` on every queryset the pages, the API and the exports read:
- index results, the indicator system and tiers: every government user (county, city, provincial body) and
  administrators see all of them; providers see the published figures only; anonymous users nothing;
- yearly reports and their values: a county its own (all states); a city its counties' reports once submitted
  (and their approved values); bodies every approved report; administrators everything.
Who may change what is `editable_by(user)` plus the workflow (`devindex.workflow`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import NOTHING, Scope, ScopedQuerySet
from devindex.choices import (
    Direction,
    EventAction,
    Normalisation,
    ReportState,
    ResultSource,
    Tier,
    TierSource,
    ValueOrigin,
)


def plain(value) -> str:
    """A Decimal without trailing zeros or exponent: 100.0000 → "100", 12.5000 → "12.5"."""
    return "" if value is None else format(value.normalize(), "f")


def _government(scope: Scope) -> bool:
    return scope.is_county or scope.is_city or scope.is_body


class ReferenceQuerySet(ScopedQuerySet):
    """The indicator system and method versions: readable by every government user."""

    def visibility_q(self, scope: Scope) -> Q:
        """Government users (and, through `visible_to`, administrators) read the system."""
        return Q() if _government(scope) or scope.is_provider else NOTHING


class Dimension(models.Model):
    """维度: one of the index's five dimensions (产业实力, 创新能力, 集聚水平, 质量效益, 智造潜力)."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    description = models.TextField(_("说明"), blank=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("指数维度")
        verbose_name_plural = _("指数维度")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    """指标: one of the 16 indicators of 表 3-1, with its unit and default direction."""

    code = models.SlugField(_("代码"), max_length=48, unique=True)
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("维度")
    )
    name = models.CharField(_("名称"), max_length=80, unique=True)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    direction = models.CharField(
        _("方向"), max_length=16, choices=Direction.choices, default=Direction.POSITIVE
    )
    min_value = models.DecimalField(_("最小允许值"), max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("最大允许值"), max_digits=20, decimal_places=4, null=True, blank=True)
    integer = models.BooleanField(_("整数"), default=False)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    description = models.TextField(_("说明"), blank=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("指数指标")
        verbose_name_plural = _("指数指标")
        ordering = ["dimension__position", "position", "code"]

    def __str__(self):
        return self.name

    def check_value(self, value) -> str:
        """Why a value is not acceptable for this indicator ('' when it is)."""
        if value is None:
            return ""
        if self.integer and value != value.to_integral_value():
            return _("%(name)s应为整数") % {"name": self.name}
        if self.min_value is not None and value < self.min_value:
            return _("%(name)s不能小于 %(min)s") % {"name": self.name, "min": plain(self.min_value)}
        if self.max_value is not None and value > self.max_value:
            return _("%(name)s不能大于 %(max)s") % {"name": self.name, "max": plain(self.max_value)}
        return ""


class MethodVersion(models.Model):
    """计算方法版本: the normalisation, missing-value rule and every weight in force from its creation on.

    Append-only: an administrator's edit of weights or method writes a new version; results keep the version
    they were computed with. `indicator_weights` and `directions` are keyed by indicator code,
    `dimension_weights` by dimension code."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    normalisation = models.CharField(
        _("标准化方法"), max_length=16, choices=Normalisation.choices, default=Normalisation.MINMAX
    )
    min_coverage = models.PositiveSmallIntegerField(
        _("参与排名的最少指标数"), default=8, help_text=_("少于此数的县域不参与排名")
    )
    dimension_weights = models.JSONField(_("维度权重"), default=dict)
    indicator_weights = models.JSONField(_("指标权重（维度内）"), default=dict)
    directions = models.JSONField(_("指标方向"), default=dict)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改人"),
    )
    created_at = models.DateTimeField(_("生效时间"), auto_now_add=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("计算方法版本")
        verbose_name_plural = _("计算方法版本")
        ordering = ["-number"]

    def __str__(self):
        return _("第 %(n)s 版") % {"n": self.number}

    def save(self, *args, **kwargs):
        """Versions are written once and never changed."""
        if self.pk is not None:
            raise ValueError("MethodVersion is append-only.")
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "MethodVersion | None":
        """The version in force: the highest number."""
        return cls.objects.order_by("-number").first()


def report_visibility_q(scope: Scope, prefix: str = "") -> Q:
    """Which yearly reports a scope sees (`prefix` = the path to the report, e.g. "report__")."""
    if scope.is_county:
        return Q(**{f"{prefix}county_id": scope.county_id}) | Q(**{f"{prefix}state": ReportState.APPROVED})
    if scope.is_city:
        return Q(**{f"{prefix}state": ReportState.APPROVED}) | Q(
            **{
                f"{prefix}county__prefecture_id": scope.prefecture_id,
                f"{prefix}state__in": (ReportState.SUBMITTED, ReportState.RETURNED),
            }
        )
    if scope.is_body:
        return Q(**{f"{prefix}state": ReportState.APPROVED})
    return NOTHING


class ReportQuerySet(ScopedQuerySet):
    """Yearly reports: a county its own; a city its counties' once submitted; bodies approved ones."""

    def visibility_q(self, scope: Scope) -> Q:
        """See the module docstring."""
        return report_visibility_q(scope)

    def editability_q(self, scope: Scope) -> Q:
        """Only the county itself fills in its values (the workflow decides in which states)."""
        return Q(county_id=scope.county_id) if scope.is_county else NOTHING


class IndicatorReport(models.Model):
    """县域年度指标填报: one county's values for one year, filled in by the county and reviewed by its city
    (or imported in bulk by an administrator)."""

    county = models.ForeignKey(
        "chains.County", on_delete=models.PROTECT, related_name="index_reports", verbose_name=_("县域")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    state = models.CharField(
        _("状态"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT, db_index=True
    )
    origin = models.CharField(_("数据来源"), max_length=16, choices=ValueOrigin.choices)
    state_note = models.CharField(_("退回原因"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("县域年度指标填报")
        verbose_name_plural = _("县域年度指标填报")
        ordering = ["-year", "county__prefecture__position", "county__position"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="devindex_report_unique_county_year"),
        ]

    def __str__(self):
        return f"{self.county} · {self.year}"

    @property
    def is_sample(self) -> bool:
        """Illustrative values (示例), never to be presented as real."""
        return self.origin == ValueOrigin.SAMPLE


class ValueQuerySet(ScopedQuerySet):
    """Values follow their report's visibility."""

    def visibility_q(self, scope: Scope) -> Q:
        """Values of the reports the scope may see."""
        return report_visibility_q(scope, "report__")

    def editability_q(self, scope: Scope) -> Q:
        """Values of the county's own reports."""
        return Q(report__county_id=scope.county_id) if scope.is_county else NOTHING


class IndicatorValue(models.Model):
    """指标值: one indicator's value in a county's yearly report (empty = not reported)."""

    report = models.ForeignKey(
        IndicatorReport, on_delete=models.CASCADE, related_name="values", verbose_name=_("年度填报")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("指标")
    )
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4, null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        ordering = ["report", "indicator__dimension__position", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="devindex_value_unique_indicator"),
        ]

    def __str__(self):
        return f"{self.report} · {self.indicator}: {self.value}"


class IndexEvent(models.Model):
    """指数记录: one thing that happened to the index (append-only): a report's state change or edit, an import,
    a new method version, a tier set or removed, a computation."""

    action = models.CharField(_("操作"), max_length=24, choices=EventAction.choices, db_index=True)
    report = models.ForeignKey(
        IndicatorReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("年度填报"),
    )
    county = models.ForeignKey(
        "chains.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("县域"),
    )
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    from_state = models.CharField(_("原状态"), max_length=16, choices=ReportState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=ReportState.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("指数记录")
        verbose_name_plural = _("指数记录")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.county or ''} {self.year or ''}".strip()

    def save(self, *args, **kwargs):
        """Events are written once and never changed."""
        if self.pk is not None:
            raise ValueError("IndexEvent is append-only.")
        super().save(*args, **kwargs)


class ResultQuerySet(ScopedQuerySet):
    """Results: government users all; providers the published figures."""

    def visibility_q(self, scope: Scope) -> Q:
        """See the module docstring."""
        if _government(scope):
            return Q()
        if scope.is_provider:
            return Q(source=ResultSource.PUBLISHED)
        return NOTHING


class IndexResult(models.Model):
    """指数结果: a county's total score and rank in a year, computed by the platform or published."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    county = models.ForeignKey(
        "chains.County", on_delete=models.PROTECT, related_name="index_results", verbose_name=_("县域")
    )
    source = models.CharField(_("来源"), max_length=16, choices=ResultSource.choices)
    method_version = models.ForeignKey(
        MethodVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results",
        verbose_name=_("方法版本"),
        help_text=_("公布数据无"),
    )
    total = models.DecimalField(_("指数得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("全省排名"), null=True, blank=True)
    coverage = models.PositiveSmallIntegerField(_("已报指标数"), null=True, blank=True)
    imputed = models.JSONField(_("按中位数补齐的指标"), default=list, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    computed_at = models.DateTimeField(_("计算/载入时间"), auto_now=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("指数结果")
        verbose_name_plural = _("指数结果")
        ordering = ["year", "source", "rank", "county__prefecture__position", "county__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "county", "source"], name="devindex_result_unique_county_year_source"
            ),
        ]

    def __str__(self):
        return f"{self.year} · {self.county} · {self.get_source_display()}"

    @property
    def ranked(self) -> bool:
        """True when the county has a rank (enough indicators reported, or published)."""
        return self.rank is not None


class DimensionScore(models.Model):
    """维度得分: a result's score and rank in one dimension (both empty where not published)."""

    result = models.ForeignKey(
        IndexResult, on_delete=models.CASCADE, related_name="dimension_scores", verbose_name=_("指数结果")
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="scores", verbose_name=_("维度")
    )
    score = models.DecimalField(_("维度得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("维度排名"), null=True, blank=True)

    class Meta:
        verbose_name = _("维度得分")
        verbose_name_plural = _("维度得分")
        ordering = ["result", "dimension__position"]
        constraints = [
            models.UniqueConstraint(fields=["result", "dimension"], name="devindex_dimscore_unique"),
        ]

    def __str__(self):
        return f"{self.result} · {self.dimension}: {self.score}"


class Computation(models.Model):
    """计算记录: the last computation of a year, with the fingerprint of its inputs (so a re-run with the same
    approved values and method version changes nothing and is skipped)."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    method_version = models.ForeignKey(
        MethodVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("方法版本")
    )
    fingerprint = models.CharField(_("输入指纹"), max_length=64)
    counties_ranked = models.PositiveSmallIntegerField(_("参与排名县域数"), default=0)
    counties_unranked = models.PositiveSmallIntegerField(_("未参与排名县域数"), default=0)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("指数计算记录")
        verbose_name_plural = _("指数计算记录")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} · {self.method_version}"


class TierQuerySet(ScopedQuerySet):
    """Tiers are public to every signed-in government user and provider."""

    def visibility_q(self, scope: Scope) -> Q:
        """Government users and providers."""
        return Q() if _government(scope) or scope.is_provider else NOTHING


class CountyTier(models.Model):
    """县域层级: a county is 工业强县, 产业特色县 or 试点县 in a year (a tag; a county may hold several)."""

    county = models.ForeignKey(
        "chains.County", on_delete=models.PROTECT, related_name="index_tiers", verbose_name=_("县域")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    tier = models.CharField(_("层级"), max_length=24, choices=Tier.choices)
    source = models.CharField(_("依据"), max_length=16, choices=TierSource.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True, help_text=_("如产业特色县的特色产业"))

    objects = TierQuerySet.as_manager()

    class Meta:
        verbose_name = _("县域层级")
        verbose_name_plural = _("县域层级")
        ordering = ["-year", "tier", "county__prefecture__position", "county__position"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "tier"], name="devindex_tier_unique"),
        ]

    def __str__(self):
        return f"{self.year} · {self.county} · {self.get_tier_display()}"

    @property
    def is_sample(self) -> bool:
        """Illustrative tags (示例)."""
        return self.source == TierSource.SAMPLE

    def clean(self):
        """工业强县 follow the index (published or computed); only the other tiers are set by hand."""
        if self.tier == Tier.INDUSTRIAL_STRONG and self.source == TierSource.ADMIN:
            raise ValidationError({"tier": _("工业强县由指数前十确定，不能手工指定。")})
