"""django-filter sets of the chain map and the resource catalog (used by the catalog API)."""

import django_filters
from django.db.models import Q

from chains.models import (
    County,
    CountyChain,
    Enterprise,
    FinancialProduct,
    Fund,
    Institution,
    ProvincialBody,
    TalentResource,
    WhiteListEntry,
)


class CountyFilter(django_filters.FilterSet):
    """Counties by prefecture and kind."""

    class Meta:
        model = County
        fields = ["prefecture", "kind"]


class CountyChainFilter(django_filters.FilterSet):
    """County chains by prefecture, county, chain type code, status, confirmed flag and source."""

    prefecture = django_filters.NumberFilter(field_name="county__prefecture")
    chain_type = django_filters.CharFilter(field_name="chain_type__code", help_text="产业链类型代码")
    active = django_filters.BooleanFilter(method="filter_active", help_text="true：只列出已认定的产业链")

    class Meta:
        model = CountyChain
        fields = ["prefecture", "county", "chain_type", "status", "active", "source"]

    def filter_active(self, queryset, name, value):
        confirmed = Q(status="confirmed")
        return queryset.filter(confirmed) if value else queryset.exclude(confirmed)


class InstitutionFilter(django_filters.FilterSet):
    """Institutions by kind, in/outside Fujian and source."""

    class Meta:
        model = Institution
        fields = ["kind", "in_fujian", "source"]


class EnterpriseFilter(django_filters.FilterSet):
    """Enterprises by prefecture, county, chain type code, link, role and source."""

    prefecture = django_filters.NumberFilter(field_name="county__prefecture")
    chain_type = django_filters.CharFilter(field_name="chain_type__code", help_text="产业链类型代码")

    class Meta:
        model = Enterprise
        fields = ["prefecture", "county", "chain_type", "link", "role", "source"]


class FundFilter(django_filters.FilterSet):
    """Funds by prefecture, county, level, stage and source."""

    class Meta:
        model = Fund
        fields = ["prefecture", "county", "level", "stage", "source"]


class FinancialProductFilter(django_filters.FilterSet):
    """Products by type and source, and those a county's firms may use."""

    county = django_filters.NumberFilter(method="filter_county", help_text="县域 id：只列出该县域可用的产品")

    class Meta:
        model = FinancialProduct
        fields = ["product_type", "source", "county"]

    def filter_county(self, queryset, name, value: int):
        county = County.objects.select_related("prefecture").filter(pk=value).first()
        if county is None:
            return queryset.none()
        names = ["全省", county.name, county.prefecture.name]
        region_q = Q()
        for item in names:
            region_q |= Q(region__contains=item)
        return queryset.filter(region_q)


class TalentResourceFilter(django_filters.FilterSet):
    """Talent resources by kind and source."""

    class Meta:
        model = TalentResource
        fields = ["kind", "source"]


class ProvincialBodyFilter(django_filters.FilterSet):
    """Bodies that take a kind of need."""

    handles = django_filters.CharFilter(method="filter_handles", help_text="需求类型代码，如 capital")

    class Meta:
        model = ProvincialBody
        fields = ["handles", "source"]

    def filter_handles(self, queryset, name, value):
        return queryset.handling(value)


class WhiteListFilter(django_filters.FilterSet):
    """White-list entries by year, chain, firm, county, prefecture and listing body."""

    county = django_filters.NumberFilter(field_name="chain__county")
    prefecture = django_filters.NumberFilter(field_name="chain__county__prefecture")
    chain_type = django_filters.CharFilter(field_name="chain__chain_type__code", help_text="产业链类型代码")

    class Meta:
        model = WhiteListEntry
        fields = ["year", "chain", "enterprise", "county", "prefecture", "chain_type", "listed_by", "source"]
