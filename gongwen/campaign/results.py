"""得分明细.xlsx: sheet 得分, one row per roster unit, scores as numbers."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from gongwen.campaign.folder import Campaign
from gongwen.campaign.scoring import CampaignResult, MonthScore
from gongwen.campaign.xlsxio import workbook_bytes

SCORE_FILE = "得分明细.xlsx"
SCORE_SHEET = "得分"
NUM = "0.00"


def fixed_time(campaign: Campaign) -> dt.datetime:
    """The document date written into every workbook of a campaign: the day after its last month."""
    from gongwen.campaign.values import month_bounds

    return dt.datetime.combine(month_bounds(campaign.months[-1])[1] + dt.timedelta(days=1), dt.time())


def month_columns(campaign: Campaign) -> list[str]:
    return ["类别", "单位", *campaign.dimensions, "总分", "排名", "榜单"]


def final_columns(campaign: Campaign) -> list[str]:
    return ["类别", "单位", *campaign.months, "总分", "排名", "榜单"]


def _sheet(headers: list[str], rows: list[list], numeric: set[int], when: dt.datetime) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SCORE_SHEET
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append(row)
    for r in ws.iter_rows(min_row=2):
        for i, cell in enumerate(r):
            if i in numeric and cell.value is not None:
                cell.number_format = NUM
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 28 if h == "单位" else max(10, len(h) * 2 + 4)
    ws.freeze_panes = "C2"
    return workbook_bytes(wb, when)


def month_workbook(campaign: Campaign, score: MonthScore) -> bytes:
    headers = month_columns(campaign)
    cats = {c: i for i, c in enumerate(campaign.categories)}
    rows = []
    for u in sorted(score.units, key=lambda u: (cats[u.category], u.rank, u.unit.order)):
        dims = [d.points for d in u.dimensions.values()]
        rows.append([u.category, u.name, *dims, u.total, u.rank, u.label or None])
    numeric = set(range(2, 2 + len(campaign.dimensions) + 1))
    return _sheet(headers, rows, numeric, fixed_time(campaign))


def final_workbook(campaign: Campaign, result: CampaignResult) -> bytes:
    headers = final_columns(campaign)
    cats = {c: i for i, c in enumerate(campaign.categories)}
    rows = []
    for u in sorted(result.units, key=lambda u: (cats[u.category], u.rank, u.unit.order)):
        rows.append([u.category, u.name, *(u.monthly[m] for m in campaign.months), u.total, u.rank, u.label or None])
    numeric = set(range(2, 2 + len(campaign.months) + 1))
    return _sheet(headers, rows, numeric, fixed_time(campaign))
