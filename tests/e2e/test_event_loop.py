"""Browser test: a docking event from organizing to an outcome that moves an order, as the personas.

organize (兴业银行) → approve (administrator) → publish → invite from matches (东华大学) → register (东华大学, 晋江市)
→ request a meeting about 晋江's order (county) → accept (东华大学) → schedule (organizer) → check in by the QR
page (organizer's phone) → mark held on the live board → outcomes: 东华大学 responds to the order, the county
accepts that response (the order moves to 对接中). Screenshots at 1280 and 375 px in test-output/screenshots/.
"""

import datetime

import pytest
from django.utils import timezone

from tests.e2e.conftest import SHOTS, no_horizontal_scroll, open_as


def shot(page, name, width=1280):
    """Save a full-page screenshot at the given width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def both(page, name):
    """Screenshots at 1280 and 375 px; nothing may stick out sideways on the phone."""
    shot(page, name)
    page.set_viewport_size({"width": 375, "height": 900})
    no_horizontal_scroll(page)
    shot(page, name, width=375)


@pytest.mark.django_db(transaction=True)
def test_docking_event_in_the_browser(browser, live_server, personas):
    from events.models import Event, Meeting, Registration
    from matchmaking import services as orders
    from matchmaking.models import Order
    from matchmaking.tasks.matching import match_order
    from tests.matchmaking.conftest import order_data

    users = personas
    county_user = users["county_jinjiang"]
    # 晋江's order, claimed by 省科技厅, with its matches (the engine proposes 东华大学)
    order = orders.create_order(by=county_user, data=order_data(county_user))
    orders.submit_order(order, by=county_user)
    orders.approve_order(order, by=users["admin"])
    orders.claim_order(order, by=users["body_kjt"])
    match_order(order.pk)

    errors = []
    # 1. 兴业银行 organizes a live event through the form (meetings started an hour ago).
    bank = open_as(browser, live_server, "bank_cib", errors=errors)
    bank.goto(f"{live_server.url}/events/new/")
    now = timezone.localtime().replace(second=0, microsecond=0)
    fmt = "%Y-%m-%dT%H:%M"
    bank.fill("#id_title", "晋江纺织鞋服产融对接会")
    bank.check("input[name=kind][value=finance]")
    bank.select_option("#id_counties", label="晋江市")
    bank.fill("#id_place", "晋江市会展中心 2 号厅")
    bank.fill("#id_starts_at", (now - datetime.timedelta(hours=1)).strftime(fmt))
    bank.fill("#id_ends_at", (now + datetime.timedelta(hours=4)).strftime(fmt))
    bank.fill("#id_registration_deadline", (now + datetime.timedelta(hours=3)).strftime(fmt))
    bank.fill("#id_agenda", "14:00 开场致辞\n14:20 银行产品推介\n15:00 一对一洽谈")
    bank.fill("#id_meetings_start", (now - datetime.timedelta(hours=1)).strftime(fmt))
    bank.fill("#id_slot_count", "6")
    bank.fill("#id_table_count", "4")
    both(bank, "e01-organizer-event-form")
    bank.click("[data-testid=save-event]")
    bank.wait_for_selector("[data-testid=event-title]")
    event = Event.objects.get(title="晋江纺织鞋服产融对接会")
    detail = f"{live_server.url}/events/{event.pk}/"
    bank.click("[data-testid=submit]")
    bank.wait_for_selector("[data-testid=state]")
    assert "待审核" in bank.inner_text("[data-testid=state]")

    # 2. The administrator approves; the organizer publishes.
    admin = open_as(browser, live_server, "admin", errors=errors)
    admin.goto(detail)
    admin.click("[data-testid=approve]")
    admin.wait_for_selector("[data-testid=state]")
    bank.goto(detail)
    bank.click("[data-testid=publish]")
    bank.wait_for_selector("[data-testid=state]")
    assert "已发布" in bank.inner_text("[data-testid=state]")

    # 3. Invite from matches: 东华大学 is proposed for 晋江's order, with reasons; one click invites it.
    bank.click("[data-testid=invitees-link]")
    dhu_org = users["inst_dhu"].organization_id
    proposal = bank.locator(f"[data-testid=proposal-{dhu_org}]")
    assert order.title in proposal.inner_text()
    both(bank, "e02-organizer-proposed-invitees")
    proposal.locator("[data-testid=invite]").click()
    bank.wait_for_selector(f"[data-testid=proposal-{dhu_org}] >> text=已邀请")

    # 4. 东华大学 (invited) and 晋江市 register.
    dhu = open_as(browser, live_server, "inst_dhu", errors=errors)
    dhu.goto(detail)
    dhu.fill("#id_attendees", "李华 教授")
    dhu.fill("#id_profile", "纺织学院功能性面料团队，可联合攻关抗菌整理工艺。")
    dhu.click("[data-testid=register]")
    dhu.wait_for_selector("[data-testid=own-registration]")
    county = open_as(browser, live_server, "county_jinjiang", errors=errors)
    county.goto(detail)
    county.click("[data-testid=register]")
    county.wait_for_selector("[data-testid=request-form]")

    # 5. The county asks 东华大学 for a meeting about its order; 东华大学 accepts.
    county.select_option("#id_invitee", label="东华大学")
    county.select_option("#id_order", label=f"晋江市 · {order.title}")
    county.fill("#id_message", "抗菌整理工艺联合攻关")
    both(county, "e03-county-event-page")
    county.click("[data-testid=request-meeting]")
    county.wait_for_selector("[data-testid=meetings]")
    dhu.goto(detail)
    dhu.click("[data-testid=accept-meeting]")
    dhu.wait_for_selector("[data-testid=meetings] >> text=已接受待排期")

    # 6. The organizer runs the scheduler.
    bank.goto(f"{detail}manage/")
    bank.click("[data-testid=run-schedule]")
    bank.wait_for_selector("[data-testid=last-schedule]")
    assert "排定 1 场洽谈" in bank.inner_text("[data-testid=last-schedule]")
    both(bank, "e04-organizer-schedule")
    meeting = Meeting.objects.get(event=event)
    assert meeting.state == "scheduled"

    # 7. 东华大学 shows its QR code on a phone; the organizer's phone opens its check-in link and confirms.
    dhu.goto(detail)
    dhu.wait_for_selector("[data-testid=qr]")
    assert dhu.evaluate("document.querySelector('[data-testid=qr]').naturalWidth") > 0
    checkin_path = dhu.inner_text("[data-testid=checkin-url]").strip()
    both(dhu, "e05-participant-qr")
    bank.set_viewport_size({"width": 375, "height": 800})
    bank.goto(f"{live_server.url}{checkin_path}")
    bank.click("[data-testid=confirm-checkin]")
    bank.wait_for_selector("[data-testid=checked-in]")
    both(bank, "e06-organizer-checkin")
    assert Registration.objects.get(event=event, organization_id=dhu_org).checked_in_at is not None

    # 8. The live board: the meeting is marked held.
    bank.goto(f"{detail}board/")
    assert "已签到 1 / 2 家" in bank.inner_text("[data-testid=board-summary]")
    both(bank, "e07-organizer-live-board")
    bank.click("[data-testid=board] >> text=标记已洽谈")
    bank.wait_for_selector("[data-testid=board] >> text=已洽谈")

    # 9. Outcomes that move the order: 东华大学 follows up (it responds to the order), the county signs and
    #    accepts that response through the order's own rules (the order moves to 对接中).
    dhu.goto(f"{live_server.url}/events/meetings/{meeting.pk}/outcome/")
    dhu.check("input[name=result][value=follow_up]")
    dhu.fill("#id_note", "三个月内完成抗菌整理中试")
    dhu.check("#id_advance_order")
    both(dhu, "e08-participant-outcome-form")
    dhu.click("[data-testid=save-outcome]")
    dhu.wait_for_selector("[data-testid=outcome]")
    county.goto(detail)
    county.click("[data-testid=record-outcome]")
    county.check("input[name=result][value=agreement]")
    county.fill("#id_amount_yuan", "3000000")
    county.fill("#id_note", "签订联合攻关协议")
    county.check("#id_advance_order")
    county.click("[data-testid=save-outcome]")
    county.wait_for_selector("[data-testid=outcome]")
    both(county, "e09-county-meeting-outcome")
    order.refresh_from_db()
    assert order.state == "docking"
    assert Order.objects.get(pk=order.pk).responses.get().state == "accepted"
    county.goto(f"{live_server.url}/orders/{order.pk}/")
    assert "对接中" in county.inner_text("[data-testid=state]")

    # 10. The event report.
    bank.goto(f"{detail}report/")
    figures = bank.inner_text("[data-testid=report]")
    assert "3000000" in figures
    both(bank, "e10-organizer-report")
    assert not errors, errors
