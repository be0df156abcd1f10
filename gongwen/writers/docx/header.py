"""版头: 份号/密级/紧急程度, the red 发文机关标志 (single or joint), 发文字号
with or without 签发人, and the red rule; the 信函 and 纪要 variants.

Vertical places are set with exact line heights and spacing before, so the
masthead lands 35 mm under the text-block top whatever font the reader has:
in an exact line both Word and LibreOffice put the baseline at 4/5 of the
line, so a line of `exact_line_per_em` x size has the em box at its top."""

from __future__ import annotations

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm

from gongwen.layout.model import Masthead, PageModel
from gongwen.layout.spec import load_layout
from gongwen.notice.tree import Notice
from gongwen.writers.docx import oxml, package, sections
from gongwen.writers.docx.styles import Metrics, RunStyle, add_paragraph, add_text, run_style, set_style


def em_offset(line_pt: float, size_pt: float) -> float:
    """How far the em-box top sits below the top of an exact line
    (docx.baseline_per_line and docx.em_ascent in styles/layout.yaml)."""
    d = load_layout().docx
    return d.baseline_per_line * line_pt - d.em_ascent * size_pt

def _exact(p, line_pt: float, before_pt: float = 0.0, after_pt: float = 0.0) -> None:
    oxml.set_line_exact(p._p.get_or_add_pPr(), line_pt, before_pt, after_pt)


def pre_lines(container, notice: Notice, m: Metrics) -> int:
    """份号, 密级★保密期限, 紧急程度 flush left, one grid line each."""
    count = 0
    if notice.copy_no:
        add_paragraph(container, "gwCopyNo", notice.copy_no, m)
        count += 1
    if notice.secrecy:
        text = notice.secrecy + (f"★{notice.secrecy_term}" if notice.secrecy_term else "")
        add_paragraph(container, "gwSecrecy", text, m)
        count += 1
    if notice.urgency:
        add_paragraph(container, "gwUrgency", notice.urgency, m)
        count += 1
    for p in container.paragraphs[-count:] if count else []:
        oxml.set_indent(p._p.get_or_add_pPr())
        _exact(p, m.pitch)
    return count


def masthead(document, container, mh: Masthead, m: Metrics, before_pt: float) -> float:
    """The masthead the model decided; returns its height in points (top of
    its first line to the bottom of its last)."""
    lines, suffix, size = list(mh.rows), mh.suffix, mh.size_pt
    line_h = mh.line_pt
    gap = mh.row_gap_pt
    rs = RunStyle("masthead", size, 0.0, m.red)
    if len(lines) == 1:
        p = add_paragraph(container, "gwMasthead", "", m)
        _exact(p, line_h, before_pt)
        add_text(p, lines[0] + suffix, rs)
        return line_h
    if before_pt > 0:
        spacer = add_paragraph(container, "gwRule", "", m)
        _exact(spacer, before_pt)
    stack_h = len(lines) * line_h + (len(lines) - 1) * gap
    if not suffix:
        for i, line in enumerate(lines):
            p = add_paragraph(container, "gwMasthead", "", m)
            _exact(p, line_h, 0, gap if i < len(lines) - 1 else 0)
            add_text(p, line, rs)
        return stack_h
    # Joint issuance: names stacked (lead first) in the left cell, justified
    # to one width; 文件 in the right cell, vertically centred on the stack.
    left_w = mh.stack_width_pt + float(m.layout.docx.slack_pt)  # against rounding
    right_w = mh.suffix_width_pt + mh.suffix_gap_pt
    table = package.add_table(document, 1, 2) if container is document else container.add_table(1, 2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl = table._tbl
    oxml.set_table_borders(tbl, 0, sides={})
    oxml.set_table_cell_margins(tbl, 0, 0, 0, 0)
    oxml.set_table_width(tbl, left_w + right_w, [left_w, right_w])
    oxml.set_table_jc(tbl, "center")
    left, right = table.rows[0].cells
    first = left.paragraphs[0]
    for i, line in enumerate(lines):
        p = first if i == 0 else left.add_paragraph()
        set_style(p, "发文机关标志")
        _exact(p, line_h, 0, gap if i < len(lines) - 1 else 0)
        oxml.set_jc(p._p.get_or_add_pPr(), "distribute" if len(line) > 1 else "center")
        add_text(p, line, rs)
    rp = right.paragraphs[0]
    set_style(rp, "发文机关标志")
    _exact(rp, line_h)
    oxml.set_jc(rp._p.get_or_add_pPr(), "right")
    add_text(rp, suffix, rs)
    oxml.set_cell_valign(left._tc, "center")
    oxml.set_cell_valign(right._tc, "center")
    return stack_h


def number_line(container, notice: Notice, pm: PageModel, m: Metrics, before_pt: float):
    """发文字号 centred, or (upward documents) one 字 in at the left with
    签发人：names at the right in the rows the model made. Returns the last paragraph."""
    body_rs = run_style("gwNumber", m)
    sg = pm.signers
    if sg is None:
        p = add_paragraph(container, "gwNumber", "", m)
        _exact(p, m.pitch, before_pt)
        add_text(p, notice.number or "", body_rs, spans=notice.field_placeholders("number"))
        return p
    name_rs = RunStyle("signer_name", m.body, m.char_spacing)
    p = None
    for i, row in enumerate(sg.rows):
        p = add_paragraph(container, "gwNumber", "", m)
        pPr = p._p.get_or_add_pPr()
        _exact(p, m.pitch, before_pt if i == 0 else 0)
        oxml.set_jc(pPr, "left")
        oxml.set_indent(pPr, left_pt=sg.number_x_pt)
        oxml.set_tabs(pPr, [("left", sg.label_x_pt), ("left", sg.names_x_pt)])
        if i == len(sg.rows) - 1 and notice.number:
            add_text(p, notice.number, body_rs, spans=notice.field_placeholders("number"))
        add_text(p, "\t" + (sg.label if i == 0 else "\t"), body_rs)
        add_text(p, sg.separator.join(row), name_rs)
    return p


def red_rule(container, m: Metrics, under_number_pt: float) -> None:
    """A red rule across the text block (a paragraph bottom border), its top
    red_rule.below_number_mm under the bottom of the 发文字号's em box."""
    p = add_paragraph(container, "gwRule", "", m)
    gap = oxml.mm_to_pt(m.layout.red_rule.below_number_mm) - under_number_pt
    _exact(p, max(gap, float(m.layout.docx.spacer_pt)))
    oxml.set_border(p._p.get_or_add_pPr(), "bottom", float(m.layout.red_rule.thickness_pt), m.red)


def file_header(document, notice: Notice, pm: PageModel, m: Metrics) -> None:
    """版头 of the 文件 and 纪要 formats; without an organ only the marks above it."""
    count = pre_lines(document, notice, m)
    if pm.masthead is None:
        return
    top = pm.masthead.top_pt
    before = max(top - count * m.pitch, 0.0)
    mh = pm.masthead
    masthead(document, document, mh, m, before)
    # The masthead's paragraphs end (line_pt - size) under its last em box;
    # the number's em top sits em_offset under its exact line's top.
    docx_bottom = mh.top_pt + len(mh.rows) * mh.line_pt + (len(mh.rows) - 1) * mh.row_gap_pt
    # Without a 发文字号 its line stays (empty), so the red rule keeps its place.
    if pm.number_line:
        number_line(document, notice, pm, m, pm.number_top_pt - docx_bottom - em_offset(m.pitch, m.body))
    under = m.pitch - em_offset(m.pitch, m.body) - m.body  # em bottom of the number to its line's bottom
    if pm.red_rule:
        red_rule(document, m, under)


def letter_header(document, section, notice: Notice, pm: PageModel, m: Metrics) -> None:
    """信函格式: the masthead 30 mm from the paper top with the red double
    line 4 mm under it live in the first-page header; the lower double line
    (20 mm above the paper bottom) in the first-page footer; both 170 mm."""
    lay = m.layout
    rules = lay.letter_rules
    mh = pm.masthead
    size = mh.size_pt if mh else m.body
    line_h = mh.line_pt if mh else size * m.glyph_line_factor
    section.different_first_page_header_footer = True
    section.header_distance = Mm(lay.masthead.letter_top_from_paper_mm)
    header = section.first_page_header
    header.is_linked_to_previous = False
    overhang = (oxml.mm_to_pt(rules.length_mm) - m.block_width) / 2
    rs = RunStyle("masthead", size, 0.0, m.red)
    paragraphs = header.paragraphs
    rows = mh.rows if mh else ("",)
    for i, line in enumerate(rows):
        p = paragraphs[0] if i == 0 else header.add_paragraph()
        set_style(p, "发文机关标志")
        _exact(p, line_h, 0, mh.row_gap_pt if mh and i < len(rows) - 1 else 0)
        if line:
            add_text(p, line, rs)
    last = header.paragraphs[-1]
    pPr = last._p.get_or_add_pPr()
    oxml.set_indent(pPr, left_pt=-overhang, right_pt=-overhang)
    # thick over thin: the gap to the text is the border's own space
    space = oxml.mm_to_pt(rules.below_masthead_mm) - (line_h - size)
    oxml.set_border(pPr, "bottom", float(rules.thick_pt) + float(rules.thin_pt) + float(rules.gap_pt),
                    m.red, space_pt=space, style="thickThinSmallGap")
    # The lower double line: thin over thick, its bottom 20 mm above the paper bottom.
    footer = section.first_page_footer
    footer.is_linked_to_previous = False
    fp = footer.paragraphs[0]
    set_style(fp, "版头分隔线")
    fpPr = fp._p.get_or_add_pPr()
    section.footer_distance = Mm(rules.bottom_from_paper_mm)
    # As tall as the page-number footers of the other pages (see sections.footer_line).
    height, after = sections.footer_line(m, sections.number_lift(m, section))
    _exact(fp, height + after)
    oxml.set_indent(fpPr, left_pt=-overhang, right_pt=-overhang)
    oxml.set_border(fpPr, "bottom", float(rules.thick_pt) + float(rules.thin_pt) + float(rules.gap_pt),
                    m.red, style="thinThickSmallGap")


def letter_body_top(document, notice: Notice, m: Metrics) -> None:
    """份号/密级/紧急程度 flush left under the double line, 发文字号 flush right."""
    pre_lines(document, notice, m)
    if notice.number:
        p = add_paragraph(document, "gwNumber", "", m)
        _exact(p, m.pitch)
        oxml.set_jc(p._p.get_or_add_pPr(), "right")
        add_text(p, notice.number, run_style("gwNumber", m), spans=notice.field_placeholders("number"))
