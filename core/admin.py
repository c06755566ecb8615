"""Django admin of the audit log: read-only."""

from django.contrib import admin

from core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """操作审计: read-only record of staff changes (who, what, before and after, when)."""

    list_display = ("created_at", "actor_name", "channel", "action", "content_type", "object_repr")
    list_filter = ("action", "channel", "content_type")
    search_fields = ("object_repr", "actor_name", "object_id")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
