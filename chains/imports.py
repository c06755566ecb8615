"""Catalog imports in the background: large spreadsheets from the admin's Import button run as a Celery job.

A file of more than IMPORT_SYNC_MAX_ROWS rows is saved to MEDIA_ROOT/imports/<uuid>.<ext> beside a JSON
record naming the administrator who sent it; `import_catalog_job` imports it with the same importer and the
same rule as the command and the admin (`chains.services.import_dataset`: any bad row and nothing is
imported), reporting its progress row by row, and stores the result: counts and every rejected line with its
reason. Only the sender sees the job's page. Smaller files keep the admin's usual preview-and-confirm steps.
"""

import json
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chains.resources import IMPORT_KINDS
from chains.services import SpreadsheetError, import_dataset, read_dataset
from core.dispatch import enqueue
from core.progress import Reporter

logger = logging.getLogger(__name__)

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"


def imports_dir() -> Path:
    """Where uploaded files and job records wait (created on demand; MEDIA_ROOT is shared by the hosts)."""
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _record_path(job_id) -> Path:
    return imports_dir() / f"{uuid.UUID(str(job_id))}.json"


def _write(job_id, record: dict) -> None:
    tmp = _record_path(job_id).with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    tmp.replace(_record_path(job_id))


def read_record(job_id) -> dict:
    """The job's record (raises FileNotFoundError if there is none)."""
    return json.loads(_record_path(job_id).read_text(encoding="utf-8"))


def kind_for_model(model) -> str | None:
    """The import kind (`chains.resources.IMPORT_KINDS`) whose resource imports `model`, if any."""
    for name, spec in IMPORT_KINDS.items():
        if spec.resource._meta.model is model:
            return name
    return None


def start_if_large(user, kind: str, upload) -> str | None:
    """Save the upload and start a background job when it has more than IMPORT_SYNC_MAX_ROWS rows.

    Returns the job id, or None (small or unreadable: the admin's own import handles it and its errors)."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        return None
    job_id = str(uuid.uuid4())
    path = imports_dir() / f"{job_id}{suffix}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    upload.seek(0)
    try:
        rows = len(read_dataset(path))
    except SpreadsheetError:
        rows = 0
    if rows <= settings.IMPORT_SYNC_MAX_ROWS:
        path.unlink(missing_ok=True)
        return None
    _write(
        job_id,
        {
            "user_id": user.pk,
            "kind": kind,
            "file": path.name,
            "filename": upload.name,
            "rows": rows,
            "state": PENDING,
            "created_at": timezone.now().isoformat(),
        },
    )
    try:
        enqueue("chains.tasks.import_catalog_job", job_id)
    except Exception as exc:  # the broker is unreachable: the page says so
        logger.exception("could not enqueue import %s", job_id)
        fail(job_id, _("后台任务服务暂时不可用，请稍后重试。") + f" ({exc.__class__.__name__})")
    return job_id


def run(job_id: str) -> dict:
    """Import the saved file (all or nothing) and store the result; a finished job is left as it is."""
    record = read_record(job_id)
    if record["state"] in (DONE, FAILED):
        return record
    record["state"] = RUNNING
    _write(job_id, record)
    path = imports_dir() / record["file"]
    try:
        dataset = read_dataset(path)
    except SpreadsheetError as exc:
        return fail(job_id, str(exc))
    reporter = Reporter(job_id, len(dataset))
    outcome = import_dataset(
        record["kind"],
        dataset,
        user=get_user_model().objects.filter(pk=record["user_id"]).first(),
        progress=reporter,
    )
    reporter.finish()
    record.update(
        state=DONE,
        imported=outcome.applied,
        total=outcome.total,
        new=outcome.new,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        problems=[{"line": p.line, "reason": p.reason} for p in outcome.problems],
        finished_at=timezone.now().isoformat(),
    )
    _write(job_id, record)
    path.unlink(missing_ok=True)
    return record


def fail(job_id: str, message: str) -> dict:
    """Mark the job failed (the file could not be read, or its last retry failed)."""
    record = read_record(job_id)
    record.update(state=FAILED, error=message[:500], finished_at=timezone.now().isoformat())
    _write(job_id, record)
    return record


def load(job_id, user) -> dict:
    """The record for its sender; 404 for anyone else or an unknown id."""
    try:
        record = read_record(job_id)
    except FileNotFoundError:
        raise Http404 from None
    if record.get("user_id") != getattr(user, "pk", None):
        raise Http404
    return record
