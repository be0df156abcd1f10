"""Numbers written as offices write them: Arabic digits, 亿元 with two
decimals, 万元 for small amounts, percentages to one decimal, dates without
zero padding, months as 6月."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from gongwen.notice.numbers import cn_date

__all__ = ["cn_date", "month_cn", "month_full", "yi", "pct", "score", "count"]

TWO = Decimal("0.01")
ONE = Decimal("0.1")


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def yi(amount) -> str:
    """An amount held in 亿元: 12.50亿元; under 1亿元 written in 万元 (3500万元)."""
    d = _dec(amount)
    if d != 0 and abs(d) < 1:
        wan = (d * 10000).quantize(TWO, ROUND_HALF_UP).normalize()
        return f"{wan:f}万元"
    return f"{d.quantize(TWO, ROUND_HALF_UP):f}亿元"


def pct(value) -> str:
    """A percentage (already ×100) to one decimal: 35.6%."""
    return f"{_dec(value).quantize(ONE, ROUND_HALF_UP):f}%"


def score(value) -> str:
    """A score with two decimals: 92.00."""
    return f"{_dec(value).quantize(TWO, ROUND_HALF_UP):f}"


def count(value) -> str:
    d = _dec(value)
    return f"{d.normalize():f}" if d == d.to_integral_value() else f"{d.quantize(TWO, ROUND_HALF_UP):f}"


def month_cn(month: str) -> str:
    """2023-06 -> 6月."""
    return f"{int(month[5:7])}月"


def month_full(month: str) -> str:
    """2023-06 -> 2023年6月."""
    return f"{int(month[:4])}年{int(month[5:7])}月"


def parse_month(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)
