"""Event pages (thin): parse input, call a service or the read policy, render. Objects come only through
`visible_to` (404 outside); actions a viewer may not take are 404 too.

One module per concern (`common`, `lists`, `detail`, `registrations`, `meetings`, `onsite`); everything public is importable from `events.views`."""

from events.views.common import (
    MEETING_ACTIONS,
    PAGE_SIZE,
    REASON_ACTIONS,
    SIMPLE_ACTIONS,
)
from events.views.detail import (
    event_action,
    event_detail,
)
from events.views.lists import (
    event_create,
    event_edit,
    event_list,
)
from events.views.meetings import (
    meeting_action,
    meeting_request,
    outcome,
)
from events.views.onsite import (
    agenda,
    agenda_ics,
    board,
    checkin,
    checkin_scan,
    event_report,
    qr,
)
from events.views.registrations import (
    availability,
    invitees,
    manage,
    register,
    registration_action,
    schedule,
)

__all__ = [
    "MEETING_ACTIONS",
    "PAGE_SIZE",
    "REASON_ACTIONS",
    "SIMPLE_ACTIONS",
    "agenda",
    "agenda_ics",
    "availability",
    "board",
    "checkin",
    "checkin_scan",
    "event_action",
    "event_create",
    "event_detail",
    "event_edit",
    "event_list",
    "event_report",
    "invitees",
    "manage",
    "meeting_action",
    "meeting_request",
    "outcome",
    "qr",
    "register",
    "registration_action",
    "schedule",
]
