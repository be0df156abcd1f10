"""HTML + WeasyPrint writer: the archival PDF.

html.py and linebreak.py write the notice as HTML, style.py its stylesheet
and font configuration, render.py lays it out and writes the PDF; weasy.py
holds every use of WeasyPrint beyond its public API (checked against the
version tested at import); pdfa.py finishes the PDF/A (fonts re-packed by
fontpack.py, the compact sRGB profile of icc.py, XMP metadata). Nothing here
imports gongwen.archive, which builds on this writer's PDFs."""

from gongwen.writers.pdf.render import PdfResult, pdf_bytes, write_pdf


def write_output(out) -> bytes:
    """The registry's entry (gongwen.writers.registry): the PDF, and the page
    count, 版记 placement and closing fit its pagination decided, for the writers after it."""
    data, result = pdf_bytes(out.notice, base_url=out.base_url)
    out.pages, out.banji_own_page, out.closing_fit = result.pages, result.banji_own_page, result.closing_fit
    return data


__all__ = ["PdfResult", "pdf_bytes", "write_output", "write_pdf"]
