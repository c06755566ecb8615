"""The only functions that change events, registrations, meetings and outcomes. Each validates (via
`events.workflow`), writes its EventLog row in the same transaction and tells the parties after commit. They raise
only `WorkflowError`. An order is moved only through `matchmaking.services` (respond, accept, resolve).

One module per concern (`common`, `events`, `registrations`, `meetings`, `outcomes`); everything public is importable from `events.services`."""

from events.services.common import (
    EVENT_INPUTS,
    EVENT_TARGETS,
    ORGANIZER_KINDS,
    PARTICIPANT_KINDS,
    WorkflowError,  # the one error the services raise
    log,
    org_members,
    tell,
)
from events.services.events import (
    approve_event,
    cancel_event,
    create_event,
    finish_event,
    finish_past_events,
    publish_event,
    return_event,
    submit_event,
    update_event,
)
from events.services.meetings import (
    accept_meeting,
    cancel_meeting,
    decline_meeting,
    hold_meeting,
    models_q_pair,
    request_meeting,
    schedule_event,
    scheduling_problem,
)
from events.services.outcomes import (
    REMINDER_LEAD,
    record_outcome,
    send_due_reminders,
)
from events.services.registrations import (
    approve_registration,
    cancel_registration,
    check_in,
    decline_registration,
    invite,
    models_q_side,
    register,
    set_availability,
)

__all__ = [
    "EVENT_INPUTS",
    "EVENT_TARGETS",
    "ORGANIZER_KINDS",
    "PARTICIPANT_KINDS",
    "REMINDER_LEAD",
    "WorkflowError",
    "accept_meeting",
    "approve_event",
    "approve_registration",
    "cancel_event",
    "cancel_meeting",
    "cancel_registration",
    "check_in",
    "create_event",
    "decline_meeting",
    "decline_registration",
    "finish_event",
    "finish_past_events",
    "hold_meeting",
    "invite",
    "log",
    "models_q_pair",
    "models_q_side",
    "org_members",
    "publish_event",
    "record_outcome",
    "register",
    "request_meeting",
    "return_event",
    "schedule_event",
    "scheduling_problem",
    "send_due_reminders",
    "set_availability",
    "submit_event",
    "tell",
    "update_event",
]
