"""Regions, the chain map and the resource catalog: what exists in Fujian's county key chains."""

import re

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chains.choices import (
    PROVINCE_WIDE,
    CountyKind,
    EnterpriseRole,
    FundLevel,
    FundStage,
    InstitutionKind,
    LinkStage,
    NeedKind,
    ProductType,
    TalentKind,
)
from core.models import SourcedModel

KEYWORD_SPLIT = re.compile(r"[；;，,、\s]+")


def split_keywords(text: str) -> list[str]:
    """Split a keyword string on Chinese/ASCII separators and whitespace, dropping blanks and repeats."""
    seen: dict[str, None] = {}
    for item in KEYWORD_SPLIT.split(text or ""):
        if item:
            seen.setdefault(item, None)
    return list(seen)


class Prefecture(models.Model):
    """设区市: one of Fujian's 9 prefecture-level cities."""

    name = models.CharField(_("名称"), max_length=32, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("设区市")
        verbose_name_plural = _("设区市")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("chains:prefecture", args=[self.pk])


class County(models.Model):
    """县域: a county-level unit (县, 县级市 or 区) of a prefecture."""

    name = models.CharField(_("名称"), max_length=32, unique=True)
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="counties", verbose_name=_("设区市")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=CountyKind.choices)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("县域")
        verbose_name_plural = _("县域")
        ordering = ["prefecture__position", "position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("chains:county", args=[self.pk])


class ChainType(SourcedModel):
    """产业链类型: an industry chain type with ordered links from upstream to downstream."""

    code = models.SlugField(_("代码"), max_length=48, unique=True)
    name = models.CharField(_("名称"), max_length=64, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("产业链类型")
        verbose_name_plural = _("产业链类型")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("chains:chain_type", args=[self.code])


class ChainLinkManager(models.Manager):
    """Links always come with their chain type, which their label names."""

    def get_queryset(self):
        return super().get_queryset().select_related("chain_type")


class ChainLink(models.Model):
    """环节: one ordered link of a chain type, with its stage and keywords."""

    chain_type = models.ForeignKey(
        ChainType, on_delete=models.CASCADE, related_name="links", verbose_name=_("产业链类型")
    )
    name = models.CharField(_("环节名称"), max_length=64)
    stage = models.CharField(_("位置"), max_length=16, choices=LinkStage.choices)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    keywords = models.CharField(_("关键词"), max_length=500, blank=True, help_text=_("以“；”分隔"))

    objects = ChainLinkManager()

    class Meta:
        verbose_name = _("产业链环节")
        verbose_name_plural = _("产业链环节")
        ordering = ["chain_type", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chain_type", "name"], name="chainlink_unique_name_per_type"),
        ]

    def __str__(self):
        return f"{self.chain_type.name} · {self.name}"

    @property
    def keyword_list(self) -> list[str]:
        """The link's keywords as a list."""
        return split_keywords(self.keywords)


class CountyChainQuerySet(models.QuerySet):
    """Queries over county key chains."""

    def active(self):
        """Only chains currently tracked."""
        return self.filter(active=True)


class CountyChain(SourcedModel):
    """县域重点产业链: one county's instance of a chain type."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="chains", verbose_name=_("县域")
    )
    chain_type = models.ForeignKey(
        ChainType, on_delete=models.PROTECT, related_name="county_chains", verbose_name=_("产业链类型")
    )
    name = models.CharField(_("产业链名称"), max_length=100, unique=True)
    active = models.BooleanField(_("在列"), default=True)
    evidence = models.CharField(_("依据"), max_length=300, blank=True)

    objects = CountyChainQuerySet.as_manager()

    class Meta:
        verbose_name = _("县域重点产业链")
        verbose_name_plural = _("县域重点产业链")
        ordering = ["county__prefecture__position", "county__position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "chain_type"], name="countychain_unique_type_per_county"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("chains:chain", args=[self.pk])


class Institution(SourcedModel):
    """科研机构: a university, institute, lab, engineering centre or design firm."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=32, choices=InstitutionKind.choices)
    location = models.CharField(_("所在地"), max_length=64, blank=True)
    in_fujian = models.BooleanField(_("省内"), default=False)
    fields = models.TextField(_("优势领域"), blank=True, help_text=_("以“；”分隔"))
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("科研机构")
        verbose_name_plural = _("科研机构")
        ordering = ["-in_fujian", "name"]

    def __str__(self):
        return self.name

    @property
    def field_list(self) -> list[str]:
        """The institution's fields as a list."""
        return split_keywords(self.fields)


class Enterprise(SourcedModel):
    """企业: a firm placed on a chain type and link, in a county (none when outside Fujian)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("县域"),
        help_text=_("省外企业留空"),
    )
    chain_type = models.ForeignKey(
        ChainType, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("产业链类型")
    )
    link = models.ForeignKey(
        ChainLink, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("环节")
    )
    role = models.CharField(_("链上角色"), max_length=16, choices=EnterpriseRole.choices)
    products = models.TextField(_("主要产品"), blank=True, help_text=_("以“；”分隔"))
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["chain_type", "link__position", "name"]

    def __str__(self):
        return self.name


class Fund(SourcedModel):
    """基金: a government guidance fund or an industry/venture fund."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    sponsor = models.CharField(_("发起方"), max_length=100, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=FundLevel.choices)
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funds",
        verbose_name=_("设区市"),
    )
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="funds", verbose_name=_("县域")
    )
    size_yuan = models.BigIntegerField(_("规模（元）"), null=True, blank=True)
    stage = models.CharField(_("投资阶段"), max_length=16, choices=FundStage.choices)
    focus = models.TextField(_("投资方向"), blank=True, help_text=_("以“；”分隔"))
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("基金")
        verbose_name_plural = _("基金")
        ordering = ["level", "name"]

    def __str__(self):
        return self.name


def region_covers(region: str, county: County) -> bool:
    """Whether a region string (全省, a prefecture name or a county name) includes the county."""
    names = split_keywords(region) or [PROVINCE_WIDE]
    return any(name in (PROVINCE_WIDE, county.name, county.prefecture.name) for name in names)


class FinancialProduct(SourcedModel):
    """金融产品: a loan, pledge, leasing, insurance, equity or guarantee product; its region limits users."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    provider = models.CharField(_("提供机构"), max_length=200, blank=True)
    product_type = models.CharField(_("产品类型"), max_length=16, choices=ProductType.choices)
    region = models.CharField(
        _("适用区域"),
        max_length=100,
        default=PROVINCE_WIDE,
        help_text=_("全省、设区市或县域名称，可用“；”分隔多个"),
    )
    max_amount_yuan = models.BigIntegerField(_("最高额度（元）"), null=True, blank=True)
    term_months = models.PositiveIntegerField(_("期限（月）"), null=True, blank=True)
    collateral = models.CharField(_("担保方式"), max_length=200, blank=True)
    target = models.CharField(_("服务对象"), max_length=300, blank=True)
    description = models.TextField(_("简介"), blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("金融产品")
        verbose_name_plural = _("金融产品")
        ordering = ["product_type", "name"]

    def __str__(self):
        return self.name

    def available_to(self, county: County) -> bool:
        """Whether a firm in the county may use this product."""
        return region_covers(self.region, county)


class TalentResource(SourcedModel):
    """人才资源: an expert panel, commissioner team, training base, industry college or talent programme."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    organizer = models.CharField(_("组织单位"), max_length=100, blank=True)
    kind = models.CharField(_("类型"), max_length=32, choices=TalentKind.choices)
    region = models.CharField(_("服务区域"), max_length=100, default=PROVINCE_WIDE)
    fields = models.TextField(_("专业领域"), blank=True, help_text=_("以“；”分隔"))
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("人才资源")
        verbose_name_plural = _("人才资源")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class ProvincialBodyQuerySet(models.QuerySet):
    """Queries over provincial bodies."""

    def handling(self, kind: str):
        """Bodies that take needs of this kind."""
        return self.filter(Q(handles=kind) | Q(handles__regex=rf"(^|,){re.escape(kind)}(,|$)"))


class ProvincialBody(SourcedModel):
    """省级部门: a provincial department or financial body, and the kinds of need it takes."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=32, unique=True)
    handles = models.CharField(_("承接需求类型"), max_length=200, help_text=_("以英文逗号分隔的需求类型代码"))
    description = models.TextField(_("职责"), blank=True)

    objects = ProvincialBodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("省级部门")
        verbose_name_plural = _("省级部门")
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name

    @property
    def handles_list(self) -> list[str]:
        """The need kinds this body takes, as codes."""
        return [item for item in self.handles.split(",") if item]

    def get_handles_display(self) -> str:
        """The need kinds this body takes, as Chinese labels."""
        labels = dict(NeedKind.choices)
        return "、".join(str(labels.get(code, code)) for code in self.handles_list)

    def takes(self, kind: str) -> bool:
        """Whether this body takes needs of this kind."""
        return kind in self.handles_list
