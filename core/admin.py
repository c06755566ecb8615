"""Django admin of the audit log: read-only."""

from django.contrib import admin

from core.models import AuditEntry, FormSubmission, IdempotencyRecord


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the platform writes itself: shown, never added, changed or deleted by hand."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    """幂等请求: API POSTs made with an Idempotency-Key and their first answer (read-only)."""

    list_display = ("created_at", "user", "key", "method", "path", "status_code", "expires_at")
    list_filter = ("status_code",)
    search_fields = ("key", "path", "user__username")
    date_hierarchy = "created_at"


@admin.register(FormSubmission)
class FormSubmissionAdmin(ReadOnlyAdmin):
    """表单提交: consumed one-time form tokens and the page of their first result (read-only)."""

    list_display = ("created_at", "user", "token", "result_url")
    search_fields = ("token", "user__username", "result_url")
    date_hierarchy = "created_at"
