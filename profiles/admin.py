"""Django admin for profile revisions: administrators approve or reject (with a reason) pending changes."""

from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError
from profiles import services
from profiles.forms import RejectForm
from profiles.models import ProfileRevision, RevisionEvent


class EventInline(admin.TabularInline):
    """The revision's append-only history."""

    model = RevisionEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_state", "to_state", "actor", "note", "created_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProfileRevision)
class ProfileRevisionAdmin(admin.ModelAdmin):
    """资料修订: moderated through the actions (the services), never edited by hand."""

    list_display = ("resource_name", "resource_type", "organization", "state", "submitted_at", "decided_at")
    list_filter = ("state", "resource_type")
    search_fields = ("resource_name", "organization__name")
    readonly_fields = [f.name for f in ProfileRevision._meta.fields]
    inlines = [EventInline]
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("批准所选修改（资料随即更新，并重新匹配受影响的需求）"))
    def approve(self, request, queryset):
        done = 0
        for revision in queryset:
            try:
                services.approve_revision(revision, by=request.user)
                done += 1
            except ServiceError as exc:
                self.message_user(request, f"{revision}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, _("已批准 %(n)d 条修改。") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("驳回所选修改（须写原因）"))
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            done = 0
            for revision in queryset:
                try:
                    services.reject_revision(revision, by=request.user, reason=form.cleaned_data["reason"])
                    done += 1
                except ServiceError as exc:
                    self.message_user(request, f"{revision}: {exc.message}", messages.ERROR)
            if done:
                self.message_user(request, _("已驳回 %(n)d 条修改。") % {"n": done}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "revisions": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "profiles/admin_reject.html", context)


@admin.register(RevisionEvent)
class RevisionEventAdmin(admin.ModelAdmin):
    """资料修订记录 (read only)."""

    list_display = ("revision", "action", "from_state", "to_state", "actor", "created_at")
    list_filter = ("action",)
    readonly_fields = [f.name for f in RevisionEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
