"""Pages of accounts: login and passwords, sign-up, profile, my organization, the approval queue.

Thin: parse input, call a service, render. Objects come through `visible_to` / `editable_by`; anything
outside the user's scope (and pages for a role the user does not have) is a 404.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import services
from accounts.choices import AccountAction, ApprovalState
from accounts.forms import InviteForm, LoginForm, ProfileForm, RejectForm, ResetForm, SignupForm
from accounts.models import AccountEvent, Organization, User
from accounts.scoping import Scope, get_visible_or_404


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


class LoginView(auth_views.LoginView):
    """Username + password, through axes (lockout after repeated failures)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


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
    """Ask for a reset link by e-mail (the page never tells whether the address is registered)."""

    template_name = "accounts/password_reset.html"
    form_class = ResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


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
    return render(request, "accounts/profile.html", {"form": form, "scope": Scope.for_user(request.user)})


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


@platform_admin_required
def approvals(request):
    """Applications waiting for a decision, and the latest decisions."""
    pending = (
        User.objects.visible_to(request.user)
        .applicants()
        .select_related("organization", "organization__county", "organization__prefecture")
        .order_by("date_joined")
    )
    decided = AccountEvent.objects.filter(
        action__in=[AccountAction.APPROVED, AccountAction.REJECTED]
    ).select_related("actor", "target")[:20]
    return render(request, "accounts/approvals.html", {"pending": pending, "decided": decided})


@platform_admin_required
def applicant(request, pk):
    """One application: approve it, or reject it with a reason."""
    user = get_visible_or_404(
        User.objects.select_related("organization", "organization__provincial_body"), request.user, pk=pk
    )
    reject_form = RejectForm(request.POST if request.POST.get("action") == "reject" else None)
    if request.method == "POST" and user.approval_state == ApprovalState.PENDING:
        action = request.POST.get("action")
        if action == "approve":
            services.approve_applicant(user, by=request.user, base_url=_base_url(request))
            messages.success(request, _("已通过 %(name)s 的申请。") % {"name": user.display_name})
            return redirect("accounts:approvals")
        if action == "reject" and reject_form.is_valid():
            services.reject_applicant(
                user, by=request.user, reason=reject_form.cleaned_data["reason"], base_url=_base_url(request)
            )
            messages.success(request, _("已驳回 %(name)s 的申请。") % {"name": user.display_name})
            return redirect("accounts:approvals")
    events = AccountEvent.objects.filter(target=user).select_related("actor")
    return render(
        request,
        "accounts/applicant.html",
        {
            "applicant": user,
            "reject_form": reject_form,
            "events": events,
            "back": reverse("accounts:approvals"),
        },
    )
