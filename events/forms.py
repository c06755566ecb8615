"""Forms of the event pages (they only parse input; the services validate the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chains.models import ChainType, County, CountyChain
from events.choices import EventKind, OutcomeResult
from events.models import Event, Registration
from matchmaking.choices import OrderKind
from matchmaking.forms import Bootstrap

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(Bootstrap, forms.ModelForm):
    """Create or change an event (the organizer comes from the user's organization)."""

    kind = forms.ChoiceField(label=_("活动类型"), choices=EventKind.choices, widget=forms.RadioSelect)
    order_kinds = forms.MultipleChoiceField(
        label=_("目标需求类型"),
        choices=OrderKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    counties = forms.ModelMultipleChoiceField(
        label=_("目标县域"),
        queryset=County.objects.select_related("prefecture").order_by("prefecture_id", "position", "pk"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    chain_types = forms.ModelMultipleChoiceField(
        label=_("目标产业链类型"),
        queryset=ChainType.objects.order_by("pk"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    chains = forms.ModelMultipleChoiceField(
        label=_("目标县域重点产业链"),
        queryset=CountyChain.objects.select_related("county").order_by(
            "county__prefecture_id", "county__position", "pk"
        ),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    online_url = forms.URLField(label=_("线上链接"), required=False, assume_scheme="https")

    class Meta:
        model = Event
        fields = [
            "title", "kind", "counties", "chain_types", "chains", "order_kinds", "place", "online_url", "starts_at",
            "ends_at", "registration_deadline", "capacity", "requires_approval", "agenda", "meetings_start",
            "slot_minutes", "slot_count", "table_count",
        ]  # fmt: skip
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "registration_deadline": DATETIME,
            "meetings_start": DATETIME,
            "agenda": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at", "registration_deadline", "meetings_start"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]

    def data_for_service(self) -> dict:
        """The cleaned values as the services take them."""
        data = dict(self.cleaned_data)
        data["order_kinds"] = list(data.get("order_kinds") or [])
        return data


class ReasonForm(Bootstrap, forms.Form):
    """A required reason (return, cancel)."""

    reason = forms.CharField(label=_("原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(Bootstrap, forms.Form):
    """An optional note."""

    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class RegisterForm(Bootstrap, forms.Form):
    """An organization's registration."""

    attendees = forms.CharField(label=_("参会人员"), max_length=200, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=32, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    profile = forms.CharField(
        label=_("单位介绍与对接意向"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AvailabilityForm(Bootstrap, forms.Form):
    """The meeting slots a participant cannot attend."""

    unavailable_slots = forms.MultipleChoiceField(
        label=_("不能参加的洽谈场次"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unavailable_slots"].choices = [
            (str(n), f"{n + 1}（{start:%H:%M}–{end:%H:%M}）") for n, start, end in _local_slots(event)
        ]


def _local_slots(event):
    from django.utils import timezone

    return [(n, timezone.localtime(s), timezone.localtime(e)) for n, s, e in event.slots]


class MeetingRequestForm(Bootstrap, forms.Form):
    """Ask another participant for a meeting, optionally about an order of one of the two."""

    invitee = forms.ModelChoiceField(label=_("洽谈对象"), queryset=Registration.objects.none())
    order = forms.ModelChoiceField(label=_("相关需求"), queryset=None, required=False)
    message = forms.CharField(label=_("洽谈事由"), max_length=500, required=False)

    def __init__(self, *args, invitees, orders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitee"].queryset = invitees
        self.fields["invitee"].label_from_instance = lambda r: r.organization.name
        self.fields["order"].queryset = orders
        self.fields["order"].label_from_instance = lambda o: f"{o.county.name} · {o.title}"


class OutcomeForm(Bootstrap, forms.Form):
    """A side's short outcome form."""

    result = forms.ChoiceField(label=_("洽谈结果"), choices=OutcomeResult.choices, widget=forms.RadioSelect)
    amount_yuan = forms.IntegerField(label=_("金额（元）"), min_value=0, max_value=10**15, required=False)
    note = forms.CharField(label=_("说明"), max_length=1000, required=False)
    advance_order = forms.BooleanField(
        label=_("推进关联需求（资源方：响应需求；县域：接受对方的响应；接单部门：办结）"), required=False
    )


class CheckinForm(Bootstrap, forms.Form):
    """A check-in code typed or read by a scanner."""

    code = forms.CharField(label=_("签到码或签到链接"), max_length=200)
