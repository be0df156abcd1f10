"""Reading one cell: dates in the forms staff type, amounts as exact decimals.
Each parser returns the value or raises ValueError with the Chinese reason."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE = re.compile(r"^(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*[日号]?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
CENT = Decimal("0.01")


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        if value is pd.NaT or (not isinstance(value, (str, bytes)) and pd.isna(value) is True):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(value, str) and not value.strip()


def shown(value: object) -> str:
    """How a cell value is quoted back in an error message."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value).strip()


def parse_date(value: object) -> dt.date:
    """Excel dates, Excel serial numbers, and text like 2023-06-15, 2023/6/15,
    2023.6.15, 2023年6月15日, 20230615."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 20000 <= value <= 80000:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        if _COMPACT.match(str(int(value)) if float(value).is_integer() else ""):
            return parse_date(str(int(value)))
        raise ValueError("不是日期")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = _DATE.match(text) or _COMPACT.match(text)
    if not m:
        raise ValueError("不是日期（可写 2023-06-15、2023/6/15 或 2023年6月15日）")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError("不是有效日期") from None


def to_decimal(value: object) -> Decimal:
    """A number or numeric text as an exact Decimal: 1.1 stays 1.1."""
    if isinstance(value, bool):
        raise ValueError("不是数字")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError("不是数字")
        return Decimal(repr(value))
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
    if not _NUMBER.match(text):
        raise ValueError("不是数字")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError("不是数字") from None


def parse_amount(value: object) -> Decimal:
    d = to_decimal(value)
    if d < 0:
        raise ValueError("不能为负数")
    return d


def parse_int(value: object) -> int:
    d = to_decimal(value)
    if d != d.to_integral_value():
        raise ValueError("应为整数")
    if d < 0:
        raise ValueError("不能为负数")
    return int(d)


def round2(value: Decimal) -> Decimal:
    """Half-up to 2 decimals: 84.125 -> 84.13 (binary floats would give 84.12)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


def month_zh(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:7])}月"
