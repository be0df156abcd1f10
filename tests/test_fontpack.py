"""Re-packed fonts (gongwen.writers.pdf.fontpack): the same PDF, before and
after, read back. The text pdfplumber extracts and where each character
stands, the pixels poppler draws, the outline (charstring) and width of every
glyph are unchanged; each embedded program holds exactly the glyphs shown
plus .notdef, numbered 1..n in a bare CFF with an identity charset; the file
is smaller. The glyph mapping checked here is read from the content streams
with pikepdf's own parser, not with the module's."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont

from gongwen import INPUTS_DIR, ROOT
from gongwen.campaign import compute, load_campaign
from gongwen.documents import feedback
from gongwen.documents.templating import Templates
from gongwen.notice.source import read_source
from gongwen.writers.pdf import pdf_bytes
from gongwen.writers.pdf.fontpack import compact_fonts
from gongwen.writers.pdf.render import PDF_VARIANT, layout

FIXTURES = ROOT / "tests" / "fixtures" / "notices"


def weasyprint_pdf(notice, base_url=None) -> bytes:
    """The PDF as WeasyPrint writes it, before gongwen.writers.pdf.pdfa.finish."""
    doc, *_ = layout(notice, base_url)
    return doc.write_pdf(pdf_variant=PDF_VARIANT)


def packed(raw: bytes) -> tuple[bytes, int]:
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        count = compact_fonts(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue(), count


def saved(raw: bytes) -> bytes:
    """The same PDF opened and saved without re-packing, to compare sizes fairly."""
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


@pytest.fixture(scope="module")
def samples():
    """name -> WeasyPrint's PDF: a one-page 得分反馈单 and a multi-page notice with tables."""
    c = compute(load_campaign(INPUTS_DIR / "xinfeng-2023"))
    [doc] = feedback.build(c, "2023-06", Templates(c.campaign.folder), [], units=["高端装备制造产业招商小分队"])
    src = FIXTURES / "tables.txt"
    return {
        "feedback": weasyprint_pdf(doc.notice, doc.base_url),
        "tables": weasyprint_pdf(read_source(src), str(src.parent)),
    }


@pytest.fixture(scope="module")
def pairs(samples):
    return {name: (raw, packed(raw)[0]) for name, raw in samples.items()}


# ------------------------------------------------------------------ helpers


def chars(data: bytes) -> list[list[tuple]]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [[(c["text"], round(c["x0"], 3), round(c["top"], 3), round(c["size"], 3), c["fontname"])
                 for c in page.chars] for page in pdf.pages]


def texts(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() for page in pdf.pages]


def raster(data: bytes, tmp_path: Path, name: str, page: int = 1) -> bytes:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    src = tmp_path / f"{name}.pdf"
    src.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "50", "-f", str(page), "-l", str(page), str(src), str(tmp_path / name)], check=True)
    [ppm] = sorted(tmp_path.glob(f"{name}-*.ppm"))
    out = ppm.read_bytes()
    ppm.unlink()
    return out


def shown(data: bytes) -> list[tuple[str, tuple[int, ...]]]:
    """(BaseFont, 2-byte codes) of every string shown on the pages, in order,
    read with pikepdf's content stream parser (Tf, gs, q/Q, Tj, TJ, ', ")."""
    result = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            fonts = page.Resources.get("/Font", {})
            current, stack = None, []
            for operands, op in pikepdf.parse_content_stream(page):
                op = str(op)
                if op == "Tf":
                    current = str(fonts[operands[0]].BaseFont)
                elif op == "gs" and "/Font" in page.Resources.ExtGState[operands[0]]:
                    current = str(page.Resources.ExtGState[operands[0]].Font[0].BaseFont)
                elif op == "q":
                    stack.append(current)
                elif op == "Q":
                    current = stack.pop()
                elif op in ("Tj", "TJ", "'", '"'):
                    strings = [x for x in operands[0] if isinstance(x, pikepdf.String)] if op == "TJ" else [operands[-1]]
                    for s in strings:
                        raw = bytes(s)
                        result.append((current, tuple(int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2))))
    return result


def glyph_mapping(before: bytes, after: bytes) -> dict[str, dict[int, int]]:
    """Per font, old code -> new code, from the same strings shown in the same order."""
    old, new = shown(before), shown(after)
    assert len(old) == len(new)
    mapping: dict[str, dict[int, int]] = {}
    for (font, a), (font2, b) in zip(old, new):
        assert font == font2 and len(a) == len(b)
        m = mapping.setdefault(font, {})
        for x, y in zip(a, b):
            assert m.setdefault(x, y) == y, f"{font}: code {x} shown as two different glyphs"
    for font, m in mapping.items():
        assert len(set(m.values())) == len(m), f"{font}: two glyphs became one"
    return mapping


def fonts(data: bytes) -> dict[str, dict]:
    """BaseFont -> its program (bytes, FontFile3 subtype), widths by CID and ToUnicode by code."""
    result = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                d = font.DescendantFonts[0]
                desc = d.FontDescriptor
                stream = desc.get("/FontFile3") or desc.get("/FontFile2")
                widths, w, i = {}, list(d.get("/W", [])), 0
                while i < len(w):
                    if isinstance(w[i + 1], pikepdf.Array):
                        widths.update({int(w[i]) + k: float(x) for k, x in enumerate(w[i + 1])})
                        i += 2
                    else:
                        widths.update({c: float(w[i + 2]) for c in range(int(w[i]), int(w[i + 1]) + 1)})
                        i += 3
                cmap = {}
                text = font.ToUnicode.read_bytes().decode("latin-1")
                for line in text.splitlines():
                    parts = line.split()
                    if len(parts) == 2 and parts[0].startswith("<") and parts[1].startswith("<"):
                        cmap[int(parts[0][1:-1], 16)] = bytes.fromhex(parts[1][1:-1]).decode("utf-16-be")
                result[str(font.BaseFont)] = {
                    "program": stream.read_bytes(),
                    "subtype": str(stream.stream_dict.get("/Subtype", "")),
                    "widths": widths,
                    "to_unicode": cmap,
                    "encoding": "CMap stream" if isinstance(font.Encoding, pikepdf.Stream) else str(font.Encoding),
                }
    return result


def cff_of(program: bytes, subtype: str):
    """(top DICT, glyph order) of a CFF program, bare or inside OpenType."""
    if subtype == "/OpenType":
        font = TTFont(io.BytesIO(program))
        cff = font["CFF "].cff
    else:
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(program), None)
    top = cff.topDictIndex[0]
    return top, top.charset


def charstring(top, order, gid: int) -> bytes:
    cs = top.CharStrings[order[gid]]
    if cs.bytecode is None:
        cs.compile()
    return cs.bytecode


# -------------------------------------------------------------------- tests


def test_fonts_are_repacked_and_the_file_is_smaller(samples, pairs):
    for name, raw in samples.items():
        data, count = packed(raw)
        assert count >= 3, name  # 仿宋, 黑体, 小标宋 at least
        before, after = fonts(raw), fonts(data)
        assert before.keys() == after.keys()
        for font, info in after.items():
            assert info["subtype"] == "/CIDFontType0C", font
            assert len(info["program"]) < len(before[font]["program"]), font
        new_size, old_size = len(data), len(saved(raw))
        assert new_size < old_size, name
    # a one-page feedback sheet is nearly all fonts: it loses about a third of its bytes
    raw, data = pairs["feedback"]
    new_size, old_size = len(data), len(saved(raw))
    assert new_size < 0.75 * old_size


def test_text_and_positions_unchanged(pairs):
    for name, (raw, data) in pairs.items():
        assert texts(data) == texts(raw), name
        assert chars(data) == chars(raw), name


def test_pages_draw_the_same_pixels(pairs, tmp_path):
    for name, (raw, data) in pairs.items():
        with pikepdf.open(io.BytesIO(raw)) as pdf:
            last = len(pdf.pages)
        for page in sorted({1, last}):
            assert raster(data, tmp_path, f"{name}-new", page) == raster(raw, tmp_path, f"{name}-old", page), (name, page)


def test_every_glyph_keeps_its_outline_width_and_text(pairs):
    for name, (raw, data) in pairs.items():
        before, after = fonts(raw), fonts(data)
        for font, mapping in glyph_mapping(raw, data).items():
            old, new = before[font], after[font]
            old_top, old_order = cff_of(old["program"], old["subtype"])
            new_top, new_order = cff_of(new["program"], new["subtype"])
            for a, b in mapping.items():
                assert charstring(new_top, new_order, b) == charstring(old_top, old_order, a), (name, font, a)
                assert new["widths"][b] == old["widths"][a], (name, font, a)
                assert new["to_unicode"].get(b) == old["to_unicode"].get(a), (name, font, a)


def test_each_program_holds_exactly_the_glyphs_shown(pairs):
    for name, (raw, data) in pairs.items():
        used: dict[str, set] = {}
        for font, codes in shown(data):
            used.setdefault(font, set()).update(codes)
        for font, info in fonts(data).items():
            top, order = cff_of(info["program"], info["subtype"])
            n = len(order)
            assert used[font] - {0} == set(range(1, n)), (name, font)  # 1..n-1 shown, .notdef is 0
            # identity charset: CID n is glyph n however a reader looks it up
            assert list(order[1:]) == [f"cid{i:05d}" for i in range(1, n)], (name, font)
            assert set(info["widths"]) <= set(range(n)) and set(info["to_unicode"]) <= set(range(n))


def test_same_input_same_bytes(samples):
    raw = samples["feedback"]
    assert packed(raw)[0] == packed(raw)[0]


def test_pipeline_pdfs_carry_repacked_fonts():
    """pdf_bytes (gongwen.writers.pdf.pdfa.finish) re-packs every font."""
    src = INPUTS_DIR / "examples" / "002-xinfeng-bairi-gongjian.txt"
    data, _ = pdf_bytes(read_source(src), str(src.parent))
    info = fonts(data)
    assert info and all(f["subtype"] == "/CIDFontType0C" for f in info.values())
    used: dict[str, set] = {}
    for font, codes in shown(data):
        used.setdefault(font, set()).update(codes)
    for font, f in info.items():
        assert used[font] - {0} == set(range(1, len(cff_of(f["program"], f["subtype"])[1])))


# ------------------------------------------- content the fast path does not see


def _add_page(pdf: pikepdf.Pdf, content: bytes, resources) -> None:
    page = pdf.add_blank_page(page_size=(595, 842))
    page.obj.Resources = resources
    page.obj.Contents = pdf.make_stream(content)


@pytest.fixture(scope="module")
def handmade(samples):
    """The feedback sheet with two more pages: page 1 drawn again as a form
    XObject, and a page of text written by hand: a font chosen inside q ... Q
    and the outer font back after Q, literal strings with escapes, the ' and
    " operators, a font set by gs, a comment."""
    raw = samples["feedback"]
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        page = pdf.pages[0]
        names = list(page.Resources.Font.keys())
        codes = {}
        for font, seq in shown(raw):
            codes.setdefault(font, []).extend(c for c in seq if c not in codes.get(font, []))
        by_name = {n: [c for c in codes[str(page.Resources.Font[n].BaseFont)] if c][:6] for n in names}
        body, fang = sorted(names, key=lambda n: -len(codes[str(page.Resources.Font[n].BaseFont)]))[:2]

        def hexs(name, k):
            return b"<" + b"".join(b"%04x" % c for c in by_name[name][k:k + 2]) + b">"

        def literal(name, k):
            raw_codes = b"".join(c.to_bytes(2, "big") for c in by_name[name][k:k + 2])
            return b"(" + b"".join(b"\\%03o" % x for x in raw_codes) + b")"

        form = page.as_form_xobject()
        _add_page(pdf, b"q 0.8 0 0 0.8 40 80 cm /P1 Do Q",
                  pikepdf.Dictionary(XObject=pikepdf.Dictionary(P1=form)))
        text = b"\n".join([
            b"% hand-written",
            b"BT " + body.encode() + b" 24 Tf 60 760 Td " + hexs(body, 0) + b" Tj ET",
            b"q BT " + fang.encode() + b" 24 Tf 60 700 Td " + literal(fang, 0) + b" Tj ET Q",
            b"BT 60 640 Td 30 TL [" + hexs(body, 2) + b" -200 " + literal(body, 4) + b"] TJ",
            hexs(body, 0) + b" '",
            b"2 1 " + literal(body, 2) + b' "',
            b"ET",
        ])
        _add_page(pdf, text, pikepdf.Dictionary(Font=page.Resources.Font))
        # a font set by an ExtGState (poppler draws it; pdfminer does not know gs fonts)
        state = pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, Font=[page.Resources.Font[fang], 24])
        _add_page(pdf, b"BT " + body.encode() + b" 24 Tf 60 760 Td " + hexs(body, 0) + b" Tj ET\n"
                  b"BT /GS1 gs 60 700 Td (" + b"".join(b"\\%03o" % x for c in by_name[fang][2:4] for x in c.to_bytes(2, "big"))
                  + b") Tj ET",
                  pikepdf.Dictionary(Font=page.Resources.Font, ExtGState=pikepdf.Dictionary(GS1=state)))
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def test_form_xobjects_q_Q_and_literal_strings(handmade, tmp_path):
    data, count = packed(handmade)
    assert count >= 3
    for page in (1, 2, 3, 4):
        assert raster(data, tmp_path, "new", page) == raster(handmade, tmp_path, "old", page), page
    assert texts(data)[:3] == texts(handmade)[:3]
    assert chars(data)[:3] == chars(handmade)[:3]
    glyph_mapping(handmade, data)  # one consistent mapping per font across the pages
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.pages[2].Contents.read_bytes().startswith(b"% hand-written")  # rewritten in place, not re-serialised


def test_text_in_a_callers_font_leaves_the_file_alone(samples):
    """A form XObject showing text with no Tf of its own draws in the font of
    whoever calls it: the glyphs cannot be told, so nothing is re-packed."""
    raw = samples["feedback"]
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        name = next(iter(pdf.pages[0].Resources.Font.keys()))
        form = pikepdf.Stream(pdf, b"BT 10 10 Td <0001> Tj ET", Type=pikepdf.Name.XObject,
                              Subtype=pikepdf.Name.Form, BBox=[0, 0, 100, 100])
        _add_page(pdf, b"BT " + name.encode() + b" 12 Tf ET /X Do",
                  pikepdf.Dictionary(Font=pdf.pages[0].Resources.Font, XObject=pikepdf.Dictionary(X=form)))
        out = io.BytesIO()
        pdf.save(out)
    before = out.getvalue()
    data, count = packed(before)
    assert count == 0
    assert fonts(data) == fonts(before)


# ---------------------------------------------------- TrueType, other encodings


@pytest.fixture(scope="module")
def truetype():
    from weasyprint import HTML

    html = ('<p style="font-family: DejaVu Sans; font-size: 20pt">Hello, world 2024</p>'
            '<p style="font-family: DejaVu Sans; font-size: 20pt">déjà vu</p>'
            '<p style="font-family: FandolSong">中文 \U0010FFFD 测试</p>')
    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)


def test_truetype_fonts_and_custom_encodings(truetype, tmp_path):
    before = fonts(truetype)
    if not any("DejaVu" in f for f in before):
        pytest.skip("DejaVu Sans (fonts-dejavu-core) is not installed")
    data, count = packed(truetype)
    assert count == 1
    after = fonts(data)
    [dejavu] = [f for f in after if "DejaVu" in f]
    [song] = [f for f in after if "Fandol" in f]
    # a font with glyphs missing has its own CMap (WeasyPrint's WP-Encod-0): left as it was
    assert before[song]["encoding"] == "CMap stream"
    assert after[song]["program"] == before[song]["program"]
    # the TrueType font: glyphs shown + .notdef + the parts of composite glyphs (é, à)
    old_tt, new_tt = TTFont(io.BytesIO(before[dejavu]["program"])), TTFont(io.BytesIO(after[dejavu]["program"]))
    mapping = glyph_mapping(truetype, data)[dejavu]
    old_order, new_order = old_tt.getGlyphOrder(), new_tt.getGlyphOrder()
    components = {c.glyphName for g in mapping for c in getattr(old_tt["glyf"][old_order[g]], "components", [])}
    assert new_tt["maxp"].numGlyphs == 1 + len(set(mapping) - {0}) + len(components - {old_order[g] for g in mapping})
    assert new_tt["maxp"].numGlyphs < old_tt["maxp"].numGlyphs
    for a, b in mapping.items():
        assert new_tt["hmtx"][new_order[b]] == old_tt["hmtx"][old_order[a]]
        assert after[dejavu]["widths"][b] == before[dejavu]["widths"][a]
        assert after[dejavu]["to_unicode"].get(b) == before[dejavu]["to_unicode"].get(a)
        old_glyph, new_glyph = old_tt["glyf"][old_order[a]], new_tt["glyf"][new_order[b]]
        if not old_glyph.isComposite():
            assert new_glyph.getCoordinates(new_tt["glyf"])[0] == old_glyph.getCoordinates(old_tt["glyf"])[0]
    assert raster(data, tmp_path, "new") == raster(truetype, tmp_path, "old")
    assert texts(data) == texts(truetype)
