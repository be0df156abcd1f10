"""A wide table turned onto landscape sheets, its first column merged down
over each town's rows (as offices lay out a 明细表): a merge that crosses a
sheet's edge is cut there and its text repeated at the top of the next
sheet, so no row of the next sheet shifts left under the wrong columns.
Measured on the HTML each sheet is laid out from (every row fills the
columns exactly) and on the PDF (the repeated name is on the next sheet)."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from gongwen.notice.source import notice_from_source
from gongwen.notice.tree import Table
from gongwen.writers.pdf import write_pdf
from gongwen.writers.pdf.html import HtmlBuilder
from tests import pdfmeasure as pm

TOWNS = ["嘉定镇", "大塘埠镇", "古陂镇", "大桥镇", "新田镇", "安西镇", "小河镇", "西牛镇"]
HEADER = "乡镇 | 项目名称 | 投资额（万元） | 签约日期 | 开工日期 | 类别 | 进度 | 责任人 | 备注"


def _source() -> str:
    rows = []
    for t, town in enumerate(TOWNS):
        for k in range(7):
            n = t * 7 + k
            rows.append(f"{town if k == 0 else '^'} | 年产{n + 1}万件电子元件项目 | {1000 + n * 37} | 2023-06-{k + 10:02d} | "
                        f"2023-07-{k + 3:02d} | 工业 | 已开工 | 张{n}同志 | 第{n}号")
    body = "\n".join(rows)
    return f"""---
发文机关: 信丰县招商引资工作领导小组办公室
标题: 关于2023年6月各乡镇签约项目情况的通报
主送: 各乡镇人民政府：
成文日期: 2023年7月2日
---
现将6月各乡镇签约项目情况通报如下。
::: 表格 标题="各乡镇签约项目明细" 横排
{HEADER}
{body}
:::
"""


def _sheets(html: str) -> list[ElementTree.Element]:
    root = ElementTree.fromstring(html)
    return [t for t in root.iter("table") if "grid" in (t.get("class") or "")]


def test_every_row_of_every_sheet_fills_the_columns():
    notice = notice_from_source(_source())
    table = next(b for b in notice.body if isinstance(b, Table))
    sheets = _sheets(HtmlBuilder(notice).build())
    assert len(sheets) >= 2, "the table should need more than one landscape sheet"
    for sheet in sheets:
        rows = list(sheet.find("tbody"))
        busy: dict[int, int] = {}  # column -> rows it is still taken for from a rowspan above
        for r, tr in enumerate(rows):
            col, taken = 0, {c for c, left in busy.items() if left > 0}
            for td in tr:
                while col in taken:
                    col += 1
                span = int(td.get("colspan", 1))
                for c in range(col, col + span):
                    busy[c] = int(td.get("rowspan", 1))
                col += span
            while col in taken:
                col += 1
            assert col == table.ncols, f"row {r} of a sheet fills {col} of {table.ncols} columns"
            busy = {c: left - 1 for c, left in busy.items() if left - 1 > 0}
        assert not busy, "a rowspan reaches past the sheet's last row"


def test_a_cut_merge_names_its_town_on_the_next_sheet(tmp_path):
    notice = notice_from_source(_source())
    sheets = _sheets(HtmlBuilder(notice).build())
    # the towns whose merge crosses a sheet's edge: those on the first row of a sheet after the first
    continued = [sheet.find("tbody")[0][0].text for sheet in sheets[1:]]
    starts = [sum(len(s.find("tbody")) for s in sheets[:k]) for k in range(1, len(sheets))]
    assert any(start % 7 for start in starts), "no sheet starts inside a town's rows"
    path = write_pdf(notice, tmp_path / "wide.pdf").path
    with pm.open_pdf(path) as pdf:
        turned = [p for p in pdf.pages if p.chars and sum(1 for c in p.chars if not c["upright"]) > len(p.chars) / 2]
        texts = ["".join(c["text"] for c in p.chars) for p in turned]
    assert len(turned) == len(sheets)
    for k, town in enumerate(continued, start=1):
        assert town in TOWNS
        assert re.search("".join(town), texts[k]), f"{town} not on sheet {k + 1}"
