"""Cues read from an order's text: the direction of an industry need, its subject, the financing type and stage."""

from __future__ import annotations

import re

from .segment import normalize

UPSTREAM_CUES = ("上游", "供应商", "供货", "原料供应", "原材料", "配套企业", "配套商", "供应")
DOWNSTREAM_CUES = ("下游", "客户", "买家", "采购商", "采购方", "经销商", "销售渠道", "应用方", "用户")
EQUITY_CUES = ("股权", "入股", "参股", "基金", "创投", "风投", "天使", "投资机构", "股权投资")
LOAN_CUES = (
    "贷款",
    "贷",
    "授信",
    "信贷",
    "质押",
    "抵押",
    "融资租赁",
    "租赁",
    "保理",
    "流动资金",
    "担保",
    "保单融资",
    "仓单",
    "订单融资",
    "应收账款",
)
# Words naming the kind of partner an order wants rather than what it is about.
PARTNER_WORDS = (
    "高校",
    "院校",
    "大学",
    "高等院校",
    "高校院所",
    "科研院所",
    "科研院校",
    "院所",
    "校院",
    "科研机构",
    "研究机构",
    "科研单位",
    "研发机构",
    # talent: the kind of provider wanted (a training base, a college, a panel), not the skill
    "实训基地",
    "培训基地",
    "产业学院",
    "专家团",
    "服务团",
    "特派团",
)
STAGE_CUES = {
    "venture": ("初创", "种子", "天使", "早期", "孵化", "创业"),
    "transformation": ("成果转化", "中试", "概念验证", "转化"),
    "growth": ("扩产", "扩能", "成长", "产能", "并购", "扩建", "技改", "升级"),
}


def infer_direction(text: str, normalized: bool = False) -> str | None:
    """``upstream`` (looking for suppliers) / ``downstream`` (customers) from the order text
    (``normalized``: the text is :func:`normalize`'s already)."""
    text = text if normalized else normalize(text)
    up = text.find("上游")
    down = text.find("下游")
    if up >= 0 or down >= 0:
        if down < 0 or (0 <= up < down):
            return "upstream"
        return "downstream"
    if any(c in text for c in DOWNSTREAM_CUES):
        return "downstream"
    if any(c in text for c in UPSTREAM_CUES) or "配套" in text:
        return "upstream"
    return None


# Where the party placing a need is named: the start of the text, up to the first verb of seeking.
SUBJECT_END = re.compile(
    r"[，,。；;：:！!？?\n]|寻找|需要|希望|拟|计划|急需|牵头|联合|要求|准备|正在|想要|寻求|布局"
)
SUBJECT_MAX = 40
SUBJECT_NAME_START = 6  # a placing party's name starts within the subject's first characters
INSURANCE_CUES = ("保险", "保单", "信保")


def subject_of(text: str) -> str:
    """The first clause of ``text`` up to its first verb of seeking (寻找, 需要, 希望 …): who asks."""
    text = normalize(text).strip()
    match = SUBJECT_END.search(text)
    return (text[: match.start()] if match else text)[:SUBJECT_MAX]


def infer_financing_type(text: str, normalized: bool = False) -> str | None:
    text = text if normalized else normalize(text)
    if "投贷联动" in text or "投贷结合" in text:
        return "either"
    equity = any(c in text for c in EQUITY_CUES)
    loan = any(c in text for c in LOAN_CUES)
    if equity and not loan:
        return "equity"
    if loan and not equity:
        return "loan"
    return "either" if equity and loan else None


def infer_stage(text: str, normalized: bool = False) -> str | None:
    text = text if normalized else normalize(text)
    for stage, cues in STAGE_CUES.items():
        if any(c in text for c in cues):
            return stage
    return None
