"""Fonts subset once (gongwen.writers.pdf.weasy, part 4): the PDF pdf_bytes writes
with it shows what WeasyPrint's own subsetting shows, pixel for pixel and
character for character, and every program holds only the glyphs drawn.
When the re-packing gives up on a font, the document is written again
WeasyPrint's way instead of pairing a renumbered program with old ids."""

from __future__ import annotations

import io

import pdfplumber
import pikepdf
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont

from gongwen import ROOT, caches
from gongwen.notice.source import read_source
from gongwen.writers.pdf import fontpack, pdf_bytes, pdfa
from gongwen.writers.pdf.render import PDF_VARIANT, layout
from tests.pdfmeasure import page_pixels

SOURCE = ROOT / "tests" / "fixtures" / "notices" / "tables.txt"


def _text(data: bytes) -> list[list[tuple[str, float, float]]]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [[(c["text"], round(c["x0"], 2), round(c["top"], 2)) for c in p.chars] for p in pdf.pages]


def _programs(data: bytes) -> list[tuple[int, int]]:
    """(glyphs in the program, glyphs its /W names) of each embedded CFF font."""
    out = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/CIDFontType0":
                program = obj.FontDescriptor.FontFile3.read_bytes()
                if program[:4] == b"OTTO":  # WeasyPrint's own: an OpenType wrapper
                    cff = TTFont(io.BytesIO(program))["CFF "].cff
                else:
                    cff = CFFFontSet()
                    cff.decompile(io.BytesIO(program), None)
                widths = obj.get("/W", [])
                named = sum(len(widths[i + 1]) for i in range(0, len(widths), 2))
                out.append((len(cff[cff.fontNames[0]].CharStrings), named))
    return out


@pytest.fixture(scope="module")
def notice():
    return read_source(SOURCE)


def test_once_subset_fonts_show_what_weasyprint_shows(notice, tmp_path):
    fast, _ = pdf_bytes(notice, base_url=str(SOURCE.parent))
    doc, *_ = layout(notice, str(SOURCE.parent))
    plain = doc.write_pdf(pdf_variant=PDF_VARIANT)  # WeasyPrint's own subsetting, not re-packed
    assert _text(fast) == _text(plain)
    assert page_pixels(fast, tmp_path, "fast") == page_pixels(plain, tmp_path, "plain")
    programs = _programs(fast)
    assert programs and all(glyphs == named + 1 for glyphs, named in programs)  # the glyphs drawn and .notdef
    assert len(fast) < len(plain)
    assert pdf_bytes(notice, base_url=str(SOURCE.parent))[0] == fast


def test_written_again_when_the_repacking_gives_up(notice, tmp_path, monkeypatch):
    fast, _ = pdf_bytes(notice, base_url=str(SOURCE.parent))

    def give_up(*args):
        raise fontpack.Unsupported("test")

    left = []
    real_finish = pdfa.finish

    def finish(data, notice, presubset=None):
        out = real_finish(data, notice, presubset)
        left.append(dict(presubset) if presubset is not None else None)
        return out

    monkeypatch.setattr(fontpack, "_repack", give_up)
    monkeypatch.setattr(pdfa, "finish", finish)
    fallback, _ = pdf_bytes(notice, base_url=str(SOURCE.parent))
    # the glyph maps came back unused, so the PDF was written again, WeasyPrint's way
    assert len(left) == 2 and left[0] and left[1] is None
    assert _text(fallback) == _text(fast)
    assert page_pixels(fallback, tmp_path, "fallback") == page_pixels(fast, tmp_path, "fast")
    # WeasyPrint's programs keep the original glyph ids: many more slots than glyphs drawn.
    assert all(glyphs > named + 1 for glyphs, named in _programs(fallback))


def test_a_font_drawing_the_same_glyphs_again_is_not_subset_again(monkeypatch):
    from gongwen.notice.source import notice_from_source

    def sheet(unit: str):
        return notice_from_source(f"---\n标题: 6月得分反馈单\n---\n{unit}：本月得分如下。\n\n::: 表格\n维度|得分\n"
                                  f"比签约速度|{len(unit)}\n:::\n", None, unit)

    pdf_bytes(sheet("东塘镇"))
    calls = []
    real = fontpack.subset_face
    monkeypatch.setattr(fontpack, "subset_face", lambda *a: calls.append(a) or real(*a))
    second, _ = pdf_bytes(sheet("油石乡"))
    # only the body font draws other glyphs (the unit's name); the title's and the
    # table header's fonts, drawing the same glyphs, come from the kept subsets
    assert len(calls) == 1
    monkeypatch.setattr(fontpack, "subset_face", real)
    caches.clear("writers.pdf.weasy.font_subsets", "writers.pdf.fontpack.bare_cff", "writers.pdf.fontpack.deflated")
    assert pdf_bytes(sheet("油石乡"))[0] == second  # the same bytes as without anything kept
