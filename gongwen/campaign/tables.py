"""Turning a RawTable into typed records against a sheet definition. All problems
are collected, each naming file, sheet, Excel row, column and value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from gongwen.campaign import sheets as S
from gongwen.campaign import values as V
from gongwen.campaign.workbook import RawTable


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
    warnings: list[str] = field(default_factory=list)


def _map_header(table: RawTable, sheet: S.Sheet, ctx: Context) -> dict[int, S.Column] | None:
    where = f"{table.file} {table.title}"
    if table.merged_header:
        ctx.problems.append(
            f"{where} 第1行 表头有合并单元格 {'、'.join(table.merged_header)}：请取消合并，每列一个表头"
        )
        return None
    header = table.rows[0] if table.rows else []
    if all(V.is_blank(v) for v in header):
        ctx.problems.append(f"{where} 第1行 应为表头（{'、'.join(sheet.column_names)}），现为空行")
        return None
    wanted = {}
    for col in sheet.columns:
        for name in (col.name,) + col.aliases:
            wanted[S.header_key(name)] = col
    found: dict[int, S.Column] = {}
    seen: dict[str, int] = {}
    for i, cell in enumerate(header):
        if V.is_blank(cell):
            continue
        col = wanted.get(S.header_key(cell))
        if col is None:
            ctx.warnings.append(f"{where} 第1行 列“{V.shown(cell)}”不是本表的列，已忽略")
            continue
        if col.name in seen:
            ctx.problems.append(f"{where} 第1行 列“{col.name}”出现了两次（第{seen[col.name] + 1}列和第{i + 1}列）")
            continue
        seen[col.name] = i
        found[i] = col
    missing = [c.name for c in sheet.columns if c.name not in seen and c.name not in ctx.optional_headers]
    for name in missing:
        ctx.problems.append(f"{where} 第1行 缺少列“{name}”")
    return None if missing else found


def _parse_cell(col: S.Column, raw: object, ctx: Context):
    if col.kind == S.TEXT:
        return V.shown(raw)
    if col.kind == S.UNIT:
        name = V.shown(raw)
        if ctx.resolve_unit is None:
            return name
        unit, reason = ctx.resolve_unit(name)
        if unit is None:
            raise ValueError(reason)
        return unit
    if col.kind == S.DATE:
        d = V.parse_date(raw)
        if col.in_month and ctx.month and not (ctx.month[0] <= d <= ctx.month[1]):
            raise ValueError(f"不在{ctx.month_label}内")
        return d
    if col.kind == S.AMOUNT:
        return V.parse_amount(raw)
    if col.kind == S.INT:
        return V.parse_int(raw)
    if col.kind == S.ENUM:
        key = S.value_key(raw)
        for v in col.values:
            if S.value_key(v) == key:
                return v
        raise ValueError(f"不是可选值（{'、'.join(col.values)}）")
    raise AssertionError(col.kind)


def parse_table(table: RawTable, sheet: S.Sheet, ctx: Context) -> list[Record]:
    """Records of one sheet; problems and warnings go to ctx. An entirely empty
    sheet (not even a header) is a month with nothing of that kind."""
    if not any(not V.is_blank(v) for row in table.rows for v in row):
        return []
    columns = _map_header(table, sheet, ctx)
    if columns is None:
        return []
    unit_cols = [i for i, c in columns.items() if c.kind == S.UNIT]
    records = []
    for r, row in enumerate(table.rows[1:], start=2):
        filled = [i for i, v in enumerate(row) if i in columns and not V.is_blank(v)]
        if not filled or set(filled) <= set(unit_cols):
            continue  # blank row, or a form row with only the unit filled in
        values: dict[str, object] = {}
        ok = True
        for i, col in columns.items():
            raw = row[i] if i < len(row) else None
            src = f"{table.file} {table.title} 第{r}行 {col.name}"
            if V.is_blank(raw):
                values[col.name] = None
                if col.required:
                    ctx.problems.append(f"{src}: 不能为空")
                    ok = False
                continue
            try:
                values[col.name] = _parse_cell(col, raw, ctx)
            except ValueError as exc:
                ctx.problems.append(f'{src}: "{V.shown(raw)}" {exc}')
                ok = False
        if ok:
            unit = next((values[c.name] for c in columns.values() if c.kind == S.UNIT), "") or ""
            records.append(Record(sheet.name, str(unit), values, Source(table.file, table.title, r)))
    return records
