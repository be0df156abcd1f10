"""The end of the 主体 and the 版记: 附件说明, 署名 and 成文日期 (with or
without seal, single or joint), 附注, 纪要 attendance lines, and the 版记
rules with 抄送 and 印发 at the foot of the last page."""

from __future__ import annotations

import math

from gongwen.layout.model import PageModel
from gongwen.notice.numbers import cn_date
from gongwen.notice.tree import Notice
from gongwen.writers.docx import oxml, package, sections
from gongwen.writers.docx.body import last_paragraph
from gongwen.writers.docx.styles import Metrics, RunStyle, add_paragraph, add_text, run_style, set_style


def _exact(p, line_pt: float, before_pt: float = 0.0) -> None:
    oxml.set_line_exact(p._p.get_or_add_pPr(), line_pt, max(before_pt, 0.0))


def attachment_note(document, notice: Notice, pm: PageModel, m: Metrics) -> None:
    """附件：1. name — as the model places them: the label indent_chars in,
    one blank line under the body; wrapped lines and later items align with
    the first character of the names (a tab stop at the model's x)."""
    an = pm.attachment_note
    if an is None:
        return
    rs = run_style("gwAttachNote", m)
    before = float(m.layout.attachment_note.lines_above) * m.pitch
    if not an.numbered:
        att = notice.attachments[0]
        label_w = m.text_width(an.label)
        p = add_paragraph(document, "gwAttachNote", "", m)
        oxml.set_indent(p._p.get_or_add_pPr(), left_pt=an.x_pt + label_w, first_line_pt=-label_w)
        _exact(p, m.pitch, before)
        add_text(p, an.label + att.title.replace("\n", ""), rs)
        return
    for i, att in enumerate(notice.attachments):
        p = add_paragraph(document, "gwAttachNote", "", m)
        pPr = p._p.get_or_add_pPr()
        oxml.set_indent(pPr, left_pt=an.name_x_pt, first_line_pt=-(an.name_x_pt - an.x_pt))
        oxml.set_tabs(pPr, [("left", an.number_x_pt), ("left", an.name_x_pt)])
        _exact(p, m.pitch, before if i == 0 else 0.0)
        lead = an.label if i == 0 else "\t"
        add_text(p, f"{lead}{att.number}.\t{att.title.replace(chr(10), '')}", rs)


def signature(document, pm: PageModel, m: Metrics) -> None:
    """署名 and 成文日期 as the model arranged them (gongwen/layout/model.py).
    The model's rule is kept with this document's own run advances (its
    characters are set a little narrower than the PDF's grid), so what the
    standard fixes holds exactly in a word processor: right-aligned names
    and dates by their right indent, a date two 字 right of the name's first
    character, names centred over a sealed date."""
    sig = pm.signature
    if sig is None:
        return
    zi = m.zi
    names = [line.text for line in sig.names]
    date = sig.date.text if sig.date else ""
    date_w = m.text_width(date)
    name_w = max((m.text_width(n) for n in names), default=0.0)
    date_place: tuple[str, float] | None = None  # ("left", left indent) or ("right", right indent)
    if sig.arrangement == "signed":  # 命令 (7.3.5.4): names and date end the model's distance in from the right
        date_place = ("right", sig.date.right_pt) if sig.date else None
        name_places = [("right", line.right_pt) for line in sig.names]
    elif sig.arrangement == "centred":
        date_right = sig.date.right_pt if sig.date else 0.0
        date_place = ("right", date_right)
        name_places = [("right", max(date_right + (date_w - m.text_width(n)) / 2, 0.0)) for n in names]
    elif sig.arrangement == "long_date":
        date_place = ("right", sig.date.right_pt)
        name_start = m.block_width - sig.date.right_pt - date_w - sig.date_offset_pt
        name_places = [("left", name_start)] * len(names)
    else:
        name_right = sig.names[0].right_pt if sig.names[0].anchor == "right" else None
        name_start = (m.block_width - name_right - name_w) if name_right is not None else sig.names[0].x_pt
        date_place = ("left", name_start + sig.date_offset_pt)
        name_places = [(line.anchor, line.right_pt if line.anchor == "right" else name_start) for line in sig.names]
    before = sig.lines_above * m.pitch
    first = True

    def place(p, where: tuple[str, float]) -> None:
        pPr = p._p.get_or_add_pPr()
        side, value = where
        oxml.set_jc(pPr, side)
        if side == "right":
            oxml.set_indent(pPr, right_pt=value)
        else:
            oxml.set_indent(pPr, left_pt=max(value, 0.0))

    for name, where in zip(names, name_places):
        p = add_paragraph(document, "gwSignature", "", m)
        place(p, where)
        _exact(p, m.pitch, before if first else 0.0)
        oxml.set_flag(p._p.get_or_add_pPr(), "keepNext")
        add_text(p, name, run_style("gwSignature", m))
        first = False
    if date:
        p = add_paragraph(document, "gwDate", "", m)
        place(p, date_place)
        _exact(p, m.pitch, before if first else sig.date_gap_lines * m.pitch)
        add_text(p, date, run_style("gwDate", m))


def note(document, notice: Notice, m: Metrics) -> None:
    """附注 in full-width parentheses, two 字 in, on the line after the date."""
    if not notice.note:
        return
    text = notice.note.strip()
    if not (text.startswith("（") and text.endswith("）")):
        text = f"（{text.strip('()（）')}）"
    p = add_paragraph(document, "gwNote", text, m)
    _exact(p, m.pitch)


def attendance(document, notice: Notice, m: Metrics) -> None:
    """纪要: 出席/请假/列席 — label in 黑体, names in 仿宋, two 字 in,
    wrapped lines aligned after the colon."""
    if not notice.attendance:
        return
    start = float(m.layout.body.indent_chars) * m.zi
    first = True
    for label, names in notice.attendance.items():
        head = f"{label}："
        head_w = m.text_width(head)
        p = add_paragraph(document, "gwAttendance", "", m)
        oxml.set_indent(p._p.get_or_add_pPr(), left_pt=start + head_w, first_line_pt=-head_w)
        _exact(p, m.pitch, m.pitch if first else 0.0)
        add_text(p, head, RunStyle("label", m.body, m.char_spacing))
        add_text(p, names, run_style("gwAttendance", m))
        first = False


def _banji_height(notice: Notice, m: Metrics, rows: list[str]) -> float:
    """Estimated height of the 版记 table: banji lines plus the rules."""
    bj = m.layout.banji
    size = m.size("si_hao")
    inner = m.block_width - 2 * m.zi * float(bj.indent_chars)
    lines = 0
    for kind in rows:
        if kind == "cc":
            lines += max(1, math.ceil((3 * size + m.text_width(notice.cc or "", size)) / inner))
        else:
            lines += 1
    return lines * float(bj.line_pitch_pt) + 2 * float(bj.thick_rule_pt) + float(bj.thin_rule_pt)


def banji(document, notice: Notice, m: Metrics, own_page: bool) -> None:
    """版记 as a one-column table floating at the bottom of the text block:
    thick rule, 抄送, thin rule, 印发机关 … 印发日期印发, thick rule.
    own_page: a new section starting on an even page, without page numbers."""
    if not notice.has_banji:
        return
    bj = m.layout.banji
    letter = notice.format == "letter"
    rows: list[str] = []
    if notice.cc:
        rows.append("cc")
    if notice.printer and not letter:
        rows.append("print")
    if not rows:
        return
    if own_page:
        section = sections.new_section(document, last_paragraph(document), m, kind="evenPage")
        sections.empty_footers(section, m)
        # Alone on its page the table need not float: a spacer paragraph
        # pushes it to the bottom (LibreOffice places floating tables on a
        # section's first page unreliably).
        lead = document.add_paragraph()
        set_style(lead, "版头分隔线")
        slack, spacer = float(m.layout.docx.slack_pt), float(m.layout.docx.spacer_pt)
        _exact(lead, max(m.block_height - _banji_height(notice, m, rows) - 2 * slack, spacer))
    size = m.size("si_hao")
    zi = m.zi * float(bj.indent_chars)
    thick, thin = float(bj.thick_rule_pt), float(bj.thin_rule_pt)
    table = package.add_table(document, len(rows), 1)
    tbl = table._tbl
    oxml.set_table_width(tbl, m.block_width, [m.block_width])
    oxml.set_table_jc(tbl, "center")
    oxml.set_table_cell_margins(tbl, 0, 0, 0, 0)
    oxml.set_table_borders(tbl, 0, m.black, sides={"top": thick, "bottom": thick, "insideH": thin})
    if not own_page:
        oxml.set_table_float_bottom(tbl, oxml.mm_to_pt(m.layout.page.margin_left_mm))
    rs = RunStyle("banji", size)
    for row, kind in zip(table.rows, rows):
        oxml.set_row_flags(row._tr, cant_split=True)
        cell = row.cells[0]
        p = cell.paragraphs[0]
        if kind == "cc":
            set_style(p, "抄送")
            head = "抄送："
            head_w = len(head) * size
            oxml.set_indent(p._p.get_or_add_pPr(), left_pt=zi + head_w, right_pt=zi, first_line_pt=-head_w)
            oxml.set_jc(p._p.get_or_add_pPr(), "justify")
            add_text(p, head + notice.cc, rs)
        else:
            set_style(p, "印发")
            pPr = p._p.get_or_add_pPr()
            oxml.set_indent(pPr, left_pt=zi, right_pt=zi)
            oxml.set_tabs(pPr, [("right", m.block_width - zi)])
            # Without a 印发日期 no lone "印发" either, as in the PDF.
            date = f"\t{notice.print_date_line}印发" if notice.print_date_line else ""
            add_text(p, f"{notice.printer}{date}", rs)
    # The table must be followed by a paragraph; keep it docx.spacer_pt high so it
    # cannot push anything onto an extra page.
    tail = document.add_paragraph()
    set_style(tail, "版头分隔线")
    _exact(tail, float(m.layout.docx.spacer_pt))
