"""Choice lists of docking events: kinds, states of events, registrations and meetings, outcomes, log entries."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """What kind of docking event it is."""

    FINANCE = "finance", _("产融对接")
    CAMPUS = "campus", _("校地/院地对接")
    TALENT = "talent", _("人才对接")
    SUPPLY = "supply", _("供需对接")
    TECH = "tech", _("科技成果推介")


class EventState(models.TextChoices):
    """Where an event stands (see `events.workflow`)."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核待发布")
    PUBLISHED = "published", _("已发布")
    FINISHED = "finished", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class RegistrationState(models.TextChoices):
    """Where an organization's registration for an event stands."""

    PENDING = "pending", _("待主办方审核")
    APPROVED = "approved", _("已报名")
    DECLINED = "declined", _("未通过")
    CANCELLED = "cancelled", _("已取消")


class MeetingState(models.TextChoices):
    """Where a 1:1 meeting request stands."""

    REQUESTED = "requested", _("待对方确认")
    ACCEPTED = "accepted", _("已接受待排期")
    SCHEDULED = "scheduled", _("已排期")
    HELD = "held", _("已洽谈")
    DECLINED = "declined", _("已谢绝")
    CANCELLED = "cancelled", _("已取消")


class OutcomeResult(models.TextChoices):
    """What a meeting led to, as one side records it."""

    NO_INTEREST = "no_interest", _("无合作意向")
    FOLLOW_UP = "follow_up", _("继续跟进")
    AGREEMENT = "agreement", _("签订协议")


class OrderStep(models.TextChoices):
    """How an outcome moved the order its meeting was about (through the order's own services)."""

    RESPONDED = "responded", _("资源方响应需求")
    ACCEPTED = "accepted", _("县域接受响应")
    RESOLVED = "resolved", _("需求办结")


class ReminderKind(models.TextChoices):
    """Which reminder a participant got."""

    DAY = "day", _("提前一天提醒")
    HOUR = "hour", _("提前一小时提醒")


class LogKind(models.TextChoices):
    """What an entry of the event's append-only log records."""

    CREATED = "created", _("创建活动")
    EDITED = "edited", _("修改活动")
    SUBMITTED = "submitted", _("提交审核")
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("退回修改")
    PUBLISHED = "published", _("发布")
    CANCELLED = "cancelled", _("取消")
    FINISHED = "finished", _("结束")
    INVITED = "invited", _("邀请参会")
    REGISTERED = "registered", _("报名")
    REGISTRATION_APPROVED = "reg_approved", _("报名通过")
    REGISTRATION_DECLINED = "reg_declined", _("报名未通过")
    REGISTRATION_CANCELLED = "reg_cancelled", _("取消报名")
    CHECKED_IN = "checked_in", _("签到")
    MEETING_REQUESTED = "m_requested", _("申请洽谈")
    MEETING_ACCEPTED = "m_accepted", _("接受洽谈")
    MEETING_DECLINED = "m_declined", _("谢绝洽谈")
    MEETING_CANCELLED = "m_cancelled", _("取消洽谈")
    MEETING_HELD = "m_held", _("洽谈已举行")
    SCHEDULED = "scheduled", _("排期")
    OUTCOME = "outcome", _("登记洽谈结果")
    ORDER_MOVED = "order_moved", _("推进需求")
    REMINDED = "reminded", _("发送提醒")
