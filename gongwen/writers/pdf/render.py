"""Render a notice to PDF with WeasyPrint. The 版记 must end on an even page
at the bottom of the text block: a first layout shows where the text ends;
when the 版记 cannot stay there, a second layout puts it alone on the next
even page (blank page and 版记-only page carry no page number).

Whatever goes beyond WeasyPrint's public API (the XML-read HTML, the page
without its footnotes, joined table borders, fonts subset once) is in
weasy.py; the PDF/A finishing (fonts re-packed, output intent, XMP) in
pdfa.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gongwen.notice.tree import Notice
from gongwen.writers.pdf.html import banji_pages_html, notice_html
from gongwen.writers.pdf.style import font_config, html_document, stylesheet


@dataclass
class PdfResult:
    path: Path
    pages: int
    banji_own_page: bool


def _page_of(document, anchor: str) -> int | None:
    for i, page in enumerate(document.pages):
        if anchor in page.anchors:
            return i + 1
    return None


def layout(notice: Notice, base_url: str | None = None):
    """Lay the notice out; returns (WeasyPrint document, banji_own_page)."""
    from gongwen.writers.pdf import weasy

    letter = notice.format == "letter"
    css = [stylesheet(letter)]

    def render(mode: str):
        html = html_document(notice_html(notice, banji=mode), base_url)
        return html.render(stylesheets=css, font_config=font_config())

    doc = render("footnote")
    if not notice.has_banji:
        return doc, False
    end, banji, total = _page_of(doc, "gw-end"), _page_of(doc, "gw-banji"), len(doc.pages)
    if banji == end == total and total % 2 == 0:
        return doc, False
    if (banji == end + 1 == total or banji == end == total) and weasy.patched():
        # The 版记 did not fit under the text, or fitted on an odd page: the
        # pages up to the text's end are final (the 版记 taken off the last of
        # them); add a blank page when needed and the 版记 page, laid out on
        # their own, instead of laying the whole notice out again. (On a
        # WeasyPrint weasy.py was not tested with, the whole notice again.)
        tail = html_document(banji_pages_html(notice, blank=end % 2 == 0), base_url)
        tail_doc = tail.render(stylesheets=css, font_config=font_config())
        text_pages = doc.pages[:end - 1] + [weasy.without_footnotes(doc.pages[end - 1])]
        return doc.copy(text_pages + tail_doc.pages), True
    return render("own-page"), True


PDF_VARIANT = "pdf/a-2b"


def write_pdf(notice: Notice, path: Path, base_url: str | None = None, **options) -> PdfResult:
    path = Path(path)
    data, result = pdf_bytes(notice, base_url, **options)
    path.write_bytes(data)
    return PdfResult(path, result.pages, result.banji_own_page)


def pdf_bytes(notice: Notice, base_url: str | None = None, **options) -> tuple[bytes, PdfResult]:
    """PDF/A-2b by default (PDF/A-3b when sources are attached), with the 公文's metadata."""
    from gongwen.writers.pdf import weasy
    from gongwen.writers.pdf.pdfa import finish

    doc, own = layout(notice, base_url)
    options.setdefault("pdf_variant", "pdf/a-3b" if options.get("attachments") else PDF_VARIANT)
    options.setdefault("uncompressed_pdf", True)  # finish() compresses every stream once
    presubset: dict[bytes, dict[int, int]] = {}  # fonts subset once; finish() renumbers (see weasy.py)
    with weasy.presubsetting(presubset):
        data = finish(doc.write_pdf(**options), notice, presubset)
    if presubset:  # a font the re-packing could not renumber: WeasyPrint's own subsetting
        data = finish(doc.write_pdf(**options), notice)
    return data, PdfResult(Path(""), len(doc.pages), own)
