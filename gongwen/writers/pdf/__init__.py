"""HTML + WeasyPrint writer: the archival PDF.

html.py and linebreak.py write the notice as HTML, style.py its stylesheet
and font configuration, render.py lays it out and writes the PDF; weasy.py
holds every use of WeasyPrint beyond its public API (checked against the
version tested at import); pdfa.py finishes the PDF/A (fonts re-packed by
fontpack.py, the compact sRGB profile of icc.py, XMP metadata). Nothing here
imports gongwen.archive, which builds on this writer's PDFs."""

from gongwen.writers.pdf.render import PdfResult, pdf_bytes, write_pdf

__all__ = ["PdfResult", "pdf_bytes", "write_pdf"]
