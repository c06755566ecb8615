"""Forms of the index pages: filters, values, the method and its weights, review reasons, imports."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chains.models import Prefecture
from devindex.choices import Direction, Normalisation, Tier
from devindex.models import Dimension, Indicator, MethodVersion


def _style(form: forms.Form, small: bool = False) -> None:
    size = " form-select-sm" if small else ""
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select):
            field.widget.attrs.setdefault("class", "form-select" + size)
        elif isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs.setdefault("class", "form-check-input")
        else:
            field.widget.attrs.setdefault("class", "form-control" + (" form-control-sm" if small else ""))


class RankingFilterForm(forms.Form):
    """Year, colouring metric, tier and prefecture of the ranking page."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)
    metric = forms.ChoiceField(label=_("地图着色"), required=False)
    tier = forms.ChoiceField(
        label=_("县域层级"), required=False, choices=[("", _("全部层级")), *Tier.choices]
    )
    prefecture = forms.ModelChoiceField(
        label=_("设区市"), queryset=Prefecture.objects.all(), required=False, empty_label=_("全部设区市")
    )

    def __init__(self, *args, years: list[int], dimensions: list[Dimension], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["metric"].choices = [("total", _("指数得分")), *((d.code, d.name) for d in dimensions)]
        _style(self, small=True)


class ValuesForm(forms.Form):
    """One field per indicator (blank = not reported), grouped by dimension on the page."""

    def __init__(self, *args, indicators: list[Indicator], initial_values: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            field = forms.DecimalField(
                label=indicator.name,
                required=False,
                max_digits=20,
                decimal_places=4,
                help_text=indicator.unit,
                initial=(initial_values or {}).get(indicator.code),
            )
            field.widget.attrs.update({"inputmode": "decimal", "step": "any"})
            self.fields[indicator.code] = field
        _style(self)

    def groups(self):
        """(dimension, [bound fields]) in order, for the template."""
        out: list[tuple[Dimension, list]] = []
        for indicator in self.indicators:
            if not out or out[-1][0].pk != indicator.dimension_id:
                out.append((indicator.dimension, []))
            out[-1][1].append(self[indicator.code])
        return out


class MethodForm(forms.Form):
    """A new method version: normalisation, coverage threshold, every weight and direction."""

    normalisation = forms.ChoiceField(label=_("标准化方法"), choices=Normalisation.choices)
    min_coverage = forms.IntegerField(label=_("参与排名的最少指标数"), min_value=1)
    note = forms.CharField(label=_("修改说明"), max_length=200)

    def __init__(self, *args, version: MethodVersion | None, indicators: list[Indicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.dimensions = []
        self.fields["min_coverage"].widget.attrs["max"] = len(indicators)
        if version:
            self.fields["normalisation"].initial = version.normalisation
            self.fields["min_coverage"].initial = version.min_coverage
        for indicator in indicators:
            dimension = indicator.dimension
            if dimension not in self.dimensions:
                self.dimensions.append(dimension)
                self.fields[f"dim__{dimension.code}"] = forms.DecimalField(
                    label=dimension.name,
                    min_value=0,
                    max_digits=8,
                    decimal_places=3,
                    initial=(version.dimension_weights.get(dimension.code, 1) if version else 1),
                )
            self.fields[f"w__{indicator.code}"] = forms.DecimalField(
                label=indicator.name,
                min_value=0,
                max_digits=8,
                decimal_places=3,
                initial=(version.indicator_weights.get(indicator.code, 1) if version else 1),
            )
            self.fields[f"dir__{indicator.code}"] = forms.ChoiceField(
                label=_("方向"),
                choices=Direction.choices,
                initial=(version.directions.get(indicator.code) if version else None) or indicator.direction,
            )
        _style(self)

    def clean_min_coverage(self):
        """At most the number of indicators."""
        value = self.cleaned_data["min_coverage"]
        if value > len(self.indicators):
            raise forms.ValidationError(_("最多 %(n)s 项。") % {"n": len(self.indicators)})
        return value

    def rows(self):
        """(dimension weight field, [(indicator, weight field, direction field)]) for the template."""
        return [
            (
                self[f"dim__{d.code}"],
                [
                    (i, self[f"w__{i.code}"], self[f"dir__{i.code}"])
                    for i in self.indicators
                    if i.dimension_id == d.pk
                ],
            )
            for d in self.dimensions
        ]

    def method_data(self) -> dict:
        """The cleaned form as `services.save_method` keyword arguments."""
        data = self.cleaned_data
        return {
            "normalisation": data["normalisation"],
            "min_coverage": data["min_coverage"],
            "dimension_weights": {d.code: float(data[f"dim__{d.code}"]) for d in self.dimensions},
            "indicator_weights": {i.code: float(data[f"w__{i.code}"]) for i in self.indicators},
            "directions": {i.code: data[f"dir__{i.code}"] for i in self.indicators},
            "note": data["note"],
        }


class ReasonForm(forms.Form):
    """The reason for returning or reopening a report."""

    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ImportForm(forms.Form):
    """A CSV or XLSX sheet of yearly values."""

    file = forms.FileField(label=_("CSV 或 XLSX 文件"))
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"
