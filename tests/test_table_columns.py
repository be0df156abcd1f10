"""Table columns: measured from the content once, the same in the PDF and the
DOCX. Widths are read back from the files (pdfplumber's ruling lines, the
DOCX's w:gridCol), not taken from the code that set them."""

from __future__ import annotations

import io

import pytest
from docx import Document

from gongwen import ROOT
from gongwen.layout.spec import load_layout
from gongwen.notice.source import read_source
from gongwen.notice.tree import Table
from gongwen.layout.columns import column_widths, font_size, is_landscape
from gongwen.writers.docx import docx_bytes
from gongwen.writers.pdf import pdf_bytes
from tests import pdfmeasure as pm

L = load_layout()
SOURCE = ROOT / "tests" / "fixtures" / "notices" / "tables.txt"
TWIPS = 20.0


@pytest.fixture(scope="module")
def written():
    notice = read_source(SOURCE)
    pdf, _ = pdf_bytes(notice, base_url=str(SOURCE.parent))
    return notice, pdf, docx_bytes(notice)


def _tables(notice) -> list[Table]:
    blocks = notice.body + [b for a in notice.attachments for b in a.body]
    return [b for b in blocks if isinstance(b, Table)]


def _portrait_tables(notice) -> list[Table]:
    return [t for t in _tables(notice) if not is_landscape(t, L)]


def _pdf_column_edges(pdf: bytes, title: str) -> list[float]:
    """x of the vertical rules of the first table under `title`."""
    with pm.open_pdf(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            hit = [w for w in page.extract_words() if title in w["text"]]
            if not hit:
                continue
            below = hit[0]["bottom"]
            verticals = [e for e in page.edges if e["orientation"] == "v" and e["top"] >= below - 1]
            first_row_top = min(e["top"] for e in verticals)
            xs = sorted({round(e["x0"], 1) for e in verticals if abs(e["top"] - first_row_top) < 1})
            return xs
    raise AssertionError(f"no table titled {title}")


def test_pdf_columns_follow_content_and_fill_the_block(written):
    notice, pdf, _ = written
    towns = next(t for t in _portrait_tables(notice) if t.title and "乡（镇）" in t.title)
    assert not towns.widths  # no 列宽 in the source: the content decides
    edges = _pdf_column_edges(pdf, "乡（镇）6月得分排名")
    assert len(edges) == towns.ncols + 1
    measured = [b - a for a, b in zip(edges, edges[1:])]
    expected = column_widths(towns, L.block_width_pt, font_size(towns, L), float(L.tables.cell_side_padding_pt))
    assert all(abs(m - e) < 0.6 for m, e in zip(measured, expected)), (measured, expected)
    assert abs(edges[-1] - edges[0] - L.block_width_pt) < 0.6
    # Everything fits on one line here, so no cell wraps: each unit name and
    # each header is one word on the page, not broken over two lines.
    with pm.open_pdf(io.BytesIO(pdf)) as doc:
        words = {w["text"] for p in doc.pages for w in p.extract_words()}
    assert all(r[1] in words for r in towns.rows)
    assert all(h in words for h in towns.header[0])


def test_docx_has_the_pdf_columns(written):
    notice, pdf, docx = written
    doc = Document(io.BytesIO(docx))
    tables = _portrait_tables(notice)
    grids = []
    for tbl in doc.tables:
        cols = tbl._tbl.tblGrid.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol")
        grids.append([int(c.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w")) / TWIPS for c in cols])
    for t in tables:
        expected = column_widths(t, L.block_width_pt, font_size(t, L), float(L.tables.cell_side_padding_pt))
        assert any(len(g) == len(expected) and all(abs(a - b) < 0.1 for a, b in zip(g, expected)) for g in grids), t.title
    towns = next(t for t in tables if t.title and "乡（镇）" in t.title)
    edges = _pdf_column_edges(pdf, "乡（镇）6月得分排名")
    in_pdf = [b - a for a, b in zip(edges, edges[1:])]
    docx_grid = next(g for g in grids if len(g) == towns.ncols and abs(g[0] - in_pdf[0]) < 0.6)
    assert all(abs(a - b) < 0.6 for a, b in zip(docx_grid, in_pdf))


def test_font_size_by_column_count_same_in_both_writers(written):
    notice, pdf, docx = written
    doc = Document(io.BytesIO(docx))
    sizes_docx = set()
    for tbl in doc.tables[: len(_tables(notice))]:  # the 版记 is a table of its own after them
        for run in tbl.rows[-1].cells[0].paragraphs[0].runs:
            if run.font.size:
                sizes_docx.add(run.font.size.pt)
    expected = {font_size(t, L) for t in _tables(notice)}
    assert sizes_docx == expected
    with pm.open_pdf(io.BytesIO(pdf)) as doc_pdf:
        sizes_pdf = {round(c["size"], 1) for p in doc_pdf.pages for c in p.chars}
    assert expected <= sizes_pdf


def test_given_widths_never_narrower_than_an_unbreakable_run():
    """tables.txt page 12: 签约日期 2023-06-08 ran into the next column when 列宽 was given."""
    from gongwen.layout.columns import column_widths
    from gongwen.notice.metrics import text_width

    t = Table(header=[["序号", "签约日期", "备注"]], rows=[["1", "2023-06-08", "首位产业"]], widths=[1, 0.2, 3])
    widths = column_widths(t, 300.0, 12.0, 2.0, 1.0)
    assert abs(sum(widths) - 300.0) < 1e-6
    assert widths[1] >= text_width("2023-06-08", "body", 12.0, 0.0) + 5.0 - 1e-6
    assert widths[2] / widths[0] == pytest.approx(3.0)


def test_number_columns_right_aligned_counts_centred():
    from gongwen.layout.columns import column_align

    t = Table(header=[["序号", "单位", "金额（万元）", "增长", "排名"]],
              rows=[["1", "县商务局", "1,200.50", "35.6%", "2"], ["2", "县工信局", "98", "—", "1"]])
    assert column_align(t) == (None, None, "right", "right", None)
    assert column_align(Table(header=[["a", "b"]], rows=[["x", "1"]], align=["left", "center"])) == ("left", "center")
