"""Demo content of the chain registry (示例): declarations in every state, chain leader firms, white-list
entries, an order on a chain awaiting confirmation, and beneficiary firms with a per-firm outcome.

    python manage.py seed_demo_chains

Runs through the real services (history, audit, notifications). Needs `load_reference_data`, `seed_demo` and
`seed_demo_orders` first. Idempotent: does nothing when the demo declarations exist. The declaring county and
reviewing city officials of counties without a persona are created as demo users without a usable password
(they only appear in the chains' history); 泉州市, 罗源县's and 晋江市's steps are taken by their personas.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.choices import MemberRole, OrgKind
from accounts.models import Organization, User
from chains import services as chain_services
from chains.choices import ChainStatus
from chains.models import ChainType, County, CountyChain, Enterprise, ProvincialBody, WhiteListEntry
from core.choices import Source
from matchmaking import beneficiaries, services
from matchmaking.models import Order

PERSONAS = ("county_jinjiang", "county_luoyuan", "city_quanzhou", "body_gxt", "body_jrb", "admin")
MARKER = "思明区软件和信息服务产业链（示例）"

# (county, chain name, chain type code, target status, 链长, 链长职务, leader firm names, evidence)
DECLARATIONS = [
    ("思明区", MARKER, "ai", "declared", "（示例）区长", "思明区人民政府区长", [],
     "软件和信息技术服务业集聚发展（示例申报）"),
    ("仓山区", "仓山区数字经济产业链（示例）", "ai", "reviewed", "（示例）副区长", "仓山区人民政府副区长", [],
     "数字经济核心产业集聚（示例申报）"),
    ("马尾区", "马尾区物联网产业链（示例）", "ai", "confirmed", "（示例）区委书记", "马尾区委书记", [],
     "国家级物联网产业基地（示例申报）"),
    ("芗城区", "芗城区食品产业链（示例）", "food", "returned", "（示例）区长", "芗城区人民政府区长", [],
     "食品加工企业集聚（示例申报）"),
    ("长泰区", "长泰区新材料产业链（示例）", "chemical-materials", "declared", "（示例）区长", "长泰区人民政府区长", [],
     "新材料产业园（示例申报）"),
    ("泉港区", "泉港区石化产业链（示例）", "chemical-materials", "confirmed", "（示例）区长", "泉港区人民政府区长",
     ["福建联合石化"], "泉港石化园区（示例申报）"),
    ("明溪县", "明溪县氟新材料产业链（示例）", "fluorine-materials", "revoked", "（示例）县长", "明溪县人民政府县长", [],
     "氟化工项目（示例申报）"),
    ("古田县", "古田县食用菌产业链（示例）", "food", "reviewed", "（示例）县长", "古田县人民政府县长", [],
     "食用菌产业（示例申报）"),
    ("连江县", "连江县水产产业链（示例）", "aquaculture", "confirmed", "（示例）县长", "连江县人民政府县长", [],
     "白皮书二(六)：培育县域重点水产产业链（示例申报）"),
    ("霞浦县", "霞浦县海带紫菜产业链（示例）", "aquaculture", "declared", "（示例）县长", "霞浦县人民政府县长", [],
     "白皮书二(六)：实施优势特色水产养殖千亿产业链建设（示例申报）"),
    ("晋江市", "晋江市运动鞋服产业链（示例）", "textile-apparel", "declared", "（示例）副市长", "晋江市人民政府副市长",
     ["安踏"], "同一县域同类型第二条重点产业链（示例申报）"),
    ("罗源县", "罗源县海洋渔业产业链（示例）", "aquaculture", "returned", "（示例）副县长", "罗源县人民政府副县长", [],
     "海洋渔业（示例申报）"),
]  # fmt: skip
# (firm name, chain name, listing body short name, reason)
WHITE_LIST = [
    ("安踏", "晋江市纺织鞋服产业链", "省委金融办", "链主企业，纳入金融支持重点企业（示例）"),
    ("宁德时代", "蕉城区锂电新能源产业链", "省工信厅", "链主企业，重点项目融资保障（示例）"),
    ("福建联合石化", "泉港区石化产业链（示例）", "省财政厅", "炼化一体化重点企业（示例）"),
    ("恒申", "长乐区纺织产业链", "省委金融办", "化纤原料龙头，产业链延伸项目（示例）"),
    ("晋江针织面料企业（示例）", "晋江市纺织鞋服产业链", "省工信厅", "专精特新配套企业（示例）"),
]
WHITE_LIST_YEAR = 2025


def _official(county: County | None = None, prefecture=None) -> User:
    """A demo official of a county or city without a persona (no usable password: history only)."""
    if county is not None:
        org, _created = Organization.objects.get_or_create(
            name=f"{county.name}人民政府", is_active=True, defaults={"kind": OrgKind.COUNTY, "county": county}
        )
        username = f"demo_county_{county.pk}"
    else:
        org, _created = Organization.objects.get_or_create(
            name=f"{prefecture.name}人民政府",
            is_active=True,
            defaults={"kind": OrgKind.CITY, "prefecture": prefecture},
        )
        username = f"demo_city_{prefecture.pk}"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"organization": org, "role": MemberRole.MEMBER, "last_name": "示例", "first_name": "官员"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return User.objects.select_related("organization__county").get(pk=user.pk)


class Command(BaseCommand):
    """`python manage.py seed_demo_chains`."""

    help = "加载重点产业链申报与认定、白名单、受益企业的演示数据（示例）。"

    def handle(self, *args, **options):
        users = {
            u.username: u for u in User.objects.filter(username__in=PERSONAS).select_related("organization")
        }
        missing = sorted(set(PERSONAS) - set(users))
        if missing:
            raise CommandError(
                f"Demo personas missing ({', '.join(missing)}): run `manage.py seed_demo` first."
            )
        if CountyChain.objects.filter(name=MARKER).exists():
            self.stdout.write("Demo chain registry already present; nothing to do.")
            return
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            for row in DECLARATIONS:
                self._declare(users, *row)
            self._leader_firms()
            self._white_list(users)
            self._order_on_a_pending_chain(users)
            self._beneficiaries(users)
        counts = {
            s: CountyChain.objects.filter(status=s, source=Source.SAMPLE).count() for s in ChainStatus.values
        }
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo chain registry (示例): {counts}."))

    def _declare(self, users, county_name, name, type_code, target, leader, office, firm_names, evidence):
        county = County.objects.select_related("prefecture").get(name=county_name)
        by_county = {"晋江市": "county_jinjiang", "罗源县": "county_luoyuan"}
        declarer = users[by_county[county_name]] if county_name in by_county else _official(county=county)
        city = (
            users["city_quanzhou"]
            if county.prefecture.name == "泉州市"
            else _official(prefecture=county.prefecture)
        )
        chain_type = ChainType.objects.get(code=type_code)
        chain = chain_services.declare_chain(
            by=declarer,
            data={
                "name": name,
                "chain_type": chain_type,
                "links": list(chain_type.links.order_by("position")[:2]),
                "chain_leader": leader,
                "chain_leader_office": office,
                "task_force_contact": f"{county.name}工信局 产业链专班（示例）",
                "leader_firms": list(Enterprise.objects.filter(name__in=firm_names)),
                "evidence": evidence,
            },
        )
        CountyChain.objects.filter(pk=chain.pk).update(source=Source.SAMPLE)
        if target == "returned":
            chain_services.return_chain(chain, by=city, reason="请补充规上企业名单和产业规模数据（示例）")
        elif target in ("reviewed", "confirmed"):
            chain_services.review_chain(chain, by=city)
            if target == "confirmed":
                chain_services.confirm_chain(chain, by=users["body_gxt"])
        elif target == "revoked":
            chain_services.revoke_chain(
                chain, by=users["body_gxt"], reason="与已认定的产业链重复，合并办理（示例）"
            )

    def _leader_firms(self):
        """Confirmed white-paper chains get the catalog's chain leader firms of their county and type."""
        for chain in CountyChain.objects.filter(status=ChainStatus.CONFIRMED, leader_firms__isnull=True):
            firms = Enterprise.objects.filter(
                county_id=chain.county_id, chain_type_id=chain.chain_type_id, role="chain_leader"
            )
            if firms:
                chain.leader_firms.set(firms)

    def _white_list(self, users):
        keepers = {b.short_name: b for b in ProvincialBody.objects.filter(keeps_white_list=True)}
        for firm_name, chain_name, body, reason in WHITE_LIST:
            firm = Enterprise.objects.filter(name=firm_name).first()
            chain = CountyChain.objects.filter(name=chain_name).first()
            if firm is None or chain is None:
                continue
            entry = chain_services.add_to_white_list(
                by=users["admin"],
                enterprise=firm,
                chain=chain,
                year=WHITE_LIST_YEAR,
                reason=reason,
                listed_by=keepers[body],
            )
            WhiteListEntry.objects.filter(pk=entry.pk).update(source=Source.SAMPLE)

    def _order_on_a_pending_chain(self, users):
        """晋江市 places an order on its second textile chain while it awaits confirmation (待认定)."""
        county = users["county_jinjiang"]
        chain = CountyChain.objects.get(name="晋江市运动鞋服产业链（示例）")
        order = services.create_order(
            by=county,
            data={
                "kind": "industry",
                "chain": chain,
                "link": chain.chain_type.links.order_by("position").first(),
                "title": "运动鞋服再生纤维面料配套企业引进（示例）",
                "description": "晋江运动鞋服企业对再生涤纶、生物基纤维面料需求增长，本地配套不足，"
                "希望引进上游再生纤维和功能面料企业，形成就近配套。（示例）",
                "keywords": "再生涤纶；生物基纤维；功能面料",
                "wanted_link": "upstream",
                "products": "再生涤纶长丝；生物基纤维面料",
                "due_date": timezone.localdate() + datetime.timedelta(days=120),
                "contact_name": "陈晋",
                "contact_phone": "0595-85669999",
                "visibility": "open",
            },
            beneficiaries=[{"enterprise": f} for f in Enterprise.objects.filter(name="安踏")],
        )
        Order.objects.filter(pk=order.pk).update(is_sample=True)
        services.submit_order(order, by=county)
        services.approve_order(order, by=users["admin"])

    def _beneficiaries(self, users):
        """The demo capital order of 晋江市 names the firms it serves; 省委金融办 splits the financing per firm."""
        order = (
            Order.objects.filter(
                is_sample=True, county__name="晋江市", kind="capital", state__in=["docking", "resolved"]
            )
            .order_by("pk")
            .first()
        )
        if order is None:
            return
        firms = list(Enterprise.objects.filter(county__name="晋江市").order_by("pk")[:2])
        items = [{"enterprise": f} for f in firms]
        beneficiaries.set_beneficiaries(order, by=users["admin"], items=items)
        rows = list(order.beneficiaries.order_by("pk"))
        if not rows or order.claimed_by_body_id is None:
            return
        taker = User.objects.filter(organization__provincial_body_id=order.claimed_by_body_id).first()
        splits = [{"beneficiary": rows[0].pk, "amount_financed_yuan": 3_000_000, "agreement_signed": True}]
        splits += [{"beneficiary": r.pk, "agreement_signed": True} for r in rows[1:]]
        beneficiaries.record_firm_outcomes(order, by=taker, splits=splits)
