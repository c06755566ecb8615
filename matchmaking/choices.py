"""Choice lists of the orders domain: kinds, states, terms, outcomes, events, notifications, matching."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chains.choices import NeedKind


class OrderKind(models.TextChoices):
    """The four kinds of order a county places (the first four need kinds a provincial body takes)."""

    INNOVATION = NeedKind.INNOVATION.value, NeedKind.INNOVATION.label
    CAPITAL = NeedKind.CAPITAL.value, NeedKind.CAPITAL.label
    TALENT = NeedKind.TALENT.value, NeedKind.TALENT.label
    INDUSTRY = NeedKind.INDUSTRY.value, NeedKind.INDUSTRY.label


class OrderState(models.TextChoices):
    """Where an order stands in its workflow (see `matchmaking.workflow` for the transitions)."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("已发布")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("不予受理")
    CLAIMED = "claimed", _("已接单")
    DOCKING = "docking", _("对接中")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("未解决关闭")
    WITHDRAWN = "withdrawn", _("已撤回")
    EXPIRED = "expired", _("已过期")


class FinancingType(models.TextChoices):
    """How a capital need wants to be financed."""

    LOAN = "loan", _("债权（贷款）")
    EQUITY = "equity", _("股权投资")
    EITHER = "either", _("均可")


class WantedLink(models.TextChoices):
    """Which partner an industry (补链/延链) order looks for."""

    UPSTREAM = "upstream", _("上游供应商")
    DOWNSTREAM = "downstream", _("下游客户")


class Visibility(models.TextChoices):
    """Who among providers may see a published order."""

    OPEN = "open", _("公开：所有已审核资源方可见")
    RESTRICTED = "restricted", _("定向：仅承接部门和受邀资源方可见")


class OutcomeType(models.TextChoices):
    """What a resolved order achieved (闭环成果)."""

    AGREEMENT = "agreement", _("签订合作协议")
    CREDIT = "credit", _("授信/放款")
    EQUITY = "equity", _("股权投资")
    TALENT = "talent", _("人才/专家团队进驻")
    SUPPLIER = "supplier", _("引进配套企业")
    OTHER = "other", _("其他")


class ProposalState(models.TextChoices):
    """Where a provider's response stands."""

    PENDING = "pending", _("待县域处理")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("未采纳")


class DeclineReason(models.TextChoices):
    """Why a county declined a response (the provider sees it)."""

    IRRELEVANT = "irrelevant", _("不相关")
    TERMS = "terms", _("条件不符")
    CAPACITY = "capacity", _("能力不足")
    OTHER = "other", _("其他")


class EventKind(models.TextChoices):
    """What an order timeline entry records."""

    CREATED = "created", _("创建草稿")
    EDITED = "edited", _("修改内容")
    SUBMITTED = "submitted", _("提交审核")
    PUBLISHED = "published", _("审核通过并发布")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("撤回")
    ROUTED = "routed", _("分派至省级部门")
    CLAIMED = "claimed", _("接单")
    INVITED = "invited", _("邀请资源方响应")
    RESPONDED = "responded", _("资源方响应")
    ACCEPTED = "accepted", _("接受响应")
    DECLINED = "declined", _("未采纳响应")
    DOCKING = "docking", _("进入对接")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("未解决关闭")
    EXPIRED = "expired", _("到期")
    COMMENTED = "commented", _("协调意见")
    ATTACHED = "attached", _("上传附件")
    REMINDED = "reminded", _("超时提醒")
    ESCALATED = "escalated", _("超时上报管理员")


class NotificationKind(models.TextChoices):
    """Why a user is told something."""

    SUBMITTED = "submitted", _("新需求待审核")
    PUBLISHED = "published", _("需求已发布")
    RETURNED = "returned", _("需求被退回修改")
    REJECTED = "rejected", _("需求不予受理")
    ROUTED = "routed", _("新需求待接单")
    CLAIMED = "claimed", _("需求已被接单")
    INVITED = "invited", _("受邀响应需求")
    RESPONDED = "responded", _("收到新响应")
    ACCEPTED = "accepted", _("响应已被接受")
    DECLINED = "declined", _("响应未被采纳")
    RESOLVED = "resolved", _("需求已解决")
    CLOSED = "closed", _("需求已关闭")
    EXPIRED = "expired", _("需求已过期")
    WITHDRAWN = "withdrawn", _("需求已撤回")
    COMMENTED = "commented", _("新的协调意见")
    REMINDER = "reminder", _("超时提醒")
    ESCALATED = "escalated", _("超时上报")
    SUBSCRIPTION = "subscription", _("关注的新需求")
    MATCHED = "matched", _("匹配到的需求")
    CHAIN = "chain", _("重点产业链申报与认定")


class MatchState(models.TextChoices):
    """Where the automatic matching of an order stands."""

    PENDING = "pending", _("待匹配")
    RUNNING = "running", _("匹配中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ResourceType(models.TextChoices):
    """Which catalog model a Match points at."""

    INSTITUTION = "institution", _("科研机构")
    FUND = "fund", _("基金")
    FINANCIAL_PRODUCT = "financial_product", _("金融产品")
    TALENT_RESOURCE = "talent_resource", _("人才资源")
    ENTERPRISE = "enterprise", _("企业")


RESOURCE_MODELS = {
    ResourceType.INSTITUTION: "chains.Institution",
    ResourceType.FUND: "chains.Fund",
    ResourceType.FINANCIAL_PRODUCT: "chains.FinancialProduct",
    ResourceType.TALENT_RESOURCE: "chains.TalentResource",
    ResourceType.ENTERPRISE: "chains.Enterprise",
}
