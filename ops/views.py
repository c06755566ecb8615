"""Pages of the operations area: a background import's progress and its line-by-line report."""

import uuid

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chains import imports
from chains.resources import IMPORT_KINDS
from core.progress import get_progress


@login_required
@require_GET
def import_status(request, job_id: uuid.UUID):
    """Progress while the import runs (polled by htmx), then its result; only the administrator who sent it."""
    job = imports.load(job_id, request.user)
    spec = IMPORT_KINDS.get(job.get("kind"))
    context = {
        "job": job,
        "job_id": job_id,
        "kind_label": spec.label if spec else job.get("kind"),
        "progress": get_progress(job_id),
        "running": job["state"] in (imports.PENDING, imports.RUNNING),
    }
    if request.headers.get("HX-Request"):
        return render(request, "ops/_import_progress.html", context)
    return render(request, "ops/import_status.html", context)
