"""Choice lists of the challenges domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListState(models.TextChoices):
    """Where a challenge list (榜单) stands."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已审核，待发布")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已关闭")


class ChallengeState(models.TextChoices):
    """Where one challenge (榜) stands."""

    DRAFT = "draft", _("未发布")
    OPEN = "open", _("揭榜中")
    REVIEWING = "reviewing", _("评审中")
    AWARDED = "awarded", _("已挂帅")
    NO_AWARD = "no_award", _("未授榜")
    CANCELLED = "cancelled", _("已撤榜")


class BidState(models.TextChoices):
    """Where a bid (揭榜方案) stands."""

    SUBMITTED = "submitted", _("已提交")
    WITHDRAWN = "withdrawn", _("已撤回")
    AWARDED = "awarded", _("已中榜")
    UNSUCCESSFUL = "unsuccessful", _("未中榜")


class UnsuccessfulReason(models.TextChoices):
    """Why a bid was not awarded (what the bidder learns)."""

    RANKED_LOWER = "ranked_lower", _("综合评分排名靠后")
    TECHNICAL = "technical", _("技术方案未达到榜单指标")
    BUDGET = "budget", _("经费预算不合理")
    CAPACITY = "capacity", _("团队或条件不足")
    NO_AWARD = "no_award", _("本榜未授榜")
    CANCELLED = "cancelled", _("本榜已撤榜")


class RegionScope(models.TextChoices):
    """Where bidders must be based."""

    ANY = "any", _("不限地域")
    FUJIAN = "fujian", _("福建省内")
    PREFECTURE = "prefecture", _("指定设区市")


class ProjectState(models.TextChoices):
    """An awarded bid's project (攻关项目)."""

    ACTIVE = "active", _("实施中")
    ACCEPTED = "accepted", _("已验收")


class MilestoneState(models.TextChoices):
    """One milestone of a project."""

    PENDING = "pending", _("待提交")
    REPORTED = "reported", _("已报告，待验收")
    REWORK = "rework", _("需整改")
    ACCEPTED = "accepted", _("已通过")


class Maturity(models.TextChoices):
    """How far an achievement (科技成果) is from use."""

    LAB = "lab", _("实验室阶段")
    PROTOTYPE = "prototype", _("样机/样品阶段")
    PILOT = "pilot", _("中试阶段")
    INDUSTRIAL = "industrial", _("已产业化")


class IpKind(models.TextChoices):
    """The intellectual property behind an achievement."""

    INVENTION_PATENT = "invention_patent", _("发明专利")
    UTILITY_PATENT = "utility_patent", _("实用新型专利")
    SOFTWARE = "software", _("软件著作权")
    KNOW_HOW = "know_how", _("技术秘密")
    NEW_VARIETY = "new_variety", _("植物新品种")
    OTHER = "other", _("其他")


class Licensing(models.TextChoices):
    """How an achievement may be used by others."""

    TRANSFER = "transfer", _("转让")
    LICENSE = "license", _("许可使用")
    JOINT = "joint", _("合作开发")
    EQUITY = "equity", _("作价入股")
    NEGOTIABLE = "negotiable", _("面议")


class EventKind(models.TextChoices):
    """What happened (the append-only challenge event log)."""

    CREATED = "created", _("创建")
    EDITED = "edited", _("修改")
    SUBMITTED = "submitted", _("提交审核")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("审核通过")
    PUBLISHED = "published", _("发布")
    CLOSED = "closed", _("关闭")
    BID = "bid", _("提交揭榜方案")
    WITHDRAWN = "withdrawn", _("撤回揭榜方案")
    DEADLINE = "deadline", _("揭榜截止")
    PANEL = "panel", _("组建评审专家组")
    CONFLICT = "conflict", _("利益冲突声明")
    REVIEWED = "reviewed", _("提交评审意见")
    AWARDED = "awarded", _("挂帅")
    NO_AWARD = "no_award", _("未授榜")
    CANCELLED = "cancelled", _("撤榜")
    REPORTED = "reported", _("报告里程碑进展")
    MILESTONE_ACCEPTED = "milestone_accepted", _("里程碑通过")
    REWORK = "rework", _("里程碑需整改")
    REMINDED = "reminded", _("逾期提醒")
    ESCALATED = "escalated", _("逾期上报")
    PROJECT_ACCEPTED = "project_accepted", _("项目最终验收")
    ORDER_RESOLVED = "order_resolved", _("关联需求办结")
    ORDER_NOT_RESOLVED = "order_not_resolved", _("关联需求未能办结")
