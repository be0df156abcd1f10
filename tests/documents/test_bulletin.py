"""The monthly 通报 read back: its ranking tables equal 得分明细.xlsx, the
lists it names equal the computed lists, its figures equal the reports, and
its PDF keeps the GB/T 9704 layout."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pdfplumber
import pytest

from gongwen import INPUTS_DIR
from gongwen.campaign import compute, load_campaign
from gongwen.campaign.build import render
from gongwen.documents import bulletin
from gongwen.documents.templating import Templates
from gongwen.build.notices import typeset
from tests import pdfmeasure as pm

OUT = Path("/nonexistent-out")  # render() only names files; nothing is written here


@pytest.fixture(scope="module")
def xinfeng():
    c = compute(load_campaign(INPUTS_DIR / "xinfeng-2023"))
    rendered = render(c, OUT)
    templates = Templates(c.campaign.folder)
    docs = {m: bulletin.build(c, m, templates, []) for m in ("2023-06", "2023-07")}
    out = {m: typeset(d.notice) for m, d in docs.items()}
    return c, rendered, docs, out


def score_rows(rendered, month: str) -> list[list]:
    data = rendered.files[OUT / month / "得分明细.xlsx"]
    ws = openpyxl.load_workbook(io.BytesIO(data))["得分"]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def docx_tables(data: bytes) -> list[list[list[str]]]:
    d = docx.Document(io.BytesIO(data))
    return [[[c.text.strip() for c in row.cells] for row in t.rows] for t in d.tables]


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_ranking_tables_equal_score_workbook(xinfeng):
    c, rendered, _, out = xinfeng
    dims = c.campaign.dimensions
    tables = [t for t in docx_tables(out["2023-06"].docx) if t and t[0][0] == "排名"]
    assert len(tables) == len(c.campaign.categories)
    rows = score_rows(rendered, "2023-06")
    for category, table in zip(c.campaign.categories, tables):
        assert table[0] == ["排名", "单位", *dims, "总分"]
        expected = [r for r in rows if r["类别"] == category]
        assert len(table) - 1 == len(expected)
        for got, want in zip(table[1:], expected):
            assert int(got[0]) == want["排名"]
            assert got[1] == want["单位"]
            for cell, dim in zip(got[2:-1], dims):
                assert Decimal(cell) == Decimal(str(want[dim]))
            assert Decimal(got[-1]) == Decimal(str(want["总分"]))
            assert re.fullmatch(r"\d+\.\d\d", got[-1])  # totals written with two decimals


def test_lists_named_in_text_equal_computed_lists(xinfeng):
    c, _, _, out = xinfeng
    text = docx_text(out["2023-06"].docx)
    lists = c.lists["2023-06"]
    for cl in lists.categories:
        line = next(p for p in text.splitlines() if p.startswith(f"{cl.category}："))
        leaders_part, laggards_part = line.split("；", 1)
        named_leaders = re.findall(r"[^：、]+", leaders_part.split("：", 1)[1].split("列入")[0])
        assert named_leaders == [u.name for _, u in cl.leaders]
        for u in cl.laggards:
            assert u.name in laggards_part
        others = [u.name for u in c.scores["2023-06"].category(cl.category)
                  if u.name not in named_leaders and u not in cl.laggards]
        for name in others:
            assert name not in line


def test_figures_equal_the_reports(xinfeng):
    c, _, _, out = xinfeng
    text = docx_text(out["2023-06"].docx)
    data = c.data["2023-06"]
    trips = data.rows("外出招商")
    signed = data.rows("签约项目")
    amount = sum(Decimal(str(r.get("投资额（亿元）"))) for r in signed)
    assert f"共外出招商{len(trips)}批次" in text
    assert f"签约项目{len(signed)}个、总投资{amount.quantize(Decimal('0.01'))}亿元" in text
    big = sum(1 for r in signed if Decimal(str(r.get("投资额（亿元）"))) >= 10)
    assert f"10亿元以上项目{big}个" in text
    for t in [t for t in c.targets if t.period == "2023-06"]:
        rate = t.rate.quantize(Decimal("0.1"))
        assert f"完成率{rate}%" in text


def test_staff_paragraphs_or_a_marked_draft(xinfeng):
    _, _, _, out = xinfeng
    june, july = docx_text(out["2023-06"].docx), docx_text(out["2023-07"].docx)
    assert "一是项目签约不均衡" in june and "【待补充" not in june
    assert "【待补充：请在 reports/2023-07.yaml 的“存在问题”下" in july
    # The draft sentence is highlighted so nobody misses it.
    d = docx.Document(io.BytesIO(out["2023-07"].docx))
    marked = [r for p in d.paragraphs for r in p.runs if "待补充" in r.text]
    assert marked and all(r.font.highlight_color is not None for r in marked)


def test_bulletin_pdf_layout(xinfeng, tmp_path):
    _, _, docs, out = xinfeng
    path = tmp_path / "june.pdf"
    path.write_bytes(out["2023-06"].pdf)
    notice = docs["2023-06"].notice
    assert notice.number == "信开放办〔2023〕12号"
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) % 2 == 0  # 版记 on an even page
        first = pm.page_lines(pdf.pages[0])
        assert any("〔2023〕12号" in l.text for l in first)
        bottom = pdf.pages[0].height - 35 * pm.PT_PER_MM
        for p in pdf.pages:
            assert abs(p.width - 595.28) < 0.5
            number = pm.page_number_line(p, bottom)
            if number is not None:
                assert number.text == f"—{p.page_number}—"
        text = "".join(p.extract_text() for p in pdf.pages)
    assert "抄送：" in text and "印发" in text
    for f in pm.embedded_fonts(path):
        assert f["embedded"] and f["subset"]


def test_rebuild_gives_identical_bytes(xinfeng):
    c, _, docs, out = xinfeng
    again = typeset(bulletin.build(c, "2023-06", Templates(c.campaign.folder), []).notice)
    assert again.pdf == out["2023-06"].pdf
    assert again.docx == out["2023-06"].docx
