"""Reading one cell: dates in the forms staff type, amounts as exact decimals.
Each parser returns the value or raises ValueError with the Chinese reason."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import sys
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE = re.compile(r"^(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*[日号]?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")  # 1,200 / 12,345.6: commas between groups of three
_WITH_UNIT = re.compile(r"^(.*?)(亿元|亿|万元|万|元)$")
# how many of a column's unit each written unit is worth
_UNITS = {"亿": Decimal(1), "万": Decimal(1) / Decimal(10000), "元": Decimal(1) / Decimal(10 ** 8)}
_PER_YI = {"亿": Decimal(1), "万": Decimal(10000)}  # a column's unit in 亿元 -> that unit's amount
CENT = Decimal("0.01")


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    # pandas' missing values (NaT, NA): only where pandas is loaded (a CSV
    # report), since no value can be one otherwise; a build reading only
    # workbooks never imports it
    pd = sys.modules.get("pandas")
    if pd is not None:
        try:
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
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    if _GROUPED.match(text):
        text = text.replace(",", "")  # thousands separators
    if not _NUMBER.match(text):
        raise ValueError("不是数字")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError("不是数字") from None


def amount_unit(column: str) -> str | None:
    """The unit a column's name gives its amounts: "亿" for 投资额（亿元）, "万"
    for 投资额（万元）, None when the name says none."""
    if "亿元" in column:
        return "亿"
    if "万元" in column:
        return "万"
    return None


def _split_unit(value: object) -> tuple[str, str | None]:
    """Numeric text and the unit written after it (亿元 -> 亿, 万元 -> 万, 元), if any."""
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    m = _WITH_UNIT.match(text)
    if m and m.group(1):
        return m.group(1), m.group(2)[0]
    return text, None


def _plain(d: Decimal) -> str:
    """A Decimal as plain digits without trailing zeros: 0.5, 1200, 0.00005."""
    text = format(d.normalize(), "f")
    return text


def parse_amount(value: object, unit: str | None = None, ceiling: Decimal | None = None) -> Decimal:
    """An amount in the column's `unit` (amount_unit). Text may carry a unit
    (7.2亿元, 5000万元, 300万): converted exactly into the column's; thousands
    separators are read as such. `ceiling` (亿元) is the most one row can
    plausibly be: more is an error."""
    if isinstance(value, str) and unit is not None:
        number, written = _split_unit(value)
        if written is not None:
            try:
                d = to_decimal(number)
            except ValueError:
                raise ValueError(_not_a_number(unit)) from None
            d = Decimal(_plain(d * _UNITS[written] * _PER_YI[unit]))
        else:
            try:
                d = to_decimal(value)
            except ValueError:
                raise ValueError(_not_a_number(unit)) from None
    elif isinstance(value, str) and _split_unit(value)[1] is not None:
        raise ValueError("不是数字（本列只填数字，不写单位）")
    else:
        d = to_decimal(value)
    if d < 0:
        raise ValueError("不能为负数")
    if ceiling is not None and unit is not None and d > ceiling * _PER_YI[unit]:
        top = _plain(ceiling * _PER_YI[unit])
        raise ValueError(f"超过每行 {top}{unit}元 的合理上限，请核对数额和单位（本列以{unit}元为单位）")
    return d


def _not_a_number(unit: str) -> str:
    if unit == "亿":
        return "不是数字（请填以亿元为单位的数字，如 7.2；5000万元 请写 0.5）"
    return "不是数字（请填以万元为单位的数字，如 5000；7.2亿元 请写 72000）"


def amount_note(value: str, unit: str | None, parsed: object) -> str:
    """What to say about an amount cell read differently from how it reads
    (a unit written in it, thousands separators); "" when nothing."""
    if unit is None or parsed is None:
        return ""
    number, written = _split_unit(value)
    if written is not None:
        if written == unit and not _GROUPED.match(number):
            return f"按 {_plain(Decimal(parsed))}{unit}元 计（去掉了单位）"
        return f"按 {_plain(Decimal(parsed))}{unit}元 计（已换算）"
    if _GROUPED.match(number):
        return f"按 {_plain(Decimal(parsed))}{unit}元 计（逗号作千位分隔）"
    return ""


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
