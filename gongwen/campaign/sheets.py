"""Sheet and column definitions: the built-in ones fixed by docs/活动配置.md, plus
whatever a campaign declares in its campaign.yaml (new sheets, new columns on a
built-in sheet, more values for an enumerated column)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal

# Column kinds. "unit" is a roster name; "enum" has a closed list of values.
TEXT, UNIT, DATE, AMOUNT, INT, ENUM = "text", "unit", "date", "amount", "int", "enum"
KINDS = (TEXT, UNIT, DATE, AMOUNT, INT, ENUM)
KIND_ZH = {TEXT: "文字", UNIT: "单位名称", DATE: "日期", AMOUNT: "数额", INT: "整数", ENUM: "下拉选项"}

ROSTER_SHEET = "参评单位"
ROSTER_COLUMNS = ("单位", "类别", "简称")
UNIT_COLUMN = "单位"
AMOUNT_COLUMN = "投资额（亿元）"

ENTERPRISE_TYPES = ("世界500强", "中国500强", "上市公司", "头部企业", "其他")
SIGNING_TYPES = ("实质性签约", "意向性签约", "合同文本送签")
START_TYPES = ("举行开工仪式", "实质性开工", "稳步推进")
STAGES = ("初步接洽", "实质性谈判", "待签约")
YES_NO = ("是", "否")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    values: tuple[str, ...] = ()  # for ENUM
    required: bool = True  # every row must have a value
    in_month: bool = True  # for DATE: must fall in the report's month
    aliases: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.kind in (AMOUNT, INT)


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    builtin: bool = True

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name, kind=TEXT, values=(), required=True):
    return Column(name, kind, tuple(values), required)


BUILTIN_SHEETS: dict[str, Sheet] = {
    s.name: s
    for s in (
        Sheet("外出招商", (
            _c("单位", UNIT), _c("日期", DATE), _c("带队领导", required=False),
            _c("是否主要负责人", ENUM, YES_NO), _c("目的地", required=False),
            _c("拜访企业数", INT, required=False),
        )),
        Sheet("签约项目", (
            _c("单位", UNIT), _c("项目名称"), _c("企业名称", required=False),
            _c("企业类型", ENUM, ENTERPRISE_TYPES), _c("所属产业", required=False),
            _c(AMOUNT_COLUMN, AMOUNT), _c("签约类型", ENUM, SIGNING_TYPES), _c("签约日期", DATE),
        )),
        Sheet("开工项目", (
            _c("单位", UNIT), _c("项目名称"), _c(AMOUNT_COLUMN, AMOUNT),
            _c("开工类型", ENUM, START_TYPES), _c("开工日期", DATE),
        )),
        Sheet("在谈项目", (
            _c("单位", UNIT), _c("项目名称"), _c("企业名称", required=False),
            _c("企业类型", ENUM, ENTERPRISE_TYPES), _c(AMOUNT_COLUMN, AMOUNT),
            _c("阶段", ENUM, STAGES),
        )),
        Sheet("信息报送", (_c("单位", UNIT), _c("报送日期", DATE))),
    )
}

_SPACE = re.compile(r"\s+")


_KEYS: dict[str, str] = {}  # header_key of text seen before: every report repeats the same headers and names
_KEYS_MAX = 8192


def header_key(text: object) -> str:
    """What two headers must share to be the same column: NFKC folds full-width
    brackets and letters to half-width; all spaces go."""
    if type(text) is str:
        key = _KEYS.get(text)
        if key is None:
            if len(_KEYS) >= _KEYS_MAX:
                _KEYS.clear()
            key = _KEYS[text] = _SPACE.sub("", unicodedata.normalize("NFKC", text))
        return key
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return _SPACE.sub("", s)


def value_key(text: object) -> str:
    """Enumerated values and unit names compare the same way as headers."""
    return header_key(text)


@dataclass
class SheetSet:
    """The sheets a campaign's reports may hold, in form order."""

    sheets: dict[str, Sheet] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # header_key of an alias -> sheet name (campaign.yaml)
    amount_max: Decimal = Decimal(1000)  # 亿元 per row (sheets.amount_max)

    def __iter__(self):
        return iter(self.sheets.values())

    def __contains__(self, name: str) -> bool:
        return name in self.sheets

    def __getitem__(self, name: str) -> Sheet:
        return self.sheets[name]

    def get(self, name: str) -> Sheet | None:
        return self.sheets.get(name)

    def names(self) -> list[str]:
        return list(self.sheets)

    def match(self, title: str) -> Sheet | None:
        key = header_key(title)
        for sheet in self.sheets.values():
            if header_key(sheet.name) == key:
                return sheet
        name = self.aliases.get(key)
        return self.sheets[name] if name else None


def extend_sheet(sheet: Sheet, columns: list[Column], more_values: dict[str, tuple[str, ...]]) -> Sheet:
    cols = []
    for col in sheet.columns:
        extra = more_values.get(col.name)
        if extra:
            col = replace(col, values=col.values + tuple(v for v in extra if v not in col.values))
        cols.append(col)
    return replace(sheet, columns=tuple(cols) + tuple(columns))
