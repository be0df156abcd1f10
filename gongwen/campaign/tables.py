"""Turning a RawTable into typed records against a sheet definition. All problems
are collected, each naming file, sheet, Excel row, column and value."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import chain, repeat
from operator import itemgetter
from typing import Callable

from gongwen.campaign import sheets as S
from gongwen.campaign import values as V
from gongwen.campaign.workbook import HEADER_SCAN, MAX_CELL_CHARS, NA_TEXT, RawTable, cell, range_text
from gongwen.campaign.workbook import _column_letter as column_letter
from gongwen.errors import excerpt


class Notice(str):
    """A warning: reads (and compares) as its Chinese line, and carries where
    it is and what it is about, for a caller that lists them in its own form
    or turns them into errors (strict)."""

    def __new__(cls, text: str, file: str = "", sheet: str = "", row: int | None = None, column: str = "",
                value: str = "", message: str = ""):
        self = super().__new__(cls, text)
        self.file, self.sheet, self.row, self.column, self.value = file, sheet, row, column, value
        self.message = message or text
        return self

    def __reduce__(self):
        return (Notice, (str(self), self.file, self.sheet, self.row, self.column, self.value, self.message))

    def as_dict(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "value": self.value, "message": self.message, "text": str(self)}


def notice(text: object) -> Notice:
    """Any warning line as a Notice (a plain string carries only its text)."""
    return text if isinstance(text, Notice) else Notice(str(text))


class CellIssue:
    """A cell that shows something the build cannot take as a value: an error
    (#DIV/0!, #N/A...) or a formula saved without its result."""

    __slots__ = ("text", "kind")

    def __init__(self, text: str, kind: str):
        self.text, self.kind = text, kind

    def reason(self) -> str:
        if self.kind == "error":
            return f'"{self.text}" 是错误值（公式出错），请改正公式或直接填写'
        if self.kind == "merged":
            return f"是合并单元格 {self.text} 的一部分：数额请取消合并，逐行填写"
        return (f'公式“{self.text}”没有保存计算结果（文件不是在 Excel 或 WPS 里保存的），'
                "请在 Excel 或 WPS 中打开后保存，或直接填写数值")


TOTALS = ("合计", "总计", "小计")


@dataclass(frozen=True)
class Source:
    file: str
    sheet: str
    row: int  # Excel row number

    def __str__(self) -> str:
        return f"{self.file} {self.sheet} 第{self.row}行"


@dataclass
class Record:
    """One row of a report sheet, values parsed (Decimal amounts, dates, canonical enums)."""

    sheet: str
    unit: str
    values: dict[str, object]
    source: Source

    def __getitem__(self, column: str) -> object:
        return self.values.get(column)

    def get(self, column: str, default=None):
        v = self.values.get(column)
        return default if v is None else v


@dataclass
class Context:
    month: tuple[dt.date, dt.date] | None = None  # dates must fall inside
    month_label: str = ""
    resolve_unit: Callable[[str], tuple[str | None, str]] | None = None  # -> (name, reason)
    optional_headers: frozenset[str] = frozenset()
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # Notice lines
    amount_max: Decimal | None = None  # 亿元 per row; None: no ceiling
    filled_units: list[tuple[str, int]] = field(default_factory=list)  # (sheet, row) given the file's unit
    units_seen: dict[str, tuple[str | None, str]] = field(default_factory=dict, repr=False)  # resolve_unit's answers
    parsed: dict[tuple, tuple[bool, object]] = field(default_factory=dict, repr=False)  # cells already parsed
    columns: dict[tuple, dict] = field(default_factory=dict, repr=False)  # (id(column), as_read) -> {cell: _outcome}
    date_texts: dict = field(default_factory=dict, repr=False)  # date (or None) -> str() of it


_NEVER_BLANK = (int, bool, Decimal, dt.datetime, dt.date)


def _blank(value: object) -> bool:
    """values.is_blank, with the common cell types answered first (every cell of
    every report passes here)."""
    kind = type(value)
    if kind is str:
        return not value.strip()
    if kind is float:
        return math.isnan(value)
    if kind in _NEVER_BLANK:
        return False
    return V.is_blank(value)


@lru_cache(maxsize=None)
def _enum_keys(col: S.Column) -> dict[str, str]:
    """value_key -> the column's own value (the first that has the key)."""
    keys: dict[str, str] = {}
    for v in col.values:
        keys.setdefault(S.value_key(v), v)
    return keys


_WANTED: dict[int, tuple[S.Sheet, dict[str, S.Column]]] = {}


def _wanted(sheet: S.Sheet) -> dict[str, S.Column]:
    """header_key of every name and alias -> its column (a later column wins a
    shared key), made once per sheet definition."""
    hit = _WANTED.get(id(sheet))
    if hit is not None and hit[0] is sheet:
        return hit[1]
    wanted = {}
    for col in sheet.columns:
        for name in (col.name,) + col.aliases:
            wanted[S.header_key(name)] = col
    if len(_WANTED) >= 256:
        _WANTED.clear()
    _WANTED[id(sheet)] = (sheet, wanted)
    return wanted


def _map_header(table: RawTable, header: list, sheet: S.Sheet, ctx: Context, row: int = 1) -> dict[int, S.Column] | None:
    """Column index -> column, from the header row (cells as pandas gives
    them), Excel row `row`."""
    where = f"{table.file} {table.title}"
    merged = [range_text(*m) for m in table.merged if m[0] <= row - 1 <= m[2]]
    if merged:
        ctx.problems.append(
            f"{where} 第{row}行 表头有合并单元格 {'、'.join(merged)}：请取消合并，每列一个表头"
        )
        return None
    if all(_blank(v) for v in header):
        ctx.problems.append(f"{where} 第{row}行 应为表头（{'、'.join(sheet.column_names)}），现为空行")
        return None
    wanted = _wanted(sheet)
    found: dict[int, S.Column] = {}
    seen: dict[str, int] = {}
    for i, cell in enumerate(header):
        if _blank(cell):
            continue
        col = wanted.get(S.header_key(cell))
        if col is None:
            ctx.warnings.append(Notice(f"{where} 第{row}行 列“{V.shown(cell)}”不是本表的列，已忽略", table.file,
                                       table.title, row, V.shown(cell), V.shown(cell), "不是本表的列，已忽略"))
            continue
        if col.name in seen:
            ctx.problems.append(f"{where} 第{row}行 列“{col.name}”出现了两次（第{seen[col.name] + 1}列和第{i + 1}列）")
            continue
        seen[col.name] = i
        found[i] = col
    missing = [c.name for c in sheet.columns if c.name not in seen and c.name not in ctx.optional_headers]
    for name in missing:
        ctx.problems.append(f"{where} 第{row}行 缺少列“{name}”")
    return None if missing else found


def _parse_cell(col: S.Column, raw: object, ctx: Context):
    if col.kind == S.TEXT:
        return V.shown(raw)
    if col.kind == S.UNIT:
        name = V.shown(raw)
        bad = text_problem(name)
        if bad:
            raise ValueError(bad)
        if ctx.resolve_unit is None:
            return name
        known = ctx.units_seen.get(name)
        if known is None:
            known = ctx.units_seen[name] = ctx.resolve_unit(name)
            if known[0] is not None and known[1]:  # matched only once width and spaces were folded
                where = f"（{ctx.month_label}报表）" if ctx.month_label else ""
                ctx.warnings.append(Notice(known[1] + where, column=S.UNIT_COLUMN, value=name, message=known[1]))
        unit, reason = known
        if unit is None:
            raise ValueError(reason)
        return unit
    if col.kind == S.DATE:
        d = V.parse_date(raw)
        if col.in_month and ctx.month and not (ctx.month[0] <= d <= ctx.month[1]):
            raise ValueError(f"不在{ctx.month_label}内")
        return d
    if col.kind == S.AMOUNT:
        return V.parse_amount(raw, V.amount_unit(col.name), ctx.amount_max)
    if col.kind == S.INT:
        return V.parse_int(raw)
    if col.kind == S.ENUM:
        value = _enum_keys(col).get(S.value_key(raw))
        if value is not None:
            return value
        raise ValueError(f"不是可选值（{'、'.join(col.values)}）")
    raise AssertionError(col.kind)


class _Bad:
    """A cell that cannot be read: the end of its problem line (column, value, reason)."""

    __slots__ = ("tail",)

    def __init__(self, tail: str):
        self.tail = tail


def _outcome(col: S.Column, raw: object, ctx: Context):
    """What one cell gives: None if blank, _Bad if it cannot be read, else its value."""
    if _blank(raw):
        return None
    if col.kind == S.TEXT:
        text = V.shown(raw)
        bad = text_problem(text)
        return _Bad(f'{col.name}: "{excerpt(text)}" {bad}') if bad else text
    try:
        return _parse_cell(col, raw, ctx)
    except ValueError as exc:
        return _Bad(f'{col.name}: "{excerpt(V.shown(raw))}" {exc}')


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_problem(text: str) -> str:
    """Why a text cell cannot be used as it is ("" if it can): invisible control
    characters (Excel stores them as _x000B_; they cannot be written to a
    workbook or a document), or more than MAX_CELL_CHARS characters."""
    if len(text) > MAX_CELL_CHARS:
        return f"有 {len(text)} 字，超过每格 {MAX_CELL_CHARS} 字的上限，请精简"
    m = _CONTROL.search(text)
    if m:
        return (f"含不可见的控制字符（U+{ord(m.group()):04X}，在第{m.start() + 1}个字处），"
                "请在 Excel 中删去后重新输入这一格")
    return ""


# Cell types whose equal values are alike to every parser; other types (bool,
# which equals 1, Decimal, ...) go cell by cell.
_BY_VALUE = frozenset({str, int, float, type(None), dt.datetime, dt.date, dt.time, dt.timedelta})


def row_key(rec: Record) -> tuple:
    """What two rows must share to be the same row: every column, compared as
    text. (column names in order, then the text of each column's value)"""
    names = sorted(rec.values)
    return (tuple(names), *(str(rec.values[n]) for n in names))


def _header_row(rows: list, sheet: S.Sheet, as_read: bool) -> int:
    """Index of the header row among the first HEADER_SCAN rows: the one
    naming most of the sheet's columns (the first such); 0 when none names any."""
    wanted = _wanted(sheet)
    best, at = 0, 0
    for i, row in enumerate(rows[:HEADER_SCAN]):
        hits = len({wanted[k].name for k in (S.header_key(cell(v) if as_read else v) for v in row
                                              if not _blank(cell(v) if as_read else v)) if k in wanted})
        if hits > best:
            best, at = hits, i
    return at if best >= min(2, len(sheet.columns)) else 0


def _rows_text(rows: list[int]) -> str:
    """第3行 / 第3、5、6行 (at most 10 listed)."""
    shown = "、".join(map(str, rows[:10])) + ("等" if len(rows) > 10 else "")
    return f"第{shown}行"


def _is_total(value: object) -> bool:
    if type(value) is not str:
        return False
    key = S.header_key(value).rstrip(":：")
    return key in TOTALS


def _prepare(table: RawTable, sheet: S.Sheet, h: int, columns: dict[int, S.Column], ctx: Context,
             file_unit: str | None) -> list:
    """The body (rows below the header, as read) with what the cells alone do
    not say applied: totals rows and repeated headers blanked (noted), error values and formulas
    without a value put in as CellIssue, a blank unit filled from the file
    name; notes for title rows, a hidden sheet and hidden rows."""
    rows, as_read = table.rows, table.as_read
    where = f"{table.file} {table.title}"
    first = h + 2
    val = cell if as_read else (lambda v: v)
    if h:
        titles = [i + 1 for i in range(h) if any(not _blank(val(v)) for v in rows[i])]
        if titles:
            text = "；".join(V.shown(next(val(v) for v in rows[i - 1] if not _blank(val(v)))) for i in titles)
            ctx.warnings.append(Notice(f"{where} {_rows_text(titles)} 在表头之上（“{text}”），按标题跳过；表头在第{h + 1}行",
                                       table.file, table.title, titles[0], "", text, "表头之上的标题行，已跳过"))
    body = rows[h + 1:]
    if table.hidden and any(not _blank(val(v)) for r in body for v in r):
        ctx.warnings.append(Notice(f"{table.file} 工作表“{table.title}”是隐藏的工作表，其中的数据已照常读取",
                                   table.file, table.title, None, "", "", "隐藏的工作表，已照常读取"))
    unit_at = next((i for i, c in columns.items() if c.kind == S.UNIT), None)
    changed: dict[int, list] = {}

    def row_of(k: int) -> list:
        if k not in changed:
            changed[k] = list(body[k])
        return changed[k]

    totals = []
    # Only rows whose unit cell is blank or reads 合计 need a look: found by distinct value.
    units = [row[unit_at] if unit_at is not None and unit_at < len(row) else None for row in body]
    wanted = _wanted(sheet)
    unit_keys = {k for k, c in wanted.items() if c.kind == S.UNIT}
    look = {v for v in set(units) if _blank(val(v)) or _is_total(val(v)) or S.header_key(val(v)) in unit_keys}
    repeats = []  # the header again (two blocks pasted one under the other)
    for k in ([k for k, v in enumerate(units) if v in look] if look else ()):
        row = body[k]
        probe = units[k]
        if S.header_key(val(probe)) in unit_keys:
            same = sum(1 for i, c in columns.items() if i < len(row) and wanted.get(S.header_key(val(row[i]))) is c)
            if same >= min(2, len(columns)):
                repeats.append(k)
                continue
        if _blank(val(probe)):
            probe = next((v for v in row if not _blank(val(v))), None)
        if _is_total(val(probe)):
            totals.append((k, V.shown(val(probe))))
    for k in repeats:
        changed[k] = [None] * len(body[k])
    if repeats:
        at = [first + k for k in repeats]
        ctx.warnings.append(Notice(f"{where} {_rows_text(at)} 是重复的表头，已跳过", table.file, table.title, at[0],
                                   "", "", "重复的表头，已跳过"))
    for k, text in totals:
        changed[k] = [None] * len(body[k])
        ctx.warnings.append(Notice(f"{where} 第{first + k}行 是合计行（“{text}”），不计入", table.file, table.title,
                                   first + k, S.UNIT_COLUMN, text, "合计行，不计入"))
    skipped = {k for k, _ in totals} | set(repeats)
    # A cell merged down over several rows: Excel shows its value on each, the
    # file holds it in the first. Names and options are read on every row
    # (noted); a number is not copied: each row must give its own.
    for r0, c0, r1, c1 in table.merged:
        if r1 <= r0 or r0 <= h or c0 not in columns or r0 - h - 1 >= len(body):
            continue
        col = columns[c0]
        top = body[r0 - h - 1][c0] if c0 < len(body[r0 - h - 1]) else None
        ks = [k for k in range(r0 - h, min(r1 - h - 1, len(body) - 1) + 1) if k not in skipped]
        if not ks or _blank(val(top)):
            continue
        span = range_text(r0, c0, r1, c1)
        if col.numeric:
            for k in ks:
                row = row_of(k)
                row.extend([None] * (c0 + 1 - len(row)))
                row[c0] = CellIssue(span, "merged")
            continue
        for k in ks:
            row = row_of(k)
            row.extend([None] * (c0 + 1 - len(row)))
            row[c0] = top
        shown = V.shown(val(top))
        ctx.warnings.append(Notice(f"{where} 第{r0 + 1}-{r1 + 1}行 {col.name}: 合并单元格 {span}（“{shown}”），每行都按“{shown}”计",
                                   table.file, table.title, r0 + 1, col.name, shown, f"合并单元格 {span}，每行都按“{shown}”计"))
    for (r, c), (text, kind) in sorted(table.issues.items()):
        k = r - first
        if 0 <= k < len(body) and (c - 1) in columns and k not in skipped:
            row = row_of(k)
            row.extend([None] * (c - len(row)))
            row[c - 1] = CellIssue(text, kind)
    if file_unit and unit_at is not None:
        for k, row in enumerate(body):
            row = changed.get(k, row)
            if k in skipped or not _blank(val(row[unit_at] if unit_at < len(row) else None)):
                continue
            if any(not _blank(val(row[i])) for i in columns if i != unit_at and i < len(row)):
                row = row_of(k)
                row.extend([None] * (unit_at + 1 - len(row)))
                row[unit_at] = file_unit
                ctx.filled_units.append((table.title, first + k))
    if as_read:  # text that reads as a blank cell (pandas' missing-value words: NA, N/A, null...)
        for i, col in columns.items():
            seen = set(map(itemgetter(i), body)) if i < min(map(len, body), default=0) else \
                {row[i] for row in body if i < len(row)}
            texts = {v for v in seen if type(v) is str and v and v in NA_TEXT}
            for text in sorted(texts):
                at = [first + k for k, row in enumerate(body) if k not in skipped and i < len(row) and row[i] == text]
                if at:
                    ctx.warnings.append(Notice(f'{where} {_rows_text(at)} {col.name}: "{text}" 按空白处理', table.file,
                                               table.title, at[0], col.name, text, "按空白处理"))
    hidden_columns = set(table.hidden_columns)
    cols = [i + 1 for i in sorted(columns) if (i + 1) in hidden_columns
            and any(i < len(row) and not _blank(val(row[i])) for row in body)]
    if cols:
        names = "、".join(f"{column_letter(c)}列“{columns[c - 1].name}”" for c in cols)
        ctx.warnings.append(Notice(f"{where} {names} 是隐藏列，已照常读取", table.file, table.title, None,
                                   columns[cols[0] - 1].name, "", "隐藏列，已照常读取"))
    hidden = sorted({r for r in table.hidden_rows if 0 <= r - first < len(body) and (r - first) not in skipped
                     and any(not _blank(val(v)) for v in changed.get(r - first, body[r - first]))})
    if hidden:
        ctx.warnings.append(Notice(f"{where} {_rows_text(hidden)} 是隐藏行，已照常读取", table.file, table.title,
                                   hidden[0], "", "", "隐藏行，已照常读取"))
    if changed:
        body = [changed.get(k, row) for k, row in enumerate(body)]
    return body


def parse_table(table: RawTable, sheet: S.Sheet, ctx: Context, keys: list | None = None,
                file_unit: str | None = None) -> list[Record]:
    """Records of one sheet; problems and warnings go to ctx. An entirely empty
    sheet (not even a header) is a month with nothing of that kind. The header
    is looked for in the first rows (title rows above it are skipped, noted).
    `keys`, if given, gets each record's row_key, in order. `file_unit`: the
    unit a per-unit workbook's name gives, for rows whose unit is blank."""
    rows, as_read = table.rows, table.as_read
    if not any(not _blank(cell(v) if as_read else v) for row in rows for v in row):
        return []
    h = _header_row(rows, sheet, as_read)
    header = ([cell(v) for v in rows[h]] if as_read else rows[h]) if rows else []
    columns = _map_header(table, header, sheet, ctx, h + 1)
    if columns is None:
        return []
    body = _prepare(table, sheet, h, columns, ctx, file_unit)
    first = h + 2
    kinds = set(map(type, chain.from_iterable(body)))
    # Cells are parsed once per distinct value, looked up by value: safe while
    # equal values of different types parse alike. Those are the numbers: a
    # table as read converts 2.0 and 2 alike (to 2), but a converted table may
    # hold a float 2.0, which parses apart from 2; True equals 1 everywhere.
    if kinds <= _BY_VALUE and (as_read or float not in kinds):
        records = _parse_by_value(table, sheet, columns, body, ctx, keys, first)
    else:
        if as_read:
            body = [[cell(v) for v in r] for r in body]
        records = _parse_by_cell(table, sheet, columns, ctx, body, first)
        if keys is not None:
            keys.extend(map(row_key, records))
    _amount_notes(table, columns, body, first, records, ctx)
    return records


def _amount_notes(table: RawTable, columns: dict[int, S.Column], body: list, first: int, records: list[Record],
                  ctx: Context) -> None:
    """A note for each amount read differently from how its cell reads (a unit
    written in the cell, a thousands separator), in the rows kept."""
    amounts = [(i, c) for i, c in columns.items() if c.kind == S.AMOUNT]
    if not amounts or not records:
        return
    if not any(type(row[i]) is str for row in body for i, _ in amounts if i < len(row)):
        return
    where = f"{table.file} {table.title}"
    for rec in records:
        row = body[rec.source.row - first]
        for i, col in amounts:
            raw = row[i] if i < len(row) else None
            if type(raw) is not str:
                continue
            note = V.amount_note(raw, V.amount_unit(col.name), rec.values.get(col.name))
            if note:
                shown = V.shown(raw)
                ctx.warnings.append(Notice(f'{where} 第{rec.source.row}行 {col.name}: "{shown}" {note}', table.file,
                                           table.title, rec.source.row, col.name, shown, note))


def _column(col: S.Column, raws: list, as_read: bool, ctx: Context) -> tuple[list, set[int]]:
    """The outcome of every cell of one column (see _outcome), and the rows
    where it is a problem (unreadable, or blank where a value is required)."""
    if col.kind == S.TEXT:
        # Text is mostly distinct (project and company names): no lookup; a str
        # is blank when it strips to nothing, and shown() is that strip.
        if as_read:
            out = [(None if raw in NA_TEXT else raw.strip() or None) if type(raw) is str
                   else _outcome(col, cell(raw), ctx) for raw in raws]
        else:
            out = [(raw.strip() or None) if type(raw) is str else _outcome(col, raw, ctx) for raw in raws]
        flagged = {k for k, v in enumerate(out) if v is None} if col.required and None in out else set()
        # text is unreadable only with control characters or past the size limit
        for k, v in enumerate(out):
            if type(v) is str and (len(v) > MAX_CELL_CHARS or _CONTROL.search(v)):
                out[k] = _Bad(f'{col.name}: "{excerpt(v)}" {text_problem(v)}')
                flagged.add(k)
        return out, flagged
    known = ctx.columns.get((id(col), as_read))
    if known is None:
        known = ctx.columns[(id(col), as_read)] = {}
    distinct = set(raws)
    for raw in distinct.difference(known):
        known[raw] = _outcome(col, cell(raw) if as_read else raw, ctx)
    bad = {raw for raw in distinct if type(known[raw]) is _Bad or (known[raw] is None and col.required)}
    out = list(map(known.__getitem__, raws))
    return out, ({k for k, raw in enumerate(raws) if raw in bad} if bad else set())


def _texts(col: S.Column, values: list, ctx: Context) -> list[str]:
    """str() of every value of a column, for row_key (a date's once per month)."""
    if col.kind == S.DATE:
        text = ctx.date_texts  # dates and None: equal ones print alike
        for v in set(values).difference(text):
            text[v] = str(v)
        return list(map(text.__getitem__, values))
    return list(map(str, values))


def _parse_by_value(table: RawTable, sheet: S.Sheet, columns: dict[int, S.Column], body: list, ctx: Context,
                    keys: list | None = None, first: int = 2) -> list[Record]:
    """parse_table column by column: each distinct cell of a column is parsed
    once per month and every row looks its cells up. Rows with a problem are
    gone through cell by cell as _parse_by_cell does; the others become records."""
    items = list(columns.items())
    n = len(body)
    shortest = min(map(len, body), default=0)
    outcomes: list[list] = []
    trouble: set[int] = set()  # rows with a blank required cell or an unreadable one
    for i, col in items:
        raws = list(map(itemgetter(i), body)) if i < shortest else [row[i] if i < len(row) else None for row in body]
        out, flagged = _column(col, raws, table.as_read, ctx)
        trouble |= flagged
        outcomes.append(out)
    if not outcomes:
        return []
    if trouble:
        _problems(table, items, outcomes, sorted(trouble), ctx, first)
    # A row without problems has a value in every required column, so it is
    # filled (a column other than the unit's has a value) if one of those is
    # not the unit's; else it is checked.
    others = [p for p, (_, col) in enumerate(items) if col.kind != S.UNIT]
    rows = range(n) if not trouble else [k for k in range(n) if k not in trouble]
    if not any(items[p][1].required for p in others):
        rows = [k for k in rows if any(outcomes[p][k] is not None for p in others)]
    if len(rows) != n:
        pick = itemgetter(*rows) if len(rows) > 1 else (lambda seq: tuple(seq[k] for k in rows))
        outcomes = [list(pick(out)) for out in outcomes]
    names = [col.name for _, col in items]
    unit_at = next((p for p, (_, col) in enumerate(items) if col.kind == S.UNIT), None)
    units = [""] * len(rows) if unit_at is None else [str(v or "") for v in outcomes[unit_at]]
    values = map(dict, map(zip, repeat(names), zip(*outcomes)))
    sources = map(Source, repeat(table.file), repeat(table.title), map(first.__add__, rows))
    records = list(map(Record, repeat(sheet.name), units, values, sources))
    if keys is not None:  # row_key of each record, column by column
        order = sorted(range(len(names)), key=names.__getitem__)
        texts = [_texts(items[p][1], outcomes[p], ctx) for p in order]
        keys.extend(zip(repeat(tuple(names[p] for p in order)), *texts))
    return records


def _problems(table: RawTable, items: list, outcomes: list[list], rows: list[int], ctx: Context,
              first: int = 2) -> None:
    """The problems of rows that have some, in the order _parse_by_cell finds them;
    a row that has nothing but the unit filled in is skipped as blank."""
    where = f"{table.file} {table.title}"
    for k in rows:
        r = k + first
        problems: list[str] = []
        filled = False
        for p, (_, col) in enumerate(items):
            v = outcomes[p][k]
            if v is None:
                if col.required:
                    problems.append(f"{where} 第{r}行 {col.name}: 不能为空")
                continue
            if col.kind != S.UNIT:
                filled = True
            if type(v) is _Bad:
                problems.append(f"{where} 第{r}行 {v.tail}")
        if filled:
            ctx.problems.extend(problems)


def _parse_by_cell(table: RawTable, sheet: S.Sheet, columns: dict[int, S.Column], ctx: Context,
                   body: list | None = None, first: int = 2) -> list[Record]:
    """Records row by row (cells as pandas gives them); `body`: the rows below
    the header, the first being Excel row `first` (default: rows 2 on)."""
    unit_set = {i for i, c in columns.items() if c.kind == S.UNIT}
    unit_name = next((c.name for c in columns.values() if c.kind == S.UNIT), None)
    items = list(columns.items())
    parsed = ctx.parsed
    where = f"{table.file} {table.title}"
    records = []
    for r, row in enumerate(table.rows[1:] if body is None else body, start=first):
        n = len(row)
        values: dict[str, object] = {}
        problems: list[str] = []
        filled = False  # a column other than the unit's has a value
        for i, col in items:
            raw = row[i] if i < n else None
            kind = type(raw)  # _blank() inline: this runs for every cell of every report
            if kind is CellIssue:
                values[col.name] = None
                problems.append(f"{where} 第{r}行 {col.name}: {raw.reason()}")
                filled = True
                continue
            if kind is str:
                blank = not raw.strip()
            elif kind is float:
                blank = raw != raw
            else:
                blank = raw is None or (kind not in _NEVER_BLANK and V.is_blank(raw))
            if blank:
                values[col.name] = None
                if col.required:
                    problems.append(f"{where} 第{r}行 {col.name}: 不能为空")
                continue
            if i not in unit_set:
                filled = True
            if col.kind == S.TEXT:
                text = V.shown(raw)
                bad = text_problem(text)
                if bad:
                    problems.append(f'{where} 第{r}行 {col.name}: "{excerpt(text)}" {bad}')
                values[col.name] = text
                continue
            # Reports repeat the same dates, amounts, units and options on many
            # rows: each distinct cell is parsed once per month.
            key = (id(col), type(raw), raw)
            done = parsed.get(key)
            if done is None:
                try:
                    done = (True, _parse_cell(col, raw, ctx))
                except ValueError as exc:
                    done = (False, str(exc))
                parsed[key] = done
            if done[0]:
                values[col.name] = done[1]
            else:
                problems.append(f'{where} 第{r}行 {col.name}: "{excerpt(V.shown(raw))}" {done[1]}')
        if not filled:
            continue  # blank row, or a form row with only the unit filled in
        if problems:
            ctx.problems.extend(problems)
            continue
        unit = (values[unit_name] if unit_name else "") or ""
        records.append(Record(sheet.name, str(unit), values, Source(table.file, table.title, r)))
    return records
