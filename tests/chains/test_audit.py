"""Staff changes to the catalog are recorded with who, what, before and after."""

import pytest
from django.urls import reverse

from chains.models import Institution
from chains.services import import_catalog_file
from core.models import AuditEntry


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
    assert admin_client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:core_auditentry_add")).status_code == 403


@pytest.mark.django_db
def test_admin_changes_to_organizations_and_accounts_are_recorded(admin_client, county_luoyuan):
    from accounts.models import Organization

    org = Organization.objects.get(name="罗源县人民政府")
    response = admin_client.post(
        reverse("admin:accounts_organization_change", args=[org.pk]),
        {"name": "罗源县人民政府（更名）", "kind": org.kind, "county": org.county_id, "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(content_type__model="organization", object_id=str(org.pk))
    assert entry.changes["name"] == ["罗源县人民政府", "罗源县人民政府（更名）"]

    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[county_luoyuan.pk]),
        {
            "username": county_luoyuan.username, "last_name": county_luoyuan.last_name, "first_name": "新",
            "email": county_luoyuan.email, "is_active": "on", "organization": county_luoyuan.organization_id,
            "role": county_luoyuan.role, "phone": county_luoyuan.phone,
            "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(content_type__model="user", object_id=str(county_luoyuan.pk))
    assert entry.changes["first_name"] == ["源", "新"]
    assert "password" not in entry.changes


def test_old_audit_log_address_redirects_to_its_new_app(admin_client):
    response = admin_client.get("/admin/chains/auditentry/?action=create")
    assert response.status_code == 301
    assert response["Location"] == "/admin/core/auditentry/?action=create"
