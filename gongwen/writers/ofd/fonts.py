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


def _texts_and_cmap(font: PdfFont, cid_to_gid: dict[int, int]) -> tuple[dict[int, str], dict[int, int]]:
    """The text written for each shown CID, and the cmap: each single character
    maps to the glyph of the lowest CID showing it."""
    texts: dict[int, str] = {}
    cmap: dict[int, int] = {}
    for cid in sorted(font.used):
        text = font.to_unicode.get(cid, "")
        if not text:
            text = chr(PUA_BASE + cid_to_gid[cid])  # no Unicode: a private-use character (cmap'd to the glyph)
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
    charstrings = top.CharStrings
    metrics = {}
    boxes = []
    min_lsb = min_rsb = max_extent = None
    for gid, name in enumerate(order):
        advance = int(round(gid_width.get(gid, font.default_width) * upm / 1000))
        bounds = charstrings[name].calcBounds(charstrings)
        if bounds:
            x0, y0, x1, y1 = (int(math.floor(bounds[0])), int(math.floor(bounds[1])), int(math.ceil(bounds[2])), int(math.ceil(bounds[3])))
            boxes.append((x0, y0, x1, y1))
            lsb, rsb, extent = x0, advance - x1, x1
            min_lsb = lsb if min_lsb is None else min(min_lsb, lsb)
            min_rsb = rsb if min_rsb is None else min(min_rsb, rsb)
            max_extent = extent if max_extent is None else max(max_extent, extent)
        else:
            lsb = 0
        metrics[name] = (advance, lsb)

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
    fb.setupHorizontalHeader(
        ascent=ascent,
        descent=descent,
        advanceWidthMax=max(m[0] for m in metrics.values()),
        minLeftSideBearing=min_lsb or 0,
        minRightSideBearing=min_rsb or 0,
        xMaxExtent=max_extent or 0,
    )
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
    if boxes:
        head.xMin = min(b[0] for b in boxes)
        head.yMin = min(b[1] for b in boxes)
        head.xMax = max(b[2] for b in boxes)
        head.yMax = max(b[3] for b in boxes)
    return OfdFont(_save(fb.font), "otf", cid_to_gid, cmap, texts)


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
    return OfdFont(_save(tt), "otf" if "CFF " in tt else "ttf", cid_to_gid, cmap, texts)


def build_font(font: PdfFont) -> OfdFont:
    """The font file for one PDF font, and how its shown CIDs are written."""
    if font.kind == "cff":
        return _wrap_cff(font)
    return _wrap_sfnt(font)
