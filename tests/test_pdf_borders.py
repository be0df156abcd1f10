"""Table rules drawn as long strokes (gongwen/writers/pdf/weasy.py, part 3): the
pages look exactly as when WeasyPrint draws every cell side on its own, with
a fraction of the drawing operators; tables whose borders differ from cell
to cell are still drawn WeasyPrint's way."""

from __future__ import annotations

import io

import pikepdf
import pytest

from gongwen.notice.source import notice_from_source
from gongwen.writers.pdf import weasy
from gongwen.writers.pdf.render import pdf_bytes
from tests.pdfmeasure import page_pixels

ROWS = 60  # a long table over several pages, its header repeated
SOURCE = "---\n标题: 各单位得分情况\n---\n一、得分\n\n::: 表格\n序号|单位|得分|名次\n" + \
    "".join(f"{i}|第{i}招商小分队|{100 - i}.00|{i}\n" for i in range(1, ROWS + 1)) + ":::\n"


def _strokes(data: bytes) -> list[int]:
    """Stroke operators on each page."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [sum(1 for _, op in pikepdf.parse_content_stream(page) if str(op) == "S") for page in pdf.pages]


@pytest.fixture
def both(monkeypatch):
    notice = notice_from_source(SOURCE, None, "表格")
    monkeypatch.setattr(weasy, "JOIN_BORDERS", False)
    piecewise, _ = pdf_bytes(notice)
    monkeypatch.setattr(weasy, "JOIN_BORDERS", True)
    joined, _ = pdf_bytes(notice)
    return piecewise, joined


def test_pages_look_the_same_with_far_fewer_strokes(both, tmp_path):
    piecewise, joined = both
    assert page_pixels(joined, tmp_path, "joined", dpi=150) == page_pixels(piecewise, tmp_path, "piecewise", dpi=150)
    before, after = _strokes(piecewise), _strokes(joined)
    assert len(before) == len(after) >= 2
    # each page: a stroke per cell side before (about 2 per cell), one per table after
    assert sum(before) > 2 * 4 * ROWS and all(b > 20 for b in before)
    assert all(a == 1 for a in after)
    assert len(joined) < len(piecewise)


def test_joined_lines_cover_what_the_pieces_covered():
    P = weasy.Piece
    pieces = [P(10, 0, 10, 5.25, 0.5, "solid", "k"), P(10, 4.75, 10, 10.25, 0.5, "solid", "k"),  # overlap
              P(10, 10.25, 10, 12, 0.5, "solid", "k"),  # touching
              P(10, 20, 10, 25, 0.5, "solid", "k"),  # after a gap
              P(0, 3, 4, 3, 0.5, "solid", "k"), P(4, 3, 9, 3, 0.5, "solid", "k"), P(30, 3, 31, 3, 0.5, "solid", "k")]
    assert sorted(weasy.joined(pieces)) == sorted([
        (10, 0, 10, 12), (10, 20, 10, 25), (0, 3, 9, 3), (30, 3, 31, 3)])


def test_mixed_borders_are_drawn_piece_by_piece(monkeypatch):
    from weasyprint import HTML

    html = ("<table style='border-collapse:collapse'><tr><td style='border:1pt solid black'>甲</td>"
            "<td style='border:2pt dashed red'>乙</td></tr><tr><td style='border:1pt solid blue'>丙</td>"
            "<td style='border:1pt solid black'>丁</td></tr></table>")
    assert weasy.patched()
    out = {}
    for enabled in (False, True):
        monkeypatch.setattr(weasy, "JOIN_BORDERS", enabled)
        out[enabled] = HTML(string=html).write_pdf(uncompressed_pdf=True)
    with pikepdf.open(io.BytesIO(out[False])) as a, pikepdf.open(io.BytesIO(out[True])) as b:
        assert a.pages[0].Contents.read_bytes() == b.pages[0].Contents.read_bytes()
