"""Django admin for events (read-mostly: state changes go through the services and the pages)."""

from django.contrib import admin

from events.models import Event, EventInvitation, EventLog, Meeting, MeetingOutcome, Registration


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Events with their state and organizer."""

    list_display = ("title", "kind", "state", "organizer", "starts_at", "is_sample")
    list_filter = ("state", "kind", "is_sample")
    search_fields = ("title", "organizer__name")
    readonly_fields = ("state", "submitted_at", "approved_at", "published_at", "scheduled_at")


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Registrations per event."""

    list_display = ("event", "organization", "state", "invited", "checked_in_at")
    list_filter = ("state",)
    readonly_fields = ("state", "checkin_token", "checked_in_at")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """1:1 meetings and their placement."""

    list_display = ("event", "requester", "invitee", "state", "slot", "table")
    list_filter = ("state",)
    readonly_fields = ("state", "slot", "table")


@admin.register(MeetingOutcome)
class MeetingOutcomeAdmin(admin.ModelAdmin):
    """Outcomes recorded by the sides."""

    list_display = ("meeting", "organization", "result", "amount_yuan", "order_step")
    list_filter = ("result", "order_step")


@admin.register(EventInvitation)
class EventInvitationAdmin(admin.ModelAdmin):
    """Invitations sent by organizers."""

    list_display = ("event", "organization", "score", "created_at")


@admin.register(EventLog)
class EventLogAdmin(admin.ModelAdmin):
    """The append-only event log (read-only)."""

    list_display = ("event", "kind", "actor", "created_at")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
