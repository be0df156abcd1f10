"""Raw WordprocessingML helpers: everything python-docx has no API for.
The rest of the writer speaks points, 字 and roles; only this module knows
element names, attribute units (twips, eighths of a point) and child order."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Iterable

from docx.oxml.ns import nsmap, qn as _qn
from docx.oxml.parser import oxml_parser
from lxml import etree

TWIPS_PER_PT = 20
W_NS = nsmap["w"]
_W_NSMAP = {"w": W_NS}
_make = oxml_parser.makeelement

# "w:p" -> "{namespace}p"; memoised, the writer asks for the same few names all the time.
qn = lru_cache(maxsize=None)(_qn)


def OxmlElement(tag: str):
    """A new w: element, as python-docx's OxmlElement makes it (its own element
    class, the w prefix declared on it), minus the tag parsing."""
    return _make(qn(tag), nsmap=_W_NSMAP)


# Child order of w:pPr and w:rPr (CT_PPrBase / CT_RPr in the schema). Word
# rejects files whose children are out of order, so every insert goes through
# _set_child, which places a new child before the first later sibling.
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
    "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
    "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
    "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
    "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
    "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
)
RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect",
    "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
    "specVanish", "oMath",
)
SECTPR_ORDER = (
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
    "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign",
    "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings",
    "sectPrChange",
)
TRPR_ORDER = ("cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter",
              "cantSplit", "trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden")
TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
               "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
               "shd", "tblLayout", "tblCellMar", "tblLook")
PBDR_ORDER = ("top", "left", "bottom", "right", "between", "bar")
TCBORDERS_ORDER = ("top", "start", "left", "bottom", "end", "right", "insideH", "insideV", "tl2br", "tr2bl")
TCPR_ORDER = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd",
              "noWrap", "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark")


def twips(pt: float) -> int:
    return int(round(pt * TWIPS_PER_PT))


@lru_cache(maxsize=None)
def _place(tag: str, order: tuple[str, ...]) -> tuple[str, frozenset[str]]:
    """The qualified name of `tag` and the local names that come after it."""
    later = order[order.index(tag) + 1:] if tag in order else ()
    return qn(f"w:{tag}"), frozenset(later)


def _set_child(parent, tag: str, order: tuple[str, ...]):
    """The child `tag` of parent, created in schema order if missing."""
    name, later = _place(tag, order)
    existing = parent.find(name)
    if existing is not None:
        return existing
    child = _make(name, nsmap=_W_NSMAP)
    if later:
        for sibling in parent:
            if sibling.tag.rsplit("}", 1)[-1] in later:
                sibling.addprevious(child)
                return child
    parent.append(child)
    return child


@lru_cache(maxsize=None)
def _w(key: str) -> str:
    return qn(f"w:{key}")


def _attrs(el, **values) -> None:
    for key, value in values.items():
        if value is None:
            continue
        el.set(_w(key), str(value))


def get_pPr(p):
    """The w:pPr of a w:p (or of a style element)."""
    return p.get_or_add_pPr()


def get_rPr(r):
    return r.get_or_add_rPr()


# -- run properties -------------------------------------------------------

def set_fonts(rPr, family: str) -> None:
    """Name the same family for East Asian and Latin text; drop theme fonts."""
    fonts = _set_child(rPr, "rFonts", RPR_ORDER)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    _attrs(fonts, ascii=family, hAnsi=family, eastAsia=family, cs=family, hint="eastAsia")


def set_size(rPr, size_pt: float) -> None:
    half = str(int(round(size_pt * 2)))
    _attrs(_set_child(rPr, "sz", RPR_ORDER), val=half)
    _attrs(_set_child(rPr, "szCs", RPR_ORDER), val=half)


def set_color(rPr, hex_rgb: str) -> None:
    _attrs(_set_child(rPr, "color", RPR_ORDER), val=hex_rgb.lstrip("#").upper())


def set_char_spacing(rPr, pt: float) -> None:
    """w:spacing on a run: letter spacing in twips (-0.25 pt -> -5)."""
    _attrs(_set_child(rPr, "spacing", RPR_ORDER), val=twips(pt))


def set_bold(rPr, on: bool = True) -> None:
    for tag in ("b", "bCs"):
        el = _set_child(rPr, tag, RPR_ORDER)
        el.set(qn("w:val"), "1" if on else "0")


def set_highlight(rPr, colour: str = "yellow") -> None:
    _attrs(_set_child(rPr, "highlight", RPR_ORDER), val=colour)


def set_lang(rPr, east_asia: str = "zh-CN", latin: str = "en-US") -> None:
    _attrs(_set_child(rPr, "lang", RPR_ORDER), val=latin, eastAsia=east_asia)


def set_kern_off(rPr) -> None:
    _attrs(_set_child(rPr, "kern", RPR_ORDER), val=0)


# -- paragraph properties ---------------------------------------------------

def set_line_exact(pPr, pitch_pt: float, before_pt: float = 0.0, after_pt: float = 0.0) -> None:
    sp = _set_child(pPr, "spacing", PPR_ORDER)
    _attrs(sp, before=twips(before_pt), after=twips(after_pt), line=twips(pitch_pt), lineRule="exact")


def set_line_pitch(pPr, pitch_pt: float) -> None:
    """Lines exactly pitch_pt apart, off the document grid; spacing before and after kept."""
    _attrs(_set_child(pPr, "spacing", PPR_ORDER), line=twips(pitch_pt), lineRule="exact")
    set_snap_to_grid(pPr, False)


def set_line_auto(pPr, before_pt: float = 0.0, after_pt: float = 0.0, multiple: float = 1.0) -> None:
    sp = _set_child(pPr, "spacing", PPR_ORDER)
    _attrs(sp, before=twips(before_pt), after=twips(after_pt), line=int(round(240 * multiple)), lineRule="auto")


def set_indent(pPr, left_pt: float = 0.0, right_pt: float = 0.0, first_line_pt: float = 0.0) -> None:
    """Indents in points; a negative first line is a hanging indent."""
    ind = _set_child(pPr, "ind", PPR_ORDER)
    for attr in list(ind.attrib):
        del ind.attrib[attr]
    _attrs(ind, left=twips(left_pt), right=twips(right_pt))
    if first_line_pt >= 0:
        _attrs(ind, firstLine=twips(first_line_pt))
    else:
        _attrs(ind, hanging=twips(-first_line_pt))


def set_jc(pPr, align: str) -> None:
    val = {"justify": "both", "center": "center", "left": "left", "right": "right",
           "distribute": "distribute"}[align]
    _attrs(_set_child(pPr, "jc", PPR_ORDER), val=val)


def set_snap_to_grid(pPr, on: bool) -> None:
    _attrs(_set_child(pPr, "snapToGrid", PPR_ORDER), val="1" if on else "0")


def set_flag(pPr, tag: str, on: bool = True) -> None:
    """keepNext, keepLines, pageBreakBefore, widowControl, …"""
    _attrs(_set_child(pPr, tag, PPR_ORDER), val="1" if on else "0")


def set_tabs(pPr, stops: Iterable[tuple[str, float]]) -> None:
    """Tab stops as (alignment, position in points)."""
    tabs = _set_child(pPr, "tabs", PPR_ORDER)
    for child in list(tabs):
        tabs.remove(child)
    for align, pos in stops:
        tab = OxmlElement("w:tab")
        _attrs(tab, val=align, pos=twips(pos))
        tabs.append(tab)


def set_border(pPr, side: str, width_pt: float, colour: str, space_pt: float = 0.0,
               style: str = "single") -> None:
    """A paragraph border (w:pBdr/w:top|bottom…); width in points."""
    pbdr = _set_child(pPr, "pBdr", PPR_ORDER)
    el = _set_child(pbdr, side, PBDR_ORDER)
    _attrs(el, val=style, sz=int(round(width_pt * 8)), space=int(round(space_pt)),
           color=colour.lstrip("#").upper())


def set_outline_level(pPr, level: int) -> None:
    _attrs(_set_child(pPr, "outlineLvl", PPR_ORDER), val=level)


def remove_child(parent, tag: str) -> None:
    el = parent.find(qn(f"w:{tag}"))
    if el is not None:
        parent.remove(el)


def add_break(r, kind: str | None = None) -> None:
    br = OxmlElement("w:br")
    if kind:
        br.set(qn("w:type"), kind)
    r.append(br)


def add_field(p, instr: str, placeholder: str, rPr=None) -> None:
    """A complex field (PAGE, NUMPAGES, …) with a cached result."""
    def run(child):
        r = OxmlElement("w:r")
        if rPr is not None:
            r.append(copy.deepcopy(rPr))
        r.append(child)
        p.append(r)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instr} "
    run(text)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run(sep)
    t = OxmlElement("w:t")
    t.text = placeholder
    run(t)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run(end)


# -- sections -----------------------------------------------------------------

def set_doc_grid(sectPr, line_pitch_pt: float) -> None:
    """A 'lines' grid: Word and LibreOffice both keep the pitch; no char grid."""
    grid = _set_child(sectPr, "docGrid", SECTPR_ORDER)
    for attr in list(grid.attrib):
        del grid.attrib[attr]
    _attrs(grid, type="lines", linePitch=twips(line_pitch_pt))


def set_section_type(sectPr, kind: str) -> None:
    _attrs(_set_child(sectPr, "type", SECTPR_ORDER), val=kind)


def set_title_page(sectPr, on: bool) -> None:
    if on:
        _attrs(_set_child(sectPr, "titlePg", SECTPR_ORDER), val="1")
    else:
        remove_child(sectPr, "titlePg")


def close_section_at(p, body_sectPr):
    """Make paragraph p the last of a section with a copy of the body-level
    section properties; the body-level sectPr then describes what follows."""
    pPr = p.get_or_add_pPr()
    remove_child(pPr, "sectPr")
    sect = copy.deepcopy(body_sectPr)
    pPr.append(sect)  # sectPr sits after rPr, last but pPrChange
    return sect


def strip_footer_refs(sectPr) -> None:
    for tag in ("headerReference", "footerReference"):
        for el in sectPr.findall(qn(f"w:{tag}")):
            sectPr.remove(el)


# -- tables -------------------------------------------------------------------

def tbl_pr(tbl):
    return tbl.tblPr


def set_table_width(tbl, width_pt: float, widths_pt: list[float]) -> None:
    tblPr = tbl.tblPr
    w = _set_child(tblPr, "tblW", TBLPR_ORDER)
    _attrs(w, w=twips(width_pt), type="dxa")
    layout = _set_child(tblPr, "tblLayout", TBLPR_ORDER)
    _attrs(layout, type="fixed")
    grid = tbl.tblGrid
    for col, wpt in zip(grid.findall(qn("w:gridCol")), widths_pt):
        col.set(qn("w:w"), str(twips(wpt)))
    for tr in tbl.findall(qn("w:tr")):
        for tc, wpt in zip(tr.findall(qn("w:tc")), widths_pt):
            tcPr = tc.get_or_add_tcPr()
            tcw = _set_child(tcPr, "tcW", TCPR_ORDER)
            _attrs(tcw, w=twips(wpt), type="dxa")


def set_table_jc(tbl, align: str = "center") -> None:
    _attrs(_set_child(tbl.tblPr, "jc", TBLPR_ORDER), val=align)


def set_table_borders(tbl, width_pt: float, colour: str = "#000000", sides=None) -> None:
    """Table borders; `sides` maps side -> width (0 = none)."""
    borders = _set_child(tbl.tblPr, "tblBorders", TBLPR_ORDER)
    for child in list(borders):
        borders.remove(child)
    sides = sides or {s: width_pt for s in ("top", "left", "bottom", "right", "insideH", "insideV")}
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        w = sides.get(side, 0)
        if w:
            _attrs(el, val="single", sz=int(round(w * 8)), space=0, color=colour.lstrip("#").upper())
        else:
            _attrs(el, val="nil")
        borders.append(el)


def set_cell_border(tc, side: str, width_pt: float, colour: str = "#000000") -> None:
    tcPr = tc.get_or_add_tcPr()
    borders = _set_child(tcPr, "tcBorders", TCPR_ORDER)
    el = _set_child(borders, side, TCBORDERS_ORDER)
    if width_pt:
        _attrs(el, val="single", sz=int(round(width_pt * 8)), space=0, color=colour.lstrip("#").upper())
    else:
        _attrs(el, val="nil")


def set_table_cell_margins(tbl, top_pt: float, left_pt: float, bottom_pt: float, right_pt: float) -> None:
    mar = _set_child(tbl.tblPr, "tblCellMar", TBLPR_ORDER)
    for child in list(mar):
        mar.remove(child)
    for side, value in (("top", top_pt), ("left", left_pt), ("bottom", bottom_pt), ("right", right_pt)):
        el = OxmlElement(f"w:{side}")
        _attrs(el, w=twips(value), type="dxa")
        mar.append(el)


def set_table_indent(tbl, pt: float) -> None:
    _attrs(_set_child(tbl.tblPr, "tblInd", TBLPR_ORDER), w=twips(pt), type="dxa")


def set_table_float_bottom(tbl, left_pt: float) -> None:
    """Anchor a table to the bottom of the margin area (Word's 'around'
    table). Horizontally it is placed from the page edge: LibreOffice keeps a
    table as wide as the text area inline when it is anchored to the margin."""
    pos = _set_child(tbl.tblPr, "tblpPr", TBLPR_ORDER)
    _attrs(pos, leftFromText=0, rightFromText=0, topFromText=0, bottomFromText=0,
           vertAnchor="margin", horzAnchor="page", tblpX=twips(left_pt), tblpYSpec="bottom")
    _attrs(_set_child(tbl.tblPr, "tblOverlap", TBLPR_ORDER), val="never")


def set_row_flags(tr, header: bool = False, cant_split: bool = True) -> None:
    trPr = tr.get_or_add_trPr()
    if cant_split:
        _attrs(_set_child(trPr, "cantSplit", TRPR_ORDER), val="1")
    if header:
        _attrs(_set_child(trPr, "tblHeader", TRPR_ORDER), val="1")


def set_row_height(tr, height_pt: float, rule: str = "exact") -> None:
    trPr = tr.get_or_add_trPr()
    _attrs(_set_child(trPr, "trHeight", TRPR_ORDER), val=twips(height_pt), hRule=rule)


def set_grid_span(tc, n: int, width_pt: float) -> None:
    """A cell spanning n grid columns, as wide as they are together."""
    tcPr = tc.get_or_add_tcPr()
    _attrs(_set_child(tcPr, "tcW", TCPR_ORDER), w=str(round(width_pt * TWIPS_PER_PT)), type="dxa")
    _attrs(_set_child(tcPr, "gridSpan", TCPR_ORDER), val=str(n))


def set_vmerge(tc, restart: bool) -> None:
    """The first cell of a vertical merge (restart) or one it covers (continue)."""
    el = _set_child(tc.get_or_add_tcPr(), "vMerge", TCPR_ORDER)
    if restart:
        _attrs(el, val="restart")


def set_cell_valign(tc, align: str = "center") -> None:
    _attrs(_set_child(tc.get_or_add_tcPr(), "vAlign", TCPR_ORDER), val=align)


# -- whole parts ----------------------------------------------------------------

THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
_THEME_NAMES = tuple(qn(f"w:{attr}") for attr in THEME_ATTRS)
# Only the w:rFonts that name a theme font (searched in C: a long document has
# thousands of w:rFonts, almost never one of these).
_THEMED_FONTS = etree.XPath("descendant-or-self::w:rFonts[" + " or ".join(f"@w:{a}" for a in THEME_ATTRS) + "]",
                            namespaces={"w": W_NS})


def strip_theme_fonts(root) -> None:
    """Remove theme font references so every font is named explicitly."""
    for fonts in _THEMED_FONTS(root):
        attrib = fonts.attrib
        for name in _THEME_NAMES:
            if name in attrib:
                del attrib[name]


SETTINGS_ORDER = (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState",
    "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions",
    "doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride",
    "styleLockTheme", "styleLockQFSet", "defaultTabStop", "autoHyphenation",
    "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps", "showEnvelope",
    "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders",
    "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl"
)


def set_even_and_odd_headers(settings_el, on: bool = True) -> None:
    el = _set_child(settings_el, "evenAndOddHeaders", SETTINGS_ORDER)
    if not on:
        settings_el.remove(el)


def remove_rsids(settings_el) -> None:
    remove_child(settings_el, "rsids")


def mm_to_pt(value: float) -> float:
    return value * 72 / 25.4
