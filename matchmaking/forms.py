"""Forms of the order pages: server-side validation with Chinese messages; state changes go to services."""

from functools import partial

from django import forms
from django.conf import settings
from django.db.models.query import MAX_GET_RESULTS
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind
from accounts.models import Organization, User
from chains import countychoices
from chains.models import ChainLink, ChainType, CountyChain, Enterprise, Prefecture
from core import compiledsql
from core.validators import validate_due_date
from matchmaking.beneficiaries import parse_beneficiaries
from matchmaking.choices import DeclineReason, OrderKind, OutcomeType
from matchmaking.models import NotificationPreference, Order, Outcome, Proposal
from matchmaking.uploads import ACCEPT, UploadRejected, check_upload
from matchmaking.widgets import (
    PlainInputMixin,
    PlainNumberInput,
    PlainSelect,
    PlainSelectMultiple,
    PlainTextarea,
    PlainTextInput,
    RadioSelect,
    escape_markup,
)
from matchmaking.workflow import WorkflowError

KIND_FIELD_NAMES = {name for names in Order.KIND_FIELDS.values() for name in names}
# The new-order form's selects of the county's rows (kept in the shared cache, chains.countychoices).
COUNTY_SELECTS = ("chain", "link", "beneficiary_firms")


class ChainTypeSelect(PlainSelect):
    """A select whose options carry their chain type (`data-chain-type`): the order form's script offers only the
    links of the chosen chain's type."""

    def option_extra(self, option_value) -> str:
        instance = getattr(option_value, "instance", None)
        return "" if instance is None else f' data-chain-type="{escape_markup(instance.chain_type_id)}"'


class FetchedChoiceIterator(forms.models.ModelChoiceIterator):
    """A model select's choices from one plain fetch of its (short) queryset, not a server-side cursor; from
    the field's `fetch()` when it has one (the same rows from a query compiled once, `core.compiledsql`)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        fetch = getattr(self.field, "fetch", None)
        for obj in self.queryset if fetch is None else fetch():
            yield self.choice(obj)


class FetchedModelChoiceField(forms.ModelChoiceField):
    """A model select whose (short) list of choices comes from one plain fetch (`FetchedChoiceIterator`): the
    order page's handler and provider selects, which Django's iterator read through a server-side cursor
    (DECLARE and two FETCHes, ~2 ms of CPU per select)."""

    iterator = FetchedChoiceIterator


class CompiledModelChoiceField(forms.ModelChoiceField):
    """A model select whose posted id is looked up by a query compiled once (`core.compiledsql`) when the form
    names its queryset (constant for the key) by `compiled_key`: the rows `queryset.get(pk=value)` reads,
    ~1 ms of CPU less per POST. Anything but a plain 32-bit id is left to Django (the same errors)."""

    compiled_key = None

    def to_python(self, value):
        by_pk = self.to_field_name in (None, self.queryset.model._meta.pk.name)  # a foreign key's: "id"
        if self.compiled_key is None or not by_pk or not isinstance(value, str) or "\x00" in value:
            return super().to_python(value)
        try:
            pk = int(value)  # as the primary key's own to_python / get_prep_value
        except ValueError:
            return super().to_python(value)
        if not -(2**31) <= pk < 2**31:
            return super().to_python(value)
        queryset = self.queryset

        def build(marker):
            # what QuerySet.get() runs: no ordering, at most MAX_GET_RESULTS rows
            qs = queryset.filter(pk=marker).order_by()
            qs.query.set_limits(high=MAX_GET_RESULTS)
            return qs

        found = compiledsql.fetch(self.compiled_key, build, pk)
        if len(found) != 1:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found[0]


class CountyChoiceRow:
    """What a cached option of the new-order form's county selects keeps of its object: its chain type (the
    `data-chain-type` of ChainTypeSelect)."""

    __slots__ = ("chain_type_id",)

    def __init__(self, chain_type_id):
        self.chain_type_id = chain_type_id


class CountyChoiceIterator(FetchedChoiceIterator):
    """The choices of one of the new-order form's county selects: the (value, label, chain type) rows the form
    keeps in the shared cache (`OrderForm.county_rows`, chains.countychoices) when it does, else one fetch of the
    queryset. The same options either way: the rows are read from the same queryset, labelled the same."""

    def __iter__(self):
        rows = getattr(self.field, "cached_rows", None)
        rows = rows() if rows is not None else None
        if rows is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for value, label, chain_type_id in rows:
            yield (forms.models.ModelChoiceIteratorValue(value, CountyChoiceRow(chain_type_id)), label)


class NamedChoiceIterator(FetchedChoiceIterator):
    """The choices of a model whose label is its `name` (its `__str__`): primary keys and names read as values,
    not model instances (the order page's select of every provider organisation, of 15 columns each); with the
    field's `compiled_key`, from a query compiled once (`core.compiledsql`)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        key = getattr(self.field, "compiled_key", None)
        if key is None:
            yield from self.queryset.values_list("pk", "name")
            return
        queryset = self.queryset
        for row in compiledsql.fetch((key, "named choices"), lambda _none: queryset.values("pk", "name"), ()):
            yield (row["pk"], row["name"])


class NamedModelChoiceField(FetchedModelChoiceField):
    """A model select labelled by the objects' names (`NamedChoiceIterator`); it still cleans to an object. A
    `compiled_key` naming its (constant) queryset lets the choices' query be compiled once."""

    iterator = NamedChoiceIterator

    def __init__(self, *args, compiled_key: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.compiled_key = compiled_key


class Bootstrap:
    """Adds Bootstrap 5 classes to every widget (forms render with `matchmaking/_field.html`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that accepts several files."""

    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Zero or more attachments, each checked by type (content + extension) and size."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("附件"))
        kwargs.setdefault(
            "help_text", _("可多选。支持 PDF、Word、Excel、PowerPoint、PNG/JPG/GIF，单个文件不超过上限。")
        )
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ACCEPT

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = []
        for upload in files:
            upload = super().clean(upload, initial)
            try:
                check_upload(upload)
            except UploadRejected as exc:
                raise forms.ValidationError(str(exc)) from exc
            cleaned.append(upload)
        return cleaned


class DateInput(PlainInputMixin, forms.DateInput):
    """A native date picker (works well on phones), rendered in Python."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def chain_choice_label(chain) -> str:
    """A chain in the order form: declared and reviewed ones say they are awaiting confirmation (待认定)."""
    return f"{chain.name}（{_('待认定')}）" if chain.is_pending else chain.name


# By county: its orderable chains, their links and its catalogue's firms as querysets, built once per process
# (their filters took ~0.5 ms of every order form). Never evaluated themselves: each form's fields take copies.
_COUNTY_QUERYSETS: dict[int, tuple] = {}


def county_querysets(county_id: int) -> tuple:
    """The querysets of the order form's county selects (unevaluated; the caller takes copies)."""
    found = _COUNTY_QUERYSETS.get(county_id)
    if found is None:
        chains = CountyChain.objects.orderable().filter(county_id=county_id).select_related("chain_type")
        links = (
            ChainLink.objects.filter(chain_type__county_chains__in=chains)
            .distinct()
            .order_by("chain_type__position", "position")
        )
        firms = Enterprise.objects.filter(county_id=county_id).order_by("name")
        found = _COUNTY_QUERYSETS[county_id] = (chains, links, firms)
    return found


class OrderForm(Bootstrap, forms.ModelForm):
    """开单: the county picks one of its chains; the kind decides which extra fields are required; the firms
    the order serves come from the catalog or are named with their 统一社会信用代码 (one per line)."""

    attachments = AttachmentsField()
    beneficiary_firms = forms.ModelMultipleChoiceField(
        queryset=Enterprise.objects.none(),
        required=False,
        label=_("受益企业（资源库）"),
        help_text=_("本县资源库中的企业，可多选"),
        widget=PlainSelectMultiple(attrs={"size": 4}),
    )
    other_beneficiaries = forms.CharField(
        required=False,
        label=_("其他受益企业"),
        help_text=_("每行一家：企业名称 统一社会信用代码（18 位，校验位须正确）"),
        widget=PlainTextarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Order
        fields = Order.INPUTS
        field_classes = {"chain": CompiledModelChoiceField, "link": CompiledModelChoiceField}
        # Built in Python (matchmaking.widgets), the same markup as Django's template-based widgets.
        widgets = {
            "kind": RadioSelect,
            "chain": ChainTypeSelect,
            "link": ChainTypeSelect,
            "title": PlainTextInput,
            "description": PlainTextarea(attrs={"rows": 6}),
            "keywords": PlainTextInput,
            "tech_field": PlainTextInput,
            "expected_outcome": PlainTextarea(attrs={"rows": 3}),
            "amount_yuan": PlainNumberInput(attrs={"inputmode": "numeric", "min": 1}),
            "financing_type": RadioSelect,
            "headcount": PlainNumberInput,
            "talent_profile": PlainTextarea(attrs={"rows": 3}),
            "wanted_link": RadioSelect,
            "products": PlainTextInput,
            "due_date": DateInput(),
            "visibility": RadioSelect,
            "contact_name": PlainTextInput,
            "contact_phone": PlainTextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }

    # The fields whose markup only the code and the language decide (no choices from the database): left empty on
    # an unbound form, each renders the same block every time (matchmaking.fieldblock keeps it).
    FIXED_FIELDS = frozenset(
        {
            "kind",
            "title",
            "description",
            "keywords",
            "other_beneficiaries",
            "tech_field",
            "expected_outcome",
            "amount_yuan",
            "financing_type",
            "headcount",
            "talent_profile",
            "wanted_link",
            "products",
            "due_date",
            "visibility",
            "contact_name",
            "contact_phone",
            "attachments",
        }
    )

    def __init__(self, *args, county_id: int, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # 保存草稿 needs the kind, the chain and a title; 提交审核 also what `Order.completeness_errors` asks.
        self.submitting = submitting
        for name in (*Order.REQUIRED_TO_SUBMIT, *KIND_FIELD_NAMES):
            self.fields[name].submit_required = True
        self.county_id, self._county_rows = county_id, None
        cached = countychoices.enabled()
        for name in COUNTY_SELECTS:  # before their querysets, which set the choices
            self.fields[name].iterator = CountyChoiceIterator
            if cached:
                self.fields[name].cached_rows = partial(self.county_rows, name)
        chains, links, firms = county_querysets(county_id)
        self.fields["chain"].queryset = chains  # each field takes a copy (Django's queryset setter: `.all()`)
        for name in ("chain", "link"):  # the county's querysets: a posted id is looked up by a compiled query
            self.fields[name].compiled_key = ("order form", name, county_id)
        self.fields["chain"].label_from_instance = chain_choice_label
        self.fields["chain"].empty_label = _("请选择本县域的重点产业链")
        self.fields["link"].queryset = links
        self.fields["link"].empty_label = _("不限环节")
        self.fields["kind"].choices = OrderKind.choices
        for name in ("financing_type", "wanted_link"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]
        for name, field in self.fields.items():
            if name in KIND_FIELD_NAMES:
                field.kind = next(k for k, names in Order.KIND_FIELDS.items() if name in names)
        self.instance.county_id = county_id
        self.fields["beneficiary_firms"].queryset = firms
        if self.instance.pk and not self.is_bound:
            rows = list(self.instance.beneficiaries.all())
            self.initial["beneficiary_firms"] = [r.enterprise_id for r in rows if r.enterprise_id]
            self.initial["other_beneficiaries"] = "\n".join(
                f"{r.name} {r.uscc}" for r in rows if not r.enterprise_id
            )

    def county_rows(self, name: str) -> list[tuple]:
        """The options of one of the county selects, (value, label, chain type id) rows, from the shared cache:
        the three selects of the county in the request's language are read from their querysets once (exact,
        chains.countychoices)."""
        if self._county_rows is None:
            key = f"{self.county_id}:{get_language()}"
            self._county_rows = countychoices.county_choices.get_or_load(key, self._read_county_rows)
        return self._county_rows[name]

    def _read_county_rows(self) -> dict:
        rows = {}
        for name in COUNTY_SELECTS:
            field = self.fields[name]
            rows[name] = [
                (
                    field.prepare_value(obj),
                    field.label_from_instance(obj),
                    getattr(obj, "chain_type_id", None),
                )
                for obj in field.queryset
            ]
        return rows

    def _get_validation_exclusions(self):
        """The model validation's exclusions, and the chain and link once chosen: their fields fetched them from
        the county's querysets, so the model's existence queries would only repeat that."""
        exclude = super()._get_validation_exclusions()
        exclude.update(name for name in ("chain", "link") if self.cleaned_data.get(name) is not None)
        return exclude

    def clean_due_date(self):
        """A date set or changed must lie in the window (`core.validators.validate_due_date`); a draft may leave
        it empty until submission."""
        value = self.cleaned_data["due_date"]
        if value and (not self.instance.pk or "due_date" in self.changed_data):
            validate_due_date(value)
        return value

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        own = set(Order.KIND_FIELDS.get(kind, ()))
        for name in KIND_FIELD_NAMES - own:
            cleaned[name] = None if name in ("amount_yuan", "headcount") else ""
            self.errors.pop(name, None)
        if self.submitting and kind:
            values = {name: cleaned[name] for name in Order.INPUTS if name in cleaned}
            probe = Order(**{k: v for k, v in values.items() if v is not None or k not in ("chain", "link")})
            for name, message in probe.completeness_errors().items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, message)
        return cleaned

    def clean_other_beneficiaries(self):
        items = []
        for line in (self.cleaned_data.get("other_beneficiaries") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            name, _sep, code = line.replace("\t", " ").replace("，", " ").replace(",", " ").rpartition(" ")
            items.append({"name": name.strip(), "uscc": code.strip()} if name else {"name": line, "uscc": ""})
        try:
            parse_beneficiaries(items)
        except WorkflowError as exc:
            raise forms.ValidationError(exc.errors.get("beneficiaries", exc.message)) from exc
        return items

    def beneficiary_items(self) -> list[dict]:
        """The firms the order serves, as the services take them."""
        firms = [{"enterprise": firm} for firm in self.cleaned_data.get("beneficiary_firms") or []]
        return firms + list(self.cleaned_data.get("other_beneficiaries") or [])

    def order_data(self) -> dict:
        """The cleaned values the services take."""
        return {name: self.cleaned_data.get(name) for name in Order.INPUTS if name in self.cleaned_data}


class ProposalForm(Bootstrap, forms.ModelForm):
    """响应/揭榜: a proposal and, depending on the order's kind, amount/rate/term or experts."""

    attachments = AttachmentsField()

    class Meta:
        model = Proposal
        fields = ("proposal", "amount_yuan", "rate_percent", "term_months", "experts", "terms")
        widgets = {
            "proposal": forms.Textarea(attrs={"rows": 6}),
            "experts": forms.Textarea(attrs={"rows": 3}),
            "terms": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        if order.kind != OrderKind.CAPITAL:
            for name in ("amount_yuan", "rate_percent", "term_months"):
                del self.fields[name]
        if order.kind != OrderKind.TALENT:
            self.fields["experts"].label = _("拟投入团队/专家")


class HandlerChoiceField(FetchedModelChoiceField):
    """The handler select: the claiming user naming themself (the usual choice) is cleaned to that user
    without reading their row again (they are in the queryset when active: it is their organisation's)."""

    user = None

    def to_python(self, value):
        user = self.user
        if (
            user is not None
            and user.is_active
            and value not in self.empty_values
            and str(value) == str(user.pk)
        ):
            return user
        return super().to_python(value)


class ClaimForm(Bootstrap, forms.Form):
    """接单: name the handler (a member of the claiming body)."""

    handler = HandlerChoiceField(queryset=None, label=_("承办人"), empty_label=None, widget=PlainSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].user = user

        def handlers(organization_id):
            return User.objects.filter(organization_id=organization_id, is_active=True).order_by(
                "last_name", "first_name"
            )

        org_id = user.organization_id
        self.fields["handler"].queryset = handlers(org_id)
        if org_id is not None:  # the choices from a query compiled once (`FetchedChoiceIterator`)
            self.fields["handler"].fetch = lambda: compiledsql.fetch("claim handlers", handlers, org_id)
        self.fields["handler"].initial = user.pk


class ReasonForm(Bootstrap, forms.Form):
    """A required reason (退回 / 不予受理 / 关闭)."""

    reason = forms.CharField(label=_("原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class ModerationForm(ReasonForm):
    """审核: approve, return or reject; the reason is required for the latter two."""

    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("approve", _("通过并发布")), ("return", _("退回修改")), ("reject", _("不予受理"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in ("return", "reject") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("退回或不予受理须填写原因。"))
        return cleaned


class OutcomeForm(Bootstrap, forms.ModelForm):
    """办结: what the loop achieved."""

    class Meta:
        model = Outcome
        fields = ("outcome_type", "amount_yuan", "partner", "date", "summary")
        widgets = {"date": DateInput(), "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome_type"].choices = OutcomeType.choices
        self.fields["date"].initial = timezone.localdate()

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("达成日期不能晚于今天。"))
        return value


class DeclineForm(Bootstrap, forms.Form):
    """未采纳: a reason category and a note the provider sees."""

    reason_category = forms.ChoiceField(label=_("未采纳原因"), choices=DeclineReason.choices)
    note = forms.CharField(label=_("说明（资源方可见）"), max_length=1000, required=False)


class AcceptForm(Bootstrap, forms.Form):
    """接受响应: an optional note to the provider."""

    note = forms.CharField(label=_("说明"), max_length=1000, required=False)


class CommentForm(Bootstrap, forms.Form):
    """协调意见."""

    note = forms.CharField(label=_("协调意见"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class InviteForm(Bootstrap, forms.Form):
    """邀请资源方响应."""

    provider_org = NamedModelChoiceField(
        queryset=Organization.objects.filter(kind=OrgKind.PROVIDER, is_active=True).order_by("name"),
        label=_("资源方"),
        empty_label=_("请选择资源方"),
        compiled_key="invite providers",
        widget=PlainSelect,  # the order page's select of every provider, built in Python (matchmaking.widgets)
    )
    note = forms.CharField(label=_("邀请说明"), max_length=500, required=False)


class PreferenceForm(Bootstrap, forms.ModelForm):
    """通知设置."""

    class Meta:
        model = NotificationPreference
        fields = ("email_enabled", "daily_digest", "language")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False  # left out: unchanged

    def clean_language(self):
        """The chosen e-mail language, or the one already set."""
        return self.cleaned_data.get("language") or self.instance.language or settings.LANGUAGE_CODE


class SubscriptionForm(Bootstrap, forms.Form):
    """关注: kinds, chain types and prefectures (empty = any)."""

    kinds = forms.MultipleChoiceField(
        label=_("需求类型"), choices=OrderKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    chain_types = forms.ModelMultipleChoiceField(
        label=_("产业链类型"),
        queryset=ChainType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    prefectures = forms.ModelMultipleChoiceField(
        label=_("设区市"),
        queryset=Prefecture.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
