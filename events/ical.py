"""Personal agendas as iCalendar files (RFC 5545, written with the `icalendar` package)."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from events.choices import MeetingState
from events.models import Meeting


def agenda_meetings(event, user, read):
    """The scheduled (or held) meetings a viewer's agenda shows: all for the organizer, else its own."""
    meetings = Meeting.objects.visible_to(user).filter(
        event=event, state__in=[MeetingState.SCHEDULED, MeetingState.HELD], slot__isnull=False
    )
    if read.manage and not read.is_admin:
        meetings = meetings.filter(event__organizer_id=read.org_id)
    return meetings.with_list_relations().order_by("slot", "table")


def _uid(kind: str, pk: int) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    return f"{kind}-{pk}@{host}"


def build(event, meetings, readable_orders=frozenset()) -> bytes:
    """One VCALENDAR: the event itself and one VEVENT per meeting (where, which table, with whom)."""
    cal = Calendar()
    cal.add("prodid", "-//silian//events//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", event.title)
    now = timezone.now()
    item = VEvent()
    item.add("uid", _uid("event", event.pk))
    item.add("dtstamp", now)
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title)
    item.add("location", event.place or event.online_url)
    item.add("description", event.agenda)
    item.add("url", settings.SITE_URL + event.get_absolute_url())
    cal.add_component(item)
    for meeting in meetings:
        item = VEvent()
        item.add("uid", _uid("meeting", meeting.pk))
        item.add("dtstamp", now)
        item.add("dtstart", meeting.starts_at)
        item.add("dtend", meeting.ends_at)
        sides = f"{meeting.requester.organization.name} ↔ {meeting.invitee.organization.name}"
        item.add("summary", _("洽谈：%(s)s") % {"s": sides})
        item.add("location", (event.place + " " + _("%(n)s 号桌") % {"n": meeting.table_label}).strip())
        about = meeting.order.title if meeting.order_id in readable_orders else ""
        item.add("description", "\n".join(t for t in (about, meeting.message) if t))
        cal.add_component(item)
    return cal.to_ical()
