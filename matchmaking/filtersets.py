"""The one order filterset: the order list pages and the API's order list filter with it, and the XLSX export of a
list with its query string.

The API's parameters are the canonical ones (amounts in 元, the chain type by code, several kinds or states at
once; the OpenAPI schema describes them). The pages add what a form needs on top of them: `q` (the same search as
the API's `search`), the amounts in 万元 (`amount_min_wan`, `amount_max_wan`), the desired date and the county
groups other apps register (`chains.groups`); those extras are left out of the schema (`PAGE_ONLY`).
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chains import groups
from chains.options import filter_options
from matchmaking.beneficiaries import white_listed_orders
from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Order
from matchmaking.widgets import PlainDateInput, PlainNumberInput, PlainSelect, SingleOfManySelect

# The largest amount (yuan) a filter or an order accepts: far above any real need, well inside a 64-bit column.
MAX_AMOUNT = 10**15
# What `search` (API) and `q` (pages) look in.
SEARCH_FIELDS = ("title", "description", "keywords", "county__name", "chain__name")
# Filters the pages use that the API does not document.
PAGE_ONLY = ("q", "amount_min_wan", "amount_max_wan", "due_before", "county_group")
WAN = 10_000


class OrderFilterSet(django_filters.FilterSet):
    """Orders by kind, state, region, chain type, dates, amount and text; see the module docstring."""

    # Columns of the order itself: no join can repeat a row, so no DISTINCT (django-filter's default for
    # multiple choices), which made PostgreSQL sort and plan over every selected column (~35 ms a page).
    kind = django_filters.MultipleChoiceFilter(choices=OrderKind.choices, distinct=False)
    state = django_filters.MultipleChoiceFilter(choices=OrderState.choices, distinct=False)
    prefecture = django_filters.NumberFilter(
        field_name="county__prefecture_id", min_value=1, max_value=2**31 - 1, help_text="设区市 id"
    )
    county = django_filters.NumberFilter(
        field_name="county_id", min_value=1, max_value=2**31 - 1, help_text="县域 id"
    )
    chain_type = django_filters.CharFilter(field_name="chain__chain_type__code", help_text="产业链类型代码")
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", help_text="创建日期不早于（YYYY-MM-DD）"
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", help_text="创建日期不晚于（YYYY-MM-DD）"
    )
    amount_min = django_filters.NumberFilter(
        field_name="amount_yuan",
        lookup_expr="gte",
        min_value=0,
        max_value=MAX_AMOUNT,
        help_text="金额下限（元）",
    )
    amount_max = django_filters.NumberFilter(
        field_name="amount_yuan",
        lookup_expr="lte",
        min_value=0,
        max_value=MAX_AMOUNT,
        help_text="金额上限（元）",
    )
    white_listed = django_filters.BooleanFilter(
        method="filter_white_listed", help_text="true：服务重点企业白名单企业的需求；false：其余需求"
    )
    # --- the pages' extras (PAGE_ONLY) ---
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    due_before = django_filters.DateFilter(
        label=_("期望完成不晚于"), field_name="due_date", lookup_expr="lte"
    )
    # Named county groups other apps register (e.g. the development index's tiers), see chains.groups.
    county_group = django_filters.ChoiceFilter(label=_("县域层级"), choices=groups.choices, method="in_group")
    amount_min_wan = django_filters.NumberFilter(
        label=_("金额不低于（万元）"), method="amount_from_wan", min_value=0, max_value=MAX_AMOUNT // WAN
    )
    amount_max_wan = django_filters.NumberFilter(
        label=_("金额不高于（万元）"), method="amount_to_wan", min_value=0, max_value=MAX_AMOUNT // WAN
    )

    class Meta:
        model = Order
        fields = ["kind", "state", "prefecture", "county", "chain_type", "white_listed"]

    def search(self, queryset, name, value):
        """Orders whose title, description, keywords, county or chain name contain the text."""
        value = (value or "").strip()
        if not value:
            return queryset
        condition = Q()
        for field in SEARCH_FIELDS:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    def filter_white_listed(self, queryset, name, value):
        """Orders that serve (or do not serve) a firm on the key-firm white list."""
        listed = Q(pk__in=white_listed_orders())
        return queryset.filter(listed) if value else queryset.exclude(listed)

    def in_group(self, queryset, name, value: str):
        """Orders of the counties in a registered county group."""
        return queryset.filter(county_id__in=groups.county_ids(value) or ())

    def amount_from_wan(self, queryset, name, value):
        """Amount at least `value` 万元."""
        return queryset.filter(amount_yuan__gte=int(value * WAN))

    def amount_to_wan(self, queryset, name, value):
        """Amount at most `value` 万元."""
        return queryset.filter(amount_yuan__lte=int(value * WAN))


# The filter bar of the order list pages: which filters it shows, in order, with their labels and widgets. The
# 元 amounts stay with the API (the page has the 万元 ones).
PAGE_LABELS = {
    "q": _("搜索"),
    "kind": _("需求类型"),
    "state": _("状态"),
    "prefecture": _("设区市"),
    "county": _("县域"),
    "chain_type": _("产业链类型"),
    "created_after": _("发布/创建自"),
    "created_before": _("至"),
    "due_before": _("期望完成不晚于"),
    "county_group": _("县域层级"),
    "white_listed": _("重点企业白名单"),
    "amount_min_wan": _("金额不低于（万元）"),
    "amount_max_wan": _("金额不高于（万元）"),
}


def page_filterset(data, queryset, regions: dict | None = None) -> OrderFilterSet:
    """The filterset of an order list page (and of its XLSX export): the page's fields, labels and selects;
    `regions` the chains.options lists to offer (default: the current ones)."""
    filterset = OrderFilterSet(data, queryset=queryset)
    fields = filterset.form.fields
    for name in [n for n in fields if n not in PAGE_LABELS]:
        del fields[name]
    filterset.form.fields = {name: fields[name] for name in PAGE_LABELS}
    # The options as (value, name) rows, not a model instance per option (~130 on every list page); the regions
    # and chain types from the cache (chains.options), not three queries on every list page.
    regions = regions or filter_options()
    options = {
        "kind": [("", _("全部类型")), *OrderKind.choices],
        "state": [("", _("全部状态")), *OrderState.choices],
        "prefecture": [("", _("全部")), *regions["prefecture"]],
        "county": [("", _("全部")), *regions["county"]],
        "chain_type": [("", _("全部")), *regions["chain_type"]],
        "county_group": [("", _("全部")), *groups.choices()],
        "white_listed": [("", _("全部")), ("true", _("服务白名单企业")), ("false", _("不含白名单企业"))],
    }
    for name, field in filterset.form.fields.items():
        field.label = PAGE_LABELS[name]
        field.help_text = ""  # the API's descriptions; the page shows labels only
        if name in ("kind", "state"):
            field.widget = SingleOfManySelect(choices=options[name])
        elif name in options:
            field.widget = PlainSelect(choices=options[name])
        elif isinstance(field, forms.DateField):
            field.widget = PlainDateInput({"type": "date"})
        elif isinstance(field.widget, forms.NumberInput):
            field.widget = PlainNumberInput(field.widget.attrs)
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = css
    return filterset
