"""Provincial bodies (省级部门) and the key-firm white list."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chains.choices import (
    NeedKind,
)
from chains.models.catalog import (
    Enterprise,
)
from chains.models.regions import (
    CountyChain,
)
from chains.scoping import scope_of
from core.choices import Source
from core.models import SourcedModel


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
    # What the catalog is searched by (the API's ?search=; the admin adds its own extras).
    SEARCH = ("name", "short_name", "description")

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
