"""The documented backup (pg_dump + media archive) restores into an empty database with every order and file."""

import os
import shutil
import subprocess
import tarfile
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from matchmaking import services
from matchmaking.choices import OrderKind
from matchmaking.models import Attachment, Order
from tests.faults.stack import database_url
from tests.matchmaking.conftest import order_data

REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def postgres_only():
    """Skip (or, with REQUIRE_SERVICES=1, fail) before any database fixture when not on PostgreSQL."""
    reason = None
    if connection.vendor != "postgresql":
        reason = "backup/restore is PostgreSQL's pg_dump/pg_restore (set DATABASE_URL to PostgreSQL)"
    elif not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        reason = "pg_dump/pg_restore are not installed"
    if reason:
        if REQUIRED:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_dump_and_restore_keeps_every_order_and_file(
    postgres_only, county_jinjiang, county_luoyuan, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    for kind in OrderKind.values:
        for user in (county_jinjiang, county_luoyuan):
            pdf = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
            order = services.create_order(by=user, data=order_data(user, kind), files=[pdf])
            services.submit_order(order, by=user)
    attachment = Attachment.objects.order_by("created_at").first()
    expected = sorted(Order.objects.values_list("pk", "title", "state", "county__name"))
    assert len(expected) == 8

    # Backup: the commands of docs/deployment.md.
    dump = tmp_path / "silian.dump"
    subprocess.run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            f"--file={dump}",
            database_url(),
        ],
        check=True,
        timeout=120,
    )
    archive = tmp_path / "media.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(settings.MEDIA_ROOT, arcname=".")

    # Restore into an empty database and a fresh media folder.
    restored_db = f"silian_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored_db}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={database_url(restored_db)}", str(dump)],
            check=True,
            timeout=120,
        )
        import psycopg

        with psycopg.connect(database_url(restored_db)) as restored:
            rows = restored.execute(
                "SELECT o.id, o.title, o.state, c.name FROM matchmaking_order o "
                "JOIN chains_county c ON c.id = o.county_id ORDER BY o.id"
            ).fetchall()
            file_name = restored.execute(
                "SELECT file FROM matchmaking_attachment WHERE id = %s", [attachment.pk]
            ).fetchone()[0]
        assert sorted(rows) == expected
        media = tmp_path / "restored-media"
        media.mkdir()
        with tarfile.open(archive) as tar:
            tar.extractall(media, filter="data")
        assert (media / file_name).read_bytes() == PDF
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')
    assert Attachment.objects.count() == 8
