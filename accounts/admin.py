"""Django admin for users and organizations, with approval actions and the read-only event logs."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.choices import ApprovalState
from accounts.forms import RejectForm
from accounts.models import AccountEvent, LoginEvent, Organization, User
from core.audit import AuditedAdminMixin


@admin.register(Organization)
class OrganizationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """组织."""

    list_display = ("name", "kind", "county", "prefecture", "provincial_body", "provider_kind", "is_active")
    list_filter = ("kind", "provider_kind", "is_active", "prefecture")
    search_fields = ("name",)
    list_select_related = ("county", "prefecture", "provincial_body")
    autocomplete_fields = ("county", "institution", "enterprise", "fund", "talent_resource")
    filter_horizontal = ("financial_products",)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    """用户: approve or reject applicants through the same services as the staff page."""

    list_display = (
        "username",
        "last_name",
        "first_name",
        "organization",
        "role",
        "approval_state",
        "is_active",
    )
    list_filter = ("approval_state", "role", "is_active", "is_staff", "organization__kind")
    search_fields = ("username", "first_name", "last_name", "email", "phone", "organization__name")
    list_select_related = ("organization",)
    readonly_fields = ("approval_state", "last_login", "date_joined")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("组织"), {"fields": ("organization", "role", "phone", "approval_state")}),
    )
    actions = ["approve_applicants", "reject_applicants"]

    @admin.action(description=_("审核通过所选申请"))
    def approve_applicants(self, request, queryset):
        """Approve each selected pending applicant."""
        done = 0
        for user in queryset.filter(approval_state=ApprovalState.PENDING):
            try:
                services.approve_applicant(user, by=request.user, base_url=request.build_absolute_uri("/"))
            except services.AccountError as exc:
                self.message_user(request, f"{user}: {' '.join(exc.messages)}", messages.ERROR)
                continue
            done += 1
        self.message_user(
            request,
            ngettext("已通过 %(n)d 个申请。", "已通过 %(n)d 个申请。", done) % {"n": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("驳回所选申请（需填写原因）"))
    def reject_applicants(self, request, queryset):
        """Reject the selected pending applicants with one reason (asked on an intermediate page)."""
        pending = queryset.filter(approval_state=ApprovalState.PENDING)
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for user in pending:
                services.reject_applicant(
                    user,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    base_url=request.build_absolute_uri("/"),
                )
                done += 1
            self.message_user(
                request,
                ngettext("已驳回 %(n)d 个申请。", "已驳回 %(n)d 个申请。", done) % {"n": done},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("驳回注册申请"),
            "form": form,
            "applicants": pending,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/accounts/user/reject_applicants.html", context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only logs: viewable, never added, changed or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdmin):
    """账号事件."""

    list_display = ("created_at", "action", "target_username", "organization_name", "actor", "reason")
    list_filter = ("action",)
    search_fields = ("target_username", "organization_name", "reason")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    """登录记录."""

    list_display = ("created_at", "kind", "username", "ip_address", "path")
    list_filter = ("kind",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "created_at"
