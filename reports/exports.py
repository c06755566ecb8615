"""Order lists as XLSX, written during the request or, above `EXPORT_SYNC_MAX_ROWS` rows, by a background job.

Every export starts from `Order.objects.visible_to(user)`, so a file never holds more than its requester
may see. A background export is written by a Celery job (`reports.tasks.export_orders_job`) into
MEDIA_ROOT/exports/<uuid>.xlsx next to a small JSON record naming the requester; only that user can see the
job and download the file. What an order list shows of each order is the read policy's (`matchmaking.policy`):
no contact, note or handler columns at all, and the outcome columns only where the requester may read the outcome.
"""

import json
import logging
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from core import dispatch
from core.progress import Reporter
from matchmaking import policy
from matchmaking.choices import OrderKind, OrderState, OutcomeType
from matchmaking.filtersets import page_filterset
from matchmaking.models import Order
from reports.xlsx import XLSX_TYPE, header, safe

JOB_PENDING, JOB_DONE, JOB_FAILED = "pending", "done", "failed"

logger = logging.getLogger(__name__)


def sync_limit() -> int:
    """Largest order list written during the request; bigger ones go to a background job."""
    return int(getattr(settings, "EXPORT_SYNC_MAX_ROWS", 5000))


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
    """The user's visible orders narrowed by the order lists' filterset (the page's query parameters)."""
    orders = Order.objects.visible_to(user)
    filterset = page_filterset(params, orders)
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
    ws.append(header(ws, [label for _key, label in ORDER_COLUMNS]))
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
        dispatch.enqueue("reports.tasks.export_orders_job", job_id)
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
    path = _job_record(job_id)
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("state") == JOB_DONE and job_file(job_id).exists():
        return record
    user = get_user_model().objects.get(pk=record["user_id"])
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
