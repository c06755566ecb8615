"""Progress of long work: a background export and a background admin import report rows done of total."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from chains.models import Institution
from core import progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(monkeypatch):
    """Every progress write (job id, done, total), with no write skipped for being too soon."""
    calls = []
    real = progress.set_progress

    def record(job_id, done, total):
        calls.append((str(job_id), done, total))
        real(job_id, done, total)

    monkeypatch.setattr(progress, "set_progress", record)
    monkeypatch.setattr(progress.Reporter, "__init__", _eager_init(progress.Reporter.__init__))
    return calls


def _eager_init(init):
    def wrapped(self, job_id, total, interval=0.5):
        init(self, job_id, total, interval=0.0)

    return wrapped


def test_background_export_reports_progress_then_links_the_file(client, platform_admin, settings, recorded):
    call_command("generate_demo_orders", 450, "--seed", "7")
    settings.EXPORT_SYNC_MAX_ROWS = 10
    client.force_login(platform_admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("dashboards:export_orders"))
    assert response.status_code == 302
    job_id = response.url.rstrip("/").split("/")[-1]

    done = [d for job, d, _total in recorded if job == job_id]
    totals = {t for job, _d, t in recorded if job == job_id}
    assert totals == {450}
    assert done[0] == 0 and done[-1] == 450
    assert {200, 400} <= set(done)  # reported while the rows were written
    assert done == sorted(done)

    page = client.get(response.url).content.decode()
    assert reverse("dashboards:export_download", args=[job_id]) in page
    assert "hx-trigger" not in page  # finished: no more polling


def test_a_running_export_polls_a_progress_bar(client, platform_admin):
    import uuid

    from reports import exports

    job_id = str(uuid.uuid4())
    exports._write_record(
        job_id,
        {"user_id": platform_admin.pk, "query": "", "state": exports.JOB_PENDING, "filename": "x.xlsx"},
    )
    progress.set_progress(job_id, 200, 450)
    client.force_login(platform_admin, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("dashboards:export_status", args=[job_id])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "vendor/htmx/htmx.min.js" in page
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert "200 / 450" in fragment
    assert 'aria-valuenow="44"' in fragment
    progress.set_progress(job_id, 450, 450)
    assert 'aria-valuenow="100"' in client.get(url, HTTP_HX_REQUEST="true").content.decode()


INSTITUTION_HEADER = "name,kind,location,in_fujian,fields,description,source\n"


def _csv(tmp_path, rows):
    path = tmp_path / "institutions.csv"
    path.write_text(INSTITUTION_HEADER + "".join(rows), encoding="utf-8")
    return path


def _post(admin_client, path):
    with path.open("rb") as handle:
        return admin_client.post(
            "/admin/chains/institution/import/", {"import_file": handle, "format": "0", "resource": "0"}
        )


def test_large_admin_import_runs_in_the_background_all_or_nothing(admin_client, tmp_path, settings, recorded):
    settings.IMPORT_SYNC_MAX_ROWS = 2
    path = _csv(
        tmp_path,
        [
            "测试研究院甲,research_institute,福州市,true,材料,说明,sample\n",
            ",research_institute,福州市,true,材料,缺名称,sample\n",
            "测试研究院乙,no-such-kind,福州市,true,材料,说明,sample\n",
        ],
    )
    response = _post(admin_client, path)
    assert response.status_code == 302
    assert response.url.startswith("/ops/imports/")
    page = admin_client.get(response.url).content.decode()
    assert "整个文件都没有导入" in page
    assert "<td>3</td>" in page and "<td>4</td>" in page  # spreadsheet lines (header = line 1)
    assert not Institution.objects.filter(name__startswith="测试研究院").exists()
    job_id = response.url.rstrip("/").split("/")[-1]
    assert [d for job, d, _t in recorded if job == job_id][-1] == 3


def test_large_admin_import_imports_every_row(admin_client, tmp_path, settings, recorded):
    settings.IMPORT_SYNC_MAX_ROWS = 2
    rows = [f"测试研究院{i},research_institute,福州市,true,材料,说明,sample\n" for i in range(5)]
    response = _post(admin_client, _csv(tmp_path, rows))
    page = admin_client.get(response.url).content.decode()
    assert "已导入 5 行：新增 5" in page
    assert Institution.objects.filter(name__startswith="测试研究院").count() == 5
    job_id = response.url.rstrip("/").split("/")[-1]
    assert [d for job, d, _t in recorded if job == job_id] == [0, 1, 2, 3, 4, 5, 5]


def test_small_admin_import_keeps_the_preview(admin_client, tmp_path, settings):
    settings.IMPORT_SYNC_MAX_ROWS = 2000
    response = _post(
        admin_client, _csv(tmp_path, ["测试研究院丙,research_institute,福州市,true,材料,说明,sample\n"])
    )
    assert response.status_code == 200  # django-import-export's confirm page
    assert not Institution.objects.filter(name="测试研究院丙").exists()


def test_only_the_sender_sees_an_import(client, admin_client, tmp_path, settings, county_jinjiang):
    settings.IMPORT_SYNC_MAX_ROWS = 0
    response = _post(
        admin_client, _csv(tmp_path, ["测试研究院丁,research_institute,福州市,true,材料,说明,sample\n"])
    )
    client.force_login(county_jinjiang, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(response.url).status_code == 404
