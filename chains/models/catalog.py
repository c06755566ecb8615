"""The resource catalog: institutions, enterprises, funds, financial products and talent resources."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chains.choices import (
    PROVINCE_WIDE,
    EnterpriseRole,
    FundLevel,
    FundStage,
    InstitutionKind,
    ProductType,
    TalentKind,
)
from chains.models.regions import ChainLink, ChainType, ChoiceRowsQuerySet, County, Prefecture, split_keywords
from chains.uscc import validate_uscc
from core.models import SourcedModel


class Institution(SourcedModel):
    """科研机构: a university, institute, lab, engineering centre or design firm."""

    # Its columns in spreadsheets and CSV files (import, export, reference data) and the engine's records.
    COLUMNS = ("name", "kind", "location", "in_fujian", "fields", "description", "source")
    # What the catalog is searched by (the API's ?search=; the admin adds its own extras).
    SEARCH = ("name", "fields", "description")

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
    # What the catalog is searched by (the API's ?search=; the admin adds its own extras).
    SEARCH = ("name", "products", "description")

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

    objects = (
        ChoiceRowsQuerySet.as_manager()
    )  # outdates the new-order form's cached selects (chains.countychoices)

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
    # What the catalog is searched by (the API's ?search=; the admin adds its own extras).
    SEARCH = ("name", "focus", "description", "sponsor")

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
    # What the catalog is searched by (the API's ?search=; the admin adds its own extras).
    SEARCH = ("name", "provider", "target", "description")

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
    # What the catalog is searched by (the API's ?search=; the admin adds its own extras).
    SEARCH = ("name", "organizer", "fields", "description")

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
