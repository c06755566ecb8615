"""Choice lists of the development index."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    """Whether a higher value of an indicator is better (正向) or worse (逆向)."""

    POSITIVE = "positive", _("正向（越大越好）")
    NEGATIVE = "negative", _("逆向（越小越好）")


class Normalisation(models.TextChoices):
    """How each indicator's values are put on a common 0–100 scale across the counties of a year."""

    MINMAX = "minmax", _("极差标准化（min-max，0–100）")
    EFFICACY = "efficacy", _("功效系数法（60–100）")


class ResultSource(models.TextChoices):
    """Where a county's index result comes from."""

    COMPUTED = "computed", _("平台计算")
    PUBLISHED = "published", _("白皮书公布")


class ReportState(models.TextChoices):
    """States of a county's yearly indicator report (填报)."""

    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("待设区市审核")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class ValueOrigin(models.TextChoices):
    """How a county's yearly values reached the platform."""

    COUNTY = "county", _("县域填报")
    IMPORT = "import", _("批量导入")
    SAMPLE = "sample", _("示例")


class EventAction(models.TextChoices):
    """What happened (the append-only index log)."""

    CREATED = "created", _("创建填报")
    EDITED = "edited", _("修改数值")
    SUBMITTED = "submitted", _("提交审核")
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("退回修改")
    REOPENED = "reopened", _("重新打开")
    IMPORTED = "imported", _("批量导入")
    METHOD_CHANGED = "method_changed", _("修改计算方法或权重")
    TIER_SET = "tier_set", _("设定县域层级")
    TIER_REMOVED = "tier_removed", _("取消县域层级")
    COMPUTED = "computed", _("计算指数")
    PUBLISHED_LOADED = "published_loaded", _("载入公布结果")


class Tier(models.TextChoices):
    """The county tiers the white paper names (codes as in the API)."""

    INDUSTRIAL_STRONG = "industrial_strong", _("工业强县")
    DISTINCTIVE = "distinctive", _("产业特色县")
    PILOT = "pilot", _("试点县")


class TierSource(models.TextChoices):
    """Why a county holds a tier in a year."""

    PUBLISHED = "published", _("白皮书公布")
    COMPUTED = "computed", _("按平台计算的指数前十")
    ADMIN = "admin", _("管理员指定")
    SAMPLE = "sample", _("示例")


class Standing(models.TextChoices):
    """A dimension of a county, read against the province (长短板)."""

    STRONG = "strong", _("长板")
    AVERAGE = "average", _("居中")
    WEAK = "weak", _("短板")
    RELATIVE_WEAK = "relative_weak", _("相对短板")
