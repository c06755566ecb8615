"""The orders domain: orders and their timeline, routing, responses, attachments, matches, notifications."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.scoping import NOTHING, Scope, ScopedQuerySet
from chains.models import split_keywords
from matchmaking import sla
from matchmaking.choices import (
    RESOURCE_MODELS,
    DeclineReason,
    EventKind,
    FinancingType,
    MatchState,
    NotificationKind,
    OrderKind,
    OrderState,
    OutcomeType,
    ResourceType,
    ResponseState,
    Visibility,
    WantedLink,
)

S = OrderState
# States a provider never sees (and a city never sees drafts).
HIDDEN_FROM_PROVIDERS = (S.DRAFT, S.SUBMITTED, S.RETURNED, S.REJECTED)
# States in which an "open" order is listed to every approved provider and may be responded to.
RESPONDABLE = (S.PUBLISHED, S.CLAIMED, S.DOCKING)
# States after publication: what routed bodies see.
AFTER_PUBLICATION = (S.PUBLISHED, S.CLAIMED, S.DOCKING, S.RESOLVED, S.CLOSED, S.EXPIRED, S.WITHDRAWN)
# States the county may edit.
COUNTY_EDITABLE = (S.DRAFT, S.RETURNED)
# Finished states.
FINAL = (S.RESOLVED, S.CLOSED, S.REJECTED, S.WITHDRAWN, S.EXPIRED)

TITLE_MAX = 100
DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 4000


def choice_label(choices, value) -> str:
    """What Django's get_FOO_display() returns (the label, or the value itself when unknown), by one enum lookup:
    Django's version hashes every (lazy, so each time translated) label of the field on every call, ~15 gettext
    calls per order state shown; the order lists and the API show two such fields on each of 20 rows."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class OrderQuerySet(ScopedQuerySet):
    """Orders, filtered by what a scope may see and edit (see the module docstring of accounts.scoping)."""

    def visibility_q(self, scope: Scope) -> Q:
        """County: its own (all states); city: its counties' (not drafts); body: routed after publication +
        claimed; provider: open and respondable, or invited / responded (never before publication)."""
        if scope.is_county:
            return Q(county_id=scope.county_id)
        if scope.is_city:
            return Q(county__prefecture_id=scope.prefecture_id) & ~Q(state=S.DRAFT)
        if scope.is_body:
            routed = OrderRoute.objects.filter(body_id=scope.body_id).values("order_id")
            return Q(claimed_by_body_id=scope.body_id) | (
                Q(pk__in=routed) & Q(state__in=AFTER_PUBLICATION) & Q(kind__in=sorted(scope.handles))
            )
        if scope.is_provider and scope.org_id:
            invited = Invitation.objects.filter(provider_org_id=scope.org_id).values("order_id")
            responded = Response.objects.filter(provider_org_id=scope.org_id).values("order_id")
            return (Q(visibility=Visibility.OPEN) & Q(state__in=RESPONDABLE)) | (
                (Q(pk__in=invited) | Q(pk__in=responded)) & ~Q(state__in=HIDDEN_FROM_PROVIDERS)
            )
        return NOTHING

    def editability_q(self, scope: Scope) -> Q:
        """Only the placing county, and only drafts and returned orders."""
        if scope.is_county:
            return Q(county_id=scope.county_id, state__in=COUNTY_EDITABLE)
        return NOTHING

    def with_list_relations(self):
        """What list pages render for each order, fetched in the same query."""
        return self.select_related("county__prefecture", "chain__chain_type", "claimed_by_body")


class Order(models.Model):
    """需求: a county's concrete need for one of its key chains, from draft to a closed loop."""

    kind = models.CharField(_("需求类型"), max_length=16, choices=OrderKind.choices)
    state = models.CharField(
        _("状态"), max_length=16, choices=OrderState.choices, default=S.DRAFT, db_index=True
    )
    county = models.ForeignKey(
        "chains.County", on_delete=models.PROTECT, related_name="orders", verbose_name=_("开单县域")
    )
    chain = models.ForeignKey(
        "chains.CountyChain",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("县域重点产业链"),
    )
    link = models.ForeignKey(
        "chains.ChainLink",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("产业链环节"),
    )
    title = models.CharField(_("标题"), max_length=TITLE_MAX, validators=[MinLengthValidator(5)])
    description = models.TextField(
        _("需求描述"),
        max_length=DESCRIPTION_MAX,
        validators=[MinLengthValidator(DESCRIPTION_MIN)],
        help_text=format_lazy(
            _("{min}–{max} 字：现状、问题、希望得到的支持"), min=DESCRIPTION_MIN, max=DESCRIPTION_MAX
        ),
    )
    keywords = models.CharField(_("关键词"), max_length=200, blank=True, help_text=_("以“；”或逗号分隔"))
    # capital
    amount_yuan = models.BigIntegerField(
        _("金额（元）"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    financing_type = models.CharField(_("融资方式"), max_length=16, choices=FinancingType.choices, blank=True)
    # talent
    headcount = models.PositiveIntegerField(
        _("人数"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    talent_profile = models.TextField(_("人才画像"), max_length=2000, blank=True)
    # innovation
    tech_field = models.CharField(_("技术领域"), max_length=100, blank=True)
    expected_outcome = models.TextField(_("预期成果"), max_length=2000, blank=True)
    # industry
    wanted_link = models.CharField(_("寻找对象"), max_length=16, choices=WantedLink.choices, blank=True)
    products = models.CharField(_("产品/配套需求"), max_length=300, blank=True)

    due_date = models.DateField(_("期望完成日期"))
    contact_name = models.CharField(_("联系人"), max_length=32)
    contact_phone = models.CharField(_("联系电话"), max_length=32)
    visibility = models.CharField(
        _("可见范围"), max_length=16, choices=Visibility.choices, default=Visibility.OPEN
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders_created",
        verbose_name=_("填报人"),
    )
    claimed_by_body = models.ForeignKey(
        "chains.ProvincialBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claimed_orders",
        verbose_name=_("接单部门"),
    )
    claimed_by_org = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claimed_orders",
        verbose_name=_("接单组织"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders_handled",
        verbose_name=_("承办人"),
    )
    state_note = models.CharField(_("状态说明"), max_length=1000, blank=True)
    is_sample = models.BooleanField(_("示例"), default=False)

    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    claim_due_at = models.DateTimeField(
        _("接单截止时间"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("发布时按接单时限（工作日）算定，之后修改时限设置不影响已发布的需求"),
    )
    claimed_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    last_progress_at = models.DateTimeField(_("最近进展时间"), null=True, blank=True)
    claim_reminded_at = models.DateTimeField(_("接单超时提醒时间"), null=True, blank=True)
    progress_reminded_at = models.DateTimeField(_("进展超时提醒时间"), null=True, blank=True)

    match_state = models.CharField(
        _("匹配状态"), max_length=16, choices=MatchState.choices, default=MatchState.PENDING
    )
    matched_at = models.DateTimeField(_("匹配完成时间"), null=True, blank=True)
    match_inputs_at = models.DateTimeField(_("匹配内容更新时间"), null=True, blank=True)
    match_error = models.TextField(_("匹配错误"), blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "kind"]),
            models.Index(fields=["county", "state"]),
            models.Index(fields=["county", "kind", "state"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["published_at"]),
            # Dashboards: their grouped queries read only these columns, so PostgreSQL answers them from
            # this index alone (an index-only scan instead of reading the wide order rows).
            models.Index(
                fields=["county", "chain", "kind", "state"],
                include=[
                    "id",
                    "published_at",
                    "claim_due_at",
                    "claimed_at",
                    "finished_at",
                    "claimed_by_body",
                    "created_at",
                ],
                name="order_dashboard_cover",
            ),
        ]
        constraints = [
            # The claim service level is measured against the stored deadline, so every published order has one.
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(claim_due_at__isnull=False),
                name="order_published_has_claim_deadline",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Save, fixing the claim deadline from the publication time when the order has none yet."""
        if self.published_at is not None and self.claim_due_at is None:
            self.claim_due_at = sla.claim_deadline_after(self.published_at)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "claim_due_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("orders:detail", args=[self.pk])

    def get_kind_display(self) -> str:
        return choice_label(OrderKind, self.kind)

    def get_state_display(self) -> str:
        return choice_label(OrderState, self.state)

    # Kind-specific fields: each kind's required inputs, used by validation, forms and templates.
    KIND_FIELDS = {
        OrderKind.INNOVATION: ("tech_field", "expected_outcome"),
        OrderKind.CAPITAL: ("amount_yuan", "financing_type"),
        OrderKind.TALENT: ("headcount", "talent_profile"),
        OrderKind.INDUSTRY: ("wanted_link", "products"),
    }
    # Fields whose change means the order must be matched again.
    MATCH_INPUTS = (
        "kind",
        "chain_id",
        "link_id",
        "title",
        "description",
        "keywords",
        "amount_yuan",
        "financing_type",
        "headcount",
        "talent_profile",
        "tech_field",
        "expected_outcome",
        "wanted_link",
        "products",
    )

    def clean(self):
        """Chain belongs to the county, link to the chain, and the kind's own fields are filled in."""
        errors = {}
        if self.county_id and self.chain_id and self.chain.county_id != self.county_id:
            errors["chain"] = _("只能选择本县域的重点产业链。")
        if self.link_id and self.chain_id and self.link.chain_type_id != self.chain.chain_type_id:
            errors["link"] = _("所选环节不属于该产业链。")
        for name in self.KIND_FIELDS.get(self.kind, ()):
            if getattr(self, name) in (None, ""):
                errors[name] = _("%(kind)s须填写“%(field)s”。") % {
                    "kind": self.get_kind_display(),
                    "field": self._meta.get_field(name).verbose_name,
                }
        if errors:
            raise ValidationError(errors)

    def clear_other_kind_fields(self):
        """Blank the fields that belong to other kinds (a kind change must not leave stale values)."""
        own = set(self.KIND_FIELDS.get(self.kind, ()))
        for fields in self.KIND_FIELDS.values():
            for name in fields:
                if name not in own:
                    setattr(self, name, None if name in ("amount_yuan", "headcount") else "")

    @property
    def keyword_list(self) -> list[str]:
        """The keywords as a list."""
        return split_keywords(self.keywords)

    @property
    def kind_details(self) -> list[tuple[str, object, bool]]:
        """(label, display value, is an amount in yuan) of the kind-specific fields, for the order page."""
        rows = []
        for name in self.KIND_FIELDS.get(self.kind, ()):
            field = self._meta.get_field(name)
            value = getattr(self, f"get_{name}_display")() if field.choices else getattr(self, name)
            is_amount = name == "amount_yuan"
            # Amounts are shown in 万元 (the `wan` filter), so the label must not say 元.
            rows.append((_("需求金额") if is_amount else field.verbose_name, value, is_amount))
        return rows

    @property
    def is_final(self) -> bool:
        """Whether the order's loop has ended one way or another."""
        return self.state in FINAL


class OrderRoute(models.Model):
    """分派: a published order routed to a provincial body that handles its kind (the body's queue)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="routes", verbose_name=_("需求"))
    body = models.ForeignKey(
        "chains.ProvincialBody", on_delete=models.PROTECT, related_name="routes", verbose_name=_("省级部门")
    )
    routed_at = models.DateTimeField(_("分派时间"), default=timezone.now)

    class Meta:
        verbose_name = _("需求分派")
        verbose_name_plural = _("需求分派")
        ordering = ["-routed_at"]
        constraints = [models.UniqueConstraint(fields=["order", "body"], name="orderroute_unique")]

    def __str__(self):
        return f"{self.order} → {self.body}"


class OrderEventQuerySet(models.QuerySet):
    """Timeline rows; append-only, so bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise ValidationError(_("时间线记录只能追加，不能修改。"))

    def delete(self):
        raise ValidationError(_("时间线记录只能追加，不能删除。"))


class OrderEvent(models.Model):
    """时间线: one append-only entry of what happened to an order, by whom, in which state change."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("需求"))
    kind = models.CharField(_("事件"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order_events",
        verbose_name=_("操作人"),
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order_events",
        verbose_name=_("所属组织"),
    )
    from_state = models.CharField(_("原状态"), max_length=16, choices=OrderState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=OrderState.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # Notes the platform writes: {"code", "params"} rendered in the reader's language (matchmaking.texts).
    note_message = models.JSONField(_("系统说明"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    objects = OrderEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("需求时间线")
        verbose_name_plural = _("需求时间线")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.order_id} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        """Insert only: an existing timeline row is never changed."""
        if self.pk is not None:
            raise ValidationError(_("时间线记录只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Refused: the timeline is append-only."""
        raise ValidationError(_("时间线记录只能追加，不能删除。"))

    @property
    def display_note(self) -> str:
        """The note in the active language: platform wording translated, a person's note as written."""
        from matchmaking.texts import render

        return render(self.note_message, self.note)

    @property
    def is_transition(self) -> bool:
        """Whether this entry changed the order's state."""
        return bool(self.to_state) and self.from_state != self.to_state


class Outcome(models.Model):
    """闭环成果: what a resolved order achieved."""

    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, related_name="outcome", verbose_name=_("需求")
    )
    outcome_type = models.CharField(_("成果类型"), max_length=16, choices=OutcomeType.choices)
    amount_yuan = models.BigIntegerField(
        _("金额（元）"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    partner = models.CharField(_("合作方"), max_length=200, blank=True)
    date = models.DateField(_("达成日期"))
    summary = models.TextField(_("成果摘要"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("闭环成果")
        verbose_name_plural = _("闭环成果")

    def __str__(self):
        return f"{self.order} · {self.get_outcome_type_display()}"


class Invitation(models.Model):
    """邀请: the taking body (or an administrator) invites a provider organization to respond."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("需求")
    )
    provider_org = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("资源方"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("邀请人"),
    )
    note = models.CharField(_("邀请说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("响应邀请")
        verbose_name_plural = _("响应邀请")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["order", "provider_org"], name="invitation_unique")]

    def __str__(self):
        return f"{self.order} → {self.provider_org}"


class ResponseQuerySet(ScopedQuerySet):
    """Responses: the provider sees its own; county, city and bodies see those on orders they see."""

    def visibility_q(self, scope: Scope) -> Q:
        """Providers: their organization's responses; others: responses on orders they may see."""
        if scope.is_provider and scope.org_id:
            return Q(provider_org_id=scope.org_id)
        if scope.is_county or scope.is_city or scope.is_body:
            return Q(order__in=Order.objects.filter(Order.objects.all().visibility_q(scope)))
        return NOTHING

    def editability_q(self, scope: Scope) -> Q:
        """The placing county decides on responses."""
        if scope.is_county:
            return Q(order__county_id=scope.county_id)
        return NOTHING


class Response(models.Model):
    """响应/揭榜: a provider's proposal for an order, which the county accepts or declines."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="responses", verbose_name=_("需求")
    )
    provider_org = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="responses", verbose_name=_("资源方")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("填报人"),
    )
    proposal = models.TextField(_("方案"), max_length=4000, validators=[MinLengthValidator(10)])
    amount_yuan = models.BigIntegerField(
        _("可提供金额（元）"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    rate_percent = models.DecimalField(
        _("年利率/费率（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    term_months = models.PositiveIntegerField(
        _("期限（月）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    experts = models.TextField(_("拟派专家"), max_length=2000, blank=True)
    terms = models.TextField(_("其他条件"), max_length=2000, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=ResponseState.choices, default=ResponseState.PENDING
    )
    reason_category = models.CharField(
        _("未采纳原因"), max_length=16, choices=DeclineReason.choices, blank=True
    )
    decision_note = models.CharField(_("处理说明"), max_length=1000, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("响应时间"), auto_now_add=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("响应")
        verbose_name_plural = _("响应")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["order", "provider_org"], name="response_one_per_org")]
        indexes = [
            models.Index(fields=["provider_org", "state"]),
            # Dashboards: "docked" probes the accepted responses of closed orders.
            models.Index(
                fields=["order"], condition=Q(state=ResponseState.ACCEPTED), name="response_accepted_order"
            ),
        ]

    def __str__(self):
        return f"{self.provider_org} → {self.order}"

    def get_state_display(self) -> str:
        return choice_label(ResponseState, self.state)


def attachment_path(instance, filename):
    """Stored under a generated name (never the uploader's), keeping only a vetted extension."""
    return f"private/orders/{instance.pk}{Path(filename).suffix.lower()}"


class AttachmentQuerySet(ScopedQuerySet):
    """Attachments follow their order; a response's attachments also follow the response."""

    def visibility_q(self, scope: Scope) -> Q:
        """Visible with the order, and (for response files) with the response."""
        orders = Order.objects.filter(Order.objects.all().visibility_q(scope))
        responses = Response.objects.filter(Response.objects.all().visibility_q(scope))
        return Q(order__in=orders) & (Q(response__isnull=True) | Q(response__in=responses))


class Attachment(models.Model):
    """附件: a PDF, Office document or image of an order or a response, served only through a checked view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("需求")
    )
    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("响应"),
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("orders:attachment", args=[self.pk])


class Match(models.Model):
    """匹配结果: one catalog resource ranked for an order, with its score and Chinese reasons.

    The resource is stored as a (resource_type, resource_id) pair — `resource_type` names the catalog
    model (see `choices.RESOURCE_MODELS`), `resource_id` its primary key — plus `resource_name`, the
    resource's name when matched, so lists render without one lookup per type. `provider_org` is set when
    the resource stands for a registered provider organization (who can then be invited to respond).
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="matches", verbose_name=_("需求"))
    resource_type = models.CharField(_("资源类型"), max_length=24, choices=ResourceType.choices)
    resource_id = models.PositiveBigIntegerField(_("资源编号"))
    resource_name = models.CharField(_("资源名称"), max_length=200, blank=True)
    provider_org = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matches",
        verbose_name=_("资源方组织"),
    )
    rank = models.PositiveIntegerField(_("排名"))
    score = models.FloatField(_("匹配度"), validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    # structured: [{"code": ..., "params": {...}}] (see matchmaking.engine.reasons); rendered per language
    reasons = models.JSONField(_("匹配理由"), default=list, blank=True)
    created_at = models.DateTimeField(_("匹配时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("匹配结果")
        verbose_name_plural = _("匹配结果")
        ordering = ["order", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["order", "resource_type", "resource_id"], name="match_unique"),
            models.CheckConstraint(condition=Q(score__gte=0.0) & Q(score__lte=1.0), name="match_score_0_1"),
        ]
        indexes = [
            models.Index(fields=["resource_type", "resource_id"]),
            models.Index(fields=["provider_org", "-score"]),
        ]

    def __str__(self):
        return f"{self.order_id} #{self.rank} {self.resource_name or self.resource_id}"

    @property
    def resource(self):
        """The catalog row this match points at (one query), or None when it was deleted."""
        from django.apps import apps

        model = apps.get_model(RESOURCE_MODELS[self.resource_type])
        return model.objects.filter(pk=self.resource_id).first()

    @property
    def score_percent(self) -> int:
        """The score as a whole percentage for display."""
        return round(self.score * 100)

    @property
    def reason_texts(self) -> list[str]:
        """The reasons rendered in the active language (stored reasons of older versions are text)."""
        from django.utils.translation import gettext

        from matchmaking.engine.reasons import render_reasons

        return render_reasons(self.reasons or [], gettext)


class Notification(models.Model):
    """站内消息: one thing a user is told about an order; e-mailed unless they opted out or chose a digest."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("收件人"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=NotificationKind.choices)
    order = models.ForeignKey(
        Order,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("需求"),
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # The same as codes with parameters, rendered in the reader's language (matchmaking.texts); title and body
    # keep the Chinese text for search and for rows written before.
    title_message = models.JSONField(_("标题（多语言）"), default=dict, blank=True)
    body_message = models.JSONField(_("内容（多语言）"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title

    def get_kind_display(self) -> str:
        return choice_label(NotificationKind, self.kind)

    @property
    def display_title(self) -> str:
        """The title in the active language (the stored text for rows written before codes)."""
        from matchmaking.texts import render

        return render(self.title_message, self.title)

    @property
    def display_body(self) -> str:
        """The body in the active language: platform wording translated, people's notes as written."""
        from matchmaking.texts import render

        return render(self.body_message, self.body)


class NotificationPreference(models.Model):
    """A user's e-mail choices: e-mail on/off and a daily digest instead of one mail per notification."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("用户"),
    )
    email_enabled = models.BooleanField(_("接收邮件通知"), default=True)
    daily_digest = models.BooleanField(_("每日汇总一封邮件"), default=False)
    language = models.CharField(
        _("邮件语言"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    last_digest_at = models.DateTimeField(_("上次汇总时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self):
        return str(self.user)


class Subscription(models.Model):
    """关注: a provider or body user follows kinds, chain types and prefectures (empty = any)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="order_subscription",
        verbose_name=_("用户"),
    )
    kinds = models.JSONField(_("需求类型"), default=list, blank=True)
    chain_types = models.ManyToManyField("chains.ChainType", blank=True, verbose_name=_("产业链类型"))
    prefectures = models.ManyToManyField("chains.Prefecture", blank=True, verbose_name=_("设区市"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("需求关注")
        verbose_name_plural = _("需求关注")

    def __str__(self):
        return str(self.user)

    def clean(self):
        """Only order kinds may be followed."""
        unknown = set(self.kinds or []) - set(OrderKind.values)
        if unknown:
            raise ValidationError({"kinds": _("未知的需求类型：%(v)s") % {"v": "、".join(sorted(unknown))}})

    def fits(self, order: Order, chain_type_ids: set[int], prefecture_ids: set[int]) -> bool:
        """Whether an order fits: every non-empty dimension must contain the order's value."""
        if not (self.kinds or chain_type_ids or prefecture_ids):
            return False
        if self.kinds and order.kind not in self.kinds:
            return False
        if chain_type_ids and order.chain.chain_type_id not in chain_type_ids:
            return False
        return not (prefecture_ids and order.county.prefecture_id not in prefecture_ids)
