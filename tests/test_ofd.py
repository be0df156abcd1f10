"""OFD writer (issue 17): every notice fixture and example, typeset to PDF and
written as OFD, is checked against the standard's schemas and against the PDF
it came from (read with pdfplumber, which the writer does not use).

No OFD renderer is installed here, so the checks are structural and
positional: schemas, IDs, locations, text, glyph positions, fonts (loaded with
fontTools and HarfBuzz, every character mapped to the PDF's own glyph
outline), rules and colours, images, DocInfo, identical bytes. In addition the
OFD's objects are drawn into a plain PDF with the OFD's own font files and
rendered by poppler beside the original (test_drawn_again_matches_pdf).
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont, newTable
from lxml import etree

from gongwen.writers.ofd import OfdInfo, benchmark, ofd_bytes

ROOT = Path(__file__).resolve().parent.parent
XSD = ROOT / "tests" / "fixtures" / "ofd-xsd"  # the schemas of GB/T 33190-2016, with where they came from (README.md)
NS = "http://www.ofdspec.org/2016"
Q = "{%s}" % NS
MM = 25.4 / 72
TOLERANCE_MM = 0.1

SOURCES = sorted((ROOT / "tests" / "fixtures" / "notices").glob("*.txt")) + sorted((ROOT / "inputs" / "examples").glob("*.txt"))
IDS = [p.stem for p in SOURCES]

INFO = OfdInfo(
    title="关于全县招大引强“百日攻坚”6月工作情况的通报",
    organs=("信丰县扩大开放工作领导小组办公室",),
    date="2023年7月3日",
    doc_number="信开放办〔2023〕7号",
    custom={"活动": "百日攻坚", "月份": "2023-06"},
)


def typeset_pdf(path: Path) -> bytes:
    """The PDF of one notice source (the one place that knows the render API)."""
    from gongwen.notice.source import read_source
    from gongwen.build.notices import typeset

    return typeset(read_source(path), base_url=str(path.parent)).pdf


@functools.lru_cache(maxsize=None)
def pdf_of(stem: str) -> bytes:
    return typeset_pdf(SOURCES[IDS.index(stem)])


@functools.lru_cache(maxsize=None)
def ofd_of(stem: str) -> bytes:
    return ofd_bytes(pdf_of(stem), INFO)


# ---------------------------------------------------------------------------
# A small OFD reader for the checks


class Package:
    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = set(self.zip.namelist())
        self.ofd = self.xml("OFD.xml")
        self.doc_loc = self.ofd.find(f"{Q}DocBody/{Q}DocRoot").text
        self.doc = self.xml(self.doc_loc)
        common = self.doc.find(f"{Q}CommonData")
        self.res_locs = [self.resolve(self.doc_loc, e.text) for e in common if e.tag in (Q + "PublicRes", Q + "DocumentRes")]
        self.page_locs = [self.resolve(self.doc_loc, p.get("BaseLoc")) for p in self.doc.iter(Q + "Page")]
        self.pages = [self.xml(loc) for loc in self.page_locs]
        self.fonts: dict[str, tuple[etree._Element, str]] = {}
        self.media: dict[str, str] = {}
        for loc in self.res_locs:
            res = self.xml(loc)
            base = self.resolve(loc, res.get("BaseLoc")) + "/"  # a folder: names in it resolve inside
            for f in res.iter(Q + "Font"):
                self.fonts[f.get("ID")] = (f, self.resolve(base, f.find(Q + "FontFile").text))
            for m in res.iter(Q + "MultiMedia"):
                self.media[m.get("ID")] = self.resolve(base, m.find(Q + "MediaFile").text)

    def xml(self, name: str):
        return etree.fromstring(self.zip.read(name))

    @staticmethod
    def resolve(base_file: str, loc: str) -> str:
        """ST_Loc: absolute from the package root, else relative to the naming file's folder."""
        if loc.startswith("/"):
            return loc.lstrip("/")
        folder = base_file if base_file.endswith("/") else posixpath.dirname(base_file)
        return posixpath.normpath(posixpath.join(folder, loc))

    def xml_parts(self):
        yield "OFD", "OFD.xml"
        yield "Document", self.doc_loc
        for loc in self.res_locs:
            yield "Res", loc
        for loc in self.page_locs:
            yield "Page", loc


def floats(s: str | None) -> list[float]:
    return [float(v) for v in s.split()] if s else []


def deltas(s: str | None, n: int) -> list[float]:
    """Expand DeltaX/DeltaY ("g count value" repeats) to n-1 values (missing: 0)."""
    out: list[float] = []
    toks = s.split() if s else []
    i = 0
    while i < len(toks):
        if toks[i] == "g":
            out += [float(toks[i + 2])] * int(toks[i + 1])
            i += 3
        else:
            out.append(float(toks[i]))
            i += 1
    return (out + [0.0] * n)[: max(n - 1, 0)]


def text_chars(obj) -> list[tuple[str, float, float, int | None]]:
    """(character, x mm, y mm on the page, glyph id from a CGTransform or None)."""
    bx, by, _, _ = floats(obj.get("Boundary"))
    ctm = floats(obj.get("CTM")) or [1, 0, 0, 1, 0, 0]
    out = []
    cg_glyphs: dict[int, int] = {}
    for el in obj:
        if el.tag == Q + "CGTransform":
            glyphs = floats(el.find(Q + "Glyphs").text)
            cg_glyphs[int(el.get("CodePosition"))] = int(glyphs[0])
        elif el.tag == Q + "TextCode":
            text = el.text or ""
            dx = deltas(el.get("DeltaX"), len(text))
            dy = deltas(el.get("DeltaY"), len(text))
            x, y = float(el.get("X")), float(el.get("Y"))
            for i, ch in enumerate(text):
                if i:
                    x += dx[i - 1]
                    y += dy[i - 1]
                px = x * ctm[0] + y * ctm[2] + ctm[4] + bx
                py = x * ctm[1] + y * ctm[3] + ctm[5] + by
                out.append((ch, px, py, cg_glyphs.get(i)))
            cg_glyphs = {}
    return out


def pdf_chars(page) -> list[tuple[str, float, float, str]]:
    """pdfplumber's characters: (text, origin x mm, origin y mm from the top, font)."""
    out = []
    for c in page.chars:
        m = c["matrix"]
        for ch in c["text"]:
            out.append((ch, m[4] * MM, (page.height - m[5]) * MM, c["fontname"]))
    return out


# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schemas():
    return {name: etree.XMLSchema(etree.parse(str(XSD / f"{name}.xsd"))) for name in ("OFD", "Document", "Page", "Res")}


@pytest.mark.parametrize("stem", IDS)
def test_schema_valid(stem, schemas):
    pkg = Package(ofd_of(stem))
    assert pkg.ofd.tag == Q + "OFD"
    for kind, loc in pkg.xml_parts():
        schema = schemas[kind]
        assert schema.validate(pkg.xml(loc)), f"{loc}: {schema.error_log}"


@pytest.mark.parametrize("stem", IDS)
def test_ids_and_locations(stem):
    pkg = Package(ofd_of(stem))
    ids: list[int] = []
    parts = [pkg.doc] + [pkg.xml(loc) for loc in pkg.res_locs] + pkg.pages
    for part in parts:
        ids += [int(e.get("ID")) for e in part.iter() if e.get("ID") is not None]
    assert len(ids) == len(set(ids)), "IDs are not unique"
    max_id = int(pkg.doc.find(f"{Q}CommonData/{Q}MaxUnitID").text)
    assert max_id == max(ids)
    known = set(ids)
    for part in parts:
        for e in part.iter():
            for attr in ("Font", "ResourceID", "ColorSpace", "DrawParam", "ImageMask"):
                if e.get(attr) is not None:
                    assert int(e.get(attr)) in known, f"{attr}={e.get(attr)} names no ID"
    assert int(pkg.doc.find(f"{Q}CommonData/{Q}DefaultCS").text) in known
    # every location resolves to a file of the package
    for loc in [pkg.doc_loc, *pkg.res_locs, *pkg.page_locs, *(f for _, f in pkg.fonts.values()), *pkg.media.values()]:
        assert loc in pkg.names, f"{loc} is not in the package"


@pytest.mark.parametrize("stem", IDS)
def test_page_size_mm(stem):
    pkg = Package(ofd_of(stem))
    assert pkg.doc.find(f"{Q}CommonData/{Q}PageArea/{Q}PhysicalBox").text == "0 0 210 297"
    with pikepdf.open(io.BytesIO(pdf_of(stem))) as pdf:
        assert len(pdf.pages) == len(pkg.pages)
    for page in pkg.pages:
        area = page.find(f"{Q}Area/{Q}PhysicalBox")
        assert area is None or area.text == "0 0 210 297"


@pytest.mark.parametrize("stem", IDS)
def test_text_and_glyph_positions(stem):
    """Each page's text equals the PDF's (whitespace aside), every glyph within 0.1 mm."""
    pkg = Package(ofd_of(stem))
    worst = 0.0
    checked = 0
    with pdfplumber.open(io.BytesIO(pdf_of(stem))) as pdf:
        assert len(pdf.pages) == len(pkg.pages)
        for n, (ppage, opage) in enumerate(zip(pdf.pages, pkg.pages)):
            ours = [c for obj in opage.iter(Q + "TextObject") for c in text_chars(obj)]
            theirs = pdf_chars(ppage)
            ours_v = [c for c in ours if not c[0].isspace()]
            theirs_v = [c for c in theirs if not c[0].isspace()]
            assert "".join(c[0] for c in ours_v) == "".join(c[0] for c in theirs_v), f"page {n + 1} text differs"
            for o, t in zip(ours_v, theirs_v):
                d = max(abs(o[1] - t[1]), abs(o[2] - t[2]))
                worst = max(worst, d)
                assert d <= TOLERANCE_MM, f"page {n + 1}: {o[0]} at ({o[1]:.3f}, {o[2]:.3f}) mm, PDF ({t[1]:.3f}, {t[2]:.3f}) mm"
                checked += 1
    assert checked > 100
    # positions are written to 0.001 mm: far inside the tolerance
    assert worst < 0.01, worst


@pytest.mark.parametrize("stem", IDS)
def test_page_numbers_are_text(stem):
    """The page number (— 1 —) is text in the OFD, as in the PDF."""
    pkg = Package(ofd_of(stem))
    if len(pkg.pages) < 2:
        pytest.skip("one page")
    texts = ["".join(c[0] for obj in page.iter(Q + "TextObject") for c in text_chars(obj)) for page in pkg.pages]
    numbered = [n for n, t in enumerate(texts) if re.search(rf"[—-]\s*{n + 1}\s*[—-]", t)]
    assert numbered, "no page number found"


def _pdf_fonts(pdf_bytes: bytes) -> dict[str, tuple[dict, dict]]:
    """base font name -> (charstrings of the PDF's own CFF by CID, ToUnicode text -> CIDs)."""
    from pdfminer.cmapdb import CMapParser, FileUnicodeMap

    out = {}
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        seen = set()
        for page in pdf.pages:
            for font in page.resources.get("/Font", {}).values():
                if font.objgen in seen:
                    continue
                seen.add(font.objgen)
                name = str(font.BaseFont).lstrip("/").split("+", 1)[-1]
                fd = font.DescendantFonts[0].FontDescriptor
                table = newTable("CFF ")
                table.decompile(fd.FontFile3.read_bytes(), TTFont())
                top = table.cff[table.cff.fontNames[0]]
                cmap = FileUnicodeMap()
                CMapParser(cmap, io.BytesIO(font.ToUnicode.read_bytes())).run()
                by_text: dict[str, set[int]] = {}
                for cid, text in cmap.cid2unichr.items():
                    by_text.setdefault(text, set()).add(cid)
                out[name] = (top, by_text)
    return out


def _outline(glyphset_or_top, name) -> list:
    pen = DecomposingRecordingPen(glyphset_or_top)
    glyphset_or_top[name].draw(pen)
    return pen.value


@pytest.mark.parametrize("stem", IDS)
def test_fonts_load_in_harfbuzz(stem, tmp_path):
    """A second loader: HarfBuzz (what WeasyPrint shapes with) opens every font
    file, maps each character to the glyph the cmap names, with the PDF's width."""
    from gongwen.notice.harfbuzz import Face

    pkg = Package(ofd_of(stem))
    pdf_widths = {}
    with pikepdf.open(io.BytesIO(pdf_of(stem))) as pdf:
        for page in pdf.pages:
            for font in page.resources.get("/Font", {}).values():
                name = str(font.BaseFont).lstrip("/").split("+", 1)[-1]
                pdf_widths[name] = font.DescendantFonts[0].W
    for fid, (el, loc) in pkg.fonts.items():
        file = tmp_path / posixpath.basename(loc)
        file.write_bytes(pkg.zip.read(loc))
        face = Face(str(file))
        tt = TTFont(str(file))
        cmap = tt.getBestCmap()
        order = tt.getGlyphOrder()
        widths = _widths(pdf_widths[el.get("FontName")])
        assert cmap
        for cp, name in cmap.items():
            gid = order.index(name)
            assert face.glyph(chr(cp)) == gid
            assert face.advance_em(chr(cp)) == pytest.approx(widths.get(int(name[3:]), 1000) / 1000, abs=1e-3)


def _widths(w) -> dict[int, float]:
    out: dict[int, float] = {}
    items = list(w)
    i = 0
    while i < len(items):
        if isinstance(items[i + 1], pikepdf.Array):
            for k, v in enumerate(items[i + 1]):
                out[int(items[i]) + k] = float(v)
            i += 2
        else:
            for c in range(int(items[i]), int(items[i + 1]) + 1):
                out[c] = float(items[i + 2])
            i += 3
    return out


@pytest.mark.parametrize("stem", IDS)
def test_fonts_embedded_and_mapped(stem):
    """Every font file loads; every character shown maps (cmap or CGTransform)
    to a glyph whose outline is the PDF's own glyph for that character."""
    pkg = Package(ofd_of(stem))
    pdf_fonts = _pdf_fonts(pdf_of(stem))
    loaded = {}
    for fid, (el, loc) in pkg.fonts.items():
        tt = TTFont(io.BytesIO(pkg.zip.read(loc)))
        assert "CFF " in tt and "cmap" in tt and "hmtx" in tt and "name" in tt and "OS/2" in tt
        assert loc.endswith(".otf")
        loaded[fid] = (tt, tt.getBestCmap(), tt.getGlyphOrder(), tt.getGlyphSet(), pdf_fonts[el.get("FontName")])
    assert loaded
    checked = 0
    for page in pkg.pages:
        for obj in page.iter(Q + "TextObject"):
            tt, cmap, order, glyphset, (pdf_top, by_text) = loaded[obj.get("Font")]
            for ch, _x, _y, gid in text_chars(obj):
                if gid is None:
                    assert ord(ch) in cmap, f"{ch!r} is not in the cmap of {obj.get('Font')}"
                    name = cmap[ord(ch)]
                else:
                    assert gid < len(order)
                    name = order[gid]
                if ch.isspace() or ch not in by_text:
                    continue
                pdf_outlines = [_outline(pdf_top.CharStrings, f"cid{cid:05d}") for cid in by_text[ch]]
                assert _outline(glyphset, name) in pdf_outlines, f"{ch!r}: not the PDF's glyph"
                checked += 1
    assert checked > 100


def _paths(page) -> list[dict]:
    out = []
    for obj in page.iter(Q + "PathObject"):
        bx, by, bw, bh = floats(obj.get("Boundary"))
        toks = obj.find(Q + "AbbreviatedData").text.split()
        pts = []
        segs = []
        i = 0
        while i < len(toks):
            op = toks[i]
            if op in ("M", "L"):
                p = (float(toks[i + 1]) + bx, float(toks[i + 2]) + by)
                if op == "L" and pts:
                    segs.append((pts[-1], p))
                pts.append(p)
                i += 3
            elif op == "B":
                pts.append((float(toks[i + 5]) + bx, float(toks[i + 6]) + by))
                i += 7
            else:
                i += 1
        fill = obj.find(Q + "FillColor")
        stroke = obj.find(Q + "StrokeColor")
        out.append(
            dict(
                box=(bx, by, bx + bw, by + bh),
                pts=pts,
                segs=segs,
                fill=fill.get("Value") if fill is not None and obj.get("Fill") == "true" else None,
                stroke=stroke.get("Value") if stroke is not None and obj.get("Stroke", "true") == "true" else None,
                width=float(obj.get("LineWidth", 0.353)),
            )
        )
    return out


def _near(a, b) -> bool:
    return abs(a[0] - b[0]) <= TOLERANCE_MM and abs(a[1] - b[1]) <= TOLERANCE_MM


def test_red_rule_is_red_path():
    """The red rules (版头 separator and others) are PathObjects in RGB 255 0 0, where the PDF draws them."""
    found = 0
    for stem in IDS:
        pkg = Package(ofd_of(stem))
        cs = {e.get("ID"): e.get("Type") for loc in pkg.res_locs for e in pkg.xml(loc).iter(Q + "ColorSpace")}
        with pdfplumber.open(io.BytesIO(pdf_of(stem))) as pdf:
            for ppage, opage in zip(pdf.pages, pkg.pages):
                red = [r for r in ppage.rects if r.get("fill") and tuple(r.get("non_stroking_color") or ()) == (1, 0, 0) and r["width"] > 100]
                paths = _paths(opage)
                for r in red:
                    box = (r["x0"] * MM, r["top"] * MM, r["x1"] * MM, r["bottom"] * MM)
                    match = [
                        p
                        for p in paths
                        if p["fill"] == "255 0 0"
                        and any(_near((x, y), box[:2]) for x, y in p["pts"])
                        and any(_near((x, y), box[2:]) for x, y in p["pts"])
                    ]
                    assert match, f"{stem}: red rule at {box} missing"
                    found += 1
                for obj in opage.iter(Q + "PathObject"):
                    for color in obj.iter(Q + "FillColor", Q + "StrokeColor"):
                        assert cs[color.get("ColorSpace")] == "RGB"
    assert found >= 5


@pytest.mark.parametrize("stem", IDS)
def test_rules_and_borders(stem):
    """Every line and rectangle pdfplumber finds in the PDF is in an OFD PathObject at the same place."""
    pkg = Package(ofd_of(stem))
    with pdfplumber.open(io.BytesIO(pdf_of(stem))) as pdf:
        for n, (ppage, opage) in enumerate(zip(pdf.pages, pkg.pages)):
            paths = _paths(opage)
            points = [pt for p in paths for pt in p["pts"]]
            for line in ppage.lines:
                for x, y in line["pts"]:
                    assert any(_near((x * MM, y * MM), q) for q in points), f"page {n + 1}: line point ({x}, {y}) pt missing"
            for r in ppage.rects:
                for corner in ((r["x0"], r["top"]), (r["x1"], r["bottom"])):
                    assert any(_near((corner[0] * MM, corner[1] * MM), q) for q in points), f"page {n + 1}: rect corner missing"


def test_table_borders_present():
    pkg = Package(ofd_of("tables"))
    strokes = [p for page in pkg.pages for p in _paths(page) if p["stroke"] == "0 0 0"]
    assert len(strokes) >= 10
    assert all(abs(p["width"] - 0.75 * MM) < 0.001 for p in strokes)  # 1 CSS px = 0.75 pt


def test_image_object():
    """The chart of the tables fixture is an ImageObject with its PNG in the package, where the PDF places it."""
    from PIL import Image

    pkg = Package(ofd_of("tables"))
    images = [(n, obj) for n, page in enumerate(pkg.pages) for obj in page.iter(Q + "ImageObject")]
    assert images
    with pdfplumber.open(io.BytesIO(pdf_of("tables"))) as pdf:
        for n, obj in images:
            im = pdf.pages[n].images[0]
            bx, by, bw, bh = floats(obj.get("Boundary"))
            assert _near((bx, by), (im["x0"] * MM, im["top"] * MM)) and _near((bx + bw, by + bh), (im["x1"] * MM, im["bottom"] * MM))
            png = Image.open(io.BytesIO(pkg.zip.read(pkg.media[obj.get("ResourceID")])))
            assert png.size == tuple(im["srcsize"])
            assert png.mode in ("RGB", "RGBA")


def test_rotated_text_positions():
    """Landscape table pages show text rotated by 90 degrees: written with a CTM, still within 0.1 mm."""
    pkg = Package(ofd_of("tables"))
    rotated = [obj for page in pkg.pages for obj in page.iter(Q + "TextObject") if obj.get("CTM")]
    assert rotated  # the positions themselves are checked in test_text_and_glyph_positions
    assert all(floats(o.get("CTM"))[:4] in ([0, -1, 1, 0], [0, 1, -1, 0]) for o in rotated)


def test_doc_info():
    pkg = Package(ofd_of("letter"))
    info = pkg.ofd.find(f"{Q}DocBody/{Q}DocInfo")
    assert info.find(Q + "Title").text == INFO.title
    assert info.find(Q + "Author").text == "信丰县扩大开放工作领导小组办公室"
    assert info.find(Q + "CreationDate").text == "2023-07-03"
    assert re.fullmatch(r"[0-9a-f]{32}", info.find(Q + "DocID").text)
    custom = {e.get("Name"): e.text for e in info.iter(Q + "CustomData")}
    assert custom == {"发文字号": "信开放办〔2023〕7号", "活动": "百日攻坚", "月份": "2023-06"}
    assert pkg.ofd.get("Version") == "1.0" and pkg.ofd.get("DocType") == "OFD"
    assert pkg.ofd.nsmap.get("ofd") == NS


def test_several_organs_and_dates():
    other = OfdInfo(title="联合发文", organs=["甲局", "乙局"], date="二〇二六年十一月二十二日")
    pkg = Package(ofd_bytes(pdf_of("letter"), other))
    info = pkg.ofd.find(f"{Q}DocBody/{Q}DocInfo")
    assert info.find(Q + "Author").text == "甲局、乙局"
    assert info.find(Q + "CreationDate").text == "2026-11-22"
    assert [e.text for e in info.iter(Q + "CustomData") if e.get("Name") == "发文机关"] == ["甲局", "乙局"]


@pytest.mark.parametrize("stem", ["letter", "tables"])
def test_same_bytes_twice(stem):
    first = ofd_bytes(pdf_of(stem), INFO)
    assert first == ofd_bytes(pdf_of(stem), INFO)
    for zi in zipfile.ZipFile(io.BytesIO(first)).infolist():
        assert zi.date_time == (1980, 1, 1, 0, 0, 0)


def test_benchmark_helper():
    result = benchmark(pdf_of("letter"), INFO, repeat=1)
    assert result.pages == 2 and result.seconds > 0 and result.ofd_bytes > 0
    assert result.ms_per_page > 0 and result.kb_per_page > 0


# ---------------------------------------------------------------------------
# Drawing the OFD again. No OFD renderer is installed, so the test draws the
# OFD's objects into a plain PDF (each glyph by the id the OFD names, in the
# font file the OFD embeds, at the position the OFD gives) and lets poppler
# (pdftoppm, FreeType for the fonts) render it beside the original PDF. This
# proves the embedded .otf files load in a real rasteriser and that the OFD's
# text, paths, colours and images reproduce the page; it does not prove how an
# OFD reader interprets the XML (that is what the schema and position tests are for).


def _pdf_from_ofd(pkg: Package) -> bytes:
    from PIL import Image

    pdf = pikepdf.new()
    fonts = {}
    for fid, (el, loc) in pkg.fonts.items():
        data = pkg.zip.read(loc)
        tt = TTFont(io.BytesIO(data))
        order = tt.getGlyphOrder()
        gid = {name: i for i, name in enumerate(order)}
        upm = tt["head"].unitsPerEm
        program = pikepdf.Stream(pdf, data)
        program["/Subtype"] = pikepdf.Name("/OpenType")
        descriptor = pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor,
            FontName=pikepdf.Name("/" + el.get("FontName")),
            Flags=4,
            FontBBox=[tt["head"].xMin, tt["head"].yMin, tt["head"].xMax, tt["head"].yMax],
            ItalicAngle=0,
            Ascent=tt["hhea"].ascent,
            Descent=tt["hhea"].descent,
            CapHeight=tt["hhea"].ascent,
            StemV=80,
            FontFile3=pdf.make_indirect(program),
        )
        widths = [tt["hmtx"][name][0] * 1000 / upm for name in order]
        cid_font = pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.CIDFontType0,
            BaseFont=pikepdf.Name("/" + el.get("FontName")),
            CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0),
            FontDescriptor=pdf.make_indirect(descriptor),
            W=[0, widths],
        )
        font = pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=pikepdf.Name("/" + el.get("FontName")),
            Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[pdf.make_indirect(cid_font)],
        )
        fonts[fid] = (f"/F{fid}", pdf.make_indirect(font), tt.getBestCmap(), gid)
    images = {}
    for iid, loc in pkg.media.items():
        im = Image.open(io.BytesIO(pkg.zip.read(loc)))
        rgba = im.convert("RGBA")
        rgb = rgba.convert("RGB")
        xobj = pikepdf.Stream(pdf, rgb.tobytes())
        xobj.Type, xobj.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        xobj.Width, xobj.Height, xobj.ColorSpace, xobj.BitsPerComponent = im.width, im.height, pikepdf.Name.DeviceRGB, 8
        mask = pikepdf.Stream(pdf, rgba.getchannel("A").tobytes())
        mask.Type, mask.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        mask.Width, mask.Height, mask.ColorSpace, mask.BitsPerComponent = im.width, im.height, pikepdf.Name.DeviceGray, 8
        xobj.SMask = pdf.make_indirect(mask)
        images[iid] = (f"/I{iid}", pdf.make_indirect(xobj))

    W, H = 210 / MM, 297 / MM

    def pt(x, y):
        return f"{x / MM:.4f} {H - y / MM:.4f}"

    def color(el, op):
        if el is None:
            return f"0 0 0 {op}"
        return " ".join(f"{int(v) / 255:.4f}" for v in el.get("Value").split()) + f" {op}"

    def path_ops(data: str, ox: float, oy: float) -> list[str]:
        toks = data.split()
        out, i = [], 0
        while i < len(toks):
            op = toks[i]
            if op in ("M", "L"):
                out.append(f"{pt(float(toks[i + 1]) + ox, float(toks[i + 2]) + oy)} {op.lower()}")
                i += 3
            elif op == "B":
                pts = [pt(float(toks[i + k]) + ox, float(toks[i + k + 1]) + oy) for k in (1, 3, 5)]
                out.append(" ".join(pts) + " c")
                i += 7
            else:
                out.append("h")
                i += 1
        return out

    def clip_ops(obj, ox, oy) -> list[str]:
        out = []
        for area in obj.iterfind(f"{Q}Clips/{Q}Clip/{Q}Area"):
            path = area.find(Q + "Path")
            out += path_ops(path.find(Q + "AbbreviatedData").text, ox, oy)
            out.append("W* n" if path.get("Rule") == "Even-Odd" else "W n")
        return out

    for page in pkg.pages:
        ops: list[str] = []
        for obj in page.find(f"{Q}Content/{Q}Layer"):
            bx, by, _, _ = floats(obj.get("Boundary"))
            ops.append("q")
            ops += clip_ops(obj, bx, by)
            if obj.tag == Q + "PathObject":
                stroke = obj.get("Stroke", "true") == "true"
                fill = obj.get("Fill", "false") == "true"
                ops.append(color(obj.find(Q + "FillColor"), "rg"))
                ops.append(color(obj.find(Q + "StrokeColor"), "RG"))
                ops.append(f"{float(obj.get('LineWidth', 0.353)) / MM:.4f} w")
                ops += path_ops(obj.find(Q + "AbbreviatedData").text, bx, by)
                even = obj.get("Rule") == "Even-Odd"
                ops.append({(True, True): "B*" if even else "B", (False, True): "f*" if even else "f", (True, False): "S"}.get((stroke, fill), "n"))
            elif obj.tag == Q + "TextObject":
                name, _font, cmap, gid = fonts[obj.get("Font")]
                size = float(obj.get("Size")) / MM
                hs = float(obj.get("HScale", 1))
                c = floats(obj.get("CTM")) or [1, 0, 0, 1, 0, 0]
                ops.append(color(obj.find(Q + "FillColor"), "rg"))
                ops.append(f"BT {name} 1 Tf")
                for ch, x, y, g in text_chars(obj):
                    g = gid[cmap[ord(ch)]] if g is None else g
                    m = (size * c[0] * hs, -size * c[1] * hs, -size * c[2], size * c[3])
                    ops.append(f"{m[0]:.5f} {m[1]:.5f} {m[2]:.5f} {m[3]:.5f} {pt(x, y)} Tm <{g:04x}> Tj")
                ops.append("ET")
            elif obj.tag == Q + "ImageObject":
                name, _x = images[obj.get("ResourceID")]
                a, b, cc, d, e, f = floats(obj.get("CTM"))
                # OFD unit square (row 0 at y = 0, y down) -> PDF image space (row 0 at v = 1)
                x0, y0 = e + bx + cc, f + by + d  # OFD point (0, 1): PDF image (0, 0)
                ops.append(f"{a / MM:.4f} {-b / MM:.4f} {-cc / MM:.4f} {d / MM:.4f} {pt(x0, y0)} cm {name} Do")
            ops.append("Q")
        pdf_page = pdf.add_blank_page(page_size=(W, H))
        pdf_page.Contents = pdf.make_stream("\n".join(ops).encode())
        pdf_page.Resources = pikepdf.Dictionary(
            Font=pikepdf.Dictionary({name: f for name, f, _, _ in fonts.values()}),
            XObject=pikepdf.Dictionary({name: x for name, x in images.values()}),
        )
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _render(pdf: bytes, folder: Path, stem: str, dpi: int) -> list:
    import subprocess

    from PIL import Image

    src = folder / f"{stem}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(src), str(folder / stem)], check=True, timeout=120)
    return [Image.open(p).convert("L") for p in sorted(folder.glob(f"{stem}-*.pgm"))]


@pytest.mark.skipif(not __import__("shutil").which("pdftoppm"), reason="pdftoppm (poppler) is not installed")
@pytest.mark.parametrize("stem", ["letter", "tables", "000-suzhou-bairi-jingsai"])
def test_drawn_again_matches_pdf(stem, tmp_path):
    from PIL import ImageChops

    original = _render(pdf_of(stem), tmp_path, "pdf", 100)
    again = _render(_pdf_from_ofd(Package(ofd_of(stem))), tmp_path, "ofd", 100)
    assert len(original) == len(again)
    for n, (a, b) in enumerate(zip(original, again)):
        diff = ImageChops.difference(a, b)
        hist = diff.histogram()
        differing = sum(hist[64:]) / (a.width * a.height)
        ink = sum(a.histogram()[:128]) or 1
        assert sum(hist[64:]) <= 0.01 * ink, f"page {n + 1}: {differing:.4%} of pixels differ"


@pytest.mark.parametrize("stem", ["letter", "tables", "001-yongqiao-zhengqiu-yijian"])
def test_text_boundary_holds_glyphs(stem):
    """Each TextObject's Boundary holds the outlines of its glyphs (readers may clip to it)."""
    from fontTools.pens.boundsPen import BoundsPen

    pkg = Package(ofd_of(stem))
    fonts = {}
    for fid, (_el, loc) in pkg.fonts.items():
        tt = TTFont(io.BytesIO(pkg.zip.read(loc)))
        gs = tt.getGlyphSet()
        boxes = {}
        for name in tt.getGlyphOrder():
            pen = BoundsPen(gs)
            gs[name].draw(pen)
            boxes[name] = pen.bounds
        fonts[fid] = (tt.getBestCmap(), tt.getGlyphOrder(), boxes, tt["head"].unitsPerEm)
    checked = 0
    for page in pkg.pages:
        for obj in page.iter(Q + "TextObject"):
            cmap, order, boxes, upm = fonts[obj.get("Font")]
            bx, by, bw, bh = floats(obj.get("Boundary"))
            size = float(obj.get("Size"))
            c = floats(obj.get("CTM")) or [1, 0, 0, 1, 0, 0]
            for ch, x, y, gid in text_chars(obj):
                box = boxes[cmap[ord(ch)] if gid is None else order[gid]]
                if box is None:
                    continue
                for gx in (box[0], box[2]):
                    for gy in (box[1], box[3]):
                        u, v = gx / upm * size, -gy / upm * size  # object space, y down
                        px, py = x + u * c[0] + v * c[2], y + u * c[1] + v * c[3]
                        assert bx - 0.002 <= px <= bx + bw + 0.002 and by - 0.002 <= py <= by + bh + 0.002, (ch, px, py)
                checked += 1
    assert checked > 100


def test_without_harfbuzz_bounds(monkeypatch):
    """Where HarfBuzz cannot be loaded the glyph boxes come from fontTools: same text, same fonts' glyphs."""
    from gongwen.writers.ofd import fonts

    monkeypatch.setattr(fonts, "_hb", lambda: None)
    slow = Package(ofd_bytes(pdf_of("letter"), INFO))
    fast = Package(ofd_of("letter"))
    def placed(page):
        return [(c[0], round(c[1], 3), round(c[2], 3), c[3]) for o in page.iter(Q + "TextObject") for c in text_chars(o)]

    # same text at the same places (the Boundaries follow the font's box, which may differ slightly)
    assert [placed(p) for p in slow.pages] == [placed(p) for p in fast.pages]
    for fid, (_el, loc) in fast.fonts.items():
        a, b = TTFont(io.BytesIO(fast.zip.read(loc))), TTFont(io.BytesIO(slow.zip.read(slow.fonts[fid][1])))
        assert a.getBestCmap() == b.getBestCmap()
        for name in a.getGlyphOrder():
            assert a["hmtx"][name][0] == b["hmtx"][name][0]
            assert abs(a["hmtx"][name][1] - b["hmtx"][name][1]) <= 10  # HarfBuzz's boxes may be a few units wider


# ---------------------------------------------------------------------------
# Cases our fixtures do not produce


def _edit_to_unicode(pdf_bytes: bytes) -> tuple[bytes, str, int, int, int]:
    """The letter's PDF with one font's ToUnicode changed: CID b shows the same
    character as CID a, CID c has no Unicode text. Returns (pdf, font name, a, b, c)."""
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    counts: dict = {}
    for page in pdf.pages:
        for operands, op in pikepdf.parse_content_stream(page):
            if str(op) == "Tf":
                current = str(operands[0])
            elif str(op) == "TJ":
                for part in operands[0]:
                    if isinstance(part, pikepdf.String):
                        raw = bytes(part)
                        for i in range(0, len(raw), 2):
                            counts.setdefault(current, set()).add(int.from_bytes(raw[i : i + 2], "big"))
    key = max(counts, key=lambda k: len(counts[k]))
    font = pdf.pages[0].resources.Font[key]
    a, b, c = sorted(counts[key] - {0})[3:6]
    lines = font.ToUnicode.read_bytes().decode("latin-1").split("\n")
    first = next(ln for ln in lines if ln.lower().startswith(f"<{a:04x}>"))
    edited = []
    for ln in lines:
        if ln.lower().startswith(f"<{b:04x}>"):
            ln = f"<{b:04x}>" + first.split(">", 1)[1]
        elif ln.lower().startswith(f"<{c:04x}>"):
            continue
        edited.append(ln)
    text = "\n".join(edited)
    text = re.sub(r"(\d+) beginbfchar", lambda m: f"{sum(1 for ln in edited if re.match(r'<[0-9a-fA-F]+> <', ln))} beginbfchar", text)
    font.ToUnicode.write(text.encode("latin-1"))
    out = io.BytesIO()
    pdf.save(out)
    name = str(font.BaseFont).lstrip("/").split("+", 1)[-1]
    return out.getvalue(), name, a, b, c


def test_cgtransform_for_shared_and_missing_unicode():
    """Two glyphs with the same Unicode text: the second is named by a
    CGTransform; a glyph without Unicode text gets a private-use character its
    font maps. Either way the OFD names the glyph the PDF shows."""
    from gongwen.writers.ofd.fonts import PUA_BASE

    pdf, name, a, b, c = _edit_to_unicode(pdf_of("letter"))
    pkg = Package(ofd_bytes(pdf, INFO))
    fid, (_el, loc) = next((fid, v) for fid, v in pkg.fonts.items() if v[0].get("FontName") == name)
    tt = TTFont(io.BytesIO(pkg.zip.read(loc)))
    cmap, order = tt.getBestCmap(), tt.getGlyphOrder()
    shown = []
    for page in pkg.pages:
        for obj in page.iter(Q + "TextObject"):
            if obj.get("Font") == fid:
                shown += [gid if gid is not None else order.index(cmap[ord(ch)]) for ch, _x, _y, gid in text_chars(obj)]
                for ch, _x, _y, gid in text_chars(obj):
                    if gid == b:
                        assert cmap[ord(ch)] == order[a]  # the character's cmap glyph is a's
    assert b in shown and a in shown and c in shown  # glyph ids = CIDs (identity charset)
    assert cmap[PUA_BASE + c] == order[c]
    texts = "".join(ch for page in pkg.pages for obj in page.iter(Q + "TextObject") for ch, *_ in text_chars(obj))
    assert chr(PUA_BASE + c) in texts
    assert any(obj.find(Q + "CGTransform") is not None for page in pkg.pages for obj in page.iter(Q + "TextObject"))


def test_to_unicode_ranges():
    from gongwen.writers.ofd.pdfread import parse_to_unicode

    cmap = b"""1 beginbfchar
<0003> <D840DC0B>
endbfchar
2 beginbfrange
<0010> <0012> <4E00>
<0020> <0021> [<0041> <00660069>]
endbfrange"""
    assert parse_to_unicode(cmap) == {3: "\U0002000b", 0x10: "一", 0x11: "丁", 0x12: "丂", 0x20: "A", 0x21: "fi"}


def test_unsupported_font_raises():
    from gongwen.writers.ofd import OfdUnsupported

    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Resources = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    )
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET")
    out = io.BytesIO()
    pdf.save(out)
    with pytest.raises(OfdUnsupported):
        ofd_bytes(out.getvalue(), INFO)


# ---------------------------------------------------------------------------
# The writer registry: a whole demo build with OFD beside every PDF


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory):
    import shutil

    from gongwen.build import build_campaign

    work = tmp_path_factory.mktemp("ofd-demo")
    camp = work / "xinfeng-2023"
    shutil.copytree(ROOT / "inputs" / "xinfeng-2023", camp, ignore=shutil.ignore_patterns("发文登记.sqlite*"))
    out = work / "out"
    build_campaign(camp, out, register_file=work / "reg.sqlite", formats=("docx", "pdf", "ofd"))
    return out


def test_every_document_of_the_demo_build_has_a_valid_ofd(demo_build, schemas):
    import json

    manifest = json.loads((demo_build / "manifest.json").read_text(encoding="utf-8"))
    pdfs = sorted(f["path"] for f in manifest["files"] if f["path"].endswith(".pdf"))
    ofds = sorted(f["path"] for f in manifest["files"] if f["path"].endswith(".ofd"))
    assert len(pdfs) > 90 and [p[:-4] for p in ofds] == [p[:-4] for p in pdfs]
    for rel in ofds:
        pkg = Package((demo_build / rel).read_bytes())
        for kind, loc in pkg.xml_parts():
            assert schemas[kind].validate(pkg.xml(loc)), f"{rel} {loc}: {schemas[kind].error_log}"
        with pdfplumber.open(demo_build / (rel[:-4] + ".pdf")) as pdf:
            assert len(pkg.pages) == len(pdf.pages)
            for n, (ppage, opage) in enumerate(zip(pdf.pages, pkg.pages)):
                ours = "".join(c[0] for obj in opage.iter(Q + "TextObject") for c in text_chars(obj) if not c[0].isspace())
                theirs = "".join(c[0] for c in pdf_chars(ppage) if not c[0].isspace())
                assert ours == theirs, f"{rel} page {n + 1}"
