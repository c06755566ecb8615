"""Forms of accounts: login, sign-up, profile, invitation and rejection (server-side validation, Chinese)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts.choices import ApprovalState, OrgKind, ProviderKind
from accounts.models import Organization, User
from accounts.validators import validate_mainland_mobile
from chains.models import (
    County,
    Enterprise,
    FinancialProduct,
    Fund,
    Institution,
    Prefecture,
    ProvincialBody,
    TalentResource,
)

CONTACT_FIELDS = ("last_name", "first_name", "phone", "email")  # what a user gives about themselves

APPLICANT_KINDS = [(k, label) for k, label in OrgKind.choices if k != OrgKind.PLATFORM]


class LoginForm(AuthenticationForm):
    """Username and password; tells applicants whose account is not active yet why they cannot log in."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错多次后账号将被临时锁定。"),
        "inactive": _("该账号已停用。"),
        "pending": _("您的注册申请正在等待平台管理员审核，审核通过后即可登录。"),
        "rejected": _("您的注册申请未通过审核，请查看通知邮件中的原因。"),
        "invited": _("请先通过邀请邮件中的链接设置密码。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError as exc:
            if getattr(exc, "code", None) == "invalid_login":
                raise self._explain_inactive() or exc from None
            raise

    def _explain_inactive(self):
        """The reason an account with the right password may not log in (None when the password was wrong)."""
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        user = User.objects.filter(username=username).first()
        if user is None or user.is_active or not user.check_password(password):
            return None
        code = user.approval_state if user.approval_state != ApprovalState.APPROVED else "inactive"
        return forms.ValidationError(self.error_messages[code], code=code)


class OrganizationChoiceField(forms.ModelChoiceField):
    """Organizations labelled with their kind."""

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_kind_display()}）"


class SignupForm(UserCreationForm):
    """An application by a county/city official, a provincial body or a provider, pending approval."""

    org_kind = forms.ChoiceField(label=_("组织类型"), choices=[("", "---------"), *APPLICANT_KINDS])
    organization = OrganizationChoiceField(
        label=_("加入已有组织"),
        queryset=Organization.objects.filter(is_active=True).exclude(kind=OrgKind.PLATFORM),
        required=False,
        help_text=_("组织已在平台上时请直接选择；否则留空并在下面填写新组织。"),
    )
    new_org_name = forms.CharField(
        label=_("新组织名称"), max_length=100, required=False, help_text=_("留空则按所选条目自动命名。")
    )
    county = forms.ModelChoiceField(
        label=_("县域"), queryset=County.objects.order_by("position"), required=False
    )
    prefecture = forms.ModelChoiceField(label=_("设区市"), queryset=Prefecture.objects.all(), required=False)
    provincial_body = forms.ModelChoiceField(
        label=_("省级部门"), queryset=ProvincialBody.objects.all(), required=False
    )
    provider_kind = forms.ChoiceField(
        label=_("资源方类型"), choices=[("", "---------"), *ProviderKind.choices], required=False
    )
    institution = forms.ModelChoiceField(
        label=_("科研机构"), queryset=Institution.objects.all(), required=False
    )
    bank = forms.ChoiceField(label=_("银行/金融机构"), required=False)
    fund = forms.ModelChoiceField(label=_("基金"), queryset=Fund.objects.all(), required=False)
    talent_resource = forms.ModelChoiceField(
        label=_("人才资源"), queryset=TalentResource.objects.all(), required=False
    )
    enterprise = forms.ModelChoiceField(
        label=_("企业"), queryset=Enterprise.objects.order_by("name"), required=False
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", *CONTACT_FIELDS)
        labels = {"username": _("用户名"), "last_name": _("姓"), "first_name": _("名")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CONTACT_FIELDS:
            self.fields[name].required = True
        self.fields["phone"].validators = [validate_mainland_mobile]
        self.fields["phone"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "tel"})
        self.fields["password1"].label = _("密码")
        self.fields["password2"].label = _("确认密码")
        # Django focuses the username (section 3), which scrolled the page past the organization: start at 1.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["org_kind"].widget.attrs["autofocus"] = True
        providers = (
            FinancialProduct.objects.exclude(provider="")
            .order_by("provider")
            .values_list("provider", flat=True)
        )
        # Real institutions only: a collective placeholder such as 各商业银行 cannot apply or be invited.
        named = [p for p in dict.fromkeys(providers) if not p.startswith("各")]
        self.fields["bank"].choices = [("", "---------"), *((p, p) for p in named)]
        self.financial_products = []
        self.new_organization = None

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("该邮箱已注册，请直接登录或找回密码。"), code="email_taken")
        return email

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("org_kind")
        if not kind:
            return cleaned
        org = cleaned.get("organization")
        if org is not None:
            if org.kind != kind:
                self.add_error("organization", _("所选组织与组织类型不一致。"))
            return cleaned
        self.new_organization = self._build_organization(kind, cleaned)
        return cleaned

    def _build_organization(self, kind, cleaned):
        """An unsaved organization for the entry the applicant chose, or None with errors added."""
        org = Organization(kind=kind)
        if kind == OrgKind.PROVIDER:
            provider_kind = cleaned.get("provider_kind")
            if not provider_kind:
                self.add_error("provider_kind", _("请选择资源方类型。"))
                return None
            org.provider_kind = provider_kind
        link = org.required_link()
        if link:
            entry = cleaned.get(link)
            if entry is None:
                self.add_error(link, _("请选择您所在组织对应的条目，或在“加入已有组织”中选择。"))
                return None
            setattr(org, link, entry)
            # Only an organization in use blocks a new one; applications still pending do not (an
            # administrator chooses between several applicants for the same county or body).
            existing = Organization.objects.filter(**{link: entry}, kind=kind, is_active=True).first()
            default_name = f"{entry.name}人民政府" if kind in (OrgKind.COUNTY, OrgKind.CITY) else entry.name
        else:
            bank = cleaned.get("bank")
            if not bank:
                self.add_error("bank", _("请选择银行/金融机构。"))
                return None
            self.financial_products = list(FinancialProduct.objects.filter(provider=bank))
            existing = Organization.objects.filter(
                provider_kind=ProviderKind.BANK, financial_products__provider=bank, is_active=True
            ).first()
            default_name = bank
        if existing is not None:
            self.add_error(
                "organization",
                _("“%(entry)s”已有组织“%(org)s”，请在“加入已有组织”中选择它。")
                % {"entry": default_name, "org": existing.name},
            )
            return None
        org.name = (cleaned.get("new_org_name") or "").strip() or default_name
        if Organization.objects.filter(name=org.name, is_active=True).exists():
            self.add_error("new_org_name", _("该组织名称已被使用，请换一个名称或选择已有组织。"))
            return None
        return org

    def chosen_organization(self) -> Organization:
        """The organization applied to: an existing one, or a new unsaved one."""
        return self.cleaned_data.get("organization") or self.new_organization


class ProfileForm(forms.ModelForm):
    """What a user may change about themselves."""

    class Meta:
        model = User
        fields = CONTACT_FIELDS
        labels = {"last_name": _("姓"), "first_name": _("名"), "email": _("邮箱")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = True

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("该邮箱已被其他账号使用。"), code="email_taken")
        return email


class InviteForm(forms.Form):
    """A manager invites a member by e-mail."""

    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("用户名只能包含字母、数字和 @/./+/-/_ 字符。")},
    )
    last_name = forms.CharField(label=_("姓"), max_length=150)
    first_name = forms.CharField(label=_("名"), max_length=150)
    email = forms.EmailField(label=_("邮箱"))
    phone = forms.CharField(label=_("手机号"), max_length=20, validators=[validate_mainland_mobile])

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该用户名已被使用。"), code="username_taken")
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("该邮箱已注册。"), code="email_taken")
        return email


class RejectForm(forms.Form):
    """The reason an application is rejected (sent to the applicant)."""

    reason = forms.CharField(
        label=_("不通过原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写不通过的原因。")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 2:
            raise forms.ValidationError(_("请具体说明不通过的原因。"), code="too_short")
        return reason


class ResetForm(PasswordResetForm):
    """Password reset by e-mail (Chinese label)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("注册邮箱")


class OTPCodeForm(forms.Form):
    """A code of the second factor: 6 digits from the authenticator app, or a backup code."""

    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        help_text=_("打开手机上的身份验证器，输入显示的 6 位数字；手机不在身边时可输入一个备用验证码。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 10}
        ),
        error_messages={"required": _("请输入验证码。")},
    )
