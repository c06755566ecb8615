"""Structured match reasons and their rendering.

A reason is ``{"code": ..., "params": {...}}``: the code names the feature that produced it, the params are
the facts (names, terms, amounts) it rests on.  :func:`render_reason` turns one into text through a
``translate`` function: identity gives the Chinese text (the msgids below are Chinese), the Django adapter
passes ``gettext`` so the active language is used (English strings live in the app's .po catalog).
Stored reasons of older versions are plain strings; they render as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping


def gettext_noop(message: str) -> str:
    """Marks a msgid for the translation catalog (the engine itself imports no Django)."""
    return message


Reason = dict  # {"code": str, "params": dict}

TEMPLATES: dict[str, str] = {
    "same_chain": gettext_noop("同属%(chain)s产业链"),
    "serves_chain": gettext_noop("面向%(chain)s产业链（%(term)s）"),
    "link_same": gettext_noop("同一环节：%(link)s"),
    "link_upstream": gettext_noop("上游环节：%(link)s"),
    "link_downstream": gettext_noop("下游环节：%(link)s"),
    "link_located": gettext_noop("所在环节：%(link)s"),
    "keywords": gettext_noop("关键词：%(terms)s"),
    "thesaurus": gettext_noop("学科相关：%(field)s ⊃ %(term)s"),
    "thesaurus_narrower": gettext_noop("学科相关：%(field)s ⊃ %(term)s"),
    "synonym": gettext_noop("同义词：%(synonym)s（%(term)s）"),
    "region": gettext_noop("适用地区：%(region)s"),
    "geo_county": gettext_noop("位于本县"),
    "geo_county_usable": gettext_noop("本县可用"),
    "geo_prefecture": gettext_noop("位于同一设区市"),
    "geo_province": gettext_noop("位于省内"),
    "geo_outside": gettext_noop("省外资源"),
    "geo_outside_at": gettext_noop("省外资源（%(location)s）"),
    "amount_covers": gettext_noop("额度覆盖需求金额"),
    "amount_below": gettext_noop("最高额度%(max)s，低于需求金额（排在覆盖需求的产品之后）"),
    "amount_max": gettext_noop("最高额度%(max)s"),
    "fund_size": gettext_noop("基金规模%(size)s"),
    "financing_loan_stated": gettext_noop("融资方式：贷款（需求注明），仅匹配贷款与担保类产品"),
    "financing_loan_inferred": gettext_noop("融资方式：贷款（据需求文本推断），仅匹配贷款与担保类产品"),
    "financing_equity_stated": gettext_noop("融资方式：股权投资（需求注明），仅匹配基金与投贷联动产品"),
    "financing_equity_inferred": gettext_noop(
        "融资方式：股权投资（据需求文本推断），仅匹配基金与投贷联动产品"
    ),
    "financing_either_stated": gettext_noop("融资方式：股权与贷款均可（需求注明）"),
    "financing_either_inferred": gettext_noop("融资方式：投贷联动（据需求文本推断），基金与贷款均可"),
    "fund_stage": gettext_noop("基金阶段契合：%(stage)s"),
    "outcome_success": gettext_noop("曾为同类需求成功对接：%(order)s（%(county)s）"),
    "outcome_irrelevant": gettext_noop("曾被同类需求标为不相关（已降权）"),
    "declined": gettext_noop("曾婉拒本县类似需求（已降权）"),
    # added by the Django adapter (matchmaking.matching), not by a scoring feature: it does not change scores
    "white_list": gettext_noop("列入重点企业白名单（%(year)s 年，%(chain)s）"),
    "text": "%(text)s",  # a stored reason of an older version, kept as its text
}
# Labels used inside the params (translated like the templates).
LABELS: dict[str, str] = {
    "guidance": gettext_noop("引导基金"),
    "venture": gettext_noop("创业投资"),
    "growth": gettext_noop("成长期投资"),
    "transformation": gettext_noop("成果转化"),
}
LIST_SEPARATOR = gettext_noop("、")
YI = gettext_noop("%(n)s亿元")
WAN = gettext_noop("%(n)s万元")
YUAN = gettext_noop("%(n)s元")


def reason(code: str, **params: object) -> Reason:
    """A structured reason (the code must be one of :data:`TEMPLATES`)."""
    if code not in TEMPLATES:
        raise KeyError(f"unknown reason code: {code!r}")
    return {"code": code, "params": params}


def money(yuan: float, translate: Callable[[str], str] = gettext_noop) -> str:
    """``3亿元`` / ``500万元`` / ``800元`` (through ``translate`` for other languages)."""
    if yuan >= 1e8:
        return translate(YI) % {"n": f"{yuan / 1e8:g}"}
    if yuan >= 1e4:
        return translate(WAN) % {"n": f"{yuan / 1e4:g}"}
    return translate(YUAN) % {"n": f"{yuan:g}"}


def render_reason(item: Mapping[str, object] | str, translate: Callable[[str], str] = gettext_noop) -> str:
    """The text of one reason in the language ``translate`` gives (identity: Chinese)."""
    if isinstance(item, str):
        return item
    code = str(item.get("code", ""))
    template = TEMPLATES.get(code)
    raw = item.get("params") or {}
    if template is None:
        return str(raw.get("text", code))  # type: ignore[union-attr]
    if not raw:
        return translate(template)
    params = dict(raw)  # type: ignore[call-overload]
    if "terms" in params and not isinstance(params["terms"], str):
        params["terms"] = translate(LIST_SEPARATOR).join(str(t) for t in params["terms"])  # type: ignore[union-attr]
    for key in ("max", "size"):
        if isinstance(params.get(key), int | float):
            params[key] = money(float(params[key]), translate)  # type: ignore[arg-type]
    if "stage" in params:
        params["stage"] = translate(LABELS.get(str(params["stage"]), str(params["stage"])))
    text = translate(template) if code != "text" else template
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return str(params.get("text", code))


def render_reasons(
    items: Iterable[Mapping[str, object] | str], translate: Callable[[str], str] = gettext_noop
) -> list[str]:
    """:func:`render_reason` of each reason."""
    return [render_reason(item, translate) for item in items or ()]


def legacy_reason(text: str) -> Reason:
    """A stored plain-text reason of an older version as a structured one."""
    return {"code": "text", "params": {"text": text}}
