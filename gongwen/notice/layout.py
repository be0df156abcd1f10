"""Moved to gongwen.layout.spec. This re-export stays only for modules of
other work in progress (writers/pdf/style.py, tests/pdfmeasure.py,
tests/documents/test_every_pdf.py); new code imports gongwen.layout.spec.
It is the one module of gongwen.notice allowed to import gongwen.layout."""

from gongwen.layout.spec import EMU_PER_PT, PT_PER_MM, TWIPS_PER_PT, Layout, load_layout, mm  # noqa: F401
