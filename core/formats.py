"""How amounts and durations read on pages, the same everywhere.

- Amounts: below 1 万 in 元 ("1 元", "9,800 元"), from 1 万 on in 万元 with at most two decimals ("500 万元",
  "12.5 万元").
- Durations given in days: under one day in hours ("5.5 小时"), else in days ("3.2 天").
"""

from decimal import Decimal

from django.utils.translation import gettext as _


def _number(value: float, places: int) -> str:
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_amount(yuan) -> str:
    """An amount of money in 元 or 万元."""
    if yuan in (None, ""):
        return ""
    value = float(Decimal(str(yuan)))
    if abs(value) < 10_000:
        return _("%(amount)s 元") % {"amount": _number(value, 2)}
    return _("%(amount)s 万元") % {"amount": _number(value / 10_000, 2)}


def format_days(days) -> str:
    """A duration given in days: hours under a day, days otherwise; "—" when unknown."""
    if days is None:
        return "—"
    value = float(days)
    if value < 1:
        return _("%(n)s 小时") % {"n": _number(value * 24, 1)}
    return _("%(n)s 天") % {"n": _number(value, 1)}
