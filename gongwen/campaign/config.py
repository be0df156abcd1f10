"""campaign.yaml: the pydantic models, loading, and the checks that span keys
(a rule naming a column its sheet lacks, a target for an undeclared category).
Every problem comes back as a Chinese line that names the key."""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Union

from gongwen import safeyaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gongwen.campaign import sheets as S
from gongwen.errors import UserError
from gongwen.schema_errors import describe_one

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CAMPAIGN_FILE = "campaign.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ColumnSpec(_Model):
    name: str = Field(min_length=1)
    kind: Literal["text", "unit", "date", "amount", "int", "enum"] = "text"
    values: list[str] = []
    required: bool = True
    in_month: bool = True
    aliases: list[str] = []

    @model_validator(mode="after")
    def _enum_values(self):
        if self.kind == "enum" and not self.values:
            raise ValueError("kind 为 enum 的列须用 values 列出可选值")
        return self

    def to_column(self) -> S.Column:
        return S.Column(self.name, self.kind, tuple(self.values), self.required, self.in_month, tuple(self.aliases))


class SheetSpec(_Model):
    name: str = Field(min_length=1)
    columns: list[ColumnSpec] = Field(min_length=1)


class SheetsSpec(_Model):
    use: list[str] | None = None  # built-in sheets used; None = all five
    new: list[SheetSpec] = []  # the campaign's own sheets
    columns: dict[str, list[ColumnSpec]] = {}  # extra columns on built-in sheets
    values: dict[str, list[str]] = {}  # "sheet.column": more enumerated values
    aliases: dict[str, list[str]] = {}  # sheet: other names its tab may carry in a report (签约项目: [签约项目表])
    # the most one row's amount can plausibly be, in 亿元 (a 万元 column: x 10000); more is an error naming the cell
    amount_max: Decimal = Field(Decimal(1000), gt=0)


class Condition(_Model):
    """One test on one column of a row; every key given must hold."""

    column: str
    equals: str | None = None
    in_: list[str] | None = Field(None, alias="in")
    not_in: list[str] | None = None
    min: Decimal | None = None  # >=
    max: Decimal | None = None  # <=
    below: Decimal | None = None  # <
    day_from: int | None = Field(None, ge=1, le=31)  # date's day of month >=
    day_to: int | None = Field(None, ge=1, le=31)  # date's day of month <=

    @model_validator(mode="after")
    def _something(self):
        keys = ("equals", "in_", "not_in", "min", "max", "below", "day_from", "day_to")
        if all(getattr(self, k) is None for k in keys):
            raise ValueError("条件至少要写 equals/in/not_in/min/max/below/day_from/day_to 中的一项")
        return self


Where = list[Union[str, Condition]]


class Metric(_Model):
    """What is counted: rows of a sheet passing `where`, or the sum of a column,
    or the number of distinct values of a column."""

    sheet: str
    where: Where = []
    sum: str | None = None
    distinct: str | None = None


class Part(_Model):
    name: str | None = None
    sheet: str
    where: Where = []
    rule: Literal["best", "sum", "count", "completion"]
    # best / sum: a points table over a column
    column: str | None = None
    table: dict[str, Decimal] = {}
    other: Decimal = Decimal(0)
    match: Literal["exact", "contains"] = "exact"
    # count: points per row
    each: Decimal | None = None
    max_count: int | None = Field(None, ge=0)
    cap: Decimal | None = None
    required: int | None = Field(None, ge=0)
    deduct_per_missing: Decimal = Decimal(0)
    # completion: full points at 100 % of a per-category target
    full: Decimal | None = None
    target: dict[str, Decimal] = {}
    sum: str | None = None
    distinct: str | None = None
    period: Literal["month", "to_date"] = "month"

    @model_validator(mode="after")
    def _rule_keys(self):
        if self.rule in ("best", "sum"):
            if not self.column:
                raise ValueError(f"rule 为 {self.rule} 时须写 column（按哪一列查分值表）")
            if not self.table:
                raise ValueError(f"rule 为 {self.rule} 时须写 table（取值: 分数）")
        if self.rule == "count" and self.each is None:
            raise ValueError("rule 为 count 时须写 each（每条记录得几分）")
        if self.rule == "completion":
            if self.full is None or not self.target:
                raise ValueError("rule 为 completion 时须写 full（完成目标得几分）和 target（各类别目标）")
        return self


PART_KEYS = set(Part.model_fields) | {"in"}


class Dimension(_Model):
    name: str
    max: Decimal = Field(gt=0)
    parts: list[Part] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _inline_part(cls, data: Any):
        # A one-part dimension may write the part's keys directly on the dimension.
        if isinstance(data, dict) and "parts" not in data and set(data) - {"name", "max"}:
            data = dict(data)
            part = {k: data.pop(k) for k in list(data) if k not in ("name", "max")}
            part.setdefault("name", data.get("name"))
            data["parts"] = [part]
        return data


class Scoring(_Model):
    total: Decimal = Decimal(100)
    rescale: bool = False  # a category not assessed on a dimension: total scaled to `total`
    dimensions: list[Dimension] = Field(min_length=1)


class Board(_Model):
    name: str  # 一马当先榜
    label: str  # what the 榜单 column shows: 一马当先
    places: int = Field(3, ge=1)
    rewards: dict[int, str] = {}


class Lists(_Model):
    qualifying: Metric  # a unit "has a qualifying project" when this counts >= 1
    leaders: Board
    laggards: Board


class Target(_Model):
    name: str
    period: str = "campaign"  # "campaign" or a month YYYY-MM
    scope: Literal["campaign", "unit"] = "campaign"
    categories: list[str] | None = None  # for scope unit; default all
    metric: Metric
    target: Union[Decimal, dict[str, Decimal]]
    measure_word: str = "个"  # 家 / 个 / 条, for display


MAX_NAME_CHARS = 60


class CampaignConfig(_Model):
    id: str
    name: str
    issuer: str | None = None
    plan_document: str | None = None
    plan_text: str | None = None
    months: dict[str, Decimal] = Field(min_length=1)
    categories: list[str] = Field(min_length=1)
    sheets: SheetsSpec = SheetsSpec()
    filters: dict[str, list[Condition]] = {}
    scoring: Scoring
    lists: Lists
    targets: list[Target] = []
    documents: dict[str, Any] = {}  # free for the document builders

    @field_validator("name")
    @classmethod
    def _name_length(cls, v):
        if len(v) > MAX_NAME_CHARS:
            raise ValueError(f"活动名称有 {len(v)} 字，超过 {MAX_NAME_CHARS} 字的上限，请缩短（公文标题由它组成）")
        return v

    @field_validator("months", mode="before")
    @classmethod
    def _month_keys(cls, v):
        if isinstance(v, dict):
            return {str(k): w for k, w in v.items()}
        return v


TOP_KEYS = list(CampaignConfig.model_fields)


# ---------------------------------------------------------------- cross-key checks

def _near(word: str, choices) -> str:
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.3)
    return f"，是否想写“{near[0]}”？" if near else ""


def build_sheets(cfg: CampaignConfig, problems: list[str]) -> S.SheetSet:
    spec = cfg.sheets
    builtin = S.BUILTIN_SHEETS
    use = list(builtin) if spec.use is None else spec.use
    more_values: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, vals in spec.values.items():
        sheet, _, col = key.partition(".")
        bs = builtin.get(sheet)
        if bs is None or not col:
            problems.append(f"键 sheets.values.{key}：应写成“工作表.列”，工作表为内置表之一{_near(sheet, builtin)}")
            continue
        c = bs.column(col)
        if c is None or c.kind != S.ENUM:
            enums = [x.name for x in bs.columns if x.kind == S.ENUM]
            problems.append(f"键 sheets.values.{key}：{sheet} 没有下拉列“{col}”{_near(col, enums)}")
            continue
        more_values.setdefault(sheet, {})[col] = tuple(vals)
    result = S.SheetSet()
    for i, name in enumerate(use):
        if name not in builtin:
            problems.append(f"键 sheets.use[{i + 1}]：没有内置工作表“{name}”{_near(name, builtin)}")
            continue
        extra = [c.to_column() for c in spec.columns.get(name, [])]
        clash = [c.name for c in extra if builtin[name].column(c.name)]
        for c in clash:
            problems.append(f"键 sheets.columns.{name}：列“{c}”已是内置列，不必再声明")
        extra = [c for c in extra if c.name not in clash]
        result.sheets[name] = S.extend_sheet(builtin[name], extra, more_values.get(name, {}))
    for name in spec.columns:
        if name not in use:
            problems.append(f"键 sheets.columns.{name}：不是本活动使用的内置工作表（sheets.use）{_near(name, use)}")
    for i, sh in enumerate(spec.new):
        key = f"sheets.new[{i + 1}]"
        if sh.name in builtin or sh.name in result:
            problems.append(f"键 {key}.name：工作表“{sh.name}”已存在，请换个名字或用 sheets.columns 加列")
            continue
        cols = [c.to_column() for c in sh.columns]
        names = [c.name for c in cols]
        if S.UNIT_COLUMN not in names:
            problems.append(f"键 {key}.columns：须有一列 {S.UNIT_COLUMN}（kind: unit）")
        for n in set(names):
            if names.count(n) > 1:
                problems.append(f"键 {key}.columns：列“{n}”重复")
        result.sheets[sh.name] = S.Sheet(sh.name, tuple(cols), builtin=False)
    taken = {S.header_key(n): n for n in result.names()}
    for name, aliases in spec.aliases.items():
        if name not in result:
            problems.append(f"键 sheets.aliases.{name}：不是本活动的工作表{_near(name, result.names())}")
            continue
        for alias in aliases:
            key = S.header_key(alias)
            if key in taken and taken[key] != name:
                problems.append(f"键 sheets.aliases.{name}：“{alias}”已是工作表“{taken[key]}”的名称或别名")
                continue
            taken[key] = name
            if key != S.header_key(name):
                result.aliases[key] = name
    result.amount_max = spec.amount_max
    return result


class _Checker:
    def __init__(self, cfg: CampaignConfig, sheets: S.SheetSet, problems: list[str]):
        self.cfg, self.sheets, self.problems = cfg, sheets, problems
        self.use = ""  # while checking a named filter: where it is used
        self.seen: set[tuple[str, str]] = set()

    def err(self, key: str, reason: str) -> None:
        line = f"键 {key}：{reason}" + (f"（用于 {self.use}）" if self.use else "")
        if line not in self.problems:
            self.problems.append(line)

    def sheet(self, key: str, name: str) -> S.Sheet | None:
        sh = self.sheets.get(name)
        if sh is None:
            self.err(key, f"没有工作表“{name}”{_near(name, self.sheets.names())}")
        return sh

    def column(self, key: str, sheet: S.Sheet, name: str | None, kinds=None) -> S.Column | None:
        if name is None:
            return None
        col = sheet.column(name)
        if col is None:
            self.err(key, f"工作表 {sheet.name} 没有列“{name}”{_near(name, sheet.column_names)}")
            return None
        if kinds and col.kind not in kinds:
            self.err(key, f"列“{name}”是{S.KIND_ZH[col.kind]}列，这里需要{'或'.join(S.KIND_ZH[k] for k in kinds)}列")
        return col

    def where(self, key: str, sheet: S.Sheet, where) -> None:
        for i, cond in enumerate(where):
            k = f"{key}[{i + 1}]"
            if isinstance(cond, str):
                if cond not in self.cfg.filters:
                    self.err(k, f"没有名为“{cond}”的筛选条件（filters）{_near(cond, self.cfg.filters)}")
                    continue
                if (cond, sheet.name) in self.seen:
                    continue
                self.seen.add((cond, sheet.name))
                self.use = k
                for j, c in enumerate(self.cfg.filters[cond]):
                    self.condition(f"filters.{cond}[{j + 1}]", sheet, c)
                self.use = ""
            else:
                self.condition(k, sheet, cond)

    def condition(self, key: str, sheet: S.Sheet, c: Condition) -> None:
        col = self.column(f"{key}.column", sheet, c.column)
        if col is None:
            return
        numeric = c.min is not None or c.max is not None or c.below is not None
        if numeric and not col.numeric:
            self.err(key, f"min/max/below 只能用于数额或整数列，“{col.name}”是{S.KIND_ZH[col.kind]}列")
        if (c.day_from or c.day_to) and col.kind != S.DATE:
            self.err(key, f"day_from/day_to 只能用于日期列，“{col.name}”是{S.KIND_ZH[col.kind]}列")
        if col.kind == S.ENUM:
            vals = [c.equals] if c.equals is not None else []
            vals += (c.in_ or []) + (c.not_in or [])
            for v in vals:
                if v not in col.values:
                    self.err(key, f"“{v}”不是列“{col.name}”的可选值（{'、'.join(col.values)}）")

    def metric(self, key: str, m: Metric) -> S.Sheet | None:
        sh = self.sheet(f"{key}.sheet", m.sheet)
        if sh is None:
            return None
        self.where(f"{key}.where", sh, m.where)
        self.column(f"{key}.sum", sh, m.sum, (S.AMOUNT, S.INT))
        self.column(f"{key}.distinct", sh, m.distinct)
        return sh

    def categories(self, key: str, names) -> None:
        for n in names:
            if n not in self.cfg.categories:
                self.err(key, f"“{n}”不是已声明的类别（categories：{'、'.join(self.cfg.categories)}）")

    def run(self) -> None:
        cfg = self.cfg
        for m in cfg.months:
            if not MONTH.match(m):
                self.err(f"months.{m}", "月份应写成 YYYY-MM，如 2023-06")
        if sorted(cfg.months) != list(cfg.months):
            self.err("months", "月份应按时间先后排列")
        total_w = sum(cfg.months.values(), Decimal(0))
        if total_w != 1:
            self.err("months", f"各月权重之和应为 1，现为 {total_w}")
        for m, w in cfg.months.items():
            if w < 0:
                self.err(f"months.{m}", "权重不能为负")
        if len(set(cfg.categories)) != len(cfg.categories):
            self.err("categories", "类别有重复")
        dims = cfg.scoring.dimensions
        names = [d.name for d in dims]
        for n in set(names):
            if names.count(n) > 1:
                self.err("scoring.dimensions", f"维度“{n}”重复")
        reserved = {"类别", "单位", "总分", "排名", "榜单"} | set(cfg.months)
        for i, d in enumerate(dims):
            if d.name in reserved:
                self.err(f"scoring.dimensions[{i + 1}].name", f"“{d.name}”与得分明细的固定列重名")
        total_max = sum((d.max for d in dims), Decimal(0))
        if total_max != cfg.scoring.total:
            self.err("scoring.total", f"应等于各维度 max 之和 {total_max}")
        for i, d in enumerate(dims):
            for j, p in enumerate(d.parts):
                self.part(f"scoring.dimensions[{i + 1}].parts[{j + 1}]", p)
        self.metric("lists.qualifying", cfg.lists.qualifying)
        for i, t in enumerate(cfg.targets):
            key = f"targets[{i + 1}]"
            if t.period != "campaign" and t.period not in cfg.months:
                self.err(f"{key}.period", f"应为 campaign 或活动月份之一（{'、'.join(cfg.months)}）")
            if t.categories:
                self.categories(f"{key}.categories", t.categories)
            if isinstance(t.target, dict):
                self.categories(f"{key}.target", t.target)
                if t.scope != "unit":
                    self.err(f"{key}.target", "按类别分别定目标时 scope 应为 unit")
            self.metric(f"{key}.metric", t.metric)

    def part(self, key: str, p: Part) -> None:
        sh = self.sheet(f"{key}.sheet", p.sheet)
        if sh is None:
            return
        self.where(f"{key}.where", sh, p.where)
        if p.rule in ("best", "sum"):
            col = self.column(f"{key}.column", sh, p.column)
            if col is not None and col.kind == S.ENUM:
                for v in p.table:
                    if v not in col.values:
                        self.err(f"{key}.table.{v}", f"不是列“{col.name}”的可选值（{'、'.join(col.values)}）")
        if p.rule == "completion":
            self.categories(f"{key}.target", p.target)
            self.column(f"{key}.sum", sh, p.sum, (S.AMOUNT, S.INT))
            self.column(f"{key}.distinct", sh, p.distinct)
            for c, v in p.target.items():
                if v <= 0:
                    self.err(f"{key}.target.{c}", "目标应大于 0")


def _strip(data: Any, loc: tuple) -> bool:
    """Remove the key at `loc` (a pydantic location) from the raw data; True if removed."""
    node = data
    inline = False
    for item in loc[:-1]:
        if inline and item == 0:
            inline = False
            continue  # parts[1] of an inline part is the dimension itself
        if isinstance(node, dict) and item in node:
            node = node[item]
        elif isinstance(node, list) and isinstance(item, int) and item < len(node):
            node = node[item]
        elif isinstance(node, dict) and item == "parts" and "parts" not in node:
            inline = True  # an inline part: its keys sit on the dimension itself
        else:
            return False
    if isinstance(node, dict) and loc and loc[-1] in node:
        del node[loc[-1]]
        return True
    return False


def _inline_locs(data: Any) -> set[int]:
    """Dimensions (0-based) written with their one part's keys inline."""
    try:
        dims = data["scoring"]["dimensions"]
        return {i for i, d in enumerate(dims) if isinstance(d, dict) and "parts" not in d}
    except (KeyError, TypeError):
        return set()


def _shown_loc(loc: tuple, inline: set[int]) -> tuple:
    """The location as the user wrote it: an inline part's keys without parts[1]."""
    loc = tuple(p for p in loc if p not in ("function-after", "function-before"))
    if len(loc) >= 5 and loc[:2] == ("scoring", "dimensions") and loc[2] in inline and loc[3:5] == ("parts", 0):
        return loc[:3] + loc[5:]
    return loc


def _keys_at(loc: tuple) -> list[str]:
    """The keys allowed where the last item of `loc` was written (its siblings)."""
    import typing

    model: Any = CampaignConfig
    for item in loc[:-1]:
        if isinstance(item, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        field = model.model_fields.get(item)
        if field is None:
            field = next((f for f in model.model_fields.values() if f.alias == item), None)
        if field is None:
            return []
        ann = field.annotation
        # unwrap list[X], dict[str, X], X | None, Union[...] down to a model
        found = None
        stack = [ann]
        while stack:
            t = stack.pop()
            if isinstance(t, type) and issubclass(t, BaseModel):
                found = t
                break
            stack.extend(a for a in typing.get_args(t) if a is not type(None))
        model = found
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return []
    return [f.alias or n for n, f in model.model_fields.items()]


def _messages(exc: ValidationError, data: Any) -> list[str]:
    inline = _inline_locs(data)
    lines = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p not in ("function-after", "function-before"))
        shown = _shown_loc(loc, inline)
        if err["type"] == "extra_forbidden":
            known = [k for k in _keys_at(loc) if k != loc[-1]]
        else:
            known = []
        lines.extend(describe_one(err, shown, known))
    return lines


def parse_config(data: Any, source: str = CAMPAIGN_FILE) -> tuple[CampaignConfig, S.SheetSet]:
    """The campaign's settings and sheets, or one UserError naming every
    problem: an unknown key is reported and left out, and the rest is still
    checked (down to the checks that span keys), so it hides nothing."""
    import copy

    if not isinstance(data, dict):
        raise UserError(f"{source} 的内容应为键值表（id、name、months、categories、scoring……）")
    problems: list[str] = []
    work = copy.deepcopy(data)
    cfg = None
    for _ in range(3):  # unknown keys reported and dropped; then whatever else is wrong
        try:
            cfg = CampaignConfig.model_validate(work)
            break
        except ValidationError as exc:
            extra = [e for e in exc.errors() if e["type"] == "extra_forbidden"]
            others = [e for e in exc.errors() if e["type"] != "extra_forbidden"]
            for line in _messages(exc, work):
                if line not in problems:
                    problems.append(line)
            if others or not extra:
                raise UserError(f"{source} 有误：", problems) from None
            dropped = [_strip(work, tuple(p for p in e["loc"] if p not in ("function-after", "function-before")))
                       for e in extra]
            if not all(dropped):
                raise UserError(f"{source} 有误：", problems) from None
    if cfg is None:
        raise UserError(f"{source} 有误：", problems)
    sheets = build_sheets(cfg, problems)
    _Checker(cfg, sheets, problems).run()
    if problems:
        raise UserError(f"{source} 有误：", problems)
    return cfg, sheets


def read_config(folder: Path) -> tuple[CampaignConfig, S.SheetSet]:
    path = Path(folder) / CAMPAIGN_FILE
    if not path.is_file():
        raise UserError(f"{folder} 里没有 {CAMPAIGN_FILE}：活动文件夹应含 campaign.yaml、units.xlsx 和 reports/")
    try:
        data = safeyaml.load(path.read_text(encoding="utf-8"), CAMPAIGN_FILE)
    except UnicodeDecodeError:
        raise UserError(f"{CAMPAIGN_FILE} 应以 UTF-8 编码保存") from None
    return parse_config(data, CAMPAIGN_FILE)
