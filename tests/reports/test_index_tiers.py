"""The province dashboard's table per development-index tier: orders and outcomes (devindex) beside docking
events, held meetings and agreements (events), read through each domain's stats in reports/ only; who sees it;
its query count; and the rule that the domains import neither each other nor reports/."""

import ast
import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from chains.models import County
from events import services as event_services
from events.models import Meeting
from tests.devindex.conftest import index_system, small_year  # noqa: F401 (fixtures re-used here)
from tests.events.conftest import make_event  # noqa: F401
from tests.matchmaking.conftest import drive, make_order, order_data  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "dashboards:index_tiers_section"


def _cells(html: str, code: str) -> dict[str, str]:
    row = html.split(f'data-tier-row="{code}"')[1].split("</tr>")[0]
    return {
        col: row.split(f'data-col="{col}">')[1].split("<")[0]
        for col in ("events", "meetings", "agreements", "amount")
    }


def _counts(html: str, code: str) -> tuple[str, str]:
    """(counties, orders) of a row: its first two cells."""
    row = html.split(f'data-tier-row="{code}"')[1].split("</tr>")[0]
    cells = [c.split("<")[0] for c in row.split('<td class="text-end">')[1:3]]
    return cells[0], cells[1]


@pytest.fixture
def held(small_year, make_event, make_order, drive, county_jinjiang, inst_dhu, firm_demo, bank_cib):  # noqa: F811
    """A live event targeting 晋江市 and 罗源县 (both 工业强县 of 2024) and 福清市 (no tier), with two held
    meetings: one about 晋江's order, signed for 2,000,000 yuan; one between a firm and 东华大学 (no county)."""
    order = drive(make_order(), "claimed")
    start = timezone.now() - datetime.timedelta(hours=1)
    counties = list(County.objects.filter(name__in=("晋江市", "罗源县", "福清市")))
    event = make_event(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=5),
        registration_deadline=start + datetime.timedelta(hours=4),
        meetings_start=start,
        targets={"counties": counties},
    )
    regs = {u.username: event_services.register(event, by=u) for u in (county_jinjiang, inst_dhu, firm_demo)}
    signed = event_services.request_meeting(event, by=county_jinjiang, invitee=regs["inst_dhu"], order=order)
    other = event_services.request_meeting(event, by=firm_demo, invitee=regs["inst_dhu"])
    for m in (signed, other):
        event_services.accept_meeting(m, by=inst_dhu)
    event_services.schedule_event(event, by=bank_cib)
    Meeting.objects.filter(event=event).update(state="held")
    event_services.record_outcome(signed, by=county_jinjiang, result="agreement", amount_yuan=2_000_000)
    event_services.record_outcome(other, by=firm_demo, result="follow_up")
    return event


def test_orders_and_events_per_tier(held, login, platform_admin):
    html = login(platform_admin).get(reverse(URL)).content.decode()
    assert 'data-testid="tier-table"' in html and "2024 年层级" in html
    # 工业强县 (晋江市, 南安市, 罗源县): 晋江's order; the event reaches two of them and counts once; the signed
    # meeting belongs to 晋江 (its order)
    assert _counts(html, "industrial_strong") == ("3", "1")
    assert _cells(html, "industrial_strong") == {
        "events": "1",
        "meetings": "1",
        "agreements": "1",
        "amount": "200",
    }
    # the other counties: 福清市 is targeted, no meeting of theirs was held
    assert _cells(html, "others") == {"events": "1", "meetings": "0", "agreements": "0", "amount": "0"}
    assert _cells(html, "distinctive") == {"events": "0", "meetings": "0", "agreements": "0", "amount": "0"}
    # the province: one event; the firm's meeting belongs to no county
    assert _counts(html, "all") == ("83", "1")
    assert _cells(html, "all") == {"events": "1", "meetings": "1", "agreements": "1", "amount": "200"}
    assert f'href="{reverse("devindex:ranking")}?year=2024&amp;tier=industrial_strong"' in html


def test_events_a_viewer_may_not_see_are_not_counted(held, login, body_kjt, make_event):  # noqa: F811
    # a draft event targeting 晋江市 counts for nobody
    make_event(publish=False, targets={"counties": [County.objects.get(name="晋江市")]})
    html = login(body_kjt).get(reverse(URL)).content.decode()
    assert _cells(html, "industrial_strong")["events"] == "1"


def test_who_sees_the_table(held, login, body_kjt, city_quanzhou, county_jinjiang, bank_cib):
    for user in (city_quanzhou, county_jinjiang, bank_cib):
        assert login(user).get(reverse(URL)).status_code == 404
    assert login(body_kjt).get(reverse(URL)).status_code == 200
    province = login(body_kjt).get(reverse("dashboards:province")).content.decode()
    assert 'data-testid="index-tiers-hook"' in province and reverse(URL) in province
    jinjiang = County.objects.get(name="晋江市")
    county = login(county_jinjiang).get(reverse("dashboards:county", args=[jinjiang.pk])).content.decode()
    assert 'data-testid="index-tiers-hook"' not in county


def test_nothing_before_any_computed_year(index_system, login, platform_admin):  # noqa: F811
    response = login(platform_admin).get(reverse(URL))
    assert response.status_code == 200 and 'data-testid="tier-table"' not in response.content.decode()


def test_query_count_does_not_grow_with_events(
    held,
    login,
    platform_admin,
    make_event,  # noqa: F811
    django_assert_num_queries,
):
    client = login(platform_admin)
    client.get(reverse(URL))  # warm the session and the caches
    with django_assert_num_queries(QUERIES):
        client.get(reverse(URL))
    start = timezone.now() - datetime.timedelta(hours=2)
    for _ in range(3):
        make_event(
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=5),
            registration_deadline=start + datetime.timedelta(hours=4),
            meetings_start=start,
            targets={"counties": list(County.objects.filter(name__in=("南安市", "福清市")))},
        )
    with django_assert_num_queries(QUERIES):
        html = client.get(reverse(URL)).content.decode()
    assert _cells(html, "industrial_strong")["events"] == "4"


QUERIES = 10  # session and user, the year, orders per county, tiers, counties, and the events (four)


DOMAINS = ("devindex", "events", "challenges")


def _imports(app: str) -> set[str]:
    root = Path(__file__).resolve().parents[2] / app
    found = set()
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
    return found


@pytest.mark.parametrize("app", DOMAINS)
def test_the_domains_import_neither_each_other_nor_reports(app):
    imported = _imports(app)
    assert not imported & {"reports", "devtools"}
    assert not imported & (set(DOMAINS) - {app})
