"""Operations endpoints: liveness and readiness for everyone (details and metrics by client address or token;
the matrix's requests come from 127.0.0.1, an allowed address)."""

from tests.access import Access, only, public

ACCESS = {
    "ops:healthz": Access(public()),
    "ops:readyz": Access(public()),
    "ops:metrics": Access(public()),
}


def _import_job(personas):
    """A background import sent by the administrator (only they may open its page)."""
    import uuid

    from chains import imports

    job_id = str(uuid.uuid4())
    imports._write(
        job_id, {"user_id": personas["admin"].pk, "kind": "institutions", "state": "pending", "rows": 3}
    )
    return {"job_id": job_id}


ACCESS["ops:import_status"] = Access(only("admin"), kwargs=_import_job)
