"""Blank report workbooks, one per unit, that pass intake when filled in: the
campaign's sheets and headers, the unit name filled in, drop-down lists for every
enumerated column, date and number validation."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gongwen.campaign import sheets as S
from gongwen.campaign.folder import Campaign, Unit
from gongwen.campaign.results import fixed_time
from gongwen.campaign.values import EXCEL_EPOCH, month_bounds, month_zh
from gongwen.campaign.xlsxio import workbook_bytes, write_all
from gongwen.filenames import unique_stems
from gongwen.errors import UserError

ROWS = 300  # validated rows per sheet
PREFILLED = 30  # rows with the unit name already in
OPTIONS_SHEET = "选项"
GUIDE_SHEET = "填报说明"
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def _serial(d) -> int:
    return (d - EXCEL_EPOCH).days


def _dv(ws, kind: str, cells: str, **kw) -> None:
    dv = DataValidation(type=kind, allow_blank=True, showErrorMessage=True, showInputMessage=True, **kw)
    dv.errorTitle = "输入有误"
    ws.add_data_validation(dv)
    dv.add(cells)


def _guide(wb: Workbook, campaign: Campaign, unit: Unit, month: str) -> None:
    ws = wb.active
    ws.title = GUIDE_SHEET
    ws.append([f"{campaign.name} {month_zh(month)} 工作情况报表"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["单位", unit.name])
    ws.append(["类别", unit.category])
    ws.append(["月份", month])
    ws.append([])
    ws.append(["填表说明"])
    ws.append(["1. 每个工作表一行填一条记录，不要改动第1行表头，不要合并单元格；本月没有的事项留空即可。"])
    ws.append([f"2. 日期须在{month_zh(month)}之内，可写 2023-06-15、2023/6/15 或 2023年6月15日。"])
    ws.append(["3. 投资额等数额只填数字（如 1.5），不要写“亿元”等文字；带下拉箭头的列请从列表中选择。"])
    ws.append(["4. 请保存为 .xlsx 格式，不要设置密码。"])
    ws.append([])
    ws.append(["工作表", "列", "填写要求"])
    for sheet in campaign.sheets:
        for col in sheet.columns:
            need = S.KIND_ZH[col.kind] + ("，必填" if col.required else "，可空")
            if col.kind == S.ENUM:
                need += "；可选：" + "、".join(col.values)
            ws.append([sheet.name, col.name, need])
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 60


def unit_form(campaign: Campaign, unit: Unit, month: str) -> bytes:
    first, last = month_bounds(month)
    wb = Workbook()
    _guide(wb, campaign, unit, month)
    opts = wb.create_sheet(OPTIONS_SHEET)
    opt_col = 0
    for sheet in campaign.sheets:
        ws = wb.create_sheet(sheet.name)
        ws.append(sheet.column_names)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = HEAD_FILL
            cell.alignment = Alignment(horizontal="center")
        for i, col in enumerate(sheet.columns, start=1):
            letter = get_column_letter(i)
            cells = f"{letter}2:{letter}{ROWS + 1}"
            ws.column_dimensions[letter].width = max(12, len(col.name) * 2 + 4)
            if col.kind == S.UNIT:
                ws.column_dimensions[letter].width = max(20, len(unit.name) * 2 + 2)
                for r in range(2, PREFILLED + 2):
                    ws.cell(r, i, unit.name)
                _dv(ws, "list", cells, formula1=f'"{unit.name}"', error=f"本表只填本单位：{unit.name}")
            elif col.kind == S.ENUM:
                opt_col += 1
                ol = get_column_letter(opt_col)
                opts.cell(1, opt_col, f"{sheet.name}.{col.name}")
                for j, v in enumerate(col.values, start=2):
                    opts.cell(j, opt_col, v)
                ref = f"'{OPTIONS_SHEET}'!${ol}$2:${ol}${len(col.values) + 1}"
                _dv(ws, "list", cells, formula1=ref, error="请从下拉列表中选择：" + "、".join(col.values))
            elif col.kind == S.DATE:
                kw = {"operator": "between", "formula1": str(_serial(first)), "formula2": str(_serial(last))} if col.in_month else {
                    "operator": "greaterThan", "formula1": "1"}
                _dv(ws, "date", cells, error=f"请填{month_zh(month)}内的日期，如 {first.isoformat()}" if col.in_month else "请填日期", **kw)
                for r in range(2, ROWS + 2):
                    ws.cell(r, i).number_format = "yyyy-mm-dd"
            elif col.kind == S.AMOUNT:
                _dv(ws, "decimal", cells, operator="greaterThanOrEqual", formula1="0", error="请填不小于 0 的数字，不要带单位")
            elif col.kind == S.INT:
                _dv(ws, "whole", cells, operator="greaterThanOrEqual", formula1="0", error="请填不小于 0 的整数")
        ws.freeze_panes = "A2"
    opts.sheet_state = "hidden"
    wb.move_sheet(OPTIONS_SHEET, offset=len(wb.sheetnames))
    return workbook_bytes(wb, fixed_time(campaign))


def form_names(units: list[Unit]) -> dict[str, str]:
    """<单位>.xlsx per unit, through the one sanitiser for names from data
    (two names alike once made safe get （2）…)."""
    return {name: f"{stem}.xlsx" for name, stem in unique_stems([u.name for u in units]).items()}


def make_forms(campaign: Campaign, month: str, out: Path, units: list[str] | None = None) -> list[Path]:
    if month not in campaign.config.months:
        raise UserError(f"月份 {month} 不在活动月份（{'、'.join(campaign.months)}）之内")
    chosen = list(campaign.roster)
    if units:
        problems = []
        for name in units:
            resolved, reason = campaign.roster.resolve(name)
            if resolved is None:
                problems.append(f"--unit {name}: {reason}")
        if problems:
            raise UserError("指定的单位有误：", problems)
        keep = {campaign.roster.resolve(n)[0] for n in units}
        chosen = [u for u in chosen if u.name in keep]
    names = form_names(chosen)
    files = {Path(out) / names[u.name]: unit_form(campaign, u, month) for u in chosen}
    write_all(files)
    return list(files)
