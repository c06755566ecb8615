"""The event report (registrations, attendance, meetings held, agreements, amounts, orders moved), on the page
and as XLSX (openpyxl). Read-only; the organizer's (see `events.policy`)."""

from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.xlsx import safe, xlsx_response
from events.choices import MeetingState, OutcomeResult, RegistrationState
from events.models import Meeting, MeetingOutcome


def download(book, name: str) -> FileResponse:
    """The workbook as a download named `name-YYYYMMDD.xlsx` (the platform's one XLSX download helper)."""
    return xlsx_response(book, name)


@dataclass
class EventReport:
    """The figures of one event."""

    registrations: int
    attendance: int
    meetings_requested: int
    meetings_scheduled: int
    meetings_held: int
    agreements: int
    amount_yuan: int
    orders_moved: int

    def rows(self) -> list[tuple[str, int]]:
        """(label, value) pairs in the order the page and the sheet show them."""
        return [
            (_("报名单位"), self.registrations),
            (_("签到单位"), self.attendance),
            (_("洽谈申请"), self.meetings_requested),
            (_("已排期洽谈"), self.meetings_scheduled),
            (_("已举行洽谈"), self.meetings_held),
            (_("签订协议的洽谈"), self.agreements),
            (_("意向/签约金额（元）"), self.amount_yuan),
            (_("推进的需求"), self.orders_moved),
        ]


def build(event) -> EventReport:
    """The event's figures in four queries. A meeting's amount is the larger of the two sides' figures (both
    sides usually record the same deal); a meeting counts as an agreement when either side recorded one."""
    regs = event.registrations.aggregate(
        registered=Count("pk", filter=Q(state=RegistrationState.APPROVED)),
        attended=Count("pk", filter=Q(state=RegistrationState.APPROVED, checked_in_at__isnull=False)),
    )
    meetings = Meeting.objects.filter(event=event).aggregate(
        requested=Count("pk"),
        scheduled=Count("pk", filter=Q(state__in=[MeetingState.SCHEDULED, MeetingState.HELD])),
        held=Count("pk", filter=Q(state=MeetingState.HELD)),
    )
    per_meeting = (
        MeetingOutcome.objects.filter(meeting__event=event)
        .values("meeting_id")
        .annotate(
            agreement=Count("pk", filter=Q(result=OutcomeResult.AGREEMENT)),
            amount=Max("amount_yuan"),
        )
    )
    agreements = sum(1 for row in per_meeting if row["agreement"])
    amount = sum(row["amount"] or 0 for row in per_meeting)
    moved = (
        MeetingOutcome.objects.filter(meeting__event=event)
        .exclude(order_step="")
        .values("meeting__order_id")
        .distinct()
        .count()
    )
    return EventReport(
        registrations=regs["registered"],
        attendance=regs["attended"],
        meetings_requested=meetings["requested"],
        meetings_scheduled=meetings["scheduled"],
        meetings_held=meetings["held"],
        agreements=agreements,
        amount_yuan=amount,
        orders_moved=moved,
    )


def workbook(event, report: EventReport, meetings, outcomes):
    """The report as a workbook: the figures, then one row per meeting with both sides' outcomes."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("活动报告")[:31]
    sheet.append([safe(event.title)])
    sheet.append([_("时间"), timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")])
    sheet.append([_("主办方"), safe(event.organizer.name)])
    sheet.append([])
    for label, value in report.rows():
        sheet.append([label, value])
    rows = book.create_sheet(_("洽谈")[:31])
    rows.append(
        [
            _("场次"),
            _("桌号"),
            _("申请方"),
            _("受邀方"),
            _("相关需求"),
            _("状态"),
            _("申请方结果"),
            _("受邀方结果"),
            _("金额（元）"),
        ]
    )
    by_meeting: dict[int, dict[int, MeetingOutcome]] = {}
    for outcome in outcomes:
        by_meeting.setdefault(outcome.meeting_id, {})[outcome.organization_id] = outcome
    for m in meetings:
        mine = by_meeting.get(m.pk, {})
        a = mine.get(m.requester.organization_id)
        b = mine.get(m.invitee.organization_id)
        amounts = [o.amount_yuan for o in (a, b) if o and o.amount_yuan is not None]
        rows.append(
            [
                safe(v) if isinstance(v, str) else v
                for v in (
                    m.slot_label,
                    m.table_label,
                    m.requester.organization.name,
                    m.invitee.organization.name,
                    m.order.title if m.order_id else "",
                    m.get_state_display(),
                    a.get_result_display() if a else "",
                    b.get_result_display() if b else "",
                    max(amounts) if amounts else None,
                )
            ]
        )
    return book
