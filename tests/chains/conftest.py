"""Personas the chain registry tests need beyond the demo ones: a county with no key chain (思明区) and its
prefecture city (厦门市)."""

import pytest

from tests.conftest import _extra_persona


@pytest.fixture
def county_siming(db, personas):
    """思明区: a county with no key chain in the reference data."""
    from accounts.choices import OrgKind
    from chains.models import County

    return _extra_persona(
        "county_siming",
        "思明区人民政府",
        OrgKind.COUNTY,
        "陈",
        "明",
        county=County.objects.get(name="思明区"),
    )


@pytest.fixture
def city_xiamen(db, personas):
    """厦门市: the prefecture city that reviews 思明区's declarations."""
    from accounts.choices import OrgKind
    from chains.models import Prefecture

    return _extra_persona(
        "city_xiamen",
        "厦门市人民政府",
        OrgKind.CITY,
        "黄",
        "鹭",
        prefecture=Prefecture.objects.get(name="厦门市"),
    )


@pytest.fixture
def declaration():
    """What a county sends to declare a chain (the 思明区 software chain)."""
    from chains.models import ChainLink, ChainType

    ai = ChainType.objects.get(code="ai")
    return {
        "name": "思明区软件和信息服务产业链",
        "chain_type": ai,
        "links": list(ChainLink.objects.filter(chain_type=ai).order_by("position")[:2]),
        "chain_leader": "张明",
        "chain_leader_office": "思明区副区长",
        "task_force_contact": "区工信局 王专班 0592-0000000",
        "scale_output_yuan": 12_000_000_000,
        "evidence": "思明区软件和信息技术服务业营业收入居全市首位（示例）",
    }
