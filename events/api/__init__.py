"""Events API: events and their state actions, proposed invitees, registrations, meetings, the scheduler, outcomes
and calendar files. Thin like the orders API: objects come through `visible_to` (404 outside), changes through
`events.services`, what a viewer reads through `events.policy`; errors in the one error shape.

One module per concern (`common`, `serializers`, `viewsets`); everything public is importable from `events.api`."""

from events.api.common import (
    MAX_AMOUNT,
    call,
)
from events.api.serializers import (
    DockingEventSerializer,
    EventInvitationSerializer,
    EventNoteSerializer,
    EventReasonSerializer,
    EventWriteSerializer,
    FileNegotiation,
    InviteSerializer,
    MeetingOutcomeSerializer,
    MeetingRequestSerializer,
    MeetingSerializer,
    MeetingSlotSerializer,
    OutcomeInputSerializer,
    ProposedInviteeSerializer,
    ProposedOrderSerializer,
    RegisterSerializer,
    RegistrationSerializer,
    ScheduleRunSerializer,
)
from events.api.viewsets import (
    EventViewSet,
    MeetingViewSet,
    RegistrationViewSet,
    register_routes,
)

__all__ = [
    "MAX_AMOUNT",
    "DockingEventSerializer",
    "EventInvitationSerializer",
    "EventNoteSerializer",
    "EventReasonSerializer",
    "EventViewSet",
    "EventWriteSerializer",
    "FileNegotiation",
    "InviteSerializer",
    "MeetingOutcomeSerializer",
    "MeetingRequestSerializer",
    "MeetingSerializer",
    "MeetingSlotSerializer",
    "MeetingViewSet",
    "OutcomeInputSerializer",
    "ProposedInviteeSerializer",
    "ProposedOrderSerializer",
    "RegisterSerializer",
    "RegistrationSerializer",
    "RegistrationViewSet",
    "ScheduleRunSerializer",
    "call",
    "register_routes",
]
