"""Counts of docking events for the dashboards and the monthly report: events, meetings and outcomes per county,
chain and organizer. Read-only; every count starts from the events the viewer may see (`visible_to`).

A meeting belongs to the county of the order it is about, else to the county government taking part in it; to
the chain of its order (meetings without an order have no chain); and to its event's organizer. A meeting counts
as an agreement when either side recorded one; its amount is the larger of the two sides' figures.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from events.choices import EventState, MeetingState, OutcomeResult
from events.models import Event, Meeting, MeetingOutcome

COUNTED_EVENT_STATES = (EventState.PUBLISHED, EventState.FINISHED)


@dataclass
class Row:
    """One line of a table: events, meetings held, agreements, amount."""

    name: str
    events: int = 0
    meetings: int = 0
    agreements: int = 0
    amount_yuan: int = 0
    event_ids: set = field(default_factory=set)


@dataclass
class EventStats:
    """The three tables and the totals."""

    by_county: list[Row]
    by_chain: list[Row]
    by_organizer: list[Row]
    events: int
    meetings: int
    agreements: int
    amount_yuan: int

    COLUMNS = ("name", "events", "meetings", "agreements", "amount_yuan")

    @staticmethod
    def labels() -> list[str]:
        """Column headings."""
        return [_("名称"), _("对接活动"), _("已举行洽谈"), _("签约洽谈"), _("签约金额（元）")]

    def tables(self) -> list[tuple[str, list[Row]]]:
        """(title, rows) of the three tables."""
        return [
            (_("对接活动 · 按县域"), self.by_county),
            (_("对接活动 · 按产业链"), self.by_chain),
            (_("对接活动 · 按主办方"), self.by_organizer),
        ]


def collect(
    user,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    prefecture_id: int | None = None,
    county_id: int | None = None,
) -> EventStats:
    """Counts over the published and finished events the user may see that start in [start, end), limited to a
    prefecture or county when given (four queries)."""
    event_rows, target_rows, meetings, agreement, amount = _load(user, start, end)
    targets = defaultdict(set)  # event -> county names it targets
    for pk, name, county, pref in target_rows:
        if _in_area(pref, county, prefecture_id, county_id):
            targets[pk].add(name)

    by_county, by_chain, by_organizer = {}, {}, {}
    counted_events = set()
    for pk, row in event_rows.items():
        if (county_id is not None or prefecture_id is not None) and not targets.get(pk):
            continue
        counted_events.add(pk)
        _add_event(by_organizer, row["organizer__name"], pk)
        for name in targets.get(pk, ()):
            _add_event(by_county, name, pk)
    totals = {"meetings": 0, "agreements": 0, "amount": 0}
    for m in meetings:
        county, county_pk, pref = _meeting_county(m)
        if (county_id is not None or prefecture_id is not None) and not _in_area(
            pref, county_pk, prefecture_id, county_id
        ):
            continue
        signed = m["pk"] in agreement
        value = amount.get(m["pk"], 0) if signed else 0
        keys = [(by_organizer, event_rows[m["event_id"]]["organizer__name"])]
        if county:
            keys.append((by_county, county))
        if m["order__chain__name"]:
            keys.append((by_chain, m["order__chain__name"]))
        for table, name in keys:
            _add_meeting(table, name, m["event_id"], signed, value)
        totals["meetings"] += 1
        totals["agreements"] += signed
        totals["amount"] += value
        counted_events.add(m["event_id"])

    def ordered(table):
        for row in table.values():
            row.events = len(row.event_ids)
        return sorted(table.values(), key=lambda r: (-r.meetings, -r.events, r.name))

    return EventStats(
        by_county=ordered(by_county),
        by_chain=ordered(by_chain),
        by_organizer=ordered(by_organizer),
        events=len(counted_events),
        meetings=totals["meetings"],
        agreements=totals["agreements"],
        amount_yuan=totals["amount"],
    )


def _load(user, start, end):
    """The rows both tables read (four queries): the counted events the user may see that start in [start, end),
    the counties they target, their held meetings, and the meetings signed and their amounts."""
    events = Event.objects.visible_to(user).filter(state__in=COUNTED_EVENT_STATES)
    if start is not None:
        events = events.filter(starts_at__gte=start)
    if end is not None:
        events = events.filter(starts_at__lt=end)
    event_rows = {e["pk"]: e for e in events.values("pk", "organizer__name")}
    target_rows = list(
        Event.counties.through.objects.filter(event_id__in=event_rows).values_list(
            "event_id", "county__name", "county_id", "county__prefecture_id"
        )
    )
    meetings = list(
        Meeting.objects.filter(event_id__in=event_rows, state=MeetingState.HELD).values(
            "pk",
            "event_id",
            "order__county__name",
            "order__county_id",
            "order__county__prefecture_id",
            "order__chain__name",
            "requester__organization__county__name",
            "requester__organization__county_id",
            "requester__organization__county__prefecture_id",
            "invitee__organization__county__name",
            "invitee__organization__county_id",
            "invitee__organization__county__prefecture_id",
        )
    )
    outcome_rows = MeetingOutcome.objects.filter(meeting__event_id__in=event_rows).values_list(
        "meeting_id", "result", "amount_yuan"
    )
    agreement, amount = set(), defaultdict(int)
    for meeting_id, result, value in outcome_rows:
        if result == OutcomeResult.AGREEMENT:
            agreement.add(meeting_id)
        amount[meeting_id] = max(amount[meeting_id], value or 0)
    return event_rows, target_rows, meetings, agreement, amount


@dataclass
class CountyFigures:
    """One county's docking events (their ids, so that a group of counties counts an event once), held meetings,
    agreements and signed amount."""

    event_ids: set = field(default_factory=set)
    meetings: int = 0
    agreements: int = 0
    amount_yuan: int = 0


def by_county_id(
    user, *, start: datetime | None = None, end: datetime | None = None
) -> dict[int, CountyFigures]:
    """Per county id, with the county table's rules (see the module's note): the events that target the county or
    hold one of its meetings, and its held meetings, agreements and amount (four queries)."""
    _events, target_rows, meetings, agreement, amount = _load(user, start, end)
    out: dict[int, CountyFigures] = defaultdict(CountyFigures)
    for event_id, _name, county_id, _pref in target_rows:
        out[county_id].event_ids.add(event_id)
    for m in meetings:
        _name, county_id, _pref = _meeting_county(m)
        if county_id is None:
            continue
        signed = m["pk"] in agreement
        into = out[county_id]
        into.event_ids.add(m["event_id"])
        into.meetings += 1
        into.agreements += signed
        into.amount_yuan += amount.get(m["pk"], 0) if signed else 0
    return dict(out)


def combine(figures: dict[int, CountyFigures], county_ids) -> Row:
    """The figures of a group of counties (an event that reaches several of them counts once)."""
    row = Row("")
    for county_id in county_ids:
        one = figures.get(county_id)
        if one is None:
            continue
        row.event_ids |= one.event_ids
        row.meetings += one.meetings
        row.agreements += one.agreements
        row.amount_yuan += one.amount_yuan
    row.events = len(row.event_ids)
    return row


def _in_area(prefecture, county, prefecture_id, county_id) -> bool:
    if county_id is not None:
        return county == county_id
    if prefecture_id is not None:
        return prefecture == prefecture_id
    return True


def _meeting_county(m) -> tuple[str | None, int | None, int | None]:
    for prefix in ("order__county", "requester__organization__county", "invitee__organization__county"):
        if m[f"{prefix}_id"]:
            return m[f"{prefix}__name"], m[f"{prefix}_id"], m[f"{prefix}__prefecture_id"]
    return None, None, None


def _row(table, name) -> Row:
    if name not in table:
        table[name] = Row(name)
    return table[name]


def _add_event(table, name, event_id) -> None:
    _row(table, name).event_ids.add(event_id)


def _add_meeting(table, name, event_id, signed: bool, value: int) -> None:
    row = _row(table, name)
    row.event_ids.add(event_id)
    row.meetings += 1
    row.agreements += signed
    row.amount_yuan += value
