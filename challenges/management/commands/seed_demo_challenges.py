"""Load the 揭榜挂帅 demo (示例): one open list with sealed bids, and one awarded challenge whose project has a
milestone reported; plus achievements on the supply list.

    python manage.py seed_demo_challenges

Everything goes through the real services (events, notifications). Idempotent: does nothing when sample lists
exist. Needs `load_reference_data` and `seed_demo` first (seed_demo also creates the experts).
"""

import datetime
import os
import secrets

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from chains.models import ChainType, CountyChain
from challenges import services
from challenges.demo import EXPERTS, ensure_challenge_personas
from challenges.models import Achievement, Bid, Challenge, ChallengeList, Project

CRITERIA = [
    {"name": "技术路线先进性与可行性", "weight": 40},
    {"name": "团队能力与研发条件", "weight": 30},
    {"name": "经费预算合理性", "weight": 15},
    {"name": "成果转化与示范应用", "weight": 15},
]
ACHIEVEMENTS = [
    (
        "inst_fzu",
        {
            "title": "抗菌凉感功能性面料复合整理技术（示例）",
            "field": "纺织材料与后整理",
            "summary": "纳米银抗菌与凉感纤维复合整理工艺，抗菌率 99%，凉感系数 0.25，耐洗 50 次功能保持率 85%，已完成针织面料中试。",
            "keywords": "功能性面料；抗菌；凉感；后整理",
            "chain": "textile-apparel",
            "maturity": "pilot",
            "ip_kind": "invention_patent",
            "ip_number": "ZL2023XXXXXXX.X（示例）",
            "licensing": "license",
            "licensing_terms": "普通许可，按销售额提成",
        },
    ),
    (
        "inst_fzu",
        {
            "title": "高镍三元正极材料表面包覆改性技术（示例）",
            "field": "新能源材料",
            "summary": "高镍三元正极材料原子层包覆改性，提升循环寿命与热稳定性，已完成公斤级中试。",
            "keywords": "高镍正极；包覆；正极材料",
            "chain": "lithium-battery",
            "maturity": "pilot",
            "ip_kind": "invention_patent",
            "licensing": "joint",
            "licensing_terms": "联合开发，成果共享",
        },
    ),
    (
        "inst_dhu",
        {
            "title": "再生涤纶高值化纺丝技术（示例）",
            "field": "化学纤维",
            "summary": "废旧纺织品化学法再生涤纶切片及高品质纺丝工艺，可生产细旦长丝。",
            "keywords": "再生涤纶；纺丝；循环利用",
            "chain": "textile-apparel",
            "maturity": "industrial",
            "ip_kind": "invention_patent",
            "licensing": "transfer",
            "licensing_terms": "可整体转让",
        },
    ),
]


def _in(days: int, hour: int = 17) -> datetime.datetime:
    at = timezone.localtime() + datetime.timedelta(days=days)
    return at.replace(hour=hour, minute=0, second=0, microsecond=0)


class Command(BaseCommand):
    """`python manage.py seed_demo_challenges`."""

    help = "加载揭榜挂帅演示数据（示例）：一个揭榜中的榜单及密封方案，一个已挂帅的榜及其攻关项目（一个里程碑已报告）。"

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or None
        created = ensure_challenge_personas(
            (lambda: password) if password else lambda: secrets.token_urlsafe(12)
        )
        for username, label, secret in created:
            self.stdout.write(f"  {username:<18} {label:<24} 密码：{secret}")
        needed = ("body_kjt", "admin", "inst_dhu", "firm_demo", *EXPERTS)
        users = {
            u.username: u for u in User.objects.filter(username__in=needed).select_related("organization")
        }
        missing = sorted(set(needed) - set(users))
        if missing:
            raise CommandError(
                f"Demo personas missing ({', '.join(missing)}): run `manage.py seed_demo` first."
            )
        if ChallengeList.objects.filter(is_sample=True).exists():
            self.stdout.write("Demo challenges already present; nothing to do.")
            return
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            self._achievements(users)
            self._open_list(users)
            self._awarded(users)
        self.stdout.write(
            self.style.SUCCESS("Loaded the 揭榜挂帅 demo (示例): 2 lists, 3 challenges, 4 bids, 1 project.")
        )

    def _achievements(self, users):
        for username, row in ACHIEVEMENTS:
            data = dict(row)
            data["chain_type"] = ChainType.objects.get(code=data.pop("chain"))
            achievement = services.save_achievement(None, by=users[username], data=data)
            Achievement.objects.filter(pk=achievement.pk).update(is_sample=True)

    def _list(self, users, title, description, challenges):
        body, admin = users["body_kjt"], users["admin"]
        lst = services.create_list(by=body, data={"title": title, "description": description})
        made = [services.add_challenge(lst, by=body, data=data, criteria=CRITERIA) for data in challenges]
        services.submit_list(lst, by=body)
        services.approve_list(lst, by=admin)
        services.publish_list(lst, by=body)
        ChallengeList.objects.filter(pk=lst.pk).update(is_sample=True)
        Challenge.objects.filter(list=lst).update(is_sample=True)
        return [Challenge.objects.get(pk=c.pk) for c in made]

    def _open_list(self, users):
        textile = CountyChain.objects.get(name="晋江市纺织鞋服产业链")
        battery = CountyChain.objects.get(name="蕉城区锂电新能源产业链")
        fabric, cathode = self._list(users, "2026年县域重点产业链揭榜挂帅榜单（示例）",
            "省科技厅支持县域重点产业链关键技术攻关，面向全国张榜，能者揭榜。", [
            {"title": "运动鞋服抗菌凉感功能性面料关键工艺攻关（示例）", "chain_type": textile.chain_type, "chain": textile,
             "summary": "晋江运动鞋服企业急需耐洗、低成本的抗菌凉感功能整理工艺，实现规模化生产。",
             "targets": "抗菌率≥99%；凉感系数≥0.2；50 次水洗后功能保持率≥85%；整理成本增加≤0.8 元/米",
             "acceptance_criteria": "第三方检测报告；中试线连续生产 3 批次合格；在 2 家企业示范应用",
             "keywords": "功能性面料；抗菌；凉感；后整理", "funding_yuan": 3_000_000, "funder": "福建省科学技术厅",
             "bid_deadline": _in(30), "region_scope": "any", "joint_bids_allowed": True},
            {"title": "高镍正极材料循环寿命提升攻关（示例）", "chain_type": battery.chain_type, "chain": battery,
             "summary": "蕉城区锂电企业高镍正极材料循环寿命和热稳定性不足，需要表面包覆改性技术。",
             "targets": "1C 循环 2000 次容量保持率≥85%；热失控起始温度提高≥15℃",
             "acceptance_criteria": "第三方电芯测试报告；吨级中试产线验证",
             "keywords": "高镍正极；包覆；正极材料", "funding_yuan": 5_000_000, "funder": "福建省科学技术厅、宁德市人民政府",
             "bid_deadline": _in(45), "region_scope": "fujian", "joint_bids_allowed": True, "eligible_kinds": ["institution"]},
        ])  # fmt: skip
        self._bid(users["inst_dhu"], fabric, "东华大学纺织学院功能纤维团队：纳米银复合整理 + 凉感纤维混纺，耐洗性由交联固着保证。",
                  partners=[{"name": "晋江针织面料企业（示例）", "role": "中试与示范应用"}])  # fmt: skip
        self._bid(
            users["inst_fzu"],
            cathode,
            "福州大学化学学院：原子层沉积包覆 + 梯度掺杂，提升高镍正极循环与热稳定性。",
        )

    def _bid(self, user, challenge, approach, partners=(), milestones=None):
        milestones = milestones or [
            {"title": "完成小试工艺", "due_date": timezone.localdate() + datetime.timedelta(days=120), "deliverable": "小试报告与检测数据"},
            {"title": "中试线验证", "due_date": timezone.localdate() + datetime.timedelta(days=300), "deliverable": "3 批次第三方检测报告"},
        ]  # fmt: skip
        data = {"lead_name": user.display_name, "lead_title": "教授", "team": "项目负责人及骨干 6–10 人",
                "approach": approach, "budget_yuan": int(challenge.funding_yuan * 0.9)}  # fmt: skip
        bid = services.submit_bid(challenge, by=user, data=data, partners=partners, milestones=milestones)
        Bid.objects.filter(pk=bid.pk).update(is_sample=True)
        return bid

    def _awarded(self, users):
        textile = CountyChain.objects.get(name="晋江市纺织鞋服产业链")
        (challenge,) = self._list(users, "2025年纺织鞋服产业链重大攻关任务清单（示例）",
            "省工商联组织民营企业梳理产业链卡点，形成重大攻关任务清单，由省科技厅张榜。", [
            {"title": "再生涤纶高品质长丝纺丝工艺攻关（示例）", "chain_type": textile.chain_type, "chain": textile,
             "summary": "晋江鞋服企业需要品质稳定的再生涤纶细旦长丝，降低对原生涤纶的依赖。",
             "targets": "再生料比例≥50%；断裂强度≥3.8 cN/dtex；条干 CV≤1.2%",
             "acceptance_criteria": "第三方检测报告；示范企业连续 3 个月稳定生产",
             "keywords": "再生涤纶；纺丝；循环利用", "funding_yuan": 2_000_000, "funder": "福建省科学技术厅",
             "bid_deadline": _in(1)},
        ])  # fmt: skip
        for username in ("expert_lin", "expert_wu"):
            services.add_expert(challenge, by=users["body_kjt"], expert=users[username])
        first_due = timezone.localdate() - datetime.timedelta(days=5)
        won = self._bid(users["inst_dhu"], challenge, "东华大学：化学法解聚—再聚合切片 + 高速纺丝工艺优化。", milestones=[
            {"title": "完成再生切片中试", "due_date": first_due, "deliverable": "切片质量检测报告"},
            {"title": "细旦长丝量产验证", "due_date": timezone.localdate() + datetime.timedelta(days=200), "deliverable": "3 个月生产记录与检测报告"},
        ])  # fmt: skip
        other = self._bid(users["firm_demo"], challenge, "晋江针织面料企业：物理法再生 + 共混改性。")
        # the demo's bidding closed a week ago: move its deadline back and let the sweeper close it
        Challenge.objects.filter(pk=challenge.pk).update(
            bid_deadline=timezone.now() - datetime.timedelta(days=7)
        )
        services.close_due_bidding()
        for username, scores in (("expert_lin", (88, 85, 80, 90)), ("expert_wu", (82, 80, 85, 78))):
            for bid, bump in ((won, 0), (other, -15)):
                services.declare_conflict(bid, by=users[username], has_conflict=False)
                criteria = list(challenge.criteria.all())
                services.submit_review(bid, by=users[username],
                                       scores={c.pk: s + bump for c, s in zip(criteria, scores, strict=True)},
                                       comment="技术路线清晰，团队基础扎实。" if bump == 0 else "再生料品质控制方案不足。")  # fmt: skip
        challenge.refresh_from_db()
        (project,) = services.award_challenge(challenge, by=users["body_kjt"], bids=[won],
                                              reason="综合评分第一，技术路线成熟（示例）")  # fmt: skip
        Project.objects.filter(pk=project.pk).update(is_sample=True)
        first = project.milestones.order_by("position").first()
        services.report_milestone(
            first, by=users["inst_dhu"], text="再生切片中试完成，特性黏度 0.65 dL/g，检测报告见附件（示例）。"
        )
