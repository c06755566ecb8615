"""Orders API serializers: parse input and shape output; what a viewer may read comes from the read policy."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.scoping import Scope
from chains.choices import PENDING_STATUSES, ChainStatus
from chains.models import split_keywords
from core import compiledsql
from core.validators import AMOUNT_TOO_LARGE, MAX_AMOUNT_YUAN
from engine.reasons import legacy_reason
from matchmaking import policy, workflow
from matchmaking.choices import (
    DeclineReason,
    EventKind,
    FinancingType,
    OrderKind,
    OrderState,
    OutcomeType,
    Visibility,
    WantedLink,
)
from matchmaking.models import Attachment, Invitation, Match, Order, OrderBeneficiary, Outcome, Proposal
from matchmaking.models.orders import choice_label

AMOUNT_MESSAGES = {"max_value": AMOUNT_TOO_LARGE}  # the same words as the form and the services

# State actions exposed as POST /orders/{id}/{action}/.
ORDER_ACTIONS = ("submit", "approve", "return", "reject", "claim", "withdraw", "resolve", "close")


def read_policy(serializer, order) -> policy.OrderReadPolicy:
    """What the request's user may read of `order` (`matchmaking.policy`), from the serializer's context
    when the view decided a whole page at once (`read_policies`), else decided now and kept there."""
    policies = serializer.context.setdefault("read_policies", {})
    if order.pk not in policies:
        request = serializer.context.get("request")
        policies[order.pk] = policy.for_order(getattr(request, "user", None), order)
    return policies[order.pk]


def drf_text(value):
    """A CharField's output: None stays None, anything else its str."""
    return None if value is None else str(value)


def drf_label(choices, value, labels: dict | None = None) -> str:
    """A choice's label as DRF shows it (`get_<field>_display`); `labels`, when given, keeps the labels already
    translated for this page (one language), so a list translates each distinct value once, not once per row."""
    if labels is None:
        return drf_text(choice_label(choices, value))
    label = labels.get((choices, value))
    if label is None:
        label = labels[choices, value] = drf_text(choice_label(choices, value))
    return label


def drf_datetime(value, zone):
    """A DateTimeField's output (ISO 8601 in the current time zone, UTC as Z), None when empty."""
    if not value:
        return None
    text = (
        value.astimezone(zone) if timezone.is_aware(value) else timezone.make_aware(value, zone)
    ).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# The columns of an order list's rows (`order_row`), read with `QuerySet.values()` in one query: the model
# instances of the order and its four joined relations cost more CPU than the rest of the list together.
ORDER_ROW_VALUES = (
    "id", "kind", "state", "county_id", "county__name", "county__prefecture_id", "chain_id", "chain__name",
    "chain__chain_type__code", "chain__status", "link_id", "link__name", "title", "description", "keywords",
    "amount_yuan", "financing_type", "headcount", "talent_profile", "tech_field", "expected_outcome",
    "wanted_link", "products", "due_date", "visibility", "contact_name", "contact_phone", "claimed_by_body_id",
    "claimed_by_body__name", "handler_id", "state_note", "is_sample", "match_state", "submitted_at",
    "published_at", "claimed_at", "finished_at", "created_at", "updated_at",
)  # fmt: skip


def order_row(values: dict, read, zone, handlers: dict, labels: dict | None = None) -> dict:
    """One order (its `ORDER_ROW_VALUES`) as `OrderSerializer` shows it to a viewer with read policy `read`,
    without DRF's field machinery: the same keys in the same order, the same values. `handlers` maps the
    handler ids of the orders whose handler the viewer may read to their users; `labels`, when given, keeps
    the kind and state labels already translated for this page (one gettext per distinct value, not two per
    row)."""
    link_id, body_id, due_date = values["link_id"], values["claimed_by_body_id"], values["due_date"]
    row = {
        "id": values["id"],
        "kind": values["kind"],
        "kind_label": drf_label(OrderKind, values["kind"], labels),  # Order.get_kind_display
        "state": values["state"],
        "state_label": drf_label(OrderState, values["state"], labels),  # Order.get_state_display
        "county": values["county_id"],
        "county_name": drf_text(values["county__name"]),
        "prefecture": values["county__prefecture_id"],
        "chain": values["chain_id"],
        "chain_name": drf_text(values["chain__name"]),
        "chain_type": drf_text(values["chain__chain_type__code"]),
        "chain_status": values["chain__status"],
        "chain_pending": values["chain__status"] in PENDING_STATUSES,  # CountyChain.is_pending
        "link": link_id,
        "link_name": None if link_id is None else drf_text(values["link__name"]),
        "title": drf_text(values["title"]),
        "description": drf_text(values["description"]),
        "keywords": drf_text(values["keywords"]),
        # Order.keyword_list
        "keyword_list": [None if word is None else str(word) for word in split_keywords(values["keywords"])],
        "amount_yuan": values["amount_yuan"],
        "financing_type": values["financing_type"],
        "headcount": values["headcount"],
        "talent_profile": drf_text(values["talent_profile"]),
        "tech_field": drf_text(values["tech_field"]),
        "expected_outcome": drf_text(values["expected_outcome"]),
        "wanted_link": values["wanted_link"],
        "products": drf_text(values["products"]),
        "due_date": due_date.isoformat() if due_date else None,
        "visibility": values["visibility"],
        "contact_name": drf_text(values["contact_name"]),
        "contact_phone": drf_text(values["contact_phone"]),
        "claimed_by_body": body_id,
        "claimed_by_body_name": None if body_id is None else drf_text(values["claimed_by_body__name"]),
        "handler_name": None,
        "state_note": "",
        "is_sample": bool(values["is_sample"]),
        "match_state": values["match_state"],
        "submitted_at": drf_datetime(values["submitted_at"], zone),
        "published_at": drf_datetime(values["published_at"], zone),
        "claimed_at": drf_datetime(values["claimed_at"], zone),
        "finished_at": drf_datetime(values["finished_at"], zone),
        "created_at": drf_datetime(values["created_at"], zone),
        "updated_at": drf_datetime(values["updated_at"], zone),
    }
    if not read.contact:
        del row["contact_name"], row["contact_phone"]
    if read.internal:
        handler = handlers.get(values["handler_id"])
        row["handler_name"] = None if handler is None else drf_text(handler.display_name)
        row["state_note"] = drf_text(values["state_note"])
    return row


def _handlers(ids: tuple[int, ...]):
    return (
        get_user_model()
        .objects.only("id", "first_name", "last_name", "username")
        .filter(pk__in=ids)
        .order_by()
    )


class OrderListSerializer(serializers.ListSerializer):
    """A page of orders given as `ORDER_ROW_VALUES` dicts (the list view): each row built by `order_row`
    (DRF's per-field work was most of the list's CPU); model instances take DRF's own way."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        if type(self.child) is not OrderSerializer or not all(isinstance(row, dict) for row in rows):
            return super().to_representation(rows)
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        policies = self.context.get("read_policies")
        if policies is None:
            policies = self.context["read_policies"] = policy.for_orders(viewer, [row["id"] for row in rows])
        handler_ids = {
            row["handler_id"] for row in rows if row["handler_id"] and policies[row["id"]].internal
        }
        handlers = (
            {  # what in_bulk(handler_ids) gives, from SQL compiled once per number of ids (core.compiledsql)
                user.pk: user
                for user in compiledsql.fetch("api list handlers", _handlers, tuple(sorted(handler_ids)))
            }
            if handler_ids
            else {}
        )
        zone = timezone.get_current_timezone()
        labels: dict = {}  # (choices, value) -> label, for this page (one language)
        return [order_row(row, policies[row["id"]], zone, handlers, labels) for row in rows]


class OrderSerializer(serializers.ModelSerializer):
    """需求 as clients read it, as the read policy allows: `contact_name` and `contact_phone` only for
    government viewers and the provider whose response was accepted; `handler_name` and `state_note` only
    for government viewers (null and "" for providers)."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)
    prefecture = serializers.IntegerField(source="county.prefecture_id", read_only=True)
    chain_name = serializers.CharField(source="chain.name", read_only=True)
    chain_type = serializers.CharField(
        source="chain.chain_type.code", read_only=True, help_text="产业链类型代码"
    )
    chain_status = serializers.ChoiceField(
        source="chain.status",
        choices=ChainStatus.choices,
        read_only=True,
        help_text="产业链认定状态：declared、reviewed 为待认定；revoked 为已撤销（进行中的需求照常办理）",
    )
    chain_pending = serializers.BooleanField(
        source="chain.is_pending", read_only=True, help_text="产业链待认定"
    )
    link_name = serializers.CharField(source="link.name", read_only=True, default=None, allow_null=True)
    keyword_list = serializers.ListField(child=serializers.CharField(), read_only=True)
    claimed_by_body_name = serializers.CharField(
        source="claimed_by_body.name", read_only=True, default=None, allow_null=True
    )
    handler_name = serializers.CharField(
        source="handler.display_name",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="承办人：仅政府用户和管理员可见，其他人为 null",
    )
    state_note = serializers.CharField(
        read_only=True, help_text="状态说明（退回、不予受理、关闭原因）：仅政府用户和管理员可见，其他人为空"
    )
    financing_type = serializers.ChoiceField(choices=FinancingType.choices, allow_blank=True, read_only=True)
    wanted_link = serializers.ChoiceField(choices=WantedLink.choices, allow_blank=True, read_only=True)
    # Not read-only on purpose: read-only fields are "required" in the response schema, and these are left
    # out for users who may not see them. The serializer is never used for input.
    contact_name = serializers.CharField(
        required=False, help_text="联系人：仅政府用户、管理员及响应已被接受的资源方可见，其他人无此字段"
    )
    contact_phone = serializers.CharField(
        required=False, help_text="联系电话：仅政府用户、管理员及响应已被接受的资源方可见，其他人无此字段"
    )

    class Meta:
        model = Order
        fields = [
            "id", "kind", "kind_label", "state", "state_label", "county", "county_name", "prefecture", "chain",
            "chain_name", "chain_type", "chain_status", "chain_pending", "link", "link_name", "title", "description", "keywords", "keyword_list",
            "amount_yuan", "financing_type", "headcount", "talent_profile", "tech_field", "expected_outcome",
            "wanted_link", "products", "due_date", "visibility", "contact_name", "contact_phone",
            "claimed_by_body", "claimed_by_body_name", "handler_name", "state_note", "is_sample",
            "match_state", "submitted_at", "published_at", "claimed_at", "finished_at", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = [f for f in fields if f not in ("contact_name", "contact_phone")]
        list_serializer_class = OrderListSerializer

    def to_representation(self, instance):
        data = super().to_representation(instance)
        read = read_policy(self, instance)
        if not read.contact:
            data.pop("contact_name", None)
            data.pop("contact_phone", None)
        if not read.internal:
            data["handler_name"] = None
            data["state_note"] = ""
        return data


class AttachmentSerializer(serializers.ModelSerializer):
    """An attachment's name, type and size, and where to download it (the site's checked download view)."""

    name = serializers.CharField(source="original_name", read_only=True)
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text="站内下载地址（登录后可下载）"
    )

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "url", "created_at"]
        read_only_fields = fields


class OutcomeSerializer(serializers.ModelSerializer):
    """闭环成果 of a resolved order."""

    outcome_type_label = serializers.CharField(source="get_outcome_type_display", read_only=True)

    class Meta:
        model = Outcome
        fields = ["outcome_type", "outcome_type_label", "amount_yuan", "partner", "date", "summary"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation to respond: which provider, with the body's note."""

    provider_org_name = serializers.CharField(source="provider_org.name", read_only=True)

    class Meta:
        model = Invitation
        fields = ["provider_org", "provider_org_name", "note", "created_at"]
        read_only_fields = fields


class BeneficiarySerializer(serializers.ModelSerializer):
    """A firm the order serves; its code and the per-firm outcome only for government viewers and admins."""

    uscc = serializers.CharField(required=False, help_text="统一社会信用代码：仅政府用户和管理员可见")
    amount_financed_yuan = serializers.IntegerField(
        required=False, allow_null=True, help_text="该企业获得的融资（元）：仅政府用户和管理员可见"
    )
    agreement_signed = serializers.BooleanField(
        required=False, help_text="是否已签约：仅政府用户和管理员可见"
    )

    class Meta:
        model = OrderBeneficiary
        fields = ["id", "enterprise", "name", "uscc", "amount_financed_yuan", "agreement_signed"]
        read_only_fields = ["id", "enterprise", "name"]


class BeneficiaryInputSerializer(serializers.Serializer):
    """One firm an order serves: `{"enterprise": id}` from the catalog, or `{"name", "uscc"}` (统一社会信用代码,
    check digit verified per GB 32100-2015)."""

    enterprise = serializers.IntegerField(required=False, min_value=1, help_text="资源库企业 id")
    name = serializers.CharField(required=False, max_length=100, help_text="资源库外企业的名称")
    uscc = serializers.CharField(required=False, max_length=30, help_text="资源库外企业的统一社会信用代码")


class FirmOutcomeSerializer(serializers.Serializer):
    """One firm's share of the outcome."""

    beneficiary = serializers.IntegerField(help_text="受益企业 id（beneficiaries[].id）")
    amount_financed_yuan = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_AMOUNT_YUAN,
        error_messages=AMOUNT_MESSAGES,
    )
    agreement_signed = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class FirmOutcomesSerializer(serializers.Serializer):
    """The outcome split per firm (taking body or administrator; docking or resolved orders)."""

    splits = FirmOutcomeSerializer(many=True, required=False, help_text="各企业成果；未列出的企业不变")


class OrderDetailSerializer(OrderSerializer):
    """An order plus the state actions the current user may perform on it now, and its attachments,
    invitations and outcome as the read policy allows."""

    actions = serializers.SerializerMethodField(help_text="当前用户现在可执行的状态操作")
    attachments = serializers.SerializerMethodField(help_text="需求本身的附件（看得到需求的人都可见）")
    invitations = serializers.SerializerMethodField(
        help_text="邀请响应：政府用户和管理员看到全部，资源方只看到对本单位的邀请"
    )
    outcome = serializers.SerializerMethodField(
        help_text="闭环成果：政府用户、管理员及响应已被接受的资源方可见，其他人为 null"
    )

    beneficiaries = serializers.SerializerMethodField(
        help_text="受益企业（看得到需求的人都可见名称；统一社会信用代码与各企业成果仅政府用户和管理员可见）"
    )

    class Meta(OrderSerializer.Meta):
        fields = [
            *OrderSerializer.Meta.fields,
            "actions",
            "attachments",
            "invitations",
            "outcome",
            "beneficiaries",
        ]
        read_only_fields = [
            *OrderSerializer.Meta.read_only_fields,
            "actions",
            "attachments",
            "invitations",
            "outcome",
            "beneficiaries",
        ]

    @extend_schema_field(BeneficiarySerializer(many=True))
    def get_beneficiaries(self, obj):
        rows = BeneficiarySerializer(obj.beneficiaries.all(), many=True).data
        if not read_policy(self, obj).internal:
            for row in rows:
                for name in ("uscc", "amount_financed_yuan", "agreement_signed"):
                    row.pop(name, None)
        return rows

    def get_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        scope = Scope.for_user(request.user) if request is not None else None
        return [a for a in ORDER_ACTIONS if workflow.can(obj, a, scope)]

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj):
        rows = read_policy(self, obj).attachments().filter(response__isnull=True).order_by("created_at")
        return AttachmentSerializer(rows, many=True).data

    @extend_schema_field(InvitationSerializer(many=True))
    def get_invitations(self, obj):
        rows = read_policy(self, obj).invitations().select_related("provider_org").order_by("created_at")
        return InvitationSerializer(rows, many=True).data

    @extend_schema_field(OutcomeSerializer(allow_null=True))
    def get_outcome(self, obj):
        outcome = read_policy(self, obj).outcome_of(obj)
        return OutcomeSerializer(outcome).data if outcome is not None else None


class OrderWriteSerializer(serializers.ModelSerializer):
    """What a county sends to create or edit an order (the county and the state are never inputs).

    Kind-specific fields: innovation → tech_field, expected_outcome; capital → amount_yuan, financing_type;
    talent → headcount, talent_profile; industry → wanted_link, products. Fields of other kinds are cleared.
    """

    kind = serializers.ChoiceField(choices=OrderKind.choices)
    amount_yuan = serializers.IntegerField(
        min_value=1,
        max_value=MAX_AMOUNT_YUAN,
        error_messages=AMOUNT_MESSAGES,
        required=False,
        allow_null=True,
    )
    financing_type = serializers.ChoiceField(choices=FinancingType.choices, required=False, allow_blank=True)
    wanted_link = serializers.ChoiceField(choices=WantedLink.choices, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    keywords = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="以“；”“;”“，”或空格分隔的关键词"
    )
    beneficiaries = BeneficiaryInputSerializer(
        many=True,
        required=False,
        help_text="受益企业：给出时整体替换；统一社会信用代码校验位无效的企业被拒绝",
    )

    class Meta:
        model = Order
        fields = [*Order.INPUTS, "beneficiaries"]
        extra_kwargs = {
            "chain": {
                "help_text": "本县域重点产业链的 id（已申报、市审核通过或已认定；退回修改与已撤销的不可）"
            },
            "link": {"help_text": "该产业链类型的环节 id，可为空"},
        }


class ReasonSerializer(serializers.Serializer):
    """A required reason (return, reject, close)."""

    reason = serializers.CharField(max_length=1000, help_text="原因（必填）")


class OptionalReasonSerializer(serializers.Serializer):
    """An optional reason (withdraw)."""

    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    """An optional note (approve, accept)."""

    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ClaimSerializer(serializers.Serializer):
    """Claim: optionally name the handler (a username in the claiming body; default: the caller)."""

    handler = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default="", help_text="承办人用户名（本部门成员）"
    )


class ResolveSerializer(serializers.Serializer):
    """The outcome that closes the loop."""

    outcome_type = serializers.ChoiceField(choices=OutcomeType.choices)
    amount_yuan = serializers.IntegerField(
        min_value=0,
        max_value=MAX_AMOUNT_YUAN,
        error_messages=AMOUNT_MESSAGES,
        required=False,
        allow_null=True,
    )
    partner = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    summary = serializers.CharField(max_length=2000)
    date = serializers.DateField(required=False, allow_null=True, help_text="达成日期，默认今天")


class EventSerializer(serializers.Serializer):
    """One timeline entry as the read policy lets the user read it (`policy.TimelineEntry`): providers get
    state changes only, with an empty note and no actor or organization."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=EventKind.choices, read_only=True)
    kind_label = serializers.CharField(read_only=True)
    from_state = serializers.ChoiceField(choices=OrderState.choices, allow_blank=True, read_only=True)
    to_state = serializers.ChoiceField(choices=OrderState.choices, allow_blank=True, read_only=True)
    note = serializers.CharField(read_only=True, allow_blank=True)
    actor_name = serializers.CharField(read_only=True, allow_null=True)
    organization_name = serializers.CharField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class MatchSerializer(serializers.ModelSerializer):
    """One ranked catalog resource with its score (0–1) and reasons."""

    resource_type_label = serializers.CharField(source="get_resource_type_display", read_only=True)
    reasons = serializers.ListField(
        child=serializers.CharField(), source="reason_texts", read_only=True, help_text="匹配理由（当前语言）"
    )
    reason_codes = serializers.SerializerMethodField(help_text="结构化匹配理由：code 与 params")

    class Meta:
        model = Match
        fields = [
            "rank", "score", "resource_type", "resource_type_label", "resource_id", "resource_name",
            "provider_org", "reasons", "reason_codes", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "params": {"type": "object"}},
                "required": ["code", "params"],
            },
        }
    )
    def get_reason_codes(self, obj) -> list[dict]:
        """The stored reasons as {code, params} (a text reason of an older version has code "text")."""
        return [r if isinstance(r, dict) else legacy_reason(str(r)) for r in obj.reasons or []]


class ProposalSerializer(serializers.ModelSerializer):
    """响应 as clients read it."""

    provider_org_name = serializers.CharField(source="provider_org.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    author_name = serializers.CharField(
        source="author.display_name", read_only=True, default=None, allow_null=True
    )
    reason_category = serializers.ChoiceField(choices=DeclineReason.choices, allow_blank=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id", "order", "provider_org", "provider_org_name", "author_name", "proposal", "amount_yuan",
            "rate_percent", "term_months", "experts", "terms", "state", "state_label", "reason_category",
            "decision_note", "decided_at", "created_at", "attachments",
        ]  # fmt: skip
        read_only_fields = fields


class RespondSerializer(serializers.Serializer):
    """A provider's proposal."""

    proposal = serializers.CharField(min_length=10, max_length=4000)
    amount_yuan = serializers.IntegerField(
        min_value=1,
        max_value=MAX_AMOUNT_YUAN,
        error_messages=AMOUNT_MESSAGES,
        required=False,
        allow_null=True,
    )
    terms = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    rate_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )
    term_months = serializers.IntegerField(min_value=1, max_value=600, required=False, allow_null=True)
    experts = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DeclineSerializer(serializers.Serializer):
    """Why the county declines a response (the provider sees it)."""

    reason_category = serializers.ChoiceField(choices=DeclineReason.choices)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
