"""API of the chain map (mounted by config.api): the read-only catalog, the county key chains with their
declaration workflow (县申报、市审核、省认定), and the key-firm white list.

Thin: chains come through `visible_to(user)` (outside scope → 404), what a viewer reads through
`chains.policy`, changes through `chains.services`, whose `ChainWorkflowError` the API's exception handler
turns into the one error shape (illegal transition 409, not this role's action 403, bad input 400).
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chains import policy, services
from chains.choices import ChainStatus
from chains.filtersets import (
    CountyChainFilter,
    CountyFilter,
    EnterpriseFilter,
    FinancialProductFilter,
    FundFilter,
    InstitutionFilter,
    ProvincialBodyFilter,
    TalentResourceFilter,
    WhiteListFilter,
)
from chains.models import (
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
from core.errors import error_responses

# --- serializers ---------------------------------------------------------------------------------


class PrefectureSerializer(serializers.ModelSerializer):
    """设区市."""

    class Meta:
        model = Prefecture
        fields = ["id", "name"]


class CountySerializer(serializers.ModelSerializer):
    """县域."""

    prefecture_name = serializers.CharField(source="prefecture.name", read_only=True)

    class Meta:
        model = County
        fields = ["id", "name", "kind", "prefecture", "prefecture_name"]


class ChainLinkSerializer(serializers.ModelSerializer):
    """产业链环节."""

    keywords = serializers.SerializerMethodField()

    class Meta:
        model = ChainLink
        fields = ["id", "name", "stage", "position", "keywords"]

    def get_keywords(self, obj) -> list[str]:
        return obj.keyword_list


class ChainTypeSerializer(serializers.ModelSerializer):
    """产业链类型 with its ordered links."""

    links = ChainLinkSerializer(many=True, read_only=True)

    class Meta:
        model = ChainType
        fields = ["id", "code", "name", "source", "links"]


class SampleFlagMixin(serializers.Serializer):
    """Adds `is_sample`: illustrative rows that users must see marked as 示例."""

    is_sample = serializers.BooleanField(read_only=True)


class InstitutionSerializer(SampleFlagMixin, serializers.ModelSerializer):
    """科研机构."""

    fields_list = serializers.SerializerMethodField()

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "kind",
            "location",
            "in_fujian",
            "fields_list",
            "description",
            "source",
            "is_sample",
        ]

    def get_fields_list(self, obj) -> list[str]:
        return obj.field_list


class EnterpriseSerializer(SampleFlagMixin, serializers.ModelSerializer):
    """企业."""

    county_name = serializers.CharField(source="county.name", read_only=True, default=None, allow_null=True)
    chain_type_code = serializers.CharField(source="chain_type.code", read_only=True)
    link_name = serializers.CharField(source="link.name", read_only=True)
    products_list = serializers.SerializerMethodField()

    class Meta:
        model = Enterprise
        fields = [
            "id", "name", "county", "county_name", "chain_type", "chain_type_code", "link", "link_name", "role",
            "uscc", "products_list", "description", "source", "is_sample",
        ]  # fmt: skip

    def get_products_list(self, obj) -> list[str]:
        return split_keywords(obj.products)


class FundSerializer(SampleFlagMixin, serializers.ModelSerializer):
    """基金."""

    class Meta:
        model = Fund
        fields = [
            "id", "name", "sponsor", "level", "prefecture", "county", "size_yuan", "stage", "focus", "description",
            "source", "is_sample",
        ]  # fmt: skip


class FinancialProductSerializer(SampleFlagMixin, serializers.ModelSerializer):
    """金融产品."""

    class Meta:
        model = FinancialProduct
        fields = [
            "id", "name", "provider", "product_type", "region", "max_amount_yuan", "term_months", "collateral",
            "target", "description", "valid_until", "source", "is_sample",
        ]  # fmt: skip


class TalentResourceSerializer(SampleFlagMixin, serializers.ModelSerializer):
    """人才资源."""

    class Meta:
        model = TalentResource
        fields = ["id", "name", "organizer", "kind", "region", "fields", "description", "source", "is_sample"]


class ProvincialBodySerializer(serializers.ModelSerializer):
    """省级部门 and the need kinds it takes."""

    handles = serializers.ListField(source="handles_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = ProvincialBody
        fields = ["id", "name", "short_name", "handles", "description", "source"]


# --- viewsets ------------------------------------------------------------------------------------


def catalog_viewset(model, serializer, queryset, *, filterset=None, search=("name",), ordering=("name",)):
    """A read-only, filterable, searchable viewset over one reference model."""
    label = model._meta.verbose_name

    @extend_schema_view(
        list=extend_schema(
            summary=f"{label}列表", responses={200: serializer(many=True), **error_responses(400, 401)}
        ),
        retrieve=extend_schema(
            summary=f"{label}详情", responses={200: serializer, **error_responses(401, 404)}
        ),
    )
    class ViewSet(viewsets.ReadOnlyModelViewSet):
        serializer_class = serializer
        filterset_class = filterset
        search_fields = list(search)
        ordering_fields = list(ordering)

        def get_queryset(self):
            return queryset()

    ViewSet.__name__ = f"{model.__name__}ViewSet"
    ViewSet.__qualname__ = ViewSet.__name__
    ViewSet.__doc__ = f"{label}（只读）。"
    return ViewSet


PrefectureViewSet = catalog_viewset(
    Prefecture,
    PrefectureSerializer,
    lambda: Prefecture.objects.order_by("position"),
    ordering=("name", "position"),
)
CountyViewSet = catalog_viewset(
    County, CountySerializer, lambda: County.objects.select_related("prefecture").order_by("position"),
    filterset=CountyFilter, ordering=("name", "position"),
)  # fmt: skip
ChainTypeViewSet = catalog_viewset(
    ChainType, ChainTypeSerializer,
    lambda: ChainType.objects.prefetch_related(Prefetch("links", queryset=ChainLink.objects.order_by("position"))),
    search=("name", "code", "links__keywords"), ordering=("name", "position", "code"),
)  # fmt: skip
InstitutionViewSet = catalog_viewset(
    Institution, InstitutionSerializer, lambda: Institution.objects.order_by("pk"),
    filterset=InstitutionFilter, search=Institution.SEARCH,
)  # fmt: skip
EnterpriseViewSet = catalog_viewset(
    Enterprise, EnterpriseSerializer,
    lambda: Enterprise.objects.select_related("county", "chain_type", "link").order_by("pk"),
    filterset=EnterpriseFilter, search=Enterprise.SEARCH,
)  # fmt: skip
FundViewSet = catalog_viewset(
    Fund, FundSerializer, lambda: Fund.objects.order_by("pk"), filterset=FundFilter,
    search=Fund.SEARCH, ordering=("name", "size_yuan"),
)  # fmt: skip
FinancialProductViewSet = catalog_viewset(
    FinancialProduct, FinancialProductSerializer, lambda: FinancialProduct.objects.order_by("pk"),
    filterset=FinancialProductFilter, search=FinancialProduct.SEARCH,
    ordering=("name", "max_amount_yuan"),
)  # fmt: skip
TalentResourceViewSet = catalog_viewset(
    TalentResource, TalentResourceSerializer, lambda: TalentResource.objects.order_by("pk"),
    filterset=TalentResourceFilter, search=TalentResource.SEARCH,
)  # fmt: skip
ProvincialBodyViewSet = catalog_viewset(
    ProvincialBody, ProvincialBodySerializer, lambda: ProvincialBody.objects.order_by("pk"),
    filterset=ProvincialBodyFilter, search=ProvincialBody.SEARCH,
)  # fmt: skip


# --- county key chains and their declaration workflow ---------------------------------------------


class CountyChainSerializer(serializers.ModelSerializer):
    """县域重点产业链 as the viewer may read it: `task_force_contact`, `status_note` and `declared_by_name` only
    for the chain's parties (its county, its prefecture city, provincial bodies, administrators)."""

    county_name = serializers.CharField(source="county.name", read_only=True)
    prefecture = serializers.IntegerField(source="county.prefecture_id", read_only=True)
    chain_type_code = serializers.CharField(source="chain_type.code", read_only=True)
    chain_type_name = serializers.CharField(source="chain_type.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    pending = serializers.BooleanField(
        source="is_pending", read_only=True, help_text="待认定：已申报或市审核通过"
    )
    active = serializers.SerializerMethodField(help_text="已认定（status 为 confirmed）")
    task_force_contact = serializers.CharField(required=False, help_text="专班联系人：仅该链的政府各方可见")
    status_note = serializers.CharField(required=False, help_text="退回或撤销原因：仅该链的政府各方可见")
    declared_by_name = serializers.CharField(
        source="declared_by.display_name",
        required=False,
        allow_null=True,
        help_text="申报人：仅该链的政府各方可见",
    )
    actions = serializers.SerializerMethodField(help_text="当前用户现在可执行的操作")

    class Meta:
        model = CountyChain
        fields = [
            "id", "name", "county", "county_name", "prefecture", "chain_type", "chain_type_code",
            "chain_type_name", "status", "status_label", "pending", "active", "chain_leader",
            "chain_leader_office", "task_force_contact", "scale_output_yuan", "scale_firm_count",
            "evidence", "status_note", "declared_by_name", "declared_at", "reviewed_at", "confirmed_at", "source",
            "actions",
        ]  # fmt: skip
        read_only_fields = [
            f for f in fields if f not in ("task_force_contact", "status_note", "declared_by_name")
        ]

    def get_active(self, obj) -> bool:
        return obj.status == ChainStatus.CONFIRMED

    def get_actions(self, obj) -> list[str]:
        return list(self._read(obj).actions)

    def _read(self, obj) -> policy.ChainReadPolicy:
        cache = self.context.setdefault("chain_policies", {})
        if obj.pk not in cache:
            request = self.context.get("request")
            cache[obj.pk] = policy.for_chain(getattr(request, "user", None), obj)
        return cache[obj.pk]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in self._read(instance).hidden:
            data.pop(name if name != "declared_by" else "declared_by_name", None)
        return data


class ChainEventSerializer(serializers.Serializer):
    """One step of a chain's history."""

    kind = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    actor_label = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class CountyChainDetailSerializer(CountyChainSerializer):
    """A chain plus its focused links, chain leader firms and declaration history (for its parties)."""

    links = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="重点环节 id")
    leader_firms = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="链主企业 id")
    history = serializers.SerializerMethodField(help_text="申报、审核、认定记录：仅该链的政府各方可见")

    class Meta(CountyChainSerializer.Meta):
        fields = [*CountyChainSerializer.Meta.fields, "links", "leader_firms", "history"]
        read_only_fields = [*CountyChainSerializer.Meta.read_only_fields, "links", "leader_firms", "history"]

    @extend_schema_field(ChainEventSerializer(many=True))
    def get_history(self, obj):
        if not self._read(obj).history:
            return []
        return ChainEventSerializer(obj.events.order_by("created_at", "pk"), many=True).data


class DeclarationSerializer(serializers.Serializer):
    """What a county sends to declare (or change) a key chain of its own county (the county is never input)."""

    name = serializers.CharField(max_length=100)
    chain_type = serializers.SlugRelatedField(
        slug_field="code", queryset=ChainType.objects.all(), help_text="产业链类型代码（chain-types 的 code）"
    )
    links = serializers.PrimaryKeyRelatedField(
        many=True, queryset=ChainLink.objects.all(), required=False, help_text="重点环节 id（须属于该类型）"
    )
    chain_leader = serializers.CharField(max_length=64, required=False, allow_blank=True, help_text="链长")
    chain_leader_office = serializers.CharField(max_length=100, required=False, allow_blank=True)
    task_force_contact = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="专班联系人"
    )
    leader_firms = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Enterprise.objects.all(), required=False, help_text="链主企业 id（资源库企业）"
    )
    scale_output_yuan = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    scale_firm_count = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    evidence = serializers.CharField(max_length=2000, required=False, allow_blank=True, help_text="申报依据")


class ChainReasonSerializer(serializers.Serializer):
    """A reason (required for return and revoke)."""

    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


def _chain_action_schema(summary):
    return extend_schema(
        summary=summary,
        request=ChainReasonSerializer,
        responses={200: CountyChainDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )


@extend_schema_view(
    list=extend_schema(
        summary="县域重点产业链列表（已认定的对所有人可见；申报中、退回、撤销的仅对该链的政府各方可见）",
        responses={200: CountyChainSerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="县域重点产业链详情",
        responses={200: CountyChainDetailSerializer, **error_responses(401, 404)},
    ),
    create=extend_schema(
        summary="县申报：申报本县域的重点产业链（县域）",
        description="县域从其组织确定，不可由客户端指定；返回的 status 为 declared。",
        request=DeclarationSerializer,
        responses={201: CountyChainDetailSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="修改申报（县域：已申报或退回修改时）或调整（省级：市审核通过或已认定时）",
        request=DeclarationSerializer,
        responses={200: CountyChainDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class CountyChainViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """县域重点产业链 and the declaration workflow: declare, submit, review, return, confirm, revoke."""

    serializer_class = CountyChainSerializer
    filterset_class = CountyChainFilter
    search_fields = ["name", "county__name", "chain_type__name"]
    ordering_fields = ["name", "id", "declared_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            CountyChain.objects.visible_to(self.request.user)
            .select_related("county__prefecture", "chain_type", "declared_by")
            .order_by("pk")
        )

    def get_serializer_class(self):
        return CountyChainSerializer if self.action == "list" else CountyChainDetailSerializer

    def _fresh(self, chain, status_code=status.HTTP_200_OK) -> Response:
        chain = self.get_queryset().get(pk=chain.pk)
        return Response(
            CountyChainDetailSerializer(chain, context=self.get_serializer_context()).data, status=status_code
        )

    def _declaration(self, partial=False) -> dict:
        parsed = DeclarationSerializer(data=self.request.data, partial=partial)
        parsed.is_valid(raise_exception=True)
        return dict(parsed.validated_data)

    def create(self, request, *args, **kwargs):
        chain = services.declare_chain(by=request.user, data=self._declaration())
        return self._fresh(chain, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        chain = self.get_object()
        services.update_declaration(chain, by=request.user, data=self._declaration(partial=True))
        return self._fresh(chain)

    def _act(self, action_name: str) -> Response:
        chain = self.get_object()
        parsed = ChainReasonSerializer(data=self.request.data)
        parsed.is_valid(raise_exception=True)
        services.act_on_chain(
            chain, action_name, by=self.request.user, reason=parsed.validated_data["reason"]
        )
        return self._fresh(chain)

    @_chain_action_schema("重新申报（县域，退回修改后）")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act("submit")

    @_chain_action_schema("市审核通过（设区市）")
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._act("review")

    @_chain_action_schema("退回修改（设区市，须填写 reason）")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._act("return")

    @_chain_action_schema("省级认定（省工信厅或管理员）")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._act("confirm")

    @_chain_action_schema("撤销（省级，须填写 reason；在办需求照常办理）")
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._act("revoke")


# --- the key-firm white list -----------------------------------------------------------------------


class WhiteListEntrySerializer(serializers.ModelSerializer):
    """重点企业白名单 entry: firm, chain, year, who listed it and why."""

    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    uscc = serializers.CharField(source="enterprise.uscc", read_only=True, allow_null=True)
    chain_name = serializers.CharField(source="chain.name", read_only=True)
    county = serializers.IntegerField(source="chain.county_id", read_only=True)
    listed_by = serializers.PrimaryKeyRelatedField(
        queryset=ProvincialBody.objects.filter(keeps_white_list=True),
        required=False,
        help_text="列入单位 id（省委金融办、省财政厅、省工信厅）；部门用户以本部门列入，此项仅管理员填写",
    )
    listed_by_name = serializers.CharField(source="listed_by.short_name", read_only=True)
    is_sample = serializers.BooleanField(read_only=True)

    class Meta:
        model = WhiteListEntry
        fields = [
            "id", "enterprise", "enterprise_name", "uscc", "chain", "chain_name", "county", "year", "listed_by",
            "listed_by_name", "reason", "source", "is_sample", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "source", "created_at"]
        extra_kwargs = {"year": {"min_value": 2000, "max_value": 2100}}
        validators = []  # the service says "already listed" in the error shape's words


@extend_schema_view(
    list=extend_schema(
        summary="重点企业白名单（已审核通过的用户可见）",
        responses={200: WhiteListEntrySerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="白名单条目", responses={200: WhiteListEntrySerializer, **error_responses(401, 404)}
    ),
    create=extend_schema(
        summary="列入白名单（省委金融办、省财政厅、省工信厅或管理员）",
        request=WhiteListEntrySerializer,
        responses={201: WhiteListEntrySerializer, **error_responses(400, 401, 403)},
    ),
    destroy=extend_schema(
        summary="移出白名单（维护单位或管理员）", responses={204: None, **error_responses(401, 403, 404)}
    ),
)
class WhiteListViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """重点企业白名单: read by approved users, kept by the financial bodies; bulk import in the admin."""

    serializer_class = WhiteListEntrySerializer
    filterset_class = WhiteListFilter
    search_fields = ["enterprise__name", "enterprise__uscc", "chain__name"]
    ordering_fields = ["year", "id"]

    def get_queryset(self):
        return (
            WhiteListEntry.objects.visible_to(self.request.user)
            .select_related("enterprise", "chain", "listed_by")
            .order_by("-year", "pk")
        )

    def create(self, request, *args, **kwargs):
        parsed = WhiteListEntrySerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        entry = services.add_to_white_list(
            by=request.user,
            enterprise=data["enterprise"],
            chain=data["chain"],
            year=data["year"],
            reason=data["reason"],
            listed_by=data.get("listed_by"),
        )
        return Response(WhiteListEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.remove_from_white_list(instance, by=self.request.user)
