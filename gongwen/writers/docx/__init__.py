"""DOCX writer: the notice tree -> an editable .docx in GB/T 9704-2012 layout.

Module map: styles (Chinese paragraph styles, fonts, runs), header (版头),
body (title, 主送, paragraphs, tables, pictures, attachment pages), closing
(附件说明, 署名/日期, 附注, 出席, 版记), sections (page set-up, footers,
landscape and 版记 sections), package (deterministic saving), oxml (raw XML).
"""

from __future__ import annotations

from pathlib import Path

from gongwen.notice.tree import Notice
from gongwen.writers.docx import body, closing, header, package, sections
from gongwen.writers.docx.styles import metrics

__all__ = ["write_docx", "build_document", "docx_bytes", "write_output"]


def build_document(notice: Notice, *, banji_own_page: bool = False):
    """The python-docx Document for a notice (not yet saved)."""
    m = metrics()
    document = package.new_document(m)  # the default template with our styles, made once per process
    section = document.sections[0]
    sections.setup_page(section, m)

    if notice.format == "letter":
        header.letter_header(document, section, notice, m)
        header.letter_body_top(document, notice, m)
    else:
        header.file_header(document, notice, m)
    sections.page_numbers(document, section, m, first_page_blank=notice.format == "letter")

    body.title(document, notice, m, int(m.layout.title.lines_below_rule) * m.pitch)
    body.addressee(document, notice, m)
    body.blocks(document, notice.body, m)
    closing.attachment_note(document, notice, m)
    closing.attendance(document, notice, m)
    closing.signature(document, notice, m)
    closing.note(document, notice, m)
    body.attachment_pages(document, notice, m)
    closing.banji(document, notice, m, own_page=banji_own_page)
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
