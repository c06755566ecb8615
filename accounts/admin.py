"""Django admin for users and organizations."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """组织."""

    list_display = ("name", "kind", "county", "prefecture", "provincial_body", "provider_kind", "is_active")
    list_filter = ("kind", "provider_kind", "is_active", "prefecture")
    search_fields = ("name",)
    list_select_related = ("county", "prefecture", "provincial_body")
    autocomplete_fields = ("county", "institution", "enterprise", "fund", "talent_resource")
    filter_horizontal = ("financial_products",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """用户."""

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
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("组织"), {"fields": ("organization", "role", "phone", "approval_state")}),
    )
