"""Sums of amounts that no stored value can overflow.

SQLite's SUM raises "integer overflow" once a total passes 2^63 − 1 (two rows of 9e18 元 do); its TOTAL never
does, and answers a float, exact for every total below 2^53 (about 9,007 万亿元, far above what the amount
limit lets rows add up to). PostgreSQL's SUM over bigint already answers an exact numeric. Either way the value
comes back as a Python int (`as_int` for rows read straight from the cursor)."""

from decimal import Decimal

from django.db.models import Sum

INT64_MAX = 2**63 - 1


class SafeSum(Sum):
    """SUM of an integer column that cannot overflow (TOTAL on SQLite); the ORM converts the result to int."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="TOTAL", **extra_context)


def as_int(value) -> int:
    """A summed value read from the cursor (int, float from TOTAL, Decimal from PostgreSQL, NULL) as an int."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value)
    return int(Decimal(value))
