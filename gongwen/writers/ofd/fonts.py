"""Turn a font program embedded in the PDF into a font file an OFD reader loads.

Our PDFs embed CID-keyed CFF as bare CFF (FontFile3 /CIDFontType0C): no
cmap, no metrics tables, nothing a font loader accepts on its own. It is
wrapped, outlines untouched, into an OpenType (.otf) font with fontTools:
the CFF table as it is, plus head, hhea, hmtx (the PDF's /W widths), maxp,
OS/2, name, post (format 3) and a cmap built from the PDF's ToUnicode CMap.
An OpenType (FontFile3 /OpenType) or TrueType (FontFile2) program keeps its
tables; its cmap is replaced the same way and missing tables are added.

Glyphs keep their ids: a shown CID names the same glyph in the .otf as in the
PDF (through the CFF charset for CID-keyed CFF, through /CIDToGIDMap for
TrueType). When a character's cmap entry cannot name the glyph the PDF shows
(two glyphs with the same Unicode text, a glyph standing for several
characters, a glyph with no Unicode text) the writer adds a CGTransform.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from fontTools.fontBuilder import FontBuilder
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables.DefaultTable import DefaultTable

from gongwen.writers.ofd.pdfread import OfdUnsupported, PdfFont

__all__ = ["OfdFont", "build_font", "PUA_BASE"]

# Text for glyphs without Unicode text: a private-use character per glyph.
PUA_BASE = 0xF0000
# head.created / head.modified: fixed, so the same input gives the same bytes (2000-01-01).
_FONT_TIME = 3029529600


@dataclass
class OfdFont:
    data: bytes  # the .otf / .ttf file
    ext: str  # "otf" or "ttf"
    cid_to_gid: dict[int, int]  # every shown CID -> glyph id in `data`
    cmap: dict[int, int]  # code point -> glyph id, as written in the font's cmap
    texts: dict[int, str]  # every shown CID -> the text written for it in TextCode
    bbox: tuple[float, float, float, float] = (0.0, -0.2, 1.0, 1.0)  # all glyphs' box, in em (head)


def _em_bbox(tt: TTFont) -> tuple[float, float, float, float]:
    head = tt["head"]
    upm = head.unitsPerEm or 1000
    return (head.xMin / upm, head.yMin / upm, head.xMax / upm, head.yMax / upm)


def _cid_gid_cff(top, font: PdfFont) -> dict[int, int]:
    order = list(top.charset)
    index = {name: gid for gid, name in enumerate(order)}
    cid_keyed = hasattr(top, "ROS")
    out = {}
    for cid in sorted(font.used):
        if cid_keyed:
            gid = index.get(f"cid{cid:05d}")
            if gid is None and cid == 0:
                gid = 0
        else:
            gid = cid if cid < len(order) else None
        if gid is None:
            raise OfdUnsupported(f"font {font.base_name}: CID {cid} is not in the font program")
        out[cid] = gid
    return out


def _xml_char(ch: str) -> bool:
    """Whether XML 1.0 allows the character in element text."""
    cp = ord(ch)
    return cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF


def _texts_and_cmap(font: PdfFont, cid_to_gid: dict[int, int]) -> tuple[dict[int, str], dict[int, int]]:
    """The text written for each shown CID, and the cmap: each single character
    maps to the glyph of the lowest CID showing it."""
    texts: dict[int, str] = {}
    cmap: dict[int, int] = {}
    for cid in sorted(font.used):
        text = font.to_unicode.get(cid, "")
        if not text or not all(_xml_char(ch) for ch in text):
            # no Unicode text, or text XML cannot hold: a private-use character (cmap'd to the glyph)
            text = chr(PUA_BASE + cid_to_gid[cid])
        texts[cid] = text
        if len(text) == 1 and ord(text) not in cmap:
            cmap[ord(text)] = cid_to_gid[cid]
    return texts, cmap


def _wrap_cff(font: PdfFont) -> OfdFont:
    """Bare CFF -> .otf. The CFF table is written byte for byte as the PDF has
    it (charstrings, charset and FDArray untouched); glyph bounds are computed
    once here for hmtx side bearings and the head/hhea extremes, instead of
    letting fontTools recompile the CFF and recompute them."""
    probe = TTFont()
    table = newTable("CFF ")
    table.decompile(font.program, probe)
    cff = table.cff
    top = cff[cff.fontNames[0]]
    order = list(top.charset)
    cid_to_gid = _cid_gid_cff(top, font)
    texts, cmap = _texts_and_cmap(font, cid_to_gid)
    matrix = getattr(top, "FontMatrix", [0.001, 0, 0, 0.001, 0, 0])
    upm = int(round(1 / matrix[0])) if matrix[0] else 1000

    gid_width: dict[int, float] = {}
    for cid, gid in cid_to_gid.items():
        gid_width[gid] = font.width(cid)
    advances = [int(round(gid_width.get(gid, font.default_width) * upm / 1000)) for gid in range(len(order))]
    metrics = {name: (advances[gid], 0) for gid, name in enumerate(order)}

    raw = DefaultTable("CFF ")
    raw.data = font.program
    fb = FontBuilder(upm, isTTF=False)
    fb.font.recalcBBoxes = False  # the CFF is not recompiled: extremes are set below
    fb.setupGlyphOrder(order)
    fb.font["CFF "] = raw
    fb.font.sfntVersion = "OTTO"  # CFF outlines: without it FreeType looks for TrueType 'loca'/'glyf'
    fb.setupCharacterMap(cmap_by_name(cmap, order))
    fb.setupHorizontalMetrics(metrics)
    ascent = int(round(font.ascent * upm / 1000))
    descent = int(round(font.descent * upm / 1000))
    fb.setupHorizontalHeader(ascent=ascent, descent=descent, advanceWidthMax=max(advances))
    style = "Bold" if font.bold else "Regular"
    ps_name = re.sub(r"[^!-~]|[\[\](){}<>/%]", "-", font.base_name)[:63]
    fb.setupNameTable(
        {"familyName": font.family, "styleName": style, "psName": ps_name, "fullName": font.base_name, "uniqueFontIdentifier": ps_name}
    )
    fb.setupOS2(
        sTypoAscender=ascent,
        sTypoDescender=descent,
        sTypoLineGap=0,
        usWinAscent=max(ascent, 0),
        usWinDescent=max(-descent, 0),
        usWeightClass=700 if font.bold else 400,
        fsType=0,
        fsSelection=(0x20 if font.bold else 0x40) | (0x01 if font.italic else 0),
        achVendID="NONE",
    )
    os2 = fb.font["OS/2"]
    os2.recalcUnicodeRanges(fb.font)
    os2.recalcAvgCharWidth(fb.font)
    os2.updateFirstAndLastCharIndex(fb.font)
    fb.setupPost(keepGlyphNames=False)
    fb.setupMaxp()
    head = fb.font["head"]
    head.created = head.modified = _FONT_TIME
    head.macStyle = (1 if font.bold else 0) | (2 if font.italic else 0)
    data = _save(fb.font)
    boxes = _hb_bounds(data, len(order)) or _cff_bounds(top, order)
    _set_bounds(fb.font, order, advances, boxes)
    return OfdFont(_save(fb.font), "otf", cid_to_gid, cmap, texts, _em_bbox(fb.font))


def _set_bounds(tt: TTFont, order: list[str], advances: list[int], boxes: list) -> None:
    """hmtx side bearings (xMin) and the head/hhea extremes from glyph boxes
    (None for an empty glyph)."""
    hmtx = tt["hmtx"].metrics
    inked = [(gid, b) for gid, b in enumerate(boxes) if b is not None]
    for gid, box in inked:
        hmtx[order[gid]] = (advances[gid], box[0])
    if not inked:
        return
    hhea, head = tt["hhea"], tt["head"]
    hhea.minLeftSideBearing = min(b[0] for _, b in inked)
    hhea.minRightSideBearing = min(advances[g] - b[2] for g, b in inked)
    hhea.xMaxExtent = max(b[2] for _, b in inked)
    # one unit of margin: HarfBuzz's integer extents may round a fractional edge inwards
    head.xMin = min(b[0] for _, b in inked) - 1
    head.yMin = min(b[1] for _, b in inked) - 1
    head.xMax = max(b[2] for _, b in inked) + 1
    head.yMax = max(b[3] for _, b in inked) + 1


def _cff_bounds(top, order: list[str]) -> list:
    """Glyph boxes by running the charstrings in fontTools (slow; when HarfBuzz is missing)."""
    out = []
    for name in order:
        b = top.CharStrings[name].calcBounds(top.CharStrings)
        out.append((math.floor(b[0]), math.floor(b[1]), math.ceil(b[2]), math.ceil(b[3])) if b else None)
    return out


_HB_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_font_t hb_font_t;
typedef struct { int32_t x_bearing; int32_t y_bearing; int32_t width; int32_t height; } hb_glyph_extents_t;
hb_blob_t *hb_blob_create(const char *data, unsigned int length, int mode, void *user_data, void *destroy);
void hb_blob_destroy(hb_blob_t *blob);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
hb_font_t *hb_font_create(hb_face_t *face);
void hb_font_destroy(hb_font_t *font);
int hb_font_get_glyph_extents(hb_font_t *font, uint32_t glyph, hb_glyph_extents_t *extents);
"""


@lru_cache(maxsize=None)
def _hb():
    """(ffi, libharfbuzz) for glyph extents, None where HarfBuzz cannot be loaded."""
    try:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef(_HB_CDEF)
        for name in ("libharfbuzz.so.0", "harfbuzz", "libharfbuzz-0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll"):
            try:
                return ffi, ffi.dlopen(name)
            except OSError:
                continue
    except Exception:  # pragma: no cover - no cffi
        return None
    return None


def _hb_bounds(otf: bytes, glyphs: int) -> list | None:
    """Glyph boxes (xMin, yMin, xMax, yMax) in font units, from HarfBuzz's CFF
    interpreter (the font's scale is its units per em); None without HarfBuzz."""
    hb = _hb()
    if hb is None:
        return None
    ffi, lib = hb
    buf = ffi.from_buffer(otf)
    blob = lib.hb_blob_create(buf, len(otf), 1, ffi.NULL, ffi.NULL)  # 1: read-only, kept alive by `buf`
    face = lib.hb_face_create(blob, 0)
    hbfont = lib.hb_font_create(face)
    ext = ffi.new("hb_glyph_extents_t *")
    out: list = []
    try:
        for gid in range(glyphs):
            if lib.hb_font_get_glyph_extents(hbfont, gid, ext) and (ext.width or ext.height):
                out.append((ext.x_bearing, ext.y_bearing + ext.height, ext.x_bearing + ext.width, ext.y_bearing))
            else:
                out.append(None)
    finally:
        lib.hb_font_destroy(hbfont)
        lib.hb_face_destroy(face)
        lib.hb_blob_destroy(blob)
    return out


def cmap_by_name(cmap: dict[int, int], order: list[str]) -> dict[int, str]:
    return {cp: order[gid] for cp, gid in cmap.items()}


def _save(tt: TTFont) -> bytes:
    tt.recalcTimestamp = False
    out = io.BytesIO()
    tt.save(out)
    return out.getvalue()


def _wrap_sfnt(font: PdfFont) -> OfdFont:
    tt = TTFont(io.BytesIO(font.program), recalcTimestamp=False)
    order = tt.getGlyphOrder()
    if "CFF " in tt:
        cid_to_gid = _cid_gid_cff(tt["CFF "].cff[tt["CFF "].cff.fontNames[0]], font)
    else:
        mapping = font.cid_to_gid
        cid_to_gid = {cid: (mapping.get(cid, 0) if mapping is not None else cid) for cid in sorted(font.used)}
        for cid, gid in cid_to_gid.items():
            if gid >= len(order):
                raise OfdUnsupported(f"font {font.base_name}: glyph {gid} is not in the font program")
    texts, cmap = _texts_and_cmap(font, cid_to_gid)
    fb = FontBuilder(font=tt)
    fb.setupCharacterMap(cmap_by_name(cmap, order))
    ascent = int(round(font.ascent * tt["head"].unitsPerEm / 1000))
    descent = int(round(font.descent * tt["head"].unitsPerEm / 1000))
    if "hhea" not in tt:
        fb.setupHorizontalHeader(ascent=ascent, descent=descent)
    if "name" not in tt:
        fb.setupNameTable({"familyName": font.family, "styleName": "Bold" if font.bold else "Regular"})
    if "OS/2" not in tt:
        fb.setupOS2(sTypoAscender=ascent, sTypoDescender=descent, usWinAscent=max(ascent, 0), usWinDescent=max(-descent, 0), fsType=0)
    if "post" not in tt:
        fb.setupPost(keepGlyphNames=False)
    if "maxp" not in tt:
        fb.setupMaxp()
    tt["head"].created = tt["head"].modified = _FONT_TIME
    data = _save(tt)
    return OfdFont(data, "otf" if "CFF " in tt else "ttf", cid_to_gid, cmap, texts, _em_bbox(tt))


def build_font(font: PdfFont) -> OfdFont:
    """The font file for one PDF font, and how its shown CIDs are written."""
    if font.kind == "cff":
        return _wrap_cff(font)
    return _wrap_sfnt(font)
