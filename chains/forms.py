"""Forms of the chain registry pages: a declaration, a reason, a white-list entry (state changes go to services)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chains.models import ChainLink, ChainType, CountyChain, Enterprise, ProvincialBody
from chains.services import DECLARATION_FIELDS


class Bootstrap:
    """Bootstrap 5 classes on every widget (rendered with `chains/_field.html`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class FirmChoiceField(forms.ModelMultipleChoiceField):
    """Catalog firms shown with their county."""

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.county.name if obj.county_id else _('省外')}）"


class DeclarationForm(Bootstrap, forms.ModelForm):
    """县申报 (and later edits): name, type, focused links, 链长, 专班, chain leader firms, scale, evidence."""

    leader_firms = FirmChoiceField(
        queryset=Enterprise.objects.none(),
        required=False,
        label=_("链主企业"),
        help_text=_("从资源库中选择（可多选）；资源库中没有的企业请先由管理员导入"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = CountyChain
        fields = DECLARATION_FIELDS
        widgets = {
            "links": forms.SelectMultiple(attrs={"size": 8}),
            "evidence": forms.Textarea(attrs={"rows": 4}),
            "scale_output_yuan": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        }
        help_texts = {
            "name": _("如“晋江市纺织鞋服产业链”；同一县域内名称不能重复，同一类型可申报多条"),
            "links": _("本链重点发展的环节（须属于所选产业链类型，可多选）"),
            "scale_output_yuan": _("已知时填写，单位：元"),
            "evidence": _("申报依据：政策文件、规划、产业规模说明等"),
        }

    def __init__(self, *args, county_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chain_type"].queryset = ChainType.objects.order_by("position")
        self.fields["chain_type"].empty_label = _("请选择产业链类型")
        self.fields["links"].queryset = ChainLink.objects.order_by("chain_type__position", "position")
        firms = Enterprise.objects.select_related("county").order_by("name")
        if county_id:
            firms = firms.filter(county_id=county_id) | Enterprise.objects.filter(
                pk__in=self.instance_firm_ids()
            )
        self.fields["leader_firms"].queryset = firms.distinct()

    def instance_firm_ids(self) -> list[int]:
        """Firms already chosen stay choosable (a province adjustment may add firms from elsewhere)."""
        if not self.instance.pk:
            return []
        return list(self.instance.leader_firms.values_list("pk", flat=True))

    def declaration(self) -> dict:
        """The cleaned values the services take."""
        return {name: self.cleaned_data.get(name) for name in DECLARATION_FIELDS if name in self.cleaned_data}


class ReasonForm(Bootstrap, forms.Form):
    """A reason (required for return and revoke)."""

    reason = forms.CharField(
        label=_("原因"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class WhiteListEntryForm(Bootstrap, forms.Form):
    """列入白名单: a catalog firm, a chain, a year and why (administrators also say which body lists it)."""

    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.order_by("name"), label=_("企业"))
    chain = forms.ModelChoiceField(
        queryset=CountyChain.objects.orderable().select_related("county").order_by("name"),
        label=_("县域重点产业链"),
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    listed_by = forms.ModelChoiceField(
        queryset=ProvincialBody.objects.filter(keeps_white_list=True), label=_("列入单位"), required=False
    )
    reason = forms.CharField(label=_("列入理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, is_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        if not is_admin:
            del self.fields["listed_by"]  # a body lists in its own name
