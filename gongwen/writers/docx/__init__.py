"""DOCX writer: the notice tree -> an editable .docx in GB/T 9704-2012 layout.

Module map: styles (Chinese paragraph styles, fonts, runs), header (版头),
body (title, 主送, paragraphs, tables, pictures, attachment pages), closing
(附件说明, 署名/日期, 附注, 出席, 版记), sections (page set-up, footers,
landscape and 版记 sections), package (deterministic saving), oxml (raw XML).
"""

from __future__ import annotations

from pathlib import Path

from gongwen.layout.model import ClosingFit, PageModel, layout_notice
from gongwen.notice.tree import Notice
from gongwen.writers.docx import body, closing, header, package, sections
from gongwen.writers.docx.styles import metrics

__all__ = ["write_docx", "build_document", "docx_bytes", "write_output"]


def build_document(notice: Notice, *, banji_own_page: bool = False, model: PageModel | None = None,
                   closing_fit: ClosingFit | None = None):
    """The python-docx Document for a notice (not yet saved). `model` is the
    page layout both writers share (made here when not given); banji_own_page
    overrides the model's when true, closing_fit when given (the PDF's
    pagination decided them)."""
    m = metrics()
    pm = model or layout_notice(notice, m.layout)
    if banji_own_page:
        pm = pm.with_banji_own_page(True)
    if closing_fit is not None:
        pm = pm.with_closing_fit(closing_fit)
    fit = pm.closing_fit
    closer = m.with_pitch(fit.pitch_pt) if fit else m  # GB/T 9704 7.3.5.5: the closing page's lines
    document = package.new_document(m)  # the default template with our styles, made once per process
    section = document.sections[0]
    sections.setup_page(section, m)

    if notice.format == "letter":
        header.letter_header(document, section, notice, pm, m)
        header.letter_body_top(document, notice, m)
    else:
        header.file_header(document, notice, pm, m)
    sections.page_numbers(document, section, m, first_page_blank=notice.format == "letter")

    if pm.red_rule:
        # The title paragraph starts at the bottom of the rule's border (its thickness under the rule's top).
        title_gap = pm.title_gap_pt - float(m.layout.red_rule.thickness_pt)
    else:
        title_gap = pm.title_lines_above * m.pitch
    start = None  # with a closing fit: the body element the closer lines start at
    if pm.title_shown:
        body.title(document, notice, m, title_gap)
        if fit and fit.from_block == -1:
            start = len(document.element.body)
        body.addressee(document, notice, closer if start is not None else m)
    else:
        body.order_gap(document, m)
    mark = fit.from_block if fit and fit.from_block is not None and fit.from_block >= 0 else None
    marked = body.blocks(document, notice.body, m, pm, mark=mark)
    if fit and start is None:
        start = marked if marked is not None else len(document.element.body)
    closing.attachment_note(document, notice, pm, closer)
    closing.attendance(document, notice, closer)
    closing.signature(document, pm, closer)
    closing.note(document, notice, closer)
    if start is not None:
        body.set_closer(document, start, closer)
    body.attachment_pages(document, notice, m, pm)
    closing.banji(document, notice, m, own_page=pm.banji_own_page)
    package.finish(document, notice)
    return document


def write_docx(notice: Notice, path: Path, *, banji_own_page: bool = False,
               closing_fit: ClosingFit | None = None) -> Path:
    """Write the notice as a .docx; the same notice gives the same bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = build_document(notice, banji_own_page=banji_own_page, closing_fit=closing_fit)
    package.save(document, path)
    return path


def docx_bytes(notice: Notice, *, banji_own_page: bool = False, closing_fit: ClosingFit | None = None) -> bytes:
    return package.to_bytes(build_document(notice, banji_own_page=banji_own_page, closing_fit=closing_fit))


def write_output(out) -> bytes:
    """The registry's entry (gongwen.writers.registry): the DOCX, with the
    版记 and the closing page's line pitch as the PDF's pagination decided."""
    return docx_bytes(out.notice, banji_own_page=out.banji_own_page, closing_fit=out.closing_fit)
