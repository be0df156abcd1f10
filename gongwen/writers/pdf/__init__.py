"""HTML + WeasyPrint writer: the archival PDF."""

from gongwen.writers.pdf.render import PdfResult, write_pdf

__all__ = ["PdfResult", "write_pdf"]
