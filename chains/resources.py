"""Spreadsheet import/export of county chains and every catalog model (django-import-export resources).

One mechanism serves the admin's import page, `import_catalog` and `load_reference_data`: columns are the
CSV headers of chains/data/, regions and chain types are referred to by name/code, and any bad row
(unknown county, chain type or link, missing name, bad number or choice) rejects the whole file.
"""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from chains.choices import ChainEventKind, ChainStatus, NeedKind
from chains.models import (
    ChainEvent,
    ChainLink,
    ChainType,
    County,
    CountyChain,
    Enterprise,
    FinancialProduct,
    Fund,
    Institution,
    Prefecture,
    ProvincialBody,
    TalentResource,
    WhiteListEntry,
    split_keywords,
)
from chains.uscc import normalize_uscc, validate_uscc
from core.audit import AuditedResourceMixin
from core.choices import Source


class NamedForeignKeyWidget(widgets.ForeignKeyWidget):
    """Look a related row up by a natural key; an unknown value is a clear row error."""

    def __init__(self, model, field, label, **kwargs):
        super().__init__(model, field, **kwargs)
        self.label = label

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(str(value).strip() if value is not None else value, row, **kwargs)
        except ObjectDoesNotExist as exc:
            raise ValueError(_("未知的%(label)s：%(value)s") % {"label": self.label, "value": value}) from exc


class LinkWidget(NamedForeignKeyWidget):
    """A chain link, looked up by its name within the row's chain type."""

    def __init__(self):
        super().__init__(ChainLink, "name", _("环节"))

    def get_queryset(self, value, row, *args, **kwargs):
        return ChainLink.objects.filter(chain_type__code=(row or {}).get("chain_type", ""))

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError as exc:
            raise ValueError(
                _("产业链类型 %(type)s 下没有环节：%(value)s")
                % {"type": (row or {}).get("chain_type"), "value": value}
            ) from exc


class ChoiceWidget(widgets.Widget):
    """A choice column that accepts the code or its Chinese label; anything else is a row error."""

    def __init__(self, choices, label, default=None, **kwargs):
        super().__init__(**kwargs)
        self.codes = {str(code): str(code) for code, _label in choices}
        self.codes.update({str(label_): str(code) for code, label_ in choices})
        self.label = label
        self.default = default

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            if self.default is not None:
                return self.default
            raise ValueError(_("%(label)s不能为空") % {"label": self.label})
        if text not in self.codes:
            raise ValueError(_("%(label)s取值无效：%(value)s") % {"label": self.label, "value": text})
        return self.codes[text]

    def render(self, value, obj=None, **kwargs):
        return value or ""


class YesNoWidget(widgets.BooleanWidget):
    """Booleans written as true/false, 1/0, 是/否."""

    TRUE_VALUES = [*widgets.BooleanWidget.TRUE_VALUES, "是", "yes", "Yes", "Y"]
    FALSE_VALUES = [*widgets.BooleanWidget.FALSE_VALUES, "否", "no", "No", "N"]

    def clean(self, value, row=None, **kwargs):
        if value in ("", None):
            return False
        if value not in self.TRUE_VALUES and value not in self.FALSE_VALUES:
            raise ValueError(_("应为 true/false 或 是/否：%(value)s") % {"value": value})
        return value in self.TRUE_VALUES


class AmountWidget(widgets.Widget):
    """A non-negative whole number (yuan, months); blank means unknown."""

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        text = str(value).replace(",", "").replace("，", "").strip()
        try:
            number = float(text)
        except ValueError as exc:
            raise ValueError(_("不是有效的数字：%(value)s") % {"value": value}) from exc
        if number < 0 or number != int(number):
            raise ValueError(_("应为非负整数：%(value)s") % {"value": value})
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class HandlesWidget(widgets.Widget):
    """Need kinds separated by ；/,: stored as comma-separated codes; unknown kinds are row errors."""

    def clean(self, value, row=None, **kwargs):
        items = split_keywords(str(value or ""))
        if not items:
            raise ValueError(_("承接需求类型不能为空"))
        labels = {str(label): code for code, label in NeedKind.choices}
        codes = []
        for item in items:
            code = item if item in NeedKind.values else labels.get(item)
            if code is None:
                raise ValueError(_("未知的需求类型：%(value)s") % {"value": item})
            codes.append(code)
        return ",".join(codes)

    def render(self, value, obj=None, **kwargs):
        return "；".join(item for item in (value or "").split(",") if item)


class TextWidget(widgets.CharWidget):
    """Text stripped of surrounding blanks; blank stays blank."""

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()


def text_column(name: str) -> fields.Field:
    """A free-text column stored in the model field of the same name."""
    return fields.Field(attribute=name, column_name=name, widget=TextWidget())


def choice_column(model, name: str, label: str) -> fields.Field:
    """A choice column of the model field of the same name (code or Chinese label accepted)."""
    return fields.Field(
        attribute=name, column_name=name, widget=ChoiceWidget(model._meta.get_field(name).choices, label)
    )


def source_field(default=Source.GENERAL):
    """The `source` column: whitepaper / general / sample (or 白皮书 / 公开资料 / 示例)."""
    return fields.Field(
        attribute="source",
        column_name="source",
        widget=ChoiceWidget(Source.choices, _("数据来源"), default=default),
    )


def resource_fields(model) -> tuple[str, ...]:
    """A catalog model's COLUMNS as this module's field names (`fields` is declared as `fields_`)."""
    return tuple("fields_" if column == "fields" else column for column in model.COLUMNS)


class CatalogResource(AuditedResourceMixin, resources.ModelResource):
    """Common behaviour: rows keyed by name, validated with the model's rules, unchanged rows skipped."""

    name = text_column("name")

    class Meta:
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        if not str(row.get("name") or "").strip():
            raise ValueError(_("名称不能为空"))

    def import_row(self, row, instance_loader, **kwargs):
        """Import one row, then tell the caller's `progress` callback (if any) how many rows are done."""
        result = super().import_row(row, instance_loader, **kwargs)
        progress = kwargs.get("progress")
        if progress is not None and kwargs.get("row_number") is not None:
            progress(kwargs["row_number"])
        return result


class ChainWidget(NamedForeignKeyWidget):
    """A county key chain, looked up by its name within the row's county (the chain's identity)."""

    def __init__(self):
        super().__init__(CountyChain, "name", _("县域重点产业链"))

    def get_queryset(self, value, row, *args, **kwargs):
        return CountyChain.objects.filter(county__name=str((row or {}).get("county") or "").strip())

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError as exc:
            raise ValueError(
                _("县域 %(county)s 没有重点产业链：%(value)s")
                % {"county": (row or {}).get("county"), "value": value}
            ) from exc


class UsccWidget(widgets.Widget):
    """统一社会信用代码: blank means none; anything else must pass the GB 32100-2015 check digit."""

    def clean(self, value, row=None, **kwargs):
        text = normalize_uscc(value or "")
        if not text:
            return None
        try:
            validate_uscc(text)
        except ValidationError as exc:
            raise ValueError("；".join(exc.messages)) from exc
        return text

    def render(self, value, obj=None, **kwargs):
        return value or ""


class CountyChainResource(CatalogResource):
    """County key chains: county, chain_type (code), chain_name, evidence, active, source.

    The official list confirms what it lists: every imported row becomes 已认定 (a row with active=false is
    revoked), with an 官方清单导入认定 step in the chain's history. Rows are identified by (county, chain name),
    so a county may hold several chains of one type."""

    name = fields.Field(attribute="name", column_name="chain_name", widget=TextWidget())
    county = fields.Field(
        attribute="county", column_name="county", widget=NamedForeignKeyWidget(County, "name", _("县域"))
    )
    chain_type = fields.Field(
        attribute="chain_type",
        column_name="chain_type",
        widget=NamedForeignKeyWidget(ChainType, "code", _("产业链类型")),
    )
    evidence = text_column("evidence")
    active = fields.Field(column_name="active", widget=YesNoWidget(), readonly=True)
    source = source_field(Source.WHITEPAPER)

    class Meta(CatalogResource.Meta):
        model = CountyChain
        import_id_fields = ("county", "name")  # identity: county and chain name (not county and type)
        fields = ("name", "county", "chain_type", "evidence", "active", "source")

    def before_import_row(self, row, **kwargs):
        if not str(row.get("chain_name") or "").strip():
            raise ValueError(_("产业链名称不能为空"))
        if str(row.get("active") or "").strip() == "":
            row["active"] = "true"  # a listed chain is active unless the sheet says otherwise
        if not str(row.get("source") or "").strip():
            row["source"] = Source.WHITEPAPER  # the official list of county key chains

    def dehydrate_active(self, obj):
        return "true" if obj.status != ChainStatus.REVOKED else "false"

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        listed = YesNoWidget().clean(row.get("active"))
        instance._status_before = instance.status if instance.pk else ""
        instance.status = ChainStatus.CONFIRMED if listed else ChainStatus.REVOKED
        if instance.status == ChainStatus.CONFIRMED and instance._status_before != ChainStatus.CONFIRMED:
            instance.confirmed_at = timezone.now()

    def skip_row(self, instance, original, row, import_validation_errors=None):
        unchanged = super().skip_row(instance, original, row, import_validation_errors)
        return unchanged and getattr(instance, "_status_before", "") == instance.status

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        before = getattr(instance, "_status_before", "")
        if before == instance.status:
            return
        user = kwargs.get("user")
        ChainEvent.objects.create(
            chain=instance,
            kind=ChainEventKind.IMPORTED
            if instance.status == ChainStatus.CONFIRMED
            else ChainEventKind.REVOKED,
            actor=user,
            actor_label=_("官方清单导入"),
            from_status=before,
            to_status=instance.status,
        )


class InstitutionResource(CatalogResource):
    """Institutions: name, kind, location, in_fujian, fields, description, source."""

    kind = choice_column(Institution, "kind", _("类型"))
    in_fujian = fields.Field(attribute="in_fujian", column_name="in_fujian", widget=YesNoWidget())
    location = text_column("location")
    fields_ = text_column("fields")
    description = text_column("description")
    source = source_field()

    class Meta(CatalogResource.Meta):
        model = Institution
        fields = resource_fields(Institution)


class EnterpriseResource(CatalogResource):
    """Enterprises: name, county (blank outside Fujian), chain_type, link, role, products, description, source."""

    county = fields.Field(
        attribute="county", column_name="county", widget=NamedForeignKeyWidget(County, "name", _("县域"))
    )
    chain_type = fields.Field(
        attribute="chain_type",
        column_name="chain_type",
        widget=NamedForeignKeyWidget(ChainType, "code", _("产业链类型")),
    )
    link = fields.Field(attribute="link", column_name="link", widget=LinkWidget())
    role = choice_column(Enterprise, "role", _("链上角色"))
    uscc = fields.Field(attribute="uscc", column_name="uscc", widget=UsccWidget())
    products = text_column("products")
    description = text_column("description")
    source = source_field()

    class Meta(CatalogResource.Meta):
        model = Enterprise
        fields = resource_fields(Enterprise)

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if not str(row.get("chain_type") or "").strip():
            raise ValueError(_("产业链类型不能为空"))
        if not str(row.get("link") or "").strip():
            raise ValueError(_("环节不能为空"))


class FundResource(CatalogResource):
    """Funds: name, sponsor, level, prefecture, county, size_yuan, stage, focus, description, source."""

    sponsor = text_column("sponsor")
    level = choice_column(Fund, "level", _("层级"))
    prefecture = fields.Field(
        attribute="prefecture",
        column_name="prefecture",
        widget=NamedForeignKeyWidget(Prefecture, "name", _("设区市")),
    )
    county = fields.Field(
        attribute="county", column_name="county", widget=NamedForeignKeyWidget(County, "name", _("县域"))
    )
    size_yuan = fields.Field(attribute="size_yuan", column_name="size_yuan", widget=AmountWidget())
    stage = choice_column(Fund, "stage", _("投资阶段"))
    focus = text_column("focus")
    description = text_column("description")
    source = source_field()

    class Meta(CatalogResource.Meta):
        model = Fund
        fields = resource_fields(Fund)


class FinancialProductResource(CatalogResource):
    """Financial products: name, provider, product_type, region, max_amount_yuan, term_months, collateral,
    target, description, source (and optionally valid_until)."""

    provider = text_column("provider")
    product_type = choice_column(FinancialProduct, "product_type", _("产品类型"))
    region = text_column("region")
    max_amount_yuan = fields.Field(
        attribute="max_amount_yuan", column_name="max_amount_yuan", widget=AmountWidget()
    )
    term_months = fields.Field(attribute="term_months", column_name="term_months", widget=AmountWidget())
    collateral = text_column("collateral")
    target = text_column("target")
    description = text_column("description")
    source = source_field()

    class Meta(CatalogResource.Meta):
        model = FinancialProduct
        fields = resource_fields(FinancialProduct)

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        region = str(row.get("region") or "").strip() or "全省"
        known = (
            set(County.objects.values_list("name", flat=True))
            | set(Prefecture.objects.values_list("name", flat=True))
            | {"全省"}
        )
        unknown = [item for item in split_keywords(region) if item not in known]
        if unknown:
            raise ValueError(_("未知的适用区域：%(value)s") % {"value": "、".join(unknown)})
        row["region"] = region


class TalentResourceResource(CatalogResource):
    """Talent resources: name, organizer, kind, region, fields, description, source."""

    organizer = text_column("organizer")
    kind = choice_column(TalentResource, "kind", _("类型"))
    region = text_column("region")
    fields_ = text_column("fields")
    description = text_column("description")
    source = source_field()

    class Meta(CatalogResource.Meta):
        model = TalentResource
        fields = resource_fields(TalentResource)


class ProvincialBodyResource(CatalogResource):
    """Provincial bodies: name, short_name, handles (need kinds), description, source."""

    short_name = text_column("short_name")
    handles = fields.Field(attribute="handles", column_name="handles", widget=HandlesWidget())
    confirms_chains = fields.Field(
        attribute="confirms_chains", column_name="confirms_chains", widget=YesNoWidget()
    )
    keeps_white_list = fields.Field(
        attribute="keeps_white_list", column_name="keeps_white_list", widget=YesNoWidget()
    )
    description = text_column("description")
    source = source_field()

    class Meta(CatalogResource.Meta):
        model = ProvincialBody
        fields = resource_fields(ProvincialBody)


class EnterpriseWidget(widgets.ForeignKeyWidget):
    """A catalog firm, found by the row's 统一社会信用代码 when given (else by name); both must agree."""

    def __init__(self):
        super().__init__(Enterprise, "name")

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        code = UsccWidget().clean((row or {}).get("uscc"))
        firm = Enterprise.objects.filter(uscc=code).first() if code else None
        if firm is None and name:
            firm = Enterprise.objects.filter(name=name).first()
        if firm is None:
            raise ValueError(
                _("资源库中没有该企业：%(value)s（请先在“企业”中导入）") % {"value": name or code or "—"}
            )
        if code and firm.uscc and firm.uscc != code:
            raise ValueError(
                _("统一社会信用代码与资源库中的“%(name)s”不符：%(code)s") % {"name": firm.name, "code": code}
            )
        return firm


class WhiteListResource(AuditedResourceMixin, resources.ModelResource):
    """重点企业白名单: enterprise (name), uscc, county, chain (name), year, listed_by (body), reason, source.

    One entry per firm, chain and year; any bad row (unknown firm, chain or body, bad code or year, missing
    reason) rejects the whole file."""

    enterprise = fields.Field(attribute="enterprise", column_name="enterprise", widget=EnterpriseWidget())
    uscc = fields.Field(column_name="uscc", readonly=True)
    county = fields.Field(column_name="county", attribute="chain__county__name", readonly=True)
    chain = fields.Field(attribute="chain", column_name="chain", widget=ChainWidget())
    year = fields.Field(attribute="year", column_name="year", widget=AmountWidget())
    listed_by = fields.Field(
        attribute="listed_by",
        column_name="listed_by",
        widget=NamedForeignKeyWidget(ProvincialBody, "short_name", _("列入单位")),
    )
    reason = text_column("reason")
    source = source_field()

    class Meta:
        model = WhiteListEntry
        import_id_fields = ("enterprise", "chain", "year")
        fields = ("enterprise", "uscc", "county", "chain", "year", "listed_by", "reason", "source")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def dehydrate_uscc(self, obj):
        return obj.enterprise.uscc or ""

    def before_import_row(self, row, **kwargs):
        if not str(row.get("reason") or "").strip():
            raise ValueError(_("列入理由不能为空"))
        year = str(row.get("year") or "").strip()
        if not year.isdigit() or not 2000 <= int(year) <= 2100:
            raise ValueError(_("年度应为四位年份：%(value)s") % {"value": year or "—"})
        body = str(row.get("listed_by") or "").strip()
        found = ProvincialBody.objects.filter(Q(short_name=body) | Q(name=body)).first()
        if found is None:
            raise ValueError(_("未知的列入单位：%(value)s") % {"value": body or "—"})
        if not found.keeps_white_list:
            raise ValueError(_("%(body)s不是白名单维护单位") % {"body": found.short_name})
        row["listed_by"] = found.short_name

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.pk is None and kwargs.get("user") is not None:
            instance.created_by = kwargs["user"]


@dataclass(frozen=True)
class ImportKind:
    """One importable kind: its command-line name, resource and shipped file."""

    name: str
    resource: type[resources.ModelResource]
    filename: str
    label: str
    shipped: bool = True  # whether chains/data/ has the file (the white list is not public)


IMPORT_KINDS: dict[str, ImportKind] = {
    kind.name: kind
    for kind in (
        ImportKind("chains", CountyChainResource, "county_chains.csv", "县域重点产业链"),
        ImportKind("institutions", InstitutionResource, "institutions.csv", "科研机构"),
        ImportKind("enterprises", EnterpriseResource, "enterprises.csv", "企业"),
        ImportKind("funds", FundResource, "funds.csv", "基金"),
        ImportKind("financial-products", FinancialProductResource, "financial_products.csv", "金融产品"),
        ImportKind("talent-resources", TalentResourceResource, "talent_resources.csv", "人才资源"),
        ImportKind("provincial-bodies", ProvincialBodyResource, "provincial_bodies.csv", "省级部门"),
        ImportKind("white-list", WhiteListResource, "white_list.csv", "重点企业白名单", shipped=False),
    )
}


@dataclass(frozen=True)
class RowProblem:
    """A rejected row: its spreadsheet line (header = line 1) and why."""

    line: int
    reason: str

    def __str__(self):
        return _("第 %(line)d 行：%(reason)s") % {"line": self.line, "reason": self.reason}


def row_problems(result) -> list[RowProblem]:
    """Every bad row of an import result, in file order, with a readable reason."""
    problems: list[RowProblem] = []
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(RowProblem(number + 1, _error_text(error.error)))
    for invalid in result.invalid_rows:
        reasons = []
        for field_name, messages in invalid.error_dict.items():
            text = "；".join(str(m) for m in messages)
            reasons.append(text if field_name == "__all__" else f"{field_name}: {text}")
        problems.append(RowProblem(invalid.number + 1, "；".join(reasons)))
    for error in result.base_errors:
        problems.append(RowProblem(1, _error_text(error.error)))
    return sorted(problems, key=lambda p: p.line)


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    if isinstance(error, ObjectDoesNotExist):
        return _("引用的记录不存在")
    text = str(error)
    return text.splitlines()[0] if text else error.__class__.__name__
