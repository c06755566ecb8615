"""Orders: the need itself, its routing to bodies, its timeline and its outcome."""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.scoping import NOTHING, Scope, ScopedQuerySet
from chains.models import split_keywords
from chains.uscc import validate_uscc
from core.validators import (
    validate_amount_limit,
    validate_amount_yuan,
    validate_due_date,
    validate_one_line,
    validate_phone,
)
from matchmaking import sla
from matchmaking.choices import (
    EventKind,
    FinancingType,
    MatchState,
    OrderKind,
    OrderState,
    OutcomeType,
    Visibility,
    WantedLink,
)
from matchmaking.models.order_indexes import DASHBOARD_INDEXES
from matchmaking.texts import render

# States a provider never sees (and a city never sees drafts).
HIDDEN_FROM_PROVIDERS = (OrderState.DRAFT, OrderState.SUBMITTED, OrderState.RETURNED, OrderState.REJECTED)
# States in which an "open" order is listed to every approved provider and may be responded to.
RESPONDABLE = (OrderState.PUBLISHED, OrderState.CLAIMED, OrderState.DOCKING)
# States after publication: what routed bodies see.
AFTER_PUBLICATION = (
    OrderState.PUBLISHED,
    OrderState.CLAIMED,
    OrderState.DOCKING,
    OrderState.RESOLVED,
    OrderState.CLOSED,
    OrderState.EXPIRED,
    OrderState.WITHDRAWN,
)
# States the county may edit.
COUNTY_EDITABLE = (OrderState.DRAFT, OrderState.RETURNED)
# Finished states.
FINAL = (
    OrderState.RESOLVED,
    OrderState.CLOSED,
    OrderState.REJECTED,
    OrderState.WITHDRAWN,
    OrderState.EXPIRED,
)

TITLE_MIN = 5
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

    visibility_is_pure = True  # visibility_q reads the scope only (ScopedQuerySet.visibility_is_pure)

    def visibility_q(self, scope: Scope) -> Q:
        """County: its own (all states); city: its counties' (not drafts); body: routed after publication +
        claimed; provider: open and respondable, or invited / responded (never before publication)."""
        if scope.is_county:
            return Q(county_id=scope.county_id)
        if scope.is_city:
            return Q(county__prefecture_id=scope.prefecture_id) & ~Q(state=OrderState.DRAFT)
        if scope.is_body:
            routed = OrderRoute.objects.filter(body_id=scope.body_id).values("order_id")
            return Q(claimed_by_body_id=scope.body_id) | (
                Q(pk__in=routed) & Q(state__in=AFTER_PUBLICATION) & Q(kind__in=sorted(scope.handles))
            )
        if scope.is_provider and scope.org_id:
            # Invitations and responses are defined beside orders (models.proposals), which import this module.
            invitations, responses = (
                apps.get_model("matchmaking", "Invitation"),
                apps.get_model("matchmaking", "Proposal"),
            )
            invited = invitations.objects.filter(provider_org_id=scope.org_id).values("order_id")
            responded = responses.objects.filter(provider_org_id=scope.org_id).values("order_id")
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
        _("状态"), max_length=16, choices=OrderState.choices, default=OrderState.DRAFT, db_index=True
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
    # A draft may be saved incomplete: only the kind, the chain and a title are needed; `completeness_errors`
    # (checked on submission) requires the rest, the minimum lengths and the kind's own fields.
    title = models.CharField(_("标题"), max_length=TITLE_MAX, validators=[validate_one_line])
    description = models.TextField(
        _("需求描述"),
        max_length=DESCRIPTION_MAX,
        blank=True,
        help_text=format_lazy(
            _("{min}–{max} 字：现状、问题、希望得到的支持"), min=DESCRIPTION_MIN, max=DESCRIPTION_MAX
        ),
    )
    keywords = models.CharField(
        _("关键词"),
        max_length=200,
        blank=True,
        help_text=_("以“；”或逗号分隔"),
        validators=[validate_one_line],
    )
    # capital
    amount_yuan = models.BigIntegerField(
        _("金额（元）"), null=True, blank=True, validators=[validate_amount_yuan]
    )
    financing_type = models.CharField(_("融资方式"), max_length=16, choices=FinancingType.choices, blank=True)
    # talent
    headcount = models.PositiveIntegerField(
        _("人数"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    talent_profile = models.TextField(_("人才画像"), max_length=2000, blank=True)
    # innovation
    tech_field = models.CharField(_("技术领域"), max_length=100, blank=True, validators=[validate_one_line])
    expected_outcome = models.TextField(_("预期成果"), max_length=2000, blank=True)
    # industry
    wanted_link = models.CharField(_("寻找对象"), max_length=16, choices=WantedLink.choices, blank=True)
    products = models.CharField(
        _("产品/配套需求"), max_length=300, blank=True, validators=[validate_one_line]
    )

    due_date = models.DateField(_("期望完成日期"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True, validators=[validate_one_line])
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])
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
            *DASHBOARD_INDEXES,
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
    # Fields whose change means the order must be matched again: what `matching.query_for_order` reads.
    MATCH_INPUTS = (
        "kind",
        "chain",
        "link",
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
    # Everything a county (or an administrator) sets on an order, through the form, the API and the admin alike.
    INPUTS = (*MATCH_INPUTS, "due_date", "visibility", "contact_name", "contact_phone")
    # The kind-specific texts the engine reads with the description, and those it also takes as keywords.
    MATCH_TEXTS = ("tech_field", "expected_outcome", "talent_profile", "products")
    MATCH_KEYWORD_TEXTS = ("tech_field", "products")

    def clean(self):
        """Chain belongs to the county, link to the chain, and the kind's own fields are filled in."""
        errors = {}
        if self.county_id and self.chain_id and self.chain.county_id != self.county_id:
            errors["chain"] = _("只能选择本县域的重点产业链。")
        elif self.chain_id and self.state in COUNTY_EDITABLE and not self.chain.is_orderable:
            errors["chain"] = _("该产业链已被退回修改或撤销，不能在其上开单：%(chain)s") % {
                "chain": self.chain.name
            }
        if self.link_id and self.chain_id and self.link.chain_type_id != self.chain.chain_type_id:
            errors["link"] = _("所选环节不属于该产业链。")
        if errors:
            raise ValidationError(errors)

    # What submission needs beyond what a draft needs (see `completeness_errors`).
    REQUIRED_TO_SUBMIT = ("title", "description", "due_date", "contact_name", "contact_phone")

    def completeness_errors(self, *, check_due_date: bool = True) -> dict:
        """{field: message} of what a draft still lacks before it can be submitted: the common fields, the
        minimum lengths, the kind's own fields and a desired date within the allowed window."""
        errors = {}
        for name in self.REQUIRED_TO_SUBMIT:
            if getattr(self, name) in (None, ""):
                errors[name] = _("提交审核前须填写“%(field)s”。") % {
                    "field": self._meta.get_field(name).verbose_name
                }
        if "title" not in errors and len(self.title.strip()) < TITLE_MIN:
            errors["title"] = _("标题至少 %(n)s 个字。") % {"n": TITLE_MIN}
        if "description" not in errors and len(self.description.strip()) < DESCRIPTION_MIN:
            errors["description"] = _("需求描述至少 %(n)s 个字。") % {"n": DESCRIPTION_MIN}
        for name in self.KIND_FIELDS.get(self.kind, ()):
            if getattr(self, name) in (None, ""):
                errors[name] = _("%(kind)s须填写“%(field)s”。") % {
                    "kind": self.get_kind_display(),
                    "field": self._meta.get_field(name).verbose_name,
                }
        if check_due_date and "due_date" not in errors:
            try:
                validate_due_date(self.due_date)
            except ValidationError as exc:
                errors["due_date"] = exc.messages[0]
        return errors

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
        # A body's lists and counts ask "routed to this body?" of every candidate order: its routed order ids
        # come from this index alone (an index-only scan, not the table).
        indexes = [models.Index(fields=["body", "order"], name="orderroute_body_order")]

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
        _("金额（元）"), null=True, blank=True, validators=[MinValueValidator(0), validate_amount_limit]
    )
    partner = models.CharField(_("合作方"), max_length=200, blank=True, validators=[validate_one_line])
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


class OrderBeneficiary(models.Model):
    """受益企业: a firm an order serves, from the catalog or named with its 统一社会信用代码; the outcome may be
    split per firm (amount financed, agreement signed)."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="beneficiaries", verbose_name=_("需求")
    )
    enterprise = models.ForeignKey(
        "chains.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="served_by_orders",
        verbose_name=_("资源库企业"),
    )
    name = models.CharField(_("企业名称"), max_length=100, validators=[validate_one_line])
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc])
    amount_financed_yuan = models.BigIntegerField(
        _("获得融资（元）"), null=True, blank=True, validators=[MinValueValidator(0), validate_amount_limit]
    )
    agreement_signed = models.BooleanField(_("已签约"), default=False)
    outcome_note = models.CharField(_("成果说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("受益企业")
        verbose_name_plural = _("受益企业")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "enterprise"],
                condition=Q(enterprise__isnull=False),
                name="beneficiary_one_row_per_catalog_firm",
            ),
            models.UniqueConstraint(
                fields=["order", "uscc"], condition=~Q(uscc=""), name="beneficiary_one_row_per_code"
            ),
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False) | ~Q(uscc=""), name="beneficiary_catalog_or_code"
            ),
        ]

    def __str__(self):
        return f"{self.order_id} · {self.name}"

    @property
    def firm_key(self) -> str:
        """What identifies the firm across orders: its code, else its catalog id."""
        return self.uscc or f"enterprise:{self.enterprise_id}"

    @property
    def financed(self) -> bool:
        """Whether the firm got money from this order."""
        return bool(self.amount_financed_yuan)
