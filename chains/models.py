"""Regions, the chain map and the resource catalog: what exists in Fujian's county key chains."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chains.choices import (
    ORDERABLE_STATUSES,
    PENDING_STATUSES,
    PROVINCE_WIDE,
    ChainEventKind,
    ChainStatus,
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
from chains.scoping import scope_of
from chains.uscc import validate_uscc
from core.choices import Source
from core.models import SourcedModel
from core.validators import validate_one_line

KEYWORD_SPLIT = re.compile(r"[；;，,、\s]+")


# How a catalog row names the rows it points at, in its columns: a county by name, a chain type by code, ...
NATURAL_KEYS = {"county": "name", "prefecture": "name", "chain_type": "code", "link": "name"}


def catalog_rows(model, *extra: str):
    """Every row of a catalog model as {"pk", column: value, ...} over its COLUMNS (and `extra` fields), the
    rows it points at by their natural key (`NATURAL_KEYS`), in one query."""
    related = {
        f"{column}__{NATURAL_KEYS[column]}": column for column in model.COLUMNS if column in NATURAL_KEYS
    }
    plain = [column for column in model.COLUMNS if column not in NATURAL_KEYS]
    for row in model.objects.values("pk", *plain, *extra, *related):
        for path, column in related.items():
            row[column] = row.pop(path)
        yield row


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
    """Queries over county key chains; `visible_to(user)` reads the user's scope (see chains.scoping)."""

    def active(self):
        """Confirmed chains (已认定): the public directory and the province's count."""
        return self.filter(status=ChainStatus.CONFIRMED)

    def orderable(self):
        """Chains a county may place orders on: declared, reviewed (both 待认定) or confirmed."""
        return self.filter(status__in=ORDERABLE_STATUSES)

    def for_scope(self, scope):
        """Rows a scope may see: everyone the confirmed ones; a county its own, a city its counties', provincial
        bodies and administrators every one (declarations in progress, returned and revoked ones included)."""
        public = Q(status=ChainStatus.CONFIRMED)
        if scope is None or not scope.active:
            return self.filter(public)
        if scope.is_admin or scope.is_body:
            return self.all()
        if scope.is_county:
            return self.filter(public | Q(county_id=scope.county_id))
        if scope.is_city:
            return self.filter(public | Q(county__prefecture_id=scope.prefecture_id))
        return self.filter(public)

    def visible_to(self, user):
        """Rows the user may see (anonymous visitors: the confirmed chains)."""
        return self.for_scope(scope_of(user))


class CountyChain(SourcedModel):
    """县域重点产业链: one county's key chain (identity: county and name), declared, reviewed and confirmed."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="chains", verbose_name=_("县域")
    )
    chain_type = models.ForeignKey(
        ChainType, on_delete=models.PROTECT, related_name="county_chains", verbose_name=_("产业链类型")
    )
    name = models.CharField(_("产业链名称"), max_length=100, validators=[validate_one_line])
    status = models.CharField(
        _("认定状态"),
        max_length=16,
        choices=ChainStatus.choices,
        default=ChainStatus.DECLARED,
        db_index=True,
    )
    links = models.ManyToManyField(
        ChainLink, blank=True, related_name="focused_by", verbose_name=_("重点环节")
    )
    chain_leader = models.CharField(_("链长"), max_length=64, blank=True)
    chain_leader_office = models.CharField(_("链长职务"), max_length=100, blank=True)
    task_force_contact = models.CharField(
        _("专班联系人"), max_length=200, blank=True, help_text=_("一业一策一专班：联系人及电话")
    )
    leader_firms = models.ManyToManyField(
        "Enterprise", blank=True, related_name="led_chains", verbose_name=_("链主企业")
    )
    scale_output_yuan = models.BigIntegerField(_("产业规模（元）"), null=True, blank=True)
    scale_firm_count = models.PositiveIntegerField(_("规上企业数"), null=True, blank=True)
    evidence = models.TextField(_("依据"), max_length=2000, blank=True)
    status_note = models.CharField(_("状态说明"), max_length=1000, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申报人"),
    )
    declared_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("市审核时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = CountyChainQuerySet.as_manager()

    class Meta:
        verbose_name = _("县域重点产业链")
        verbose_name_plural = _("县域重点产业链")
        ordering = ["county__prefecture__position", "county__position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="countychain_unique_name_per_county"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("chains:chain", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        """Declared or reviewed, not yet confirmed by the province: shown as 待认定."""
        return self.status in PENDING_STATUSES

    @property
    def is_orderable(self) -> bool:
        """Whether the county may place orders on it."""
        return self.status in ORDERABLE_STATUSES

    @property
    def is_revoked(self) -> bool:
        """Revoked by the province (its open orders stay open and say so)."""
        return self.status == ChainStatus.REVOKED


class ChainEventQuerySet(models.QuerySet):
    """History rows; append-only, so bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise ValidationError(_("产业链历史记录只能追加，不能修改。"))

    def delete(self):
        raise ValidationError(_("产业链历史记录只能追加，不能删除。"))


class ChainEvent(models.Model):
    """产业链历史: one append-only step of a chain's declaration, review, confirmation or revocation."""

    chain = models.ForeignKey(
        CountyChain, on_delete=models.CASCADE, related_name="events", verbose_name=_("县域重点产业链")
    )
    kind = models.CharField(_("事件"), max_length=16, choices=ChainEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作方"), max_length=200, blank=True)
    from_status = models.CharField(_("原状态"), max_length=16, choices=ChainStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=ChainStatus.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    objects = ChainEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("产业链历史")
        verbose_name_plural = _("产业链历史")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.chain_id} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        """Insert only: an existing history row is never changed."""
        if self.pk is not None:
            raise ValidationError(_("产业链历史记录只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Refused: the history is append-only."""
        raise ValidationError(_("产业链历史记录只能追加，不能删除。"))


class Institution(SourcedModel):
    """科研机构: a university, institute, lab, engineering centre or design firm."""

    # Its columns in spreadsheets and CSV files (import, export, reference data) and the engine's records.
    COLUMNS = ("name", "kind", "location", "in_fujian", "fields", "description", "source")

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

    # Its columns in spreadsheets and CSV files (import, export, reference data) and the engine's records.
    COLUMNS = ("name", "county", "chain_type", "link", "role", "uscc", "products", "description", "source")

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
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_uscc],
        help_text=_("18 位，校验位按 GB 32100-2015 核对"),
    )
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

    # Its columns in spreadsheets and CSV files (import, export, reference data) and the engine's records.
    COLUMNS = (
        "name",
        "sponsor",
        "level",
        "prefecture",
        "county",
        "size_yuan",
        "stage",
        "focus",
        "description",
        "source",
    )

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

    # Its columns in spreadsheets and CSV files (import, export, reference data) and the engine's records.
    COLUMNS = (
        "name",
        "provider",
        "product_type",
        "region",
        "max_amount_yuan",
        "term_months",
        "collateral",
        "target",
        "description",
        "source",
    )

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

    # Its columns in spreadsheets and CSV files (import, export, reference data) and the engine's records.
    COLUMNS = ("name", "organizer", "kind", "region", "fields", "description", "source")

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

    # Its columns in spreadsheets and CSV files (import, export, reference data) and the engine's records.
    COLUMNS = (
        "name",
        "short_name",
        "handles",
        "confirms_chains",
        "keeps_white_list",
        "description",
        "source",
    )

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=32, unique=True)
    handles = models.CharField(_("承接需求类型"), max_length=200, help_text=_("以英文逗号分隔的需求类型代码"))
    confirms_chains = models.BooleanField(
        _("认定县域重点产业链"), default=False, help_text=_("省级认定、调整或撤销县域申报的重点产业链")
    )
    keeps_white_list = models.BooleanField(
        _("维护重点企业白名单"), default=False, help_text=_("梳理、导入和维护重点企业“白名单”")
    )
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


class WhiteListQuerySet(models.QuerySet):
    """White-list entries: read by every approved user (government, banks, funds); anonymous visitors none."""

    def for_scope(self, scope):
        """Rows a scope may see: any active (approved) scope sees the list; nobody else."""
        if scope is None or not scope.active:
            return self.none()
        return self.all()

    def visible_to(self, user):
        """Rows the user may see."""
        return self.for_scope(scope_of(user))

    def current(self, year: int | None = None):
        """Entries of a year (default: the latest year on the list)."""
        if year is None:
            year = self.aggregate(models.Max("year"))["year__max"]
        return self.filter(year=year) if year is not None else self.none()


class WhiteListEntry(models.Model):
    """重点企业白名单: one firm listed for one county key chain and year, by a financial body, with a reason."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="white_list", verbose_name=_("企业")
    )
    chain = models.ForeignKey(
        CountyChain, on_delete=models.CASCADE, related_name="white_list", verbose_name=_("县域重点产业链")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    listed_by = models.ForeignKey(
        ProvincialBody, on_delete=models.PROTECT, related_name="white_list", verbose_name=_("列入单位")
    )
    reason = models.CharField(_("列入理由"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices, default=Source.GENERAL)
    created_at = models.DateTimeField(_("列入时间"), default=timezone.now)

    objects = WhiteListQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点企业白名单")
        verbose_name_plural = _("重点企业白名单")
        ordering = ["-year", "chain__county__prefecture__position", "chain__name", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "chain", "year"], name="whitelist_one_entry_per_firm_chain_year"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.chain} · {self.enterprise}"

    @property
    def is_sample(self) -> bool:
        """True for illustrative rows (shown as 示例)."""
        return self.source == Source.SAMPLE
