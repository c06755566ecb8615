"""The read policy of events: what a viewer may read of an event, registration or meeting it can see.

`visible_to(user)` decides whether a row exists for a user (404 outside). For rows the user can see, this module
decides which parts it may read; pages, the API, the calendar files and the XLSX report all ask it:

| part                                            | organizer, administrator | participant                               |
| ----------------------------------------------- | ------------------------ | ----------------------------------------- |
| event content, agenda, slots                    | yes                      | yes                                       |
| state note (return / cancel reason)             | yes                      | the cancel reason only                     |
| proposed invitees (matching), invitations, log  | yes                      | no                                        |
| registrations                                   | all, with contact phone  | approved ones, contact only of its own    |
| check-in code (QR)                              | no (it scans them)       | its own registration's only               |
| meetings                                        | all                      | its own                                   |
| meeting outcomes (result, amount, note)         | both sides'              | its own side's only                       |
| event report (registrations … orders moved)     | yes                      | no                                        |
"""

from dataclasses import dataclass

from accounts.scoping import Scope
from events.choices import EventState
from events.models import MeetingOutcome
from matchmaking.models import Order


@dataclass(frozen=True)
class EventReadPolicy:
    """What one viewer may read of one event."""

    manage: bool
    org_id: int | None
    is_admin: bool

    def state_note(self, event) -> str:
        """Return and cancel reasons: the organizer's; participants read why an event was cancelled."""
        if self.manage or event.state == EventState.CANCELLED:
            return event.state_note
        return ""

    def contact_of(self, registration) -> str:
        """A registration's contact phone: for the organizer and the organization itself."""
        if self.manage or registration.organization_id == self.org_id:
            return registration.contact_phone
        return ""

    def checkin_token_of(self, registration):
        """The check-in code: only the registered organization holds it (and shows it as a QR code)."""
        return registration.checkin_token if registration.organization_id == self.org_id else None

    def outcomes(self, meeting_ids):
        """The outcomes of these meetings the viewer may read: both sides' for the organizer, else its own."""
        qs = MeetingOutcome.objects.filter(meeting_id__in=meeting_ids)
        return qs if self.manage else qs.filter(organization_id=self.org_id)

    @property
    def proposals(self) -> bool:
        """Proposed invitees, invitations, the log and the report are the organizer's."""
        return self.manage


def for_event(user, event) -> EventReadPolicy:
    """What `user` may read of `event` (no query)."""
    scope = Scope.for_user(user)
    manage = scope.active and (
        scope.is_admin or (scope.org_id is not None and scope.org_id == event.organizer_id)
    )
    return EventReadPolicy(manage=bool(manage), org_id=scope.org_id, is_admin=scope.is_admin)


def readable_orders(user, meetings) -> set[int]:
    """Of the orders these meetings are about, those the viewer may see (their titles are shown; one query)."""
    ids = {m.order_id for m in meetings if m.order_id}
    if not ids:
        return set()
    return set(Order.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
