"""月度对接情况报表: per prefecture and kind, within the user's scope, as a one-sheet workbook."""

from datetime import date, datetime, time

from django.db.models import Count, Q
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from core.formats import format_amount
from core.sums import SafeSum
from events.stats import EventStats, collect
from matchmaking.choices import OrderKind, OrderState, OutcomeType
from matchmaking.models import Order
from reports.access import report_prefectures
from reports.queries import FINANCED_TYPES, sla_due_q, sla_met_q
from reports.tables import percent
from reports.xlsx import header, safe, xlsx_response

MONTHLY_COLUMNS = (
    ("prefecture", gettext_lazy("设区市")),
    ("kind", gettext_lazy("需求类型")),
    ("placed", gettext_lazy("本月开单数")),
    ("taken", gettext_lazy("本月接单数")),
    ("resolved", gettext_lazy("本月解决数")),
    ("financed", gettext_lazy("本月融资金额（元）")),
    ("agreements", gettext_lazy("本月签订协议数")),
    ("sla_due", gettext_lazy("本月应接单数")),
    ("sla_met", gettext_lazy("按时接单数")),
    ("sla_share", gettext_lazy("按时接单率（%）")),
)


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(month.replace(day=1), time.min, tzinfo=tz)
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return start, datetime.combine(following, time.min, tzinfo=tz)


def monthly_rows(user, month: date, now: datetime | None = None) -> list[dict]:
    """月度对接情况报表 rows: per prefecture and kind (with a 合计 row per prefecture), within scope.

    placed = submitted in the month; taken = claimed in the month; resolved = resolved and finished in the
    month, with their financed amounts and agreements; service level over orders published in the month
    whose claim was due by the end of the month (or by now): claimed within the working-day limit.
    """
    now = now or timezone.now()
    start, end = _month_bounds(month)
    cutoff = min(end, now)
    in_month = {"gte": start, "lt": end}
    resolved_q = Q(state=OrderState.RESOLVED, finished_at__gte=start, finished_at__lt=end)
    published_q = Q(published_at__gte=start, published_at__lt=end)
    due_q = published_q & sla_due_q(cutoff)
    orders = Order.objects.visible_to(user).exclude(state=OrderState.DRAFT)
    grouped = (
        orders.order_by()
        .values("county__prefecture_id", "kind")
        .annotate(
            placed=Count("pk", filter=Q(submitted_at__gte=in_month["gte"], submitted_at__lt=in_month["lt"])),
            taken=Count("pk", filter=Q(claimed_at__gte=start, claimed_at__lt=end)),
            resolved=Count("pk", filter=resolved_q),
            financed=SafeSum(
                "outcome__amount_yuan", filter=resolved_q & Q(outcome__outcome_type__in=FINANCED_TYPES)
            ),
            agreements=Count("outcome", filter=resolved_q & Q(outcome__outcome_type=OutcomeType.AGREEMENT)),
            sla_due=Count("pk", filter=due_q),
            sla_met=Count("pk", filter=published_q & sla_met_q()),
        )
    )
    cells = {(r["county__prefecture_id"], r["kind"]): r for r in grouped}
    prefectures = report_prefectures(user)
    numbers = ("placed", "taken", "resolved", "financed", "agreements", "sla_due", "sla_met")
    rows = []
    for prefecture in prefectures:
        subtotal = dict.fromkeys(numbers, 0)
        for kind, label in OrderKind.choices:
            cell = cells.get((prefecture.pk, kind), {})
            row = {"prefecture": prefecture.name, "kind": str(label)}
            for key in numbers:
                row[key] = cell.get(key) or 0
                subtotal[key] += row[key]
            row["sla_share"] = percent(row["sla_met"], row["sla_due"])
            rows.append(row)
        rows.append(
            {
                "prefecture": prefecture.name,
                "kind": _("合计"),
                **subtotal,
                "sla_share": percent(subtotal["sla_met"], subtotal["sla_due"]),
            }
        )
    return rows


def monthly_table(user, month: date) -> dict:
    """The report as shown on screen: the month, the column headers and the rows with formatted cells."""
    rows = []
    for row in monthly_rows(user, month):
        cells = [row[key] for key, _label in MONTHLY_COLUMNS]
        cells[5] = format_amount(row["financed"]) if row["financed"] else "0"
        cells[9] = "—" if row["sla_share"] is None else f"{row['sla_share']:.1f}"
        rows.append({"cells": cells, "subtotal": row["kind"] == _("合计")})
    headers = [str(label) for _key, label in MONTHLY_COLUMNS]
    headers[5] = _("本月融资金额")  # cells carry their unit (元 or 万元)
    return {
        "month": month,
        "headers": headers,
        "rows": rows,
        "title": _("%(y)s年%(m)s月") % {"y": month.year, "m": month.month},
    }


def monthly_workbook(user, month: date) -> Workbook:
    """The monthly report as a one-sheet workbook titled with the month."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("%(y)s年%(m)s月") % {"y": month.year, "m": month.month})
    ws.append([safe(_("月度对接情况报表（%(y)s年%(m)s月）") % {"y": month.year, "m": month.month})])
    ws.append(header(ws, [label for _key, label in MONTHLY_COLUMNS]))
    for row in monthly_rows(user, month):
        ws.append([safe(row[key]) for key, _label in MONTHLY_COLUMNS])
    events_sheet(wb, user, *_month_bounds(month))
    return wb


def events_sheet(wb: Workbook, user, start: datetime, end: datetime) -> None:
    """The sheet of docking events (events, held meetings, agreements, amounts per county, chain and organizer),
    counted by `events.stats` over the events the user may see that start in the month."""
    stats = collect(user, start=start, end=end)
    ws = wb.create_sheet(_("对接活动"))
    ws.append(
        [
            safe(
                _("对接活动：%(e)s 场活动，%(m)s 场已举行洽谈，%(a)s 场签约")
                % {"e": stats.events, "m": stats.meetings, "a": stats.agreements}
            )
        ]
    )
    for title, rows in stats.tables():
        ws.append([])
        ws.append([safe(title)])
        ws.append(EventStats.labels())
        for row in rows:
            ws.append([safe(row.name), row.events, row.meetings, row.agreements, row.amount_yuan])


def monthly_report_response(user, month: date) -> FileResponse:
    """The monthly report as a download."""
    return xlsx_response(monthly_workbook(user, month), f"{_('月度对接情况报表')}-{month:%Y%m}", dated=False)
