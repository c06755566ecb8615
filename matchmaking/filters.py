"""List filters (django-filter): kind, state, prefecture, county, chain type, dates, amount, text search."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chains import groups
from chains.models import ChainType, County, Prefecture
from matchmaking.beneficiaries import white_listed_orders
from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Order
from matchmaking.widgets import PlainSelect


class OrderFilter(django_filters.FilterSet):
    """Filters shared by every order list page."""

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("需求类型"), choices=OrderKind.choices, empty_label=_("全部类型"), widget=PlainSelect
    )
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=OrderState.choices, empty_label=_("全部状态"), widget=PlainSelect
    )
    prefecture = django_filters.ModelChoiceFilter(
        label=_("设区市"),
        field_name="county__prefecture",
        queryset=Prefecture.objects.all(),
        empty_label=_("全部"),
        widget=PlainSelect,
    )
    county = django_filters.ModelChoiceFilter(
        label=_("县域"), queryset=County.objects.all(), empty_label=_("全部"), widget=PlainSelect
    )
    chain_type = django_filters.ModelChoiceFilter(
        label=_("产业链类型"),
        field_name="chain__chain_type",
        queryset=ChainType.objects.all(),
        empty_label=_("全部"),
        widget=PlainSelect,
    )
    created_after = django_filters.DateFilter(
        label=_("发布/创建自"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput({"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        label=_("至"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput({"type": "date"}),
    )
    due_before = django_filters.DateFilter(
        label=_("期望完成不晚于"),
        field_name="due_date",
        lookup_expr="lte",
        widget=forms.DateInput({"type": "date"}),
    )
    white_listed = django_filters.BooleanFilter(
        label=_("重点企业白名单"),
        method="filter_white_listed",
        widget=forms.Select(
            choices=[("", _("全部")), ("true", _("服务白名单企业")), ("false", _("不含白名单企业"))]
        ),
    )
    # Named county groups other apps register (e.g. the development index's tiers), see chains.groups.
    county_group = django_filters.ChoiceFilter(
        label=_("县域层级"),
        choices=groups.choices,
        empty_label=_("全部"),
        method="in_group",
        widget=PlainSelect,
    )
    amount_min = django_filters.NumberFilter(label=_("金额不低于（万元）"), method="amount_from")
    amount_max = django_filters.NumberFilter(label=_("金额不高于（万元）"), method="amount_to")

    class Meta:
        model = Order
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
        # The options as (id, name) rows, not a model instance per option (~130 on every list page; the labels
        # are the models' names, as their __str__). Choices are validated against each field's queryset.
        for name in ("prefecture", "county", "chain_type"):
            field = self.form.fields[name]
            field.widget.choices = [("", field.empty_label), *field.queryset.values_list("pk", "name")]

    def filter_white_listed(self, queryset, name, value):
        """Orders that serve (or do not serve) a firm on the key-firm white list."""
        listed = Q(pk__in=white_listed_orders())
        return queryset.filter(listed) if value else queryset.exclude(listed)

    def search(self, queryset, name, value):
        """Titles, descriptions and keywords containing the text."""
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(description__icontains=value) | Q(keywords__icontains=value)
        )

    def in_group(self, queryset, name, value):
        """Orders of the counties in a registered county group."""
        return queryset.filter(county_id__in=groups.county_ids(value) or ())

    def amount_from(self, queryset, name, value):
        """Amount at least `value` 万元."""
        return queryset.filter(amount_yuan__gte=int(value * 10000))

    def amount_to(self, queryset, name, value):
        """Amount at most `value` 万元."""
        return queryset.filter(amount_yuan__lte=int(value * 10000))
