"""Choice lists for regions, chain links and the resource catalog."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CountyKind(models.TextChoices):
    """Kind of county-level unit."""

    COUNTY = "county", _("县")
    CITY = "city", _("县级市")
    DISTRICT = "district", _("区")


class LinkStage(models.TextChoices):
    """Position of a chain link from upstream to downstream."""

    UPSTREAM = "upstream", _("上游")
    MIDSTREAM = "midstream", _("中游")
    DOWNSTREAM = "downstream", _("下游")


STAGE_RANK = {LinkStage.UPSTREAM: 0, LinkStage.MIDSTREAM: 1, LinkStage.DOWNSTREAM: 2}


class InstitutionKind(models.TextChoices):
    """Kind of research or design institution."""

    UNIVERSITY = "university", _("高等院校")
    CAS_INSTITUTE = "cas_institute", _("中科院院所")
    RESEARCH_INSTITUTE = "research_institute", _("科研院所")
    INNOVATION_LAB = "innovation_lab", _("创新实验室")
    ENGINEERING_CENTER = "engineering_center", _("工程（技术）中心")
    ENTERPRISE_INSTITUTE = "enterprise_institute", _("企业研究院")
    DESIGN_FIRM = "design_firm", _("设计机构")


class FundLevel(models.TextChoices):
    """Government level sponsoring a fund."""

    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class FundStage(models.TextChoices):
    """Investment stage of a fund."""

    GUIDANCE = "guidance", _("引导基金")
    VENTURE = "venture", _("创业投资")
    GROWTH = "growth", _("成长期投资")
    TRANSFORMATION = "transformation", _("成果转化")


class ProductType(models.TextChoices):
    """Kind of financial product."""

    CREDIT_LOAN = "credit_loan", _("信用贷款")
    PLEDGE_LOAN = "pledge_loan", _("抵质押贷款")
    TECH_LOAN = "tech_loan", _("科技/技改贷款")
    SUPPLY_CHAIN = "supply_chain", _("供应链金融")
    INSURANCE = "insurance", _("保险")
    LEASING = "leasing", _("融资租赁")
    EQUITY = "equity", _("股权融资")
    GUARANTEE = "guarantee", _("融资担保")


class TalentKind(models.TextChoices):
    """Kind of talent resource."""

    EXPERT_PANEL = "expert_panel", _("专家团")
    COMMISSIONER_TEAM = "commissioner_team", _("科技特派员（团）")
    SERVICE_TEAM = "service_team", _("服务团队")
    TRAINING_BASE = "training_base", _("培训基地")
    INDUSTRY_COLLEGE = "industry_college", _("产业学院")
    TALENT_PROGRAM = "talent_program", _("人才计划")
    POSTDOC_STATION = "postdoc_station", _("博士后工作站")


class EnterpriseRole(models.TextChoices):
    """An enterprise's role on its chain."""

    CHAIN_LEADER = "chain_leader", _("链主企业")
    LEADING = "leading", _("龙头企业")
    SPECIALIZED = "specialized", _("专精特新企业")
    SUPPORTING = "supporting", _("配套企业")


class NeedKind(models.TextChoices):
    """Kinds of need a provincial body can take; the first four are the order kinds."""

    INNOVATION = "innovation", _("创新需求")
    CAPITAL = "capital", _("资金需求")
    TALENT = "talent", _("人才需求")
    INDUSTRY = "industry", _("产业配套需求")
    DIGITAL = "digital", _("数字化转型")
    LAND = "land", _("用地保障")
    QUALITY = "quality", _("质量提升")
    CULTURE = "culture", _("文化赋能")


PROVINCE_WIDE = "全省"


class ChainStatus(models.TextChoices):
    """Where a county key chain stands in 县申报、市审核、省认定."""

    DECLARED = "declared", _("已申报（待市审核）")
    REVIEWED = "reviewed", _("市审核通过（待省认定）")
    CONFIRMED = "confirmed", _("已认定")
    RETURNED = "returned", _("退回修改")
    REVOKED = "revoked", _("已撤销")


# Statuses on which the county may place orders (declared and reviewed ones are marked 待认定).
ORDERABLE_STATUSES = (ChainStatus.DECLARED, ChainStatus.REVIEWED, ChainStatus.CONFIRMED)
# Statuses that count as "not yet confirmed" (待认定) wherever a chain is shown.
PENDING_STATUSES = (ChainStatus.DECLARED, ChainStatus.REVIEWED)


class ChainEventKind(models.TextChoices):
    """What happened to a county key chain (its append-only history)."""

    DECLARED = "declared", _("县域申报")
    SUBMITTED = "submitted", _("修改后重新申报")
    EDITED = "edited", _("修改申报内容")
    REVIEWED = "reviewed", _("设区市审核通过")
    RETURNED = "returned", _("设区市退回")
    CONFIRMED = "confirmed", _("省级认定")
    ADJUSTED = "adjusted", _("省级调整")
    REVOKED = "revoked", _("省级撤销")
    IMPORTED = "imported", _("官方清单导入认定")
