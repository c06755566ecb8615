"""Read-only API over regions, the chain map and the resource catalog (mounted by config.api)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from chains.filtersets import (
    CountyChainFilter,
    CountyFilter,
    EnterpriseFilter,
    FinancialProductFilter,
    FundFilter,
    InstitutionFilter,
    ProvincialBodyFilter,
    TalentResourceFilter,
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


class CountyChainSerializer(serializers.ModelSerializer):
    """县域重点产业链."""

    county_name = serializers.CharField(source="county.name", read_only=True)
    prefecture = serializers.IntegerField(source="county.prefecture_id", read_only=True)
    chain_type_code = serializers.CharField(source="chain_type.code", read_only=True)
    chain_type_name = serializers.CharField(source="chain_type.name", read_only=True)

    class Meta:
        model = CountyChain
        fields = [
            "id", "name", "county", "county_name", "prefecture", "chain_type", "chain_type_code", "chain_type_name",
            "active", "evidence", "source",
        ]  # fmt: skip


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
            "products_list", "description", "source", "is_sample",
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
CountyChainViewSet = catalog_viewset(
    CountyChain, CountyChainSerializer,
    lambda: CountyChain.objects.select_related("county", "chain_type").order_by("pk"),
    filterset=CountyChainFilter, search=("name", "county__name", "chain_type__name"),
)  # fmt: skip
InstitutionViewSet = catalog_viewset(
    Institution, InstitutionSerializer, lambda: Institution.objects.order_by("pk"),
    filterset=InstitutionFilter, search=("name", "fields", "description"),
)  # fmt: skip
EnterpriseViewSet = catalog_viewset(
    Enterprise, EnterpriseSerializer,
    lambda: Enterprise.objects.select_related("county", "chain_type", "link").order_by("pk"),
    filterset=EnterpriseFilter, search=("name", "products", "description"),
)  # fmt: skip
FundViewSet = catalog_viewset(
    Fund, FundSerializer, lambda: Fund.objects.order_by("pk"), filterset=FundFilter,
    search=("name", "focus", "description", "sponsor"), ordering=("name", "size_yuan"),
)  # fmt: skip
FinancialProductViewSet = catalog_viewset(
    FinancialProduct, FinancialProductSerializer, lambda: FinancialProduct.objects.order_by("pk"),
    filterset=FinancialProductFilter, search=("name", "provider", "target", "description"),
    ordering=("name", "max_amount_yuan"),
)  # fmt: skip
TalentResourceViewSet = catalog_viewset(
    TalentResource, TalentResourceSerializer, lambda: TalentResource.objects.order_by("pk"),
    filterset=TalentResourceFilter, search=("name", "organizer", "fields", "description"),
)  # fmt: skip
ProvincialBodyViewSet = catalog_viewset(
    ProvincialBody, ProvincialBodySerializer, lambda: ProvincialBody.objects.order_by("pk"),
    filterset=ProvincialBodyFilter, search=("name", "short_name", "description"),
)  # fmt: skip
