"""报送情况: per month and unit, which sheets had rows and which files they came
from, and who sent nothing at all; as plain data, and as a workbook
(报送情况.xlsx) for an office to look at before it issues anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from gongwen.campaign.folder import Campaign
from gongwen.campaign.intake import MonthData, file_unit
from gongwen.campaign.xlsxio import workbook_bytes

SUBMISSIONS_FILE = "报送情况.xlsx"
SHEET = "报送情况"
NOTHING_SHEET = "未报送单位"
NOTHING = "未报送"


@dataclass
class UnitMonth:
    """One unit in one month."""

    unit: str
    category: str
    rows: dict[str, int]  # sheet -> rows counted (after duplicates were dropped), every campaign sheet
    files: list[str] = field(default_factory=list)  # the files its rows came from, or that its name names

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    @property
    def sent_nothing(self) -> bool:
        return self.total == 0

    def as_dict(self) -> dict:
        return {"unit": self.unit, "category": self.category, "rows": dict(self.rows), "files": list(self.files),
                "total": self.total, "sent_nothing": self.sent_nothing}


@dataclass
class Submissions:
    months: list[str]  # the campaign's months, in order
    sheets: list[str]  # the campaign's sheets, in form order
    reported: dict[str, list[UnitMonth]]  # month with reports -> every roster unit, roster order
    missing_months: list[str]  # campaign months without any report yet

    def nothing(self, month: str) -> list[str]:
        """Units that sent nothing at all in `month` (roster order)."""
        return [u.unit for u in self.reported.get(month, []) if u.sent_nothing]

    def as_dict(self) -> dict:
        return {"months": list(self.months), "sheets": list(self.sheets), "missing_months": list(self.missing_months),
                "reported": {m: [u.as_dict() for u in units] for m, units in self.reported.items()}}


def submissions(campaign: Campaign, data: dict[str, MonthData]) -> Submissions:
    """Who sent what, from intake's data (rows as counted, i.e. after checks)."""
    sheets = campaign.sheets.names()
    reported: dict[str, list[UnitMonth]] = {}
    for month in campaign.months:
        md = data.get(month)
        if md is None:
            continue
        table = {u.name: UnitMonth(u.name, u.category, {s: 0 for s in sheets}) for u in campaign.roster}
        for sheet in sheets:
            for rec in md.rows(sheet):
                um = table.get(rec.unit)
                if um is None:
                    continue
                um.rows[sheet] += 1
                if rec.source.file not in um.files:
                    um.files.append(rec.source.file)
        for path in md.files:
            unit = file_unit(campaign, month, path)
            shown = campaign.rel(path)
            if unit in table and shown not in table[unit].files:
                table[unit].files.append(shown)
        reported[month] = list(table.values())
    missing = [m for m in campaign.months if m not in reported]
    return Submissions(list(campaign.months), sheets, reported, missing)


def submissions_workbook(campaign: Campaign, subs: Submissions, when: dt.datetime | None = None) -> bytes:
    """报送情况.xlsx: sheet 报送情况 (月份, 类别, 单位, rows per sheet, 合计,
    情况, 文件) and sheet 未报送单位 (月份, 类别, 单位; a month without any
    report listed as such). Same bytes for the same data."""
    from gongwen.campaign.results import fixed_time

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    headers = ["月份", "类别", "单位", *subs.sheets, "合计", "情况", "文件"]
    ws.append(headers)
    for month, units in subs.reported.items():
        for u in units:
            ws.append([month, u.category, u.unit, *(u.rows[s] for s in subs.sheets), u.total,
                       NOTHING if u.sent_nothing else None, "、".join(u.files) or None])
    for month in subs.missing_months:
        ws.append([month, None, None, *([None] * len(subs.sheets)), None, "本月尚无报表", None])
    _style(ws, headers)
    ws.freeze_panes = "D2"
    nothing = wb.create_sheet(NOTHING_SHEET)
    nothing.append(["月份", "类别", "单位"])
    for month, units in subs.reported.items():
        for u in units:
            if u.sent_nothing:
                nothing.append([month, u.category, u.unit])
    for month in subs.missing_months:
        nothing.append([month, None, "（全部单位：本月尚无报表）"])
    _style(nothing, ["月份", "类别", "单位"])
    return workbook_bytes(wb, when or fixed_time(campaign))


def _style(ws, headers: list[str]) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 28 if h in ("单位", "文件") else max(10, len(h) * 2 + 4)
