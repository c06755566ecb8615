"""XLSX exports with Chinese headers: order lists, dashboard tables and the monthly report.

Every export starts from `Order.objects.visible_to(user)`, so a file never holds more than its requester
may see. Workbooks are written in openpyxl's write-only mode (rows streamed to disk, constant memory).
Order lists above `EXPORT_SYNC_MAX_ROWS` rows are written by a Celery job into MEDIA_ROOT/exports/<uuid>.xlsx
next to a small JSON record naming the requester; only that user can see the job and download the file.
Text cells that a spreadsheet would read as a formula (= + - @, tab, CR) are prefixed with a quote.
What an order list shows of each order is the read policy's (`matchmaking.policy`): no contact, note or
handler columns at all, and the outcome columns only where the requester may read the outcome.
"""

import json
import logging
import tempfile
import uuid
from datetime import date, datetime, time
from pathlib import Path

from django import forms
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from chains.models import Prefecture
from matchmaking import policy
from matchmaking.choices import OrderKind, OrderState, OutcomeType
from matchmaking.dashboards import (
    FINANCED_TYPES,
    Dashboard,
    Table,
    percent,
    sla_due_q,
    sla_met_q,
)
from matchmaking.models import Order

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31
JOB_PENDING, JOB_DONE, JOB_FAILED = "pending", "done", "failed"

logger = logging.getLogger(__name__)


def sync_limit() -> int:
    """Largest order list written during the request; bigger ones go to a background job."""
    return int(getattr(settings, "EXPORT_SYNC_MAX_ROWS", 5000))


def safe(value):
    """A cell value that no spreadsheet will evaluate: text starting like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def _sheet_title(title: str, used: set[str]) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:SHEET_TITLE_MAX] or "Sheet"
    candidate, n = cleaned, 2
    while candidate in used:
        suffix = f"({n})"
        candidate = cleaned[: SHEET_TITLE_MAX - len(suffix)] + suffix
        n += 1
    used.add(candidate)
    return candidate


def _header(ws, labels) -> list:
    cells = []
    for label in labels:
        cell = WriteOnlyCell(ws, value=safe(str(label)))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def write_table(wb: Workbook, table: Table, used: set[str]) -> None:
    """One dashboard section as a sheet: Chinese headers, raw numbers (percentages as numbers 0-100)."""
    ws = wb.create_sheet(_sheet_title(table.title, used))
    ws.append(_header(ws, [c.label for c in table.columns]))
    for row in table.rows:
        ws.append([safe(row.get(c.key)) for c in table.columns])
    if table.note:
        ws.append([])
        ws.append([safe(table.note)])


def tables_workbook(tables: list[Table]) -> Workbook:
    """A write-only workbook with one sheet per table."""
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        write_table(wb, table, used)
    return wb


TOTAL_LABELS = {
    "total": gettext_lazy("需求数（不含草稿）"),
    "open": gettext_lazy("进行中"),
    "resolved": gettext_lazy("已解决"),
    "resolved_share": gettext_lazy("解决率（%）"),
    "median_claim_days": gettext_lazy("接单用时中位数（天）"),
    "median_resolve_days": gettext_lazy("解决用时中位数（天）"),
    "sla_share": gettext_lazy("按时接单率（%）"),
    "financed": gettext_lazy("融资金额（元）"),
    "agreements": gettext_lazy("签订协议数"),
}


def dashboard_workbook(board: Dashboard) -> Workbook:
    """A dashboard as XLSX: an overview sheet with the headline figures, then one sheet per section."""
    wb = Workbook(write_only=True)
    used: set[str] = set()
    ws = wb.create_sheet(_sheet_title(_("概览"), used))
    ws.append(_header(ws, [_("指标"), _("数值")]))
    ws.append([safe(_("看板")), safe(board.level.title)])
    ws.append([safe(_("导出时间")), safe(timezone.localtime().strftime("%Y-%m-%d %H:%M"))])
    for key, label in TOTAL_LABELS.items():
        ws.append([safe(str(label)), safe(board.totals.get(key))])
    for table in board.tables:
        write_table(wb, table, used)
    return wb


def xlsx_response(wb: Workbook, name: str, dated: bool = True) -> FileResponse:
    """Save the workbook to a temporary file and stream it as a download named `name-YYYYMMDD.xlsx`."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    wb.save(handle)
    handle.seek(0)
    filename = f"{name}-{timezone.localdate():%Y%m%d}.xlsx" if dated else f"{name}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


# --- order lists ----------------------------------------------------------------------------------

ORDER_COLUMNS = (
    ("pk", gettext_lazy("编号")),
    ("title", gettext_lazy("标题")),
    ("kind", gettext_lazy("需求类型")),
    ("state", gettext_lazy("状态")),
    ("county__prefecture__name", gettext_lazy("设区市")),
    ("county__name", gettext_lazy("开单县域")),
    ("chain__name", gettext_lazy("县域重点产业链")),
    ("link__name", gettext_lazy("产业链环节")),
    ("amount_yuan", gettext_lazy("金额（元）")),
    ("claimed_by_body__short_name", gettext_lazy("接单部门")),
    ("created_at", gettext_lazy("创建时间")),
    ("submitted_at", gettext_lazy("提交时间")),
    ("published_at", gettext_lazy("发布时间")),
    ("claimed_at", gettext_lazy("接单时间")),
    ("finished_at", gettext_lazy("办结时间")),
    ("due_date", gettext_lazy("期望完成日期")),
    ("outcome__outcome_type", gettext_lazy("成果类型")),
    ("outcome__amount_yuan", gettext_lazy("成果金额（元）")),
    ("is_sample", gettext_lazy("示例")),
)
OUTCOME_COLUMNS = ("outcome__outcome_type", "outcome__amount_yuan")
CHOICE_LABELS = {
    "kind": dict(OrderKind.choices),
    "state": dict(OrderState.choices),
    "outcome__outcome_type": dict(OutcomeType.choices),
}


def filtered_orders_for(user, params: QueryDict):
    """The user's visible orders narrowed by the order lists' own FilterSet (same query parameters)."""
    from matchmaking.filters import OrderFilter

    orders = Order.objects.visible_to(user)
    filterset = OrderFilter(params, queryset=orders, request=None)
    return filterset.qs if filterset.is_valid() else orders.none()


def filtered_orders(request):
    """`filtered_orders_for` with the request's user and query string."""
    return filtered_orders_for(request.user, request.GET)


def write_orders(orders, handle, viewer, progress=None) -> int:
    """Write the orders to `handle` as XLSX, streaming rows from the database; return the row count.
    `viewer` (the requester) decides, through the read policy, whose outcome columns are filled in;
    `progress(rows_written)` is called as the rows go out (background jobs show a progress bar)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("需求清单"))
    ws.append(_header(ws, [label for _key, label in ORDER_COLUMNS]))
    keys = [key for key, _label in ORDER_COLUMNS]
    yes, no = _("是"), _("否")
    outcome_ids = policy.outcome_order_ids(viewer)  # None: every outcome
    pk_index = keys.index("pk")
    count = 0
    rows = orders.order_by("-created_at", "-pk").values_list(*keys)
    for values in rows.iterator(chunk_size=2000):
        out = []
        hide_outcome = outcome_ids is not None and values[pk_index] not in outcome_ids
        for key, value in zip(keys, values, strict=True):
            if hide_outcome and key in OUTCOME_COLUMNS:
                value = None
            elif key in CHOICE_LABELS and value:
                value = str(CHOICE_LABELS[key].get(value, value))
            elif key == "is_sample":
                value = yes if value else no
            out.append(safe(value))
        ws.append(out)
        count += 1
        if progress is not None and count % 200 == 0:
            progress(count)
    wb.save(handle)
    return count


def orders_workbook_response(orders, name: str, viewer) -> FileResponse:
    """An order list as an XLSX download for `viewer`."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_orders(orders, handle, viewer)
    handle.seek(0)
    filename = f"{name}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


# --- background jobs ------------------------------------------------------------------------------


def exports_dir() -> Path:
    """Where background exports are written (created on demand)."""
    path = Path(settings.MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_file(job_id) -> Path:
    """The XLSX file of a job."""
    return exports_dir() / f"{uuid.UUID(str(job_id))}.xlsx"


def _job_record(job_id) -> Path:
    return exports_dir() / f"{uuid.UUID(str(job_id))}.json"


def _write_record(job_id, record: dict) -> None:
    tmp = _job_record(job_id).with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    tmp.replace(_job_record(job_id))


def start_order_export(user, query: str) -> str:
    """Record a background export of the user's filtered orders and enqueue it; return the job id."""
    from matchmaking.tasks.exports import export_orders_job

    job_id = str(uuid.uuid4())
    _write_record(
        job_id,
        {
            "user_id": user.pk,
            "query": query,
            "state": JOB_PENDING,
            "created_at": timezone.now().isoformat(),
            "filename": f"{_('需求清单')}-{timezone.localdate():%Y%m%d}.xlsx",
        },
    )
    try:
        export_orders_job.delay(job_id)
    except (
        Exception
    ) as exc:  # the broker is unreachable: say so on the job's page instead of failing the request
        logger.exception("could not enqueue export %s", job_id)
        fail_order_export(job_id, _("后台任务服务暂时不可用，请稍后重试。") + f" ({exc.__class__.__name__})")
    return job_id


def load_job(job_id, user) -> dict:
    """The job record, or 404 when it does not exist or belongs to someone else."""
    path = _job_record(job_id)
    if not path.exists():
        raise Http404
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("user_id") != getattr(user, "pk", None):
        raise Http404
    return record


def run_order_export(job_id: str) -> dict:
    """Write a recorded export (idempotent: a finished job is left as it is); return the record."""
    from accounts.models import User
    from ops.progress import Reporter

    path = _job_record(job_id)
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("state") == JOB_DONE and job_file(job_id).exists():
        return record
    user = User.objects.get(pk=record["user_id"])
    orders = filtered_orders_for(user, QueryDict(record.get("query", "")))
    reporter = Reporter(job_id, orders.count())
    tmp = job_file(job_id).with_suffix(".xlsx.tmp")
    with tmp.open("wb") as handle:
        record["rows"] = write_orders(orders, handle, user, progress=reporter)
    tmp.replace(job_file(job_id))
    reporter.finish()
    record["state"] = JOB_DONE
    record["finished_at"] = timezone.now().isoformat()
    _write_record(job_id, record)
    return record


def fail_order_export(job_id: str, message: str) -> None:
    """Mark a job failed (after its last retry) so its page stops waiting."""
    path = _job_record(job_id)
    if path.exists():
        record = json.loads(path.read_text(encoding="utf-8"))
        record.update(state=JOB_FAILED, error=message[:500])
        _write_record(job_id, record)


# --- monthly report -------------------------------------------------------------------------------


class MonthlyReportForm(forms.Form):
    """Which month to report (YYYY-MM)."""

    month = forms.CharField(
        label=gettext_lazy("月份"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-06"}),
        error_messages={"required": gettext_lazy("请选择月份。")},
    )

    def clean_month(self) -> date:
        """Parse YYYY-MM into the month's first day."""
        value = self.cleaned_data["month"].strip()
        try:
            parsed = datetime.strptime(value, "%Y-%m").date()
        except ValueError as exc:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM，例如 2025-06。")) from exc
        if not 2000 <= parsed.year <= 2100:
            raise forms.ValidationError(_("月份超出范围。"))
        return parsed


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
            financed=Sum(
                "outcome__amount_yuan", filter=resolved_q & Q(outcome__outcome_type__in=FINANCED_TYPES)
            ),
            agreements=Count("outcome", filter=resolved_q & Q(outcome__outcome_type=OutcomeType.AGREEMENT)),
            sla_due=Count("pk", filter=due_q),
            sla_met=Count("pk", filter=published_q & sla_met_q()),
        )
    )
    cells = {(r["county__prefecture_id"], r["kind"]): r for r in grouped}
    prefectures = Prefecture.objects.all()
    from accounts.scoping import Scope

    scope = Scope.for_user(user)
    if not scope.is_admin and not scope.is_body:
        prefectures = prefectures.filter(pk=scope.prefecture_id)
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


def monthly_workbook(user, month: date) -> Workbook:
    """The monthly report as a one-sheet workbook titled with the month."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("%(y)s年%(m)s月") % {"y": month.year, "m": month.month})
    ws.append([safe(_("月度对接情况报表（%(y)s年%(m)s月）") % {"y": month.year, "m": month.month})])
    ws.append(_header(ws, [label for _key, label in MONTHLY_COLUMNS]))
    for row in monthly_rows(user, month):
        ws.append([safe(row[key]) for key, _label in MONTHLY_COLUMNS])
    return wb


def monthly_report_response(user, month: date) -> FileResponse:
    """The monthly report as a download."""
    return xlsx_response(monthly_workbook(user, month), f"{_('月度对接情况报表')}-{month:%Y%m}", dated=False)
