"""DOCX writer: the notice tree -> an editable .docx in GB/T 9704-2012 layout.

Module map: styles (Chinese paragraph styles, fonts, runs), header (版头),
body (title, 主送, paragraphs, tables, pictures, attachment pages), closing
(附件说明, 署名/日期, 附注, 出席, 版记), sections (page set-up, footers,
landscape and 版记 sections), package (deterministic saving), oxml (raw XML).
"""

from __future__ import annotations

from pathlib import Path

from gongwen.layout.model import PageModel, layout_notice
from gongwen.notice.tree import Notice
from gongwen.writers.docx import body, closing, header, package, sections
from gongwen.writers.docx.styles import metrics

__all__ = ["write_docx", "build_document", "docx_bytes", "write_output"]


def build_document(notice: Notice, *, banji_own_page: bool = False, model: PageModel | None = None):
    """The python-docx Document for a notice (not yet saved). `model` is the
    page layout both writers share (made here when not given); banji_own_page
    overrides the model's when true (the PDF's pagination decided it)."""
    m = metrics()
    pm = model or layout_notice(notice, m.layout)
    if banji_own_page:
        pm = pm.with_banji_own_page(True)
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
    if pm.title_shown:
        body.title(document, notice, m, title_gap)
        body.addressee(document, notice, m)
    else:
        body.order_gap(document, m)
    body.blocks(document, notice.body, m, pm)
    closing.attachment_note(document, notice, pm, m)
    closing.attendance(document, notice, m)
    closing.signature(document, pm, m)
    closing.note(document, notice, m)
    body.attachment_pages(document, notice, m, pm)
    closing.banji(document, notice, m, own_page=pm.banji_own_page)
    package.finish(document, notice)
    return document


def write_docx(notice: Notice, path: Path, *, banji_own_page: bool = False) -> Path:
    """Write the notice as a .docx; the same notice gives the same bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = build_document(notice, banji_own_page=banji_own_page)
    package.save(document, path)
    return path


def docx_bytes(notice: Notice, *, banji_own_page: bool = False) -> bytes:
    return package.to_bytes(build_document(notice, banji_own_page=banji_own_page))


def write_output(out) -> bytes:
    """The registry's entry (gongwen.writers.registry): the DOCX, with the
    版记 where the PDF's pagination put it."""
    return docx_bytes(out.notice, banji_own_page=out.banji_own_page)
