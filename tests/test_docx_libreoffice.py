"""DOCX -> PDF through LibreOffice, measured with tests/pdfmeasure.py: the
grid, edges, masthead, red rule and page numbers must survive a real
word processor (LibreOffice substitutes the office fonts; the numbers hold)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gongwen.check.convert import convert_many
from gongwen.layout.spec import load_layout
from tests.pdfmeasure import baseline, body_lines, mm, open_pdf, page_lines, page_number_line, pitches, red_rects
from tests.test_docx import SOURCES, build

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"),
]

LAYOUT = load_layout()
P = LAYOUT.page
BLOCK_TOP = P.margin_top_mm / 25.4 * 72
BLOCK_BOTTOM = (P.height_mm - P.margin_bottom_mm) / 25.4 * 72
ZI_MM = mm(LAYOUT.char_pitch_pt)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    """Every test notice written as DOCX and converted in one soffice call."""
    out = tmp_path_factory.mktemp("lo")
    files = [build(name, out) for name in SOURCES]
    converted = convert_many(files, "pdf", out)  # the project's LibreOffice client, one run for all
    result = {f.stem: converted.get(f, out / f"{f.stem}.missing.pdf") for f in files}
    missing = [n for n, p in result.items() if not p.exists()]
    assert not missing, f"LibreOffice wrote no PDF for {missing}"
    return result


def _em_top_mm(line) -> float:
    """Top of the em box (baseline - 0.88 em) from the paper top."""
    return mm(baseline(line.chars[0]) - 0.88 * line.size)


def _full_body_page(pdf):
    """A page filled with 3号 body text only (no header, no table)."""
    for page in pdf.pages[1:]:
        lines = body_lines(page, BLOCK_BOTTOM)
        if len(lines) >= 20 and all(abs(l.size - 16) < 0.1 for l in lines):
            return page, lines
    raise AssertionError("no full body page")


def test_pages_are_a4(pdfs):
    with open_pdf(pdfs["file"]) as pdf:
        sizes = {(round(p.width), round(p.height)) for p in pdf.pages}
    assert (595, 842) in sizes
    for w, h in sizes:
        assert (abs(w - 595.3) <= 1 and abs(h - 841.9) <= 1) or (abs(w - 841.9) <= 1 and abs(h - 595.3) <= 1)


def test_grid_22_lines_of_28_characters(pdfs):
    with open_pdf(pdfs["file"]) as pdf:
        page, lines = _full_body_page(pdf)
        assert len(lines) == LAYOUT.grid.lines
        steps = pitches(lines)
        assert all(abs(s - LAYOUT.grid.line_pitch_pt) <= 0.3 for s in steps), steps
        full = [l for l in lines if len(l.text) == LAYOUT.grid.chars]
        assert full, "no full line"
        assert max(len(l.text) for l in lines) == LAYOUT.grid.chars


def test_full_lines_flush_with_both_edges(pdfs):
    with open_pdf(pdfs["file"]) as pdf:
        _, lines = _full_body_page(pdf)
        # wrapped lines (not a paragraph's first or last) start at the left edge
        full = [l for l in lines if len(l.text) == LAYOUT.grid.chars and abs(mm(l.x0) - P.margin_left_mm) <= 1]
        assert len(full) >= 5
        for line in full:
            assert abs(mm(line.x1) - (P.width_mm - P.margin_right_mm)) <= 1, line.text
        indented = [l for l in lines if abs(mm(l.x0) - P.margin_left_mm - 2 * ZI_MM) <= 0.5]
        assert indented, "paragraphs start two 字 in"


def test_masthead_35mm_under_block_top(pdfs):
    for name in ("file", "joint", "minutes"):
        with open_pdf(pdfs[name]) as pdf:
            big = [l for l in page_lines(pdf.pages[0]) if l.size > 22.5]
            assert big, name
            top = _em_top_mm(big[0])
            assert abs(top - (P.margin_top_mm + LAYOUT.masthead.top_from_block_mm)) <= 1.5, (name, top)


def test_red_rule_is_156mm(pdfs):
    with open_pdf(pdfs["file"]) as pdf:
        page = pdf.pages[0]
        rules = red_rects(page)
        assert rules
        rule = rules[0]
        assert abs(mm(rule["x1"] - rule["x0"]) - 156) <= 1
        number = [l for l in page_lines(page) if l.text.startswith("宿招组办")][0]
        # about 4 mm under the number's characters
        gap = mm(rule["top"]) - mm(baseline(number.chars[0]) + 0.12 * number.size)
        assert abs(gap - LAYOUT.red_rule.below_number_mm) <= 1.5, gap


def test_letter_double_lines_and_first_page(pdfs):
    with open_pdf(pdfs["letter"]) as pdf:
        first = pdf.pages[0]
        rules = red_rects(first)
        widths = {round(mm(r["x1"] - r["x0"])) for r in rules}
        assert widths == {LAYOUT.letter_rules.length_mm}
        tops = sorted({round(mm(r["top"]), 1) for r in rules})
        assert tops[0] < 60 and tops[-1] > P.height_mm - LAYOUT.letter_rules.bottom_from_paper_mm - 1.5
        assert page_number_line(first, BLOCK_BOTTOM) is None
        masthead = [l for l in page_lines(first) if l.size > 22.5][0]
        assert abs(_em_top_mm(masthead) - LAYOUT.masthead.letter_top_from_paper_mm) <= 1.5
        assert page_number_line(pdf.pages[1], BLOCK_BOTTOM).text == "—2—"


def test_page_numbers_alternate_sides(pdfs):
    with open_pdf(pdfs["file"]) as pdf:
        two = page_number_line(pdf.pages[1], BLOCK_BOTTOM)
        three = page_number_line(pdf.pages[2], BLOCK_BOTTOM)
    assert two.text.replace(" ", "") == "—2—" and three.text.replace(" ", "") == "—3—"
    assert abs(mm(two.x0) - (P.margin_left_mm + ZI_MM)) <= 1
    assert abs(mm(three.x1) - (P.width_mm - P.margin_right_mm - ZI_MM)) <= 1
    # top of the dash about 7 mm under the text block
    assert abs(_em_top_mm(two) - (P.height_mm - P.margin_bottom_mm + LAYOUT.page_number.below_block_mm)) <= 1.5
    assert two.size == pytest.approx(LAYOUT.sizes_pt.si_hao, abs=0.1)


def test_long_table_header_repeats_and_wide_table_turns(pdfs):
    with open_pdf(pdfs["file"]) as pdf:
        with_header = [i for i, p in enumerate(pdf.pages) if any("序号" in l.text for l in page_lines(p))]
        assert len(with_header) >= 2
        landscape = [p for p in pdf.pages if p.width > p.height]
        assert len(landscape) == 1
        assert any("县区1月2月" in l.text for l in page_lines(landscape[0]))


def test_banji_at_foot_and_alone_without_number(pdfs):
    with open_pdf(pdfs["file"]) as pdf:
        last = pdf.pages[-1]
        printed = [l for l in page_lines(last) if l.text.endswith("印发")]
        assert printed and mm(printed[0].x1) == pytest.approx(P.width_mm - P.margin_right_mm - ZI_MM, abs=1)
        assert mm(printed[0].bottom) > P.height_mm - P.margin_bottom_mm - 15  # at the foot of the page
    with open_pdf(pdfs["joint"]) as pdf:
        last = pdf.pages[-1]
        assert any(l.text.startswith("抄送") for l in page_lines(last))
        assert not any("请批示" in l.text for l in page_lines(last))  # alone on its page
        assert page_number_line(last, BLOCK_BOTTOM) is None


def test_minutes_attendance_aligned_after_colon(pdfs):
    with open_pdf(pdfs["minutes"]) as pdf:
        lines = [l for p in pdf.pages for l in body_lines(p, BLOCK_BOTTOM)]
    attend = [i for i, l in enumerate(lines) if l.text.startswith("出席：")][0]
    first, wrapped = lines[attend], lines[attend + 1]
    assert abs(mm(first.x0) - (P.margin_left_mm + 2 * ZI_MM)) <= 1
    label_end = first.chars[2]["x1"]  # after 出席：
    assert abs(wrapped.x0 - label_end) <= 2
