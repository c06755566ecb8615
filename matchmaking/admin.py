"""Django admin for orders: moderation actions (approve / return / reject with reason) through the services."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matchmaking import services
from matchmaking.models import (
    Attachment,
    Invitation,
    Match,
    Notification,
    NotificationPreference,
    Order,
    OrderEvent,
    OrderRoute,
    Outcome,
    Proposal,
    Subscription,
)
from matchmaking.workflow import WorkflowError


class ReadOnlyInline(admin.TabularInline):
    """An inline that only shows rows (they are written by services)."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    """时间线."""

    model = OrderEvent
    fields = ("created_at", "kind", "from_state", "to_state", "actor", "organization", "note")
    readonly_fields = fields


class ProposalInline(ReadOnlyInline):
    """响应."""

    model = Proposal
    fields = ("provider_org", "state", "amount_yuan", "proposal", "reason_category", "decision_note")
    readonly_fields = fields


class RouteInline(ReadOnlyInline):
    """分派."""

    model = OrderRoute
    fields = ("body", "routed_at")
    readonly_fields = fields


def _moderate(modeladmin, request, queryset, action: str, needs_reason: bool):
    """Run a moderation service over the selected orders; ask for a reason first when one is required."""
    reason = (request.POST.get("reason") or "").strip()
    if needs_reason and not (request.POST.get("apply") and reason):
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": gettext("填写原因"),
            "orders": queryset,
            "action": request.POST.get("action"),
            "opts": modeladmin.model._meta,
            "missing": bool(request.POST.get("apply")),
        }
        return TemplateResponse(request, "matchmaking/admin_reason.html", context)
    done = 0
    for order in queryset:
        try:
            if action == "approve":
                services.approve_order(order, by=request.user)
            elif action == "return":
                services.return_order(order, by=request.user, reason=reason)
            else:
                services.reject_order(order, by=request.user, reason=reason)
            done += 1
        except WorkflowError as exc:
            modeladmin.message_user(request, f"{order}：{exc}", messages.ERROR)
    if done:
        modeladmin.message_user(request, gettext("已处理 %(n)s 条需求。") % {"n": done}, messages.SUCCESS)
    return None


@admin.action(description=_("审核通过并发布"))
def approve_orders(modeladmin, request, queryset):
    """Publish the selected submitted orders."""
    return _moderate(modeladmin, request, queryset, "approve", needs_reason=False)


@admin.action(description=_("退回修改（须填写原因）"))
def return_orders(modeladmin, request, queryset):
    """Return the selected submitted orders to their counties."""
    return _moderate(modeladmin, request, queryset, "return", needs_reason=True)


@admin.action(description=_("不予受理（须填写原因）"))
def reject_orders(modeladmin, request, queryset):
    """Reject the selected submitted orders."""
    return _moderate(modeladmin, request, queryset, "reject", needs_reason=True)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """需求: state changes only through the workflow (actions), content edits through `update_order`."""

    list_display = (
        "title",
        "kind",
        "state",
        "county",
        "chain",
        "claimed_by_body",
        "match_state",
        "is_sample",
        "created_at",
    )
    list_filter = ("state", "kind", "match_state", "visibility", "is_sample", "county__prefecture")
    search_fields = ("title", "description", "keywords")
    list_select_related = ("county", "chain", "claimed_by_body")
    date_hierarchy = "created_at"
    actions = [approve_orders, return_orders, reject_orders]
    inlines = [RouteInline, ProposalInline, EventInline]
    readonly_fields = (
        "state",
        "county",
        "created_by",
        "claimed_by_body",
        "claimed_by_org",
        "handler",
        "state_note",
        "submitted_at",
        "published_at",
        "claim_due_at",
        "claimed_at",
        "finished_at",
        "last_progress_at",
        "claim_reminded_at",
        "progress_reminded_at",
        "match_state",
        "matched_at",
        "match_inputs_at",
        "match_error",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        """Content changes go through `update_order` (timeline entry, re-matching of live orders)."""
        data = {name: form.cleaned_data[name] for name in Order.INPUTS if name in form.cleaned_data}
        try:
            services.update_order(Order.objects.get(pk=obj.pk), by=request.user, data=data)
        except WorkflowError as exc:
            self.message_user(request, str(exc), messages.ERROR)


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin):
    """时间线 (read-only)."""

    list_display = ("created_at", "order", "kind", "from_state", "to_state", "actor", "organization")
    list_filter = ("kind",)
    search_fields = ("order__title", "note")
    list_select_related = ("order", "actor", "organization")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """响应 (read-only; counties decide on the site)."""

    list_display = ("order", "provider_org", "state", "amount_yuan", "created_at")
    list_filter = ("state", "reason_category")
    search_fields = ("order__title", "provider_org__name", "proposal")
    list_select_related = ("order", "provider_org")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    """匹配结果 (written by the matching task)."""

    list_display = ("order", "rank", "resource_type", "resource_name", "score", "provider_org")
    list_filter = ("resource_type",)
    search_fields = ("order__title", "resource_name")
    list_select_related = ("order", "provider_org")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """附件 (metadata only; files are downloaded through the checked view)."""

    list_display = ("original_name", "order", "content_type", "size", "uploaded_by", "created_at")
    search_fields = ("original_name", "order__title")
    list_select_related = ("order", "uploaded_by")
    readonly_fields = ("order", "response", "file", "original_name", "content_type", "size", "uploaded_by")

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """站内消息."""

    list_display = ("created_at", "recipient", "kind", "title", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__username")
    list_select_related = ("recipient",)


admin.site.register(Outcome)
admin.site.register(Invitation)
admin.site.register(NotificationPreference)
admin.site.register(Subscription)
