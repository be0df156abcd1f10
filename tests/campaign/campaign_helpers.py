"""Helpers for the campaign tests: small campaign folders built on the fly: the reference campaign.yaml with a
six-unit roster, and report workbooks written from plain rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from gongwen.campaign.sheets import BUILTIN_SHEETS

ROOT = Path(__file__).resolve().parents[2]
XINFENG = ROOT / "inputs" / "xinfeng-2023"
SUZHOU = ROOT / "inputs" / "suzhou-2020"

ROSTER = [
    ("甲小分队", "专业招商小分队", "甲队"),
    ("乙小分队", "专业招商小分队", ""),
    ("县甲局", "县直部门", ""),
    ("县乙局", "县直部门", ""),
    ("甲镇", "乡镇", ""),
    ("乙镇", "乡镇", ""),
]
HEADERS = {name: list(sheet.column_names) for name, sheet in BUILTIN_SHEETS.items()}


def write_xlsx(path: Path, sheets: dict[str, list[list]], headers: dict[str, list] | None = None) -> Path:
    """sheets: name -> data rows; header row from HEADERS unless given."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        head = (headers or {}).get(name, HEADERS.get(name))
        if head is not None:
            ws.append(head)
        for row in rows:
            ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_roster(folder: Path, roster=ROSTER) -> None:
    write_xlsx(folder / "units.xlsx", {"参评单位": [list(r) for r in roster]}, {"参评单位": ["单位", "类别", "简称"]})


def sign(unit, amount, etype="上市公司", industry="电子信息", kind="实质性签约", day=10, month=6, name=None):
    return [unit, name or f"{unit}项目{amount}", f"{unit}企业", etype, industry, amount, kind, dt.datetime(2023, month, day)]


def trip(unit, principal="是", day=5, month=6):
    return [unit, dt.datetime(2023, month, day), "负责人", principal, "深圳", 3]


def report(unit, day, month=6):
    return [unit, dt.datetime(2023, month, day)]


def start(unit, kind="实质性开工", amount=2, day=20, month=6):
    return [unit, f"{unit}开工项目", amount, kind, dt.datetime(2023, month, day)]


