"""Staff changes to the catalog are recorded with who, what, before and after."""

import pytest
from django.urls import reverse

from chains.models import AuditEntry, Institution
from chains.services import import_catalog_file


@pytest.mark.django_db
def test_admin_edit_records_before_and_after(admin_client):
    inst = Institution.objects.get(name="东华大学")
    url = reverse("admin:chains_institution_change", args=[inst.pk])
    form = {
        "name": inst.name, "kind": inst.kind, "location": inst.location, "in_fujian": "",
        "fields": inst.fields, "description": "新的简介", "source": inst.source,
    }  # fmt: skip
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(object_id=str(inst.pk), content_type__model="institution")
    assert entry.action == "update" and entry.channel == "管理后台"
    assert entry.actor.username == "admin"
    assert entry.changes == {"description": [inst.description, "新的简介"]}


@pytest.mark.django_db
def test_admin_delete_is_recorded(admin_client):
    inst = Institution.objects.create(name="待删除研究所", kind="research_institute")
    response = admin_client.post(reverse("admin:chains_institution_delete", args=[inst.pk]), {"post": "yes"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="delete", object_repr="待删除研究所")
    assert entry.changes["name"] == ["待删除研究所", None]


@pytest.mark.django_db
def test_command_line_import_is_recorded(tmp_path):
    path = tmp_path / "inst.csv"
    path.write_text(
        "name,kind,location,in_fujian,fields,description,source\n测试研究院,research_institute,福州市,是,材料,,sample\n",
        encoding="utf-8",
    )
    import_catalog_file("institutions", path)
    entry = AuditEntry.objects.get(object_repr="测试研究院")
    assert entry.action == "create" and entry.channel == "表格导入（命令行）" and entry.actor is None
    assert entry.changes["in_fujian"] == [None, True]


@pytest.mark.django_db
def test_dry_run_and_reference_loading_leave_no_audit_rows(tmp_path):
    from chains.loaders import load_reference_data

    path = tmp_path / "inst.csv"
    path.write_text(
        "name,kind,location,in_fujian,fields,description,source\n测试研究院,research_institute,福州市,是,材料,,sample\n",
        encoding="utf-8",
    )
    import_catalog_file("institutions", path, dry_run=True)
    load_reference_data()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_audit_log_is_read_only_in_admin(admin_client):
    assert admin_client.get(reverse("admin:chains_auditentry_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:chains_auditentry_add")).status_code == 403
