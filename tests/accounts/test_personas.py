"""The demo personas exist once per role and `seed_demo` is idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from devtools.personas import PERSONA_USERNAMES


@pytest.mark.django_db
def test_every_persona_exists_with_its_organization(personas):
    assert set(PERSONA_USERNAMES) <= set(personas)
    assert personas["county_jinjiang"].organization.county.name == "晋江市"
    assert personas["city_quanzhou"].organization.prefecture.name == "泉州市"
    assert personas["body_kjt"].organization.provincial_body.short_name == "省科技厅"
    assert personas["inst_dhu"].organization.institution.name == "东华大学"
    bank = personas["bank_cib"].organization
    assert bank.financial_products.filter(name="知识产权质押贷（示例）").exists()
    assert personas["admin"].is_superuser


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing(personas, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Another-Password-2026!")
    before = User.objects.count()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "未做改动" in out.getvalue()
    assert User.objects.count() == before
