"""The dashboards' filter form (and its cleaned values) and the monthly report's month picker."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chains import groups
from chains.models import ChainType, Prefecture
from chains.options import filter_options
from matchmaking.choices import OrderKind
from matchmaking.widgets import PlainDateInput, PlainSelect
from reports.access import COUNTY, PROVINCE


class DashboardFilterForm(forms.Form):
    """Period, prefecture, chain type and kind; every field optional. The widgets are built in Python
    (matchmaking.widgets: the same markup as Django's, ~7 ms less on every dashboard page)."""

    start = forms.DateField(
        label=gettext_lazy("起始日期"), required=False, widget=PlainDateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("截止日期"), required=False, widget=PlainDateInput(attrs={"type": "date"})
    )
    prefecture = forms.ModelChoiceField(
        label=gettext_lazy("设区市"),
        queryset=Prefecture.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部设区市"),
        widget=PlainSelect,
    )
    chain_type = forms.ModelChoiceField(
        label=gettext_lazy("产业链类型"),
        queryset=ChainType.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部产业链类型"),
        to_field_name="code",
        widget=PlainSelect,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("需求类型"),
        required=False,
        choices=[("", gettext_lazy("全部需求类型")), *OrderKind.choices],
        widget=PlainSelect,
    )
    county_group = forms.ChoiceField(label=gettext_lazy("县域层级"), required=False, widget=PlainSelect)

    def __init__(self, *args, level: str = PROVINCE, **kwargs):
        super().__init__(*args, **kwargs)
        # Named county groups other apps register (e.g. the development index's tiers), see chains.groups.
        self.fields["county_group"].choices = [("", gettext_lazy("全部县域")), *groups.choices()]
        if level == COUNTY or not groups.choices():
            del self.fields["county_group"]
        if level != PROVINCE:
            del self.fields["prefecture"]
        # The options from the cached region lists (chains.options), not two queries on every dashboard page;
        # the fields still validate against their querysets.
        regions = filter_options()
        for name in ("prefecture", "chain_type"):
            if name in self.fields:
                field = self.fields[name]
                field.widget.choices = [("", field.empty_label), *regions[name]]
        for item in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(item, forms.ChoiceField)
                else "form-control form-control-sm"
            )
            item.widget.attrs.setdefault("class", css)

    def clean(self):
        """The period must not end before it starts."""
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("截止日期不能早于起始日期。"))
        return data


@dataclass(frozen=True)
class Filters:
    """The cleaned filter values (all optional)."""

    start: date | None = None
    end: date | None = None
    prefecture_id: int | None = None
    chain_type_id: int | None = None
    kind: str = ""
    county_group: str = ""

    @classmethod
    def from_form(cls, form: DashboardFilterForm) -> "Filters":
        """Values of a bound form; invalid input means no filter (the form shows the errors)."""
        if not form.is_bound or not form.is_valid():
            return cls()
        data = form.cleaned_data
        prefecture = data.get("prefecture")
        chain_type = data.get("chain_type")
        return cls(
            start=data.get("start"),
            end=data.get("end"),
            prefecture_id=prefecture.pk if prefecture else None,
            chain_type_id=chain_type.pk if chain_type else None,
            kind=data.get("kind") or "",
            county_group=data.get("county_group") or "",
        )

    def apply(self, orders):
        """Narrow an order queryset: created in the period, in the prefecture, of the chain type and kind."""
        tz = timezone.get_current_timezone()
        if self.start:
            orders = orders.filter(created_at__gte=datetime.combine(self.start, time.min, tzinfo=tz))
        if self.end:
            orders = orders.filter(
                created_at__lt=datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
            )
        if self.prefecture_id:
            orders = orders.filter(county__prefecture_id=self.prefecture_id)
        if self.chain_type_id:
            orders = orders.filter(chain__chain_type_id=self.chain_type_id)
        if self.kind:
            orders = orders.filter(kind=self.kind)
        if self.county_group:
            orders = orders.filter(county_id__in=groups.county_ids(self.county_group) or ())
        return orders


NO_FILTERS = Filters()


class MonthlyReportForm(forms.Form):
    """Which month to report (YYYY-MM)."""

    month = forms.CharField(
        label=gettext_lazy("月份"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-06"}),
        error_messages={"required": gettext_lazy("请选择月份。")},
    )

    def clean_month(self) -> date:
        """Parse YYYY-MM into the month's first day."""
        value = self.cleaned_data["month"].strip()
        try:
            parsed = datetime.strptime(value, "%Y-%m").date()
        except ValueError as exc:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM，例如 2025-06。")) from exc
        if not 2000 <= parsed.year <= 2100:
            raise forms.ValidationError(_("月份超出范围。"))
        return parsed
