"""HTML + WeasyPrint writer: the archival PDF."""

from gongwen.writers.pdf.render import PdfResult, pdf_bytes, write_pdf


def write_output(out) -> bytes:
    """The registry's entry (gongwen.writers.registry): the PDF, and the page
    count and 版记 placement its pagination decided, for the writers after it."""
    data, result = pdf_bytes(out.notice, base_url=out.base_url)
    out.pages, out.banji_own_page = result.pages, result.banji_own_page
    return data


__all__ = ["PdfResult", "pdf_bytes", "write_output", "write_pdf"]
