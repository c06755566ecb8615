"""Pages of accounts: login and passwords, sign-up, profile, my organization, the approval queue.

Thin: parse input, call a service, render. Objects come through `visible_to` / `editable_by`; anything
outside the user's scope (and pages for a role the user does not have) is a 404.
"""

import time
from functools import wraps

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services, two_factor
from accounts.choices import AccountAction, ApprovalState, LoginEventKind
from accounts.forms import (
    InviteForm,
    LoginForm,
    OTPCodeForm,
    ProfileForm,
    RejectForm,
    ResetForm,
    SignupForm,
)
from accounts.models import AccountEvent, Organization, User
from accounts.scoping import Scope, get_visible_or_404
from accounts.signals import record_login_event
from accounts.throttling import (
    LoginThrottle,
    PasswordResetEmailThrottle,
    PasswordResetThrottle,
    SignupThrottle,
    wait_seconds,
)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def platform_admin_required(view):
    """Logged in, and a platform administrator; anyone else gets 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not Scope.for_user(request.user).is_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def member_required(view):
    """Logged in and acting for an active organization; anyone else gets 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not Scope.for_user(request.user).org_id:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


# --- Login and passwords ------------------------------------------------------------------------


def too_many(request, template, context, wait: int):
    """A form page again with "too many attempts, wait N seconds", as HTTP 429 with Retry-After."""
    context = {**context, "throttle_wait": wait}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


PENDING_LOGIN = "accounts_pending_login"  # session key: password accepted, waiting for the second factor
OTP_FAILURES_ALLOWED = 5  # wrong codes before the password must be entered again


class LoginView(auth_views.LoginView):
    """Username + password, through axes (lockout) and the per-address login throttle; users with two-factor
    sign-in go on to the code step before they are logged in."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = wait_seconds(request, LoginThrottle())
        if wait is not None:
            return too_many(
                request,
                self.template_name,
                self.get_context_data(form=self.authentication_form(request)),
                wait,
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.has_two_factor(user):
            # Not logged in yet: the session only remembers who passed the password, for a few minutes.
            self.request.session.cycle_key()
            self.request.session[PENDING_LOGIN] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
                "at": time.time(),
                "failures": 0,
            }
            return redirect("accounts:login_verify")
        return super().form_valid(form)


def _pending_login(request):
    """The pending login of this session (password accepted within OTP_LOGIN_SECONDS), else None."""
    pending = request.session.get(PENDING_LOGIN)
    if pending and time.time() - pending.get("at", 0) > settings.OTP_LOGIN_SECONDS:
        del request.session[PENDING_LOGIN]
        messages.warning(request, _("输入验证码超时，请重新登录。"))
        return None
    return pending


def _safe_next(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure())
    return url if ok else default


def login_verify(request):
    """Second step of signing in: a code from the authenticator app (or a backup code).

    Serves a password-accepted pending login, and a logged-in session that has not passed the second factor
    (the admin and REQUIRE_2FA send those here).
    """
    pending = _pending_login(request)
    user = None
    if pending:
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
    elif request.user.is_authenticated and not two_factor.is_verified(request.user):
        if not two_factor.has_two_factor(request.user):
            if two_factor.two_factor_required(request.user):
                return redirect("accounts:two_factor")
            return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
        user = request.user
    if user is None:
        return redirect("accounts:login")
    next_url = pending["next"] if pending else _safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))
    form = OTPCodeForm(request.POST or None)
    context = {"form": form, "next": next_url if not pending else "", "username": user.username}
    if request.method == "POST":
        wait = wait_seconds(request, LoginThrottle())
        if wait is not None:
            return too_many(request, "accounts/login_verify.html", context, wait)
        if form.is_valid():
            device = two_factor.verify_code(user, form.cleaned_data["code"])
            if device is not None:
                request.session.pop(PENDING_LOGIN, None)
                if pending:
                    user.otp_device = device  # django-otp stores the verified device in the new session
                    auth_login(request, user, backend=pending["backend"])
                else:
                    django_otp.login(request, device)
                return redirect(next_url)
            record_login_event(LoginEventKind.OTP_FAILED, request=request, user=user)
            if pending:
                pending["failures"] = pending.get("failures", 0) + 1
                if pending["failures"] >= OTP_FAILURES_ALLOWED:
                    del request.session[PENDING_LOGIN]
                    messages.error(request, _("验证码错误次数过多，请重新登录。"))
                    return redirect("accounts:login")
                request.session[PENDING_LOGIN] = pending
            form.add_error("code", _("验证码不正确或已使用。"))
    return render(request, "accounts/login_verify.html", context)


class LogoutView(auth_views.LogoutView):
    """Log out (POST only)."""


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password; the old one is required."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_password_change(self.request.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    """The password was changed."""

    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail (the page never tells whether the address is registered); throttled per
    address and per e-mail address asked for."""

    template_name = "accounts/password_reset.html"
    form_class = ResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        wait = wait_seconds(request, PasswordResetThrottle())
        if wait is not None:
            return too_many(request, self.template_name, self.get_context_data(form=self.form_class()), wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        wait = wait_seconds(self.request, PasswordResetEmailThrottle(form.cleaned_data["email"]))
        if wait is not None:
            return too_many(self.request, self.template_name, self.get_context_data(form=form), wait)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    """The reset e-mail is on its way (if the address is registered)."""

    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password through the e-mailed link."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_password_change(form.user, by_reset=True)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    """The password was reset."""

    template_name = "accounts/password_reset_complete.html"


class InviteAcceptView(auth_views.PasswordResetConfirmView):
    """An invited member sets a password through the e-mailed link, which activates the account."""

    template_name = "accounts/invite_accept.html"
    success_url = reverse_lazy("accounts:login")
    title = gettext_lazy("设置密码并启用账号")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is None or user.approval_state != ApprovalState.INVITED:
            return None
        return user

    def form_valid(self, form):
        services.accept_invitation(self.user, password=form.cleaned_data["new_password1"])
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        messages.success(self.request, _("账号已启用，请用新密码登录。"))
        return HttpResponseRedirect(self.get_success_url())


# --- Sign-up --------------------------------------------------------------------------------------


def signup(request):
    """Apply for an account; it stays inactive until a platform administrator approves it."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        wait = wait_seconds(request, SignupThrottle())
        if wait is not None:
            return too_many(request, "accounts/signup.html", {"form": SignupForm()}, wait)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        services.register_applicant(
            user,
            form.chosen_organization(),
            financial_products=form.financial_products,
            base_url=_base_url(request),
        )
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


def signup_done(request):
    """The application was received."""
    return render(request, "accounts/signup_done.html")


# --- Profile and my organization ------------------------------------------------------------------


@login_required
def profile(request):
    """The user's own details, organization and role; edit name, phone and e-mail."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("个人信息已保存。"))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "scope": Scope.for_user(request.user),
            "two_factor_enabled": two_factor.has_two_factor(request.user),
            "two_factor_required": two_factor.two_factor_required(request.user),
        },
    )


@login_required
def two_factor_settings(request):
    """Two-factor sign-in of the user: enrol (QR code, confirm with a code), new backup codes, disable."""
    user = request.user
    action = request.POST.get("action", "")
    form = OTPCodeForm(request.POST if action in ("confirm", "disable", "backup_codes") else None)
    backup_codes = None
    if request.method == "POST":
        try:
            if action == "start":
                services.start_two_factor(user)
                return redirect("accounts:two_factor")
            if action == "confirm" and form.is_valid():
                device, backup_codes = services.confirm_two_factor(user, form.cleaned_data["code"])
                django_otp.login(request, device)  # this session has just passed the second factor
                messages.success(request, _("两步验证已启用。请妥善保存下面的备用验证码。"))
            elif action == "disable" and form.is_valid():
                services.disable_two_factor(user, form.cleaned_data["code"])
                messages.success(request, _("两步验证已停用。"))
                return redirect("accounts:two_factor")
            elif action == "backup_codes" and form.is_valid():
                backup_codes = services.renew_backup_codes(user, form.cleaned_data["code"])
                messages.success(request, _("已生成新的备用验证码，旧的备用验证码已失效。"))
        except services.AccountError as exc:
            form.add_error("code", exc.messages[0])
    enabled = two_factor.has_two_factor(user)
    pending = (
        None if enabled else TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    )
    context = {
        "form": form,
        "enabled": enabled,
        "required": two_factor.two_factor_required(user),
        "pending": pending,
        "qr_svg": two_factor.qr_svg(pending.config_url) if pending else "",
        "secret": two_factor.secret_text(pending) if pending else "",
        "backup_codes": backup_codes,
        "backup_codes_left": two_factor.backup_codes_left(user) if enabled else 0,
        "action": action,
    }
    return render(request, "accounts/two_factor.html", context)


@member_required
def organization(request):
    """My organization: what it stands for and its members; managers invite and deactivate here."""
    user = request.user
    org = get_visible_or_404(
        Organization.objects.select_related(
            "county", "prefecture", "provincial_body", "institution", "fund", "talent_resource", "enterprise"
        ),
        user,
        pk=user.organization_id,
    )
    members = list(User.objects.visible_to(user).filter(organization=org).order_by("-role", "username"))
    editable = set(User.objects.editable_by(user).filter(organization=org).values_list("pk", flat=True))
    return render(
        request,
        "accounts/organization.html",
        {"org": org, "members": members, "editable": editable, "is_manager": user.is_manager},
    )


@member_required
def member_detail(request, pk):
    """One member of the user's organization (other organizations' members: 404)."""
    member = get_visible_or_404(User.objects.select_related("organization"), request.user, pk=pk)
    can_edit = User.objects.editable_by(request.user).filter(pk=member.pk).exists()
    events = AccountEvent.objects.filter(target=member).select_related("actor")[:20] if can_edit else []
    return render(
        request, "accounts/member_detail.html", {"member": member, "can_edit": can_edit, "events": events}
    )


@member_required
def member_invite(request):
    """A manager invites a member by e-mail (others: 404)."""
    org = Organization.objects.editable_by(request.user).filter(pk=request.user.organization_id).first()
    if org is None:
        raise Http404
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = services.invite_member(
            org, by=request.user, base_url=_base_url(request), **form.cleaned_data
        )
        messages.success(request, _("已向 %(email)s 发送邀请邮件。") % {"email": member.email})
        return redirect("accounts:organization")
    return render(request, "accounts/member_invite.html", {"form": form, "org": org})


@require_POST
@member_required
def member_deactivate(request, pk):
    """Deactivate a member of one's own organization (POST; others' members: 404)."""
    member = get_editable_or_404(request.user, pk)
    try:
        services.deactivate_member(member, by=request.user, base_url=_base_url(request))
    except services.AccountError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已停用 %(name)s。") % {"name": member.display_name})
    return redirect("accounts:organization")


@require_POST
@member_required
def member_reactivate(request, pk):
    """Re-enable a deactivated member of one's own organization (POST; others' members: 404)."""
    member = get_editable_or_404(request.user, pk)
    try:
        services.reactivate_member(member, by=request.user)
    except services.AccountError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已恢复 %(name)s。") % {"name": member.display_name})
    return redirect("accounts:organization")


def get_editable_or_404(user, pk) -> User:
    """A user the actor may change, or 404."""
    member = User.objects.editable_by(user).filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


# --- Approval queue (platform administrators) -----------------------------------------------------


def _entry_key(org):
    """What a pending new organization stands for (county, city, body or catalog entry), for grouping."""
    link = org.required_link() if org is not None else ""
    return (org.kind, link, getattr(org, f"{link}_id")) if link else None


@platform_admin_required
def approvals(request):
    """Applications waiting for a decision (several for the same county or body are marked), and the latest
    decisions."""
    pending = list(
        User.objects.visible_to(request.user)
        .applicants()
        .select_related("organization", "organization__county", "organization__prefecture")
        .order_by("date_joined")
    )
    keys = {}
    for user in pending:
        org = user.organization
        if org is not None and not org.is_active and _entry_key(org):
            keys.setdefault(_entry_key(org), []).append(user)
    taken = set()
    if keys:
        query = Q()
        for kind, link, pk in keys:
            query |= Q(kind=kind, **{f"{link}_id": pk})
        for row in Organization.objects.filter(query, is_active=True).values("kind", *{k[1] for k in keys}):
            taken |= {key for key in keys if row["kind"] == key[0] and row.get(key[1]) == key[2]}
    for user in pending:
        key = _entry_key(user.organization)
        user.competing = len(keys.get(key, ())) - 1 if key else 0
        user.entry_taken = key in taken
    decided = AccountEvent.objects.filter(
        action__in=[AccountAction.APPROVED, AccountAction.REJECTED]
    ).select_related("actor", "target")[:20]
    return render(request, "accounts/approvals.html", {"pending": pending, "decided": decided})


@platform_admin_required
def applicant(request, pk):
    """One application: approve it, or reject it with a reason; other applications for the same county, body
    or entry are listed, and an organization already approved for it is named (approval then joins it)."""
    user = get_visible_or_404(
        User.objects.select_related("organization", "organization__provincial_body"), request.user, pk=pk
    )
    reject_form = RejectForm(request.POST if request.POST.get("action") == "reject" else None)
    if request.method == "POST" and user.approval_state == ApprovalState.PENDING:
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.approve_applicant(user, by=request.user, base_url=_base_url(request))
                messages.success(request, _("已通过 %(name)s 的申请。") % {"name": user.display_name})
                return redirect("accounts:approvals")
            if action == "reject" and reject_form.is_valid():
                services.reject_applicant(
                    user,
                    by=request.user,
                    reason=reject_form.cleaned_data["reason"],
                    base_url=_base_url(request),
                )
                messages.success(request, _("已驳回 %(name)s 的申请。") % {"name": user.display_name})
                return redirect("accounts:approvals")
        except services.AccountError as exc:
            messages.error(request, " ".join(exc.messages))
    org = user.organization
    joins, competitors = None, []
    if org is not None and not org.is_active and user.approval_state == ApprovalState.PENDING:
        same = org.same_entry()
        joins = same.filter(is_active=True).first()
        competitors = list(
            User.objects.applicants()
            .filter(organization__in=same.filter(is_active=False))
            .exclude(pk=user.pk)
            .select_related("organization")
            .order_by("date_joined")
        )
    events = AccountEvent.objects.filter(target=user).select_related("actor")
    return render(
        request,
        "accounts/applicant.html",
        {
            "applicant": user,
            "reject_form": reject_form,
            "events": events,
            "joins": joins,
            "competitors": competitors,
            "back": reverse("accounts:approvals"),
        },
    )
