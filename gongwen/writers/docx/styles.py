"""The Chinese paragraph styles (正文, 一级标题, 发文字号 …) and the runs that
fill them. Every number comes from styles/layout.yaml and every font from a
role in styles/fonts.yaml, so the DOCX and the PDF cannot drift apart."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.text.run import _RunContentAppender
from docx.styles.style import StyleFactory
from docx.text.run import Run
from lxml.etree import SubElement

from gongwen.notice.fonts import office_font
from gongwen.notice.spans import pieces, placeholder_spans
from gongwen.layout.spec import Layout, load_layout, mm
from gongwen.writers.docx import oxml

HALF_WIDTH = re.compile(r"[\x20-\x7e]")


@dataclass(frozen=True)
class Metrics:
    """Derived layout numbers in points, named the way the standard talks."""

    layout: Layout
    line_pitch: float | None = None  # set closer than the grid's (GB/T 9704 7.3.5.5, see with_pitch)

    @property
    def zi(self) -> float:
        """One 字: the grid character pitch (156 mm / 28)."""
        return self.layout.char_pitch_pt

    @property
    def pitch(self) -> float:
        return self.line_pitch or self.layout.line_pitch_pt

    def with_pitch(self, pitch: float) -> "Metrics":
        """The same numbers with lines `pitch` apart (the closing page the PDF set closer)."""
        return replace(self, line_pitch=pitch)

    @property
    def body(self) -> float:
        return self.layout.body_size_pt

    @property
    def block_width(self) -> float:
        return self.layout.block_width_pt

    @property
    def block_height(self) -> float:
        return self.layout.block_height_pt

    @property
    def char_spacing(self) -> float:
        return float(self.layout.grid.docx_char_spacing_pt)

    @property
    def red(self) -> str:
        return self.layout.colors.red

    @property
    def black(self) -> str:
        return self.layout.colors.black

    def size(self, name: str) -> float:
        return self.layout.size(name)

    def text_width(self, text: str, size: float | None = None) -> float:
        """Width of a line of text in points: full-width characters one
        advance, ASCII half of one (digits in CJK fonts are half-width)."""
        size = size or self.body
        advance = size + (self.char_spacing if size == self.body else 0.0)
        return sum(advance * (0.5 if HALF_WIDTH.match(ch) else 1.0) for ch in text)

    @cached_property
    def glyph_line_factor(self) -> float:
        """Exact line height per point of font size that puts the em-box top
        at the top of the line (baseline at 4/5 of an exact line, em top
        0.88 em above the baseline)."""
        return float(self.layout.docx.exact_line_per_em)


@dataclass(frozen=True)
class StyleSpec:
    name: str  # the Chinese name staff see in Word's style gallery
    style_id: str
    role: str  # font role in styles/fonts.yaml
    size: str  # key of layout.sizes_pt
    align: str = "justify"
    indent_chars: float = 0.0
    pitch: str | None = "grid"  # "grid", "title", "banji", None (single spacing)
    snap: bool = True
    color: str | None = None
    spacing: bool = True  # the -0.25 pt grid letter spacing (3号 text)
    outline: int | None = None
    keep_next: bool = False


BODY_INDENT = load_layout().body.indent_chars  # 字 a body paragraph's first line is indented

STYLES: list[StyleSpec] = [
    StyleSpec("正文", "gwBody", "body", "san_hao", indent_chars=BODY_INDENT),
    StyleSpec("一级标题", "gwH1", "heading1", "san_hao", indent_chars=BODY_INDENT, outline=0),
    StyleSpec("二级标题", "gwH2", "heading2", "san_hao", indent_chars=BODY_INDENT, outline=1),
    StyleSpec("三级标题", "gwH3", "body", "san_hao", indent_chars=BODY_INDENT, outline=2),
    StyleSpec("四级标题", "gwH4", "body", "san_hao", indent_chars=BODY_INDENT, outline=3),
    StyleSpec("标题", "gwTitle", "title", "er_hao", align="center", pitch="title", snap=False, spacing=False),
    StyleSpec("标题注", "gwTitleNote", "heading2", "san_hao", align="center"),
    StyleSpec("份号", "gwCopyNo", "body", "san_hao", align="left"),
    StyleSpec("密级", "gwSecrecy", "label", "san_hao", align="left"),
    StyleSpec("紧急程度", "gwUrgency", "label", "san_hao", align="left"),
    StyleSpec("发文机关标志", "gwMasthead", "masthead", "er_hao", align="center", pitch=None, snap=False,
              color="red", spacing=False),
    StyleSpec("发文字号", "gwNumber", "body", "san_hao", align="center", snap=False),
    StyleSpec("版头分隔线", "gwRule", "body", "san_hao", align="left", pitch=None, snap=False),
    StyleSpec("主送机关", "gwAddressee", "body", "san_hao"),
    StyleSpec("附件说明", "gwAttachNote", "body", "san_hao"),
    StyleSpec("署名", "gwSignature", "body", "san_hao", align="left"),
    StyleSpec("成文日期", "gwDate", "body", "san_hao", align="left"),
    StyleSpec("附注", "gwNote", "body", "san_hao", indent_chars=BODY_INDENT),
    StyleSpec("出席", "gwAttendance", "body", "san_hao"),
    StyleSpec("附件标识", "gwAttachLabel", "label", "san_hao", align="left"),
    StyleSpec("附件标题", "gwAttachTitle", "title", "er_hao", align="center", pitch="title", snap=False,
              spacing=False),
    StyleSpec("表格标题", "gwTableTitle", "label", "san_hao", align="center", keep_next=True),
    StyleSpec("表格文字", "gwTableText", "body", "table", align="center", pitch=None, snap=False, spacing=False),
    StyleSpec("表头", "gwTableHeader", "table_header", "table", align="center", pitch=None, snap=False,
              spacing=False),
    StyleSpec("表注", "gwTableNote", "body", "table", align="left", pitch=None, snap=False, spacing=False),
    StyleSpec("图片", "gwImage", "body", "san_hao", align="center", pitch=None, snap=False),
    StyleSpec("抄送", "gwCc", "banji", "si_hao", pitch="banji", snap=False, spacing=False),
    StyleSpec("印发", "gwPrint", "banji", "si_hao", align="left", pitch="banji", snap=False, spacing=False),
    StyleSpec("页码", "gwPageNumber", "page_number", "si_hao", align="right", pitch=None, snap=False,
              spacing=False),
]
BY_NAME = {spec.name: spec for spec in STYLES}
BY_ID = {s.style_id: s for s in STYLES}
HEADING_STYLE = {"body": "gwBody", "h1": "gwH1", "h2": "gwH2", "h3": "gwH3", "h4": "gwH4"}
WIDOW_STYLES = set(HEADING_STYLE.values())  # paragraphs that keep two lines together at a page break


def metrics() -> Metrics:
    return Metrics(load_layout())


def _pitch(m: Metrics, key: str | None) -> float | None:
    if key == "grid":
        return m.pitch
    if key == "title":
        return float(m.layout.title.line_pitch_pt)
    if key == "banji":
        return float(m.layout.banji.line_pitch_pt)
    return None


def install_styles(document, m: Metrics) -> None:
    """Replace theme fonts with named ones and add the Chinese styles."""
    styles_el = document.styles.element
    oxml.strip_theme_fonts(styles_el)
    # docDefaults: the body font and size, no spacing after paragraphs.
    defaults = styles_el.find(oxml.qn("w:docDefaults"))
    rpr = defaults.find(oxml.qn("w:rPrDefault")).find(oxml.qn("w:rPr"))
    oxml.set_fonts(rpr, office_font("body"))
    oxml.set_size(rpr, m.body)
    oxml.set_lang(rpr)
    ppr = defaults.find(oxml.qn("w:pPrDefault")).find(oxml.qn("w:pPr"))
    oxml.set_line_auto(ppr)
    oxml.set_flag(ppr, "overflowPunct", False)
    # Any built-in style that names a font now names an explicit one.
    for fonts in styles_el.iter(oxml.qn("w:rFonts")):
        if not fonts.get(oxml.qn("w:eastAsia")):
            fonts.getparent().remove(fonts)
    normal = document.styles["Normal"]
    oxml.set_fonts(normal.element.get_or_add_rPr(), office_font("body"))
    oxml.set_size(normal.element.get_or_add_rPr(), m.body)

    for spec in STYLES:
        # styles.add_style() scans every style for the name first; ours are new.
        style = StyleFactory(styles_el.add_style_of_type(spec.name, WD_STYLE_TYPE.PARAGRAPH, False))
        style.style_id = spec.style_id
        style.base_style = normal
        style.quick_style = True
        el = style.element
        rPr = el.get_or_add_rPr()
        oxml.set_fonts(rPr, office_font(spec.role))
        oxml.set_size(rPr, m.size(spec.size))
        oxml.set_kern_off(rPr)
        if spec.color:
            oxml.set_color(rPr, m.red if spec.color == "red" else spec.color)
        if spec.spacing:
            oxml.set_char_spacing(rPr, m.char_spacing)
        pPr = el.get_or_add_pPr()
        pitch = _pitch(m, spec.pitch)
        if pitch:
            oxml.set_line_exact(pPr, pitch)
        else:
            oxml.set_line_auto(pPr)
        oxml.set_snap_to_grid(pPr, spec.snap)
        oxml.set_indent(pPr, first_line_pt=spec.indent_chars * m.zi)
        oxml.set_jc(pPr, spec.align)
        # Widow and orphan control for body paragraphs, as the PDF keeps it (notice.css.j2).
        oxml.set_flag(pPr, "widowControl", spec.style_id in WIDOW_STYLES)
        # No hanging punctuation: a full line is exactly 28 characters.
        oxml.set_flag(pPr, "overflowPunct", False)
        if spec.keep_next:
            oxml.set_flag(pPr, "keepNext")
        if spec.outline is not None:
            oxml.set_outline_level(pPr, spec.outline)


# -- runs -------------------------------------------------------------------

@dataclass(frozen=True)
class RunStyle:
    """What a run carries explicitly (fonts are always explicit)."""

    role: str
    size: float
    spacing: float = 0.0
    color: str | None = None


def run_style(spec_id: str, m: Metrics, role: str | None = None) -> RunStyle:
    spec = BY_ID[spec_id]
    colour = m.red if spec.color == "red" else spec.color
    return RunStyle(role or spec.role, m.size(spec.size), m.char_spacing if spec.spacing else 0.0, colour)


def _pieces(text: str, highlight: bool, spans=None, offset: int = 0) -> list[tuple[str, bool]]:
    """The text cut at placeholders, each piece with its highlight: the
    tree's spans when given (paragraphs, table cells; `offset` is where
    `text` starts in the spanned text), else found in the text itself."""
    if spans is None:
        spans = placeholder_spans(text)
        offset = 0
    return [(piece, mark or highlight) for piece, mark in pieces(text, spans, offset)]


_RUNS: dict[tuple[RunStyle, bool], object] = {}
_W_T = oxml.qn("w:t")
_XML_SPACE = oxml.qn("xml:space")


def run_template(rs: RunStyle, highlight: bool = False):
    """An empty w:r with the w:rPr of this style, to be copied. Runs outnumber
    everything else in a document; their properties are made once per style
    (per process: the fonts of the roles are read once too) instead of element
    by element for every run."""
    key = (rs, highlight)
    r = _RUNS.get(key)
    if r is None:
        r = oxml.OxmlElement("w:r")
        rPr = oxml.OxmlElement("w:rPr")
        _format(rPr, rs, highlight)
        r.append(rPr)
        _RUNS[key] = r
    return r


def append_runs(p, text: str, rs: RunStyle, highlight: bool = False, spans=None, offset: int = 0) -> list:
    """Append text to a w:p as w:r elements; placeholders (【…】, ***) are
    highlighted yellow. What python-docx's add_run(text) writes, faster."""
    runs = []
    for piece, marked in _pieces(text, highlight, spans, offset):
        if not piece and runs:
            continue
        r = run_template(rs, marked).__copy__()  # lxml copies the whole subtree
        if piece:
            if "\t" in piece or "\n" in piece or "\r" in piece:
                _RunContentAppender.append_to_run_from_text(r, piece)  # w:tab, w:br
            else:
                t = SubElement(r, _W_T)
                t.text = piece
                if len(piece.strip()) < len(piece):
                    t.set(_XML_SPACE, "preserve")
        p.append(r)
        runs.append(r)
    return runs


def add_text(paragraph, text: str, rs: RunStyle, highlight: bool = False, spans=None, offset: int = 0) -> list[Run]:
    """Append text as runs; placeholders are highlighted yellow: the tree's
    spans when given, else ** and 【…】 found in the text."""
    return [Run(r, paragraph) for r in append_runs(paragraph._p, text, rs, highlight, spans, offset)]


def format_run(run, rs: RunStyle, highlight: bool = False) -> None:
    _format(run._r.get_or_add_rPr(), rs, highlight)


def _format(rPr, rs: RunStyle, highlight: bool) -> None:
    oxml.set_fonts(rPr, office_font(rs.role))
    if rs.color:
        oxml.set_color(rPr, rs.color)
    if rs.spacing:
        oxml.set_char_spacing(rPr, rs.spacing)
    oxml.set_size(rPr, rs.size)
    if highlight:
        oxml.set_highlight(rPr)


def add_paragraph(container, style_id: str, text: str = "", m: Metrics | None = None,
                  role: str | None = None, highlight: bool = False):
    """A paragraph in a Chinese style with its text as explicit runs."""
    m = m or metrics()
    p = container.add_paragraph()
    set_style(p, style_id)
    if text:
        add_text(p, text, run_style(style_id, m, role), highlight)
    return p


_W_PPR, _W_PSTYLE, _W_VAL = oxml.qn("w:pPr"), oxml.qn("w:pStyle"), oxml.qn("w:val")


def set_style(paragraph, style: str) -> None:
    """Set a paragraph's style by our id or Chinese name, straight in the XML:
    python-docx's name lookup scans every style of the document each time."""
    style_id = style if style in BY_ID else BY_NAME[style].style_id
    set_style_id(paragraph._p, style_id)


def set_style_id(p, style_id: str) -> None:
    """w:pPr/w:pStyle of a w:p (both first children, created if missing)."""
    pPr = p[0] if len(p) and p[0].tag == _W_PPR else None
    if pPr is None:
        pPr = oxml.OxmlElement("w:pPr")
        p.insert(0, pPr)
    pStyle = pPr[0] if len(pPr) and pPr[0].tag == _W_PSTYLE else None
    if pStyle is None:
        pStyle = oxml.OxmlElement("w:pStyle")
        pPr.insert(0, pStyle)
    pStyle.set(_W_VAL, style_id)


def style_name(style_id: str) -> str:
    return BY_ID[style_id].name


def mm_to_pt(value: float) -> float:
    return mm(value)
