"""主体: title, 主送机关, body blocks (paragraphs with run-in headings,
tables, pictures, page breaks) and the attachment pages."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

from docx.oxml.table import CT_Tbl
from docx.shared import Emu, Pt

from gongwen.notice.titles import title_lines
from gongwen.notice.tree import Attachment, Block, Image, Notice, PageBreak, Paragraph, Table
from gongwen.layout.model import PageModel, TableModel, layout_notice
from gongwen.writers.docx import oxml, package, sections
from gongwen.writers.docx.header import em_offset
from gongwen.writers.docx.styles import (
    HEADING_STYLE, BY_ID, BY_NAME, Metrics, RunStyle, add_paragraph, add_text, append_runs, run_style, set_style_id,
)

HEADING_ROLE = {"h1": "heading1", "h2": "heading2", "h3": "body", "h4": "body"}


@dataclass
class Flow:
    """Where the writer is: pending page break, current orientation."""

    break_before_next: bool = False
    model: PageModel | None = None  # the shared page layout (table sizes and widths)

    def table(self, t: Table, m: Metrics) -> TableModel:
        if self.model is not None and id(t) in self.model.tables:
            return self.model.table(t)
        return layout_notice(Notice(title="", body=[t]), m.layout).table(t)


def last_paragraph(document):
    """The body's last element as a Paragraph, or None if it is a table."""
    from docx.text.paragraph import Paragraph as DocxParagraph

    body = document.element.body
    children = [c for c in body if c.tag != oxml.qn("w:sectPr")]
    if children and children[-1].tag == oxml.qn("w:p"):
        return DocxParagraph(children[-1], document._body)
    return None


def _exact(p, line_pt: float, before_pt: float = 0.0) -> None:
    oxml.set_line_exact(p._p.get_or_add_pPr(), line_pt, max(before_pt, 0.0))


def title(document, notice: Notice, m: Metrics, rule_gap_pt: float, style_id: str = "gwTitle",
          text: str | None = None, subtitle: str | None = None):
    """A 2号 小标宋 title, centred, its lines from title_lines (so the PDF
    breaks identically), one paragraph with line breaks; rule_gap_pt is the
    distance wanted from the paragraph top to the em-box top of line 1."""
    lines = title_lines(text if text is not None else notice.title, int(m.layout.title.max_chars_per_line))
    size = m.size("er_hao")
    pitch = float(m.layout.title.line_pitch_pt)
    p = add_paragraph(document, style_id, "", m)
    _exact(p, pitch, rule_gap_pt - em_offset(pitch, size))
    rs = run_style(style_id, m)
    for i, line in enumerate(lines):
        runs = add_text(p, line, rs)
        if i < len(lines) - 1:
            oxml.add_break(runs[-1]._r)
    last = p
    note = subtitle if subtitle is not None else (notice.title_note if style_id == "gwTitle" else None)
    if note:
        last = add_paragraph(document, "gwTitleNote", note, m)
        _exact(last, m.pitch)
    return last


def addressee(document, notice: Notice, m: Metrics) -> None:
    """主送机关 the layout's lines under the title; without one, the body
    starts where it would have stood (the blank line under the title stays)."""
    if not notice.addressee and not notice.body:
        return
    p = add_paragraph(document, "gwAddressee", "", m)
    if notice.addressee:
        add_text(p, notice.addressee, run_style("gwAddressee", m), spans=notice.field_placeholders("addressee"))
    pPr = p._p.get_or_add_pPr()
    oxml.set_indent(pPr)
    # n blank lines between the title's (or its note's) last line and the
    # addressee, lines set as the PDF sets them: a line's em box centred in it.
    n = int(m.layout.title.addressee_lines_below)
    if notice.title_note:  # after a line of the grid: n lines of it
        before = n * m.pitch
    else:
        tp, ts = float(m.layout.title.line_pitch_pt), m.size("er_hao")
        # from the title's last em top: to the bottom of its line (PDF), n lines, the half-leading
        wanted = ts + (tp - ts) / 2 + n * m.pitch + (m.pitch - m.body) / 2
        before = wanted - (tp - em_offset(tp, ts)) - em_offset(m.pitch, m.body)
    if not notice.addressee:
        # An empty line as high as the gap: the body's first line takes the addressee's place.
        _exact(p, max(before, float(m.layout.docx.spacer_pt)))
        return
    _exact(p, m.pitch, before)


def order_gap(document, m: Metrics) -> None:
    """命令: no title; the text starts order.body_lines_below_number blank lines under the number."""
    p = add_paragraph(document, "gwAddressee", "", m)
    _exact(p, max(int(m.layout.order.body_lines_below_number) * m.pitch, float(m.layout.docx.spacer_pt)))
    oxml.set_snap_to_grid(p._p.get_or_add_pPr(), False)  # LibreOffice holds a gridded empty line to one line


def paragraph(container, para: Paragraph, m: Metrics, flow: Flow | None = None):
    style_id = HEADING_STYLE[para.kind]
    p = add_paragraph(container, style_id, "", m)
    pPr = p._p.get_or_add_pPr()
    if para.align != "justify":
        oxml.set_jc(pPr, para.align)
    if para.indent_chars != BY_ID[style_id].indent_chars:
        oxml.set_indent(pPr, first_line_pt=para.indent_chars * m.zi)
    if flow and flow.break_before_next:
        oxml.set_flag(pPr, "pageBreakBefore")
        flow.break_before_next = False
    body_rs = run_style("gwBody", m)
    if para.kind == "body":
        add_text(p, para.text, body_rs, spans=para.placeholders)
        return p
    head_rs = RunStyle(HEADING_ROLE[para.kind], m.body, m.char_spacing)
    runin = para.runin if 0 < para.runin <= len(para.text) else len(para.text)
    if runin == len(para.text):  # a stand-alone heading stays with what it heads
        oxml.set_flag(pPr, "keepNext")
    add_text(p, para.text[:runin], head_rs, spans=para.placeholders)
    if runin < len(para.text):
        add_text(p, para.text[runin:], body_rs, spans=para.placeholders, offset=runin)
    return p


def table(document, t: Table, m: Metrics, flow: Flow) -> None:
    """Header rows in 黑体 repeat on every page; rows never split; borders
    tables.border_pt; widths from Table.widths over the text-block width."""
    tm = flow.table(t, m)
    landscape = tm.landscape
    width = m.block_width
    if landscape:
        sections.new_section(document, last_paragraph(document), m, landscape=True)
        width = m.block_height  # the portrait block turned a quarter
        flow.break_before_next = False
    if t.title:
        caption(document, t.title, m, flow)
    elif flow.break_before_next:
        brk = add_paragraph(document, "gwRule", "", m)
        _exact(brk, float(m.layout.docx.spacer_pt))
        oxml.set_flag(brk._p.get_or_add_pPr(), "pageBreakBefore")
        flow.break_before_next = False
    ncols = max(t.ncols, 1)
    size = tm.size_pt
    widths = list(tm.widths)
    rows = t.header + t.rows
    tbl_obj = package.add_table(document, 0, ncols)
    tbl = tbl_obj._tbl
    oxml.set_table_width(tbl, width, widths)
    oxml.set_table_jc(tbl, "center")
    oxml.set_table_borders(tbl, float(m.layout.tables.border_pt), m.black)
    pad, side = float(m.layout.tables.row_padding_pt), float(m.layout.tables.cell_side_padding_pt)
    oxml.set_table_cell_margins(tbl, pad, side, pad, side)
    head_rs = RunStyle("table_header", size)
    body_rs = RunStyle("body", size)
    nhead = len(t.header)
    spans, covered = t.merges()
    # Every row is a copy of one of two empty rows (header, body) made once;
    # only the runs differ from row to row.
    templates: dict[bool, object] = {}
    for r, values in enumerate(rows):
        header = r < nhead
        if header not in templates:
            templates[header] = _row_template(tm.align, widths, header)
        tr = deepcopy(templates[header])
        rs = head_rs if header else body_rs
        tcs = list(tr.iterchildren(_TC))
        for c, tc in enumerate(tcs):
            if (r, c) in covered:
                continue
            append_runs(tc[-1], values[c] if c < len(values) else "", rs, spans=t.cell_placeholders(r, c))
        if spans or covered:
            _merge_row(tr, tcs, r, spans, covered, widths)
        tbl.append(tr)
    after = None
    if t.note:
        after = add_paragraph(document, "gwTableNote", t.note, m)
        pPr = after._p.get_or_add_pPr()
        oxml.set_line_auto(pPr, before_pt=pad)
        for run in after.runs:
            oxml.set_size(run._r.get_or_add_rPr(), size)
    if landscape:
        sections.new_section(document, after, m, landscape=False)


_TC = oxml.qn("w:tc")


def _merge_row(tr, tcs, r: int, spans, covered, widths: list[float]) -> None:
    """Merged cells of one row: a cell joined to its left neighbour is
    removed and the anchor spans its columns (w:gridSpan); a cell joined to
    the one above continues its vertical merge (w:vMerge)."""
    c = 0
    while c < len(tcs):
        owner = next(((ar, ac) for (ar, ac), (rs, cs) in spans.items()
                      if ar <= r < ar + rs and ac <= c < ac + cs), None)
        rs, cs = spans.get(owner, (1, 1)) if owner else (1, 1)
        if owner is None:
            c += 1
            continue
        ar, ac = owner
        if c != ac:  # inside a span started left of here in this row: handled with its first cell
            c += 1
            continue
        tc = tcs[c]
        if cs > 1:
            oxml.set_grid_span(tc, cs, sum(widths[c:c + cs]))
            for k in range(c + 1, min(c + cs, len(tcs))):
                tr.remove(tcs[k])
        if rs > 1:
            oxml.set_vmerge(tc, restart=(r == ar))
        c += cs


def _row_template(align: tuple[str | None, ...], widths: list[float], header: bool):
    """An empty table row as python-docx makes it, with our row flags, cell
    widths and paragraph styles (runs are added per row)."""
    ncols = len(widths)
    scratch = CT_Tbl.new_tbl(1, ncols, Emu(0))
    oxml.set_table_width(scratch, sum(widths), widths)
    tr = scratch.tr_lst[0]
    oxml.set_row_flags(tr, header=header, cant_split=True)
    for c, tc in enumerate(tr.tc_lst):
        p = tc.p_lst[0]
        set_style_id(p, BY_NAME["表头" if header else "表格文字"].style_id)
        if not header and c < len(align) and align[c]:
            oxml.set_jc(p.get_or_add_pPr(), align[c])
        oxml.set_cell_valign(tc, "center")
    return tr


def caption(document, text: str, m: Metrics, flow: Flow) -> None:
    """The centred title above a table or picture; it carries a pending page break."""
    tp = add_paragraph(document, "gwTableTitle", text, m)
    _exact(tp, m.pitch)
    if flow.break_before_next:
        oxml.set_flag(tp._p.get_or_add_pPr(), "pageBreakBefore")
        flow.break_before_next = False


def image(document, img: Image, m: Metrics, flow: Flow) -> None:
    if img.title:
        caption(document, img.title, m, flow)
    raw = img.path
    if raw.startswith("file://"):
        from urllib.parse import unquote, urlparse

        raw = unquote(urlparse(raw).path)
    path = Path(raw)
    if not path.is_file():
        p = add_paragraph(document, "gwBody", f"【缺少图片：{img.path}】", m)
        return
    p = add_paragraph(document, "gwImage", "", m)
    if flow.break_before_next:
        oxml.set_flag(p._p.get_or_add_pPr(), "pageBreakBefore")
        flow.break_before_next = False
    p.add_run().add_picture(str(path), width=Pt(m.block_width * img.width_ratio))


def blocks(document, items: list[Block], m: Metrics, model: PageModel | None = None,
           flow: Flow | None = None, mark: int | None = None) -> int | None:
    """Write the blocks; returns how many elements the document body held
    when block `mark` began (None without a mark)."""
    flow = flow or Flow(model=model)
    marked = None
    for i, block in enumerate(items):
        if i == mark:
            marked = len(document.element.body)
        if isinstance(block, Paragraph):
            paragraph(document, block, m, flow)
        elif isinstance(block, Table):
            table(document, block, m, flow)
        elif isinstance(block, Image):
            image(document, block, m, flow)
        elif isinstance(block, PageBreak):
            flow.break_before_next = True
    if flow.break_before_next:  # a trailing break: honour it with an empty page start
        p = add_paragraph(document, "gwBody", "", m)
        oxml.set_flag(p._p.get_or_add_pPr(), "pageBreakBefore")
        flow.break_before_next = False
    return marked


def set_closer(document, start: int, m: Metrics) -> None:
    """Every paragraph from body element `start` on set m.pitch apart, off
    the grid (the closing page GB/T 9704 7.3.5.5 lets be set closer; tables
    keep their rows)."""
    for el in list(document.element.body)[start:]:
        if el.tag == oxml.qn("w:p"):
            oxml.set_line_pitch(el.get_or_add_pPr(), m.pitch)


def attachment_pages(document, notice: Notice, m: Metrics, model: PageModel | None = None) -> None:
    """Each attachment with text on a new page: 附件N (黑体) on line 1, the
    title centred on line 3, then its body."""
    shown = [a for a in notice.attachments if not a.note_only]
    for att in shown:
        _attachment(document, notice, att, m, numbered=len(notice.attachments) > 1, model=model)


def _attachment(document, notice: Notice, att: Attachment, m: Metrics, numbered: bool,
                model: PageModel | None = None) -> None:
    label = f"附件{att.number}" if numbered else "附件"
    if model is not None and not model.attachment_labels:
        label = ""  # a 令's regulation: its title alone
    lp = add_paragraph(document, "gwAttachLabel", label, m)
    pPr = lp._p.get_or_add_pPr()
    oxml.set_flag(pPr, "pageBreakBefore")
    oxml.set_indent(pPr)
    _exact(lp, m.pitch)
    line_gap = (int(m.layout.attachment_page.title_line) - int(m.layout.attachment_page.label_line)) * m.pitch
    # from the top of the label line to the em top of the title's first line
    title(document, notice, m, line_gap - m.pitch + em_offset(m.pitch, m.body), style_id="gwAttachTitle",
          text=att.title, subtitle=att.subtitle or "")
    flow = Flow(model=model)
    first = True
    for block in att.body:
        if first and isinstance(block, Paragraph):
            p = paragraph(document, block, m, flow)
            # one blank line between the title and the text
            _exact(p, m.pitch, m.pitch - (float(m.layout.title.line_pitch_pt) - em_offset(
                float(m.layout.title.line_pitch_pt), m.size("er_hao")) - m.size("er_hao"))
                   - em_offset(m.pitch, m.body))
            first = False
            continue
        first = False
        blocks(document, [block], m, model, flow)
