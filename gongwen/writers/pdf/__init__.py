"""HTML + WeasyPrint writer: the archival PDF."""

from gongwen.writers.pdf.render import PdfResult, pdf_bytes, write_pdf

__all__ = ["PdfResult", "pdf_bytes", "write_pdf"]
