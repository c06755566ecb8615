"""Regions and the chain map: prefectures, counties, chain types and links, county key chains and their events."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chains import countychoices
from chains.choices import (
    ORDERABLE_STATUSES,
    PENDING_STATUSES,
    ChainEventKind,
    ChainStatus,
    CountyKind,
    LinkStage,
)
from chains.scoping import scope_of
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


class ChoiceRowsQuerySet(models.QuerySet):
    """Rows the new-order form's cached selects are read from (chains.countychoices): writes that send no signal
    outdate them too."""

    def update(self, **kwargs):
        count = super().update(**kwargs)
        countychoices.bump()
        return count

    def bulk_create(self, *args, **kwargs):
        rows = super().bulk_create(*args, **kwargs)
        countychoices.bump()
        return rows

    def bulk_update(self, *args, **kwargs):
        count = super().bulk_update(*args, **kwargs)
        countychoices.bump()
        return count


class ChainType(SourcedModel):
    """产业链类型: an industry chain type with ordered links from upstream to downstream."""

    code = models.SlugField(_("代码"), max_length=48, unique=True)
    name = models.CharField(_("名称"), max_length=64, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ChoiceRowsQuerySet.as_manager()

    class Meta:
        verbose_name = _("产业链类型")
        verbose_name_plural = _("产业链类型")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("chains:chain_type", args=[self.code])


class ChainLinkManager(models.Manager.from_queryset(ChoiceRowsQuerySet)):
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


class CountyChainQuerySet(ChoiceRowsQuerySet):
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
