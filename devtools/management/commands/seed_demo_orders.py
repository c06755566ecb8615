"""Load a believable set of demo orders (示例) for the demo personas, across counties, kinds and states.

    python manage.py seed_demo_orders

Runs every order through the real services (timeline, routing, notifications), so each page has content
on first start. Idempotent: does nothing when sample orders placed by the demo counties already exist.
Needs `load_reference_data` and `seed_demo` first. E-mails of the run are not sent (kept in memory).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from chains.models import CountyChain
from devtools.personas import DEMO_DATA_PERSONAS
from matchmaking import services
from matchmaking.models import Order


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


# (county persona, chain name, kind, target state, fields, story); fields are the kind's own inputs.
DEMO = [
    (
        "county_jinjiang",
        "晋江市纺织鞋服产业链",
        "innovation",
        "resolved",
        {
            "title": "运动鞋服功能性面料（抗菌凉感）关键工艺攻关",
            "description": "晋江运动鞋服企业对抗菌、凉感、速干等功能性面料需求旺盛，现有整理工艺耐洗性差、"
            "成本偏高，希望与高校院所联合攻关，形成可量产的功能整理工艺并在 2-3 家企业示范应用。",
            "keywords": "功能性面料；抗菌；凉感；后整理",
            "tech_field": "纺织材料与后整理",
            "expected_outcome": "形成可量产工艺包，耐洗 50 次功能保持率不低于 80%，在 3 家企业示范应用",
        },
        "inst_dhu",
    ),
    (
        "county_jinjiang",
        "晋江市纺织鞋服产业链",
        "capital",
        "docking",
        {
            "title": "规上纺织企业智能织造设备更新技改贷款",
            "description": "辖区 12 家规上纺织企业计划更新智能织造和数码印花设备，总投资约 1.2 亿元，"
            "自有资金约 40%，需要中长期技改贷款支持，希望银行给出利率优惠的综合方案。",
            "keywords": "技改贷款；设备更新；智能织造",
            "amount_yuan": 80_000_000,
            "financing_type": "loan",
        },
        "bank_cib",
    ),
    (
        "county_jinjiang",
        "晋江市集成电路产业链",
        "talent",
        "claimed",
        {
            "title": "集成电路封装测试工艺工程师及专家团队",
            "description": "晋江集成电路产业园封测企业扩产，急需封装工艺、可靠性测试方向的高级工程师，"
            "并希望组建专家团定期驻园指导，帮助企业建立工艺质量体系。",
            "keywords": "封装测试；可靠性；专家团",
            "headcount": 15,
            "talent_profile": "微电子或材料专业，5 年以上封测工艺经验；专家团 3-5 人，每季度驻园一周",
        },
        None,
    ),
    (
        "county_jinjiang",
        "晋江市食品产业链",
        "industry",
        "published",
        {
            "title": "休闲食品企业寻找本地环保包装材料供应商",
            "description": "晋江休闲食品企业年采购软包装材料约 3 亿元，目前多从省外采购，希望引进或对接"
            "本地可降解、高阻隔包装材料供应商，缩短供货周期。",
            "keywords": "食品包装；可降解；高阻隔",
            "link_name": "食品加工",
            "wanted_link": "upstream",
            "products": "高阻隔复合膜；可降解包装袋",
        },
        None,
    ),
    (
        "county_jinjiang",
        "晋江市食品产业链",
        "innovation",
        "submitted",
        {
            "title": "传统闽南糕点保鲜及减糖工艺研究",
            "description": "闽南传统糕点保质期短、含糖量高，制约电商销售。希望食品科研院所协助开发天然"
            "保鲜和减糖配方，保质期延长到 90 天以上。",
            "keywords": "保鲜；减糖；糕点",
            "tech_field": "食品科学与工程",
            "expected_outcome": "保质期 90 天以上、减糖 30% 的配方与工艺",
        },
        None,
    ),
    (
        "county_jinjiang",
        "晋江市纺织鞋服产业链",
        "capital",
        "draft",
        {
            "title": "鞋服品牌企业供应链金融需求（草稿）",
            "description": "品牌企业上游面辅料供应商账期长、融资难，拟依托核心企业应收账款开展供应链金融，"
            "需求规模正在测算。",
            "keywords": "供应链金融；应收账款",
            "amount_yuan": 30_000_000,
            "financing_type": "either",
        },
        None,
    ),
    (
        "county_luoyuan",
        "罗源县绿色冶金产业链",
        "innovation",
        "published",
        {
            "title": "不锈钢冶炼高温合金材料及节能工艺合作",
            "description": "罗源冶金企业希望与高校院所合作开展高温合金材料研发和冶炼余热回收节能工艺改造，"
            "降低吨钢能耗并开发高附加值产品。",
            "keywords": "高温合金；余热回收；节能",
            "tech_field": "冶金材料",
            "expected_outcome": "吨钢综合能耗下降 5%，形成 1-2 个高温合金新产品",
        },
        None,
    ),
    (
        "county_luoyuan",
        "罗源县新能源产业链",
        "capital",
        "returned",
        {
            "title": "新能源电池结构件项目股权融资",
            "description": "县内新能源结构件项目二期建设需股权融资，用于购置冲压及激光焊接产线，"
            "希望对接产业引导基金。",
            "keywords": "股权融资；结构件；引导基金",
            "amount_yuan": 50_000_000,
            "financing_type": "equity",
        },
        None,
    ),
    (
        "county_jinjiang",
        "晋江市纺织鞋服产业链",
        "innovation",
        "published",
        {
            "title": "再生涤纶功能性针织面料染整节水工艺合作",
            "description": "晋江针织面料企业计划扩大再生涤纶功能性面料产能，现有染整工艺耗水量大、色牢度不稳定，"
            "希望与纺织高校或研究院所合作开发低浴比染色和功能性后整理工艺，并共建中试线。",
            "keywords": "再生涤纶；针织面料；染整；节水；功能性纺织品",
            "tech_field": "染整工程与功能性纺织品",
            "expected_outcome": "单位产品用水下降 30%，形成 2 项工艺标准并完成中试",
        },
        None,
    ),
    (
        "county_jinjiang",
        "晋江市纺织鞋服产业链",
        "industry",
        "published",
        {
            "title": "运动鞋服品牌寻找本地功能性针织面料供应商",
            "description": "晋江运动鞋服品牌企业功能性针织面料大量从省外采购，交期长，希望对接本地具备经编、"
            "针织面料开发能力的织造企业，建立就近配套。",
            "keywords": "针织面料；经编；就近配套",
            "link_name": "服装与鞋",
            "wanted_link": "upstream",
            "products": "功能性针织面料；经编网布",
        },
        None,
    ),
    (
        "county_jinjiang",
        "晋江市食品产业链",
        "capital",
        "published",
        {
            "title": "食品企业绿色技改项目中长期贷款",
            "description": "晋江多家休闲食品企业实施节能降碳和自动化产线改造，项目总投资约 8000 万元，"
            "需要中长期技改贷款支持，可提供项目设备抵押。",
            "keywords": "技改贷款；节能降碳；设备抵押",
            "amount_yuan": 30_000_000,
            "financing_type": "loan",
        },
        None,
    ),
    (
        "county_luoyuan",
        "罗源县新能源产业链",
        "industry",
        "published",
        {
            "title": "电芯企业寻找本地电池结构件配套企业",
            "description": "县内电芯企业结构件全部外购，运输成本高，希望引进壳体、盖板等结构件配套企业落地。",
            "keywords": "结构件；壳体；盖板；补链",
            "link_name": "电芯与电池包",
            "wanted_link": "upstream",
            "products": "电池壳体；盖板；连接片",
        },
        None,
    ),
    (
        "county_luoyuan",
        "罗源县绿色冶金产业链",
        "capital",
        "closed",
        {
            "title": "冶金企业超低排放改造流动资金贷款",
            "description": "冶金企业实施超低排放改造，短期流动资金缺口约 2000 万元，希望获得绿色信贷支持。",
            "keywords": "超低排放；绿色信贷；流动资金",
            "amount_yuan": 20_000_000,
            "financing_type": "loan",
        },
        None,
    ),
    (
        "county_luoyuan",
        "罗源县绿色冶金产业链",
        "talent",
        "rejected",
        {
            "title": "冶金企业一线技能工人招聘",
            "description": "冶金企业一线操作岗位缺工约 200 人，希望平台帮助发布招聘信息并组织招聘会。",
            "keywords": "招聘；技能工人",
            "headcount": 200,
            "talent_profile": "中专以上学历，能适应倒班",
        },
        None,
    ),
]


class Command(BaseCommand):
    help = "Load demo orders (示例) for the demo personas across counties and workflow states."

    def handle(self, *args, **options):
        users = {
            u.username: u
            for u in User.objects.filter(username__in=DEMO_DATA_PERSONAS).select_related("organization")
        }
        missing = sorted(set(DEMO_DATA_PERSONAS) - set(users))
        if missing:
            raise CommandError(
                f"Demo personas missing ({', '.join(missing)}): run `manage.py seed_demo` first."
            )
        if Order.objects.filter(is_sample=True, created_by__username__in=DEMO_DATA_PERSONAS).exists():
            self.stdout.write("Demo orders already present; nothing to do.")
            return
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for index, row in enumerate(DEMO):
                with transaction.atomic():
                    self._place(users, index, *row)
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(DEMO)} demo orders (示例)."))

    def _place(self, users, index, county_name, chain_name, kind, state, fields, provider_name):
        county, admin = users[county_name], users["admin"]
        body = users["body_jrb"] if kind == "capital" else users["body_kjt"]
        chain = CountyChain.objects.get(name=chain_name)
        fields = dict(fields)
        link_name = fields.pop("link_name", None)  # the order's own link; defaults to the chain's first
        links = chain.chain_type.links.order_by("position")
        data = {
            "kind": kind,
            "chain": chain,
            "link": links.get(name=link_name) if link_name else links.first(),
            "due_date": _days(60 + 15 * index),
            "contact_name": f"{county.last_name}{county.first_name}",
            "contact_phone": "0595-8566" + f"{1000 + index}",
            "visibility": "open",
            **fields,
        }
        order = services.create_order(by=county, data=data)
        Order.objects.filter(pk=order.pk).update(is_sample=True)
        if state == "draft":
            return
        services.submit_order(order, by=county)
        if state == "submitted":
            return
        if state == "returned":
            services.return_order(order, by=admin, reason="请补充项目可研报告要点和已到位资金情况（示例）")
            return
        if state == "rejected":
            services.reject_order(order, by=admin, reason="一般性招聘需求请对接人社部门公共就业服务（示例）")
            return
        services.approve_order(order, by=admin)
        if state == "published":
            return
        services.claim_order(order, by=body)
        services.comment_order(order, by=body, note="已安排专人对接，近期组织现场调研（示例）")
        if state == "closed":
            services.close_order(order, by=body, reason="企业调整投资计划，需求暂缓（示例）")
            return
        if state == "claimed":
            return
        provider = users[provider_name]
        response = services.respond(
            order,
            by=provider,
            proposal="我方已研究需求，可组建专门团队对接，提供整体方案并安排现场交流（示例）。",
            amount_yuan=fields.get("amount_yuan"),
            terms="具体条件以双方协商为准",
        )
        services.accept_proposal(response, by=county, note="请尽快安排现场对接")
        if state == "docking":
            return
        services.resolve_order(
            order,
            by=body,
            outcome_type="agreement",
            partner=provider.organization.name,
            summary="签订产学研合作协议，联合攻关团队已进驻企业（示例）",
        )
