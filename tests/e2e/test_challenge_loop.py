"""Browser test of 揭榜挂帅 through the forms as the personas, with screenshots at 1280 and 375 px.

publish (省科技厅 drafts a list and a challenge, the administrator approves, 省科技厅 publishes and forms a panel)
→ bid (东华大学, with an attachment; sealed from the publisher) → deadline (the beat's sweeper) → review (two
experts declare no conflict and score) → award (省科技厅) → milestones (东华大学 reports with evidence, 省科技厅
accepts) → final acceptance. Screenshots go to test-output/screenshots/challenges-*.png.
"""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import SHOTS, no_horizontal_scroll, open_as


def shot(page, name, width=1280):
    """Save a full-page screenshot at the given width (and check nothing sticks out at phone width)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.screenshot(path=str(SHOTS / f"challenges-{name}-{width}.png"), full_page=True)
    if width < 500:
        no_horizontal_scroll(page)
        page.set_viewport_size({"width": 1280, "height": 900})


def submit(page, scope="[data-testid=form]"):
    page.click(f"{scope} button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_challenge_loop_in_the_browser(browser, live_server, tmp_path):
    import datetime

    from django.utils import timezone

    from challenges import services
    from challenges.demo import ensure_challenge_personas
    from challenges.models import Bid, Challenge, ChallengeList, Project

    ensure_challenge_personas(lambda: PASSWORD)
    errors: list[str] = []
    url = live_server.url

    # 1. 省科技厅 drafts a list with one challenge and submits it.
    body = open_as(browser, live_server, "body_kjt", errors=errors)
    body.goto(f"{url}/challenges/mine/")
    body.click("[data-testid=new-list]")
    body.fill("#id_title", "2026年纺织鞋服产业链揭榜挂帅榜单")
    body.fill("#id_description", "面向晋江纺织鞋服产业链关键工艺难题张榜。")
    submit(body)
    body.click("[data-testid=add-challenge]")
    body.fill("#id_title", "运动鞋服抗菌凉感功能性面料关键工艺攻关")
    body.fill("#id_summary", "晋江运动鞋服企业急需耐洗、低成本的抗菌凉感功能整理工艺。")
    body.fill("#id_targets", "抗菌率≥99%；凉感系数≥0.2；50 次水洗后功能保持率≥85%")
    body.fill("#id_acceptance_criteria", "第三方检测报告；中试线连续生产 3 批次合格")
    body.fill("#id_keywords", "功能性面料；抗菌；凉感")
    body.select_option("#id_chain_type", label="纺织鞋服")
    body.select_option("#id_chain", label="晋江市纺织鞋服产业链")
    body.fill("#id_funding_yuan", "3000000")
    body.fill("#id_funder", "福建省科学技术厅")
    shot(body, "01-challenge-form")
    shot(body, "01-challenge-form", 375)
    submit(body)
    body.click("button[data-action=submit]")
    body.wait_for_load_state()
    lst = ChallengeList.objects.get(title="2026年纺织鞋服产业链揭榜挂帅榜单")
    assert lst.state == "submitted"

    # 2. The administrator approves; 省科技厅 publishes and forms the panel.
    admin = open_as(browser, live_server, "admin", errors=errors)
    admin.goto(f"{url}/challenges/lists/{lst.pk}/")
    admin.click("button[data-action=approve]")
    admin.wait_for_load_state()
    body.goto(f"{url}/challenges/lists/{lst.pk}/")
    body.click("button[data-action=publish]")
    body.wait_for_load_state()
    challenge = Challenge.objects.get(list=lst)
    assert challenge.state == "open"
    body.goto(f"{url}/challenges/{challenge.pk}/")
    for label in ("吴教授（厦门大学）", "林教授（福州大学）"):
        body.select_option("[data-testid=panel] select[name=expert]", label=label)
        body.click("[data-testid=panel] button[type=submit]")
        body.wait_for_load_state()
    assert challenge.panel.count() == 2

    # 3. The public hall; 东华大学 bids with an attachment.
    visitor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    visitor.goto(f"{url}/challenges/")
    assert "运动鞋服抗菌凉感功能性面料关键工艺攻关" in visitor.content()
    shot(visitor, "02-public-hall")
    shot(visitor, "02-public-hall", 375)
    dhu = open_as(browser, live_server, "inst_dhu", errors=errors)
    dhu.goto(f"{url}/challenges/{challenge.pk}/")
    dhu.click("[data-testid=bid-button]")
    dhu.fill("#id_lead_name", "李华")
    dhu.fill("#id_lead_title", "教授")
    dhu.fill("#id_team", "纺织学院功能纤维团队 8 人")
    dhu.fill("#id_approach", "纳米银复合整理 + 凉感纤维混纺；交联固着提升耐洗性。")
    dhu.fill("#id_budget_yuan", "2800000")
    dhu.fill(
        "#id_milestones_text", "2027-03-31；完成小试工艺；小试报告\n2027-09-30；中试线验证；3 批次检测报告"
    )
    dhu.fill("#id_partners_text", "晋江针织面料企业（示例）；中试与示范应用")
    pdf = tmp_path / "技术方案.pdf"
    pdf.write_bytes(b"%PDF-1.4 challenge bid")
    dhu.set_input_files("#id_attachments", str(pdf))
    shot(dhu, "03-bid-form")
    shot(dhu, "03-bid-form", 375)
    submit(dhu)
    bid = Bid.objects.get(challenge=challenge)
    assert bid.files.count() == 1
    shot(dhu, "04-bid-sealed")
    body.goto(f"{url}/challenges/{challenge.pk}/")
    assert body.is_visible("[data-testid=sealed]") and "/challenges/bids/" not in body.content()
    shot(body, "05-publisher-sealed")

    # 4. The deadline passes (the beat's sweeper closes bidding).
    Challenge.objects.filter(pk=challenge.pk).update(
        bid_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert services.close_due_bidding() == 1

    # 5. Both experts declare no conflict and score.
    for username, score in (("expert_wu", "86"), ("expert_lin", "80")):
        expert = open_as(browser, live_server, username, errors=errors)
        expert.goto(f"{url}/challenges/bids/{bid.pk}/")
        assert "纳米银复合整理" not in expert.content()  # not before declaring
        if username == "expert_wu":
            shot(expert, "06-expert-declare")
        expert.click("[data-testid=conflict-form] button[value='0']")
        expert.wait_for_load_state()
        for field in expert.query_selector_all("[data-testid=review-form] input[name^=score_]"):
            field.fill(score)
        expert.fill("[data-testid=review-form] textarea[name=comment]", "技术路线清晰，团队基础扎实。")
        if username == "expert_wu":
            shot(expert, "07-expert-scores")
            shot(expert, "07-expert-scores", 375)
        expert.click("[data-testid=review-form] button[type=submit]")
        expert.wait_for_load_state()
    assert bid.reviews.count() == 2

    # 6. 省科技厅 awards.
    body.goto(f"{url}/challenges/{challenge.pk}/")
    assert body.is_visible("[data-testid=ranking]") and "83.0" in body.content()
    body.check("[data-testid=award-form] input[name=bids]")
    body.fill("[data-testid=award-form] textarea[name=reason]", "综合评分第一，技术路线成熟。")
    shot(body, "08-publisher-ranking")
    shot(body, "08-publisher-ranking", 375)
    body.click("[data-testid=award-form] button[type=submit]")
    body.wait_for_load_state()
    project = Project.objects.get(challenge=challenge)

    # 7. Milestones: 东华大学 reports with evidence, 省科技厅 accepts; then final acceptance.
    evidence = tmp_path / "检测报告.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence")
    for index in range(2):
        dhu.goto(f"{url}/challenges/projects/{project.pk}/")
        dhu.fill(
            "[data-testid=report-form] textarea[name=text]", f"第 {index + 1} 个里程碑完成，检测报告见附件。"
        )
        dhu.set_input_files("[data-testid=report-form] input[name=attachments]", str(evidence))
        if index == 0:
            shot(dhu, "09-winner-report")
        dhu.click("[data-testid=report-form] button[type=submit]")
        dhu.wait_for_load_state()
        body.goto(f"{url}/challenges/projects/{project.pk}/")
        body.fill("[data-testid=decide-form] input[name=reason]", "符合验收标准。")
        if index == 0:
            shot(body, "10-publisher-milestone")
        body.click("[data-testid=decide-form] button:has-text('验收通过')")
        body.wait_for_load_state()
    body.fill("[data-testid=final-acceptance] input[name=reason]", "全部指标达到，通过最终验收。")
    body.click("[data-testid=final-acceptance] button[type=submit]")
    body.wait_for_load_state()
    project.refresh_from_db()
    assert project.state == "accepted"
    shot(body, "11-project-accepted")
    shot(body, "11-project-accepted", 375)
    dhu.goto(f"{url}/challenges/{challenge.pk}/")
    shot(dhu, "12-winner-challenge")
    assert not errors, errors
