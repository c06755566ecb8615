"""django-filter sets shared by the index pages and API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from chains.models import County, Prefecture
from devindex import tiers
from devindex.choices import ReportState, ResultSource, Tier
from devindex.models import IndexResult, IndicatorReport, IndicatorValue


class YearFilter(django_filters.NumberFilter):
    """A whole year between 2000 and 2100."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class ResultFilter(django_filters.FilterSet):
    """`year` (default: the latest year with results), `source`, `tier`, `prefecture`, `county`."""

    year = YearFilter(label=_("年度"), method="by_year")
    source = django_filters.ChoiceFilter(label=_("来源"), choices=ResultSource.choices)
    tier = django_filters.ChoiceFilter(label=_("县域层级"), choices=Tier.choices, method="by_tier")
    prefecture = django_filters.ModelChoiceFilter(
        label=_("设区市"), field_name="county__prefecture", queryset=Prefecture.objects.all()
    )
    county = django_filters.ModelChoiceFilter(label=_("县域"), queryset=County.objects.all())

    class Meta:
        model = IndexResult
        fields = []

    def by_year(self, queryset, name, value):
        """Results of one year."""
        return queryset.filter(year=int(value))

    def by_tier(self, queryset, name, value):
        """Counties holding the tier in the results' year (each tier's latest list up to that year)."""
        years = set(queryset.values_list("year", flat=True))
        ids = {c for year in years for c, codes in tiers.by_county(year).items() if value in codes}
        return queryset.filter(county_id__in=ids)


class ValueFilter(django_filters.FilterSet):
    """`year`, `county`, `indicator` (code), `state` of the report."""

    year = YearFilter(label=_("年度"), field_name="report__year")
    county = django_filters.ModelChoiceFilter(
        label=_("县域"), field_name="report__county", queryset=County.objects.all()
    )
    indicator = django_filters.CharFilter(label=_("指标代码"), field_name="indicator__code")
    state = django_filters.ChoiceFilter(
        label=_("状态"), field_name="report__state", choices=ReportState.choices
    )

    class Meta:
        model = IndicatorValue
        fields = []


class ReportFilter(django_filters.FilterSet):
    """`year`, `county`, `prefecture`, `state`."""

    year = YearFilter(label=_("年度"))
    county = django_filters.ModelChoiceFilter(label=_("县域"), queryset=County.objects.all())
    prefecture = django_filters.ModelChoiceFilter(
        label=_("设区市"), field_name="county__prefecture", queryset=Prefecture.objects.all()
    )
    state = django_filters.ChoiceFilter(label=_("状态"), choices=ReportState.choices)

    class Meta:
        model = IndicatorReport
        fields = []
