"""gongwen.writers.pdf.weasy on a WeasyPrint it was not tested with: none of
its changes is made (WeasyPrint's own HTML parser and stylesheet, borders,
font subsetting, the notice laid out again for the 版记's own page), a
warning in Chinese is given once, and the PDF is still written, a PDF/A
with the same text as with the changes."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings

import pdfplumber
import pikepdf
import pytest

from gongwen import ROOT
from gongwen.notice.source import read_source
from gongwen.writers.pdf import pdf_bytes, weasy

FIXTURES = ROOT / "tests" / "fixtures" / "notices"
SOURCES = [FIXTURES / "tables.txt", FIXTURES / "long-body.txt"]


def _text(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() for page in pdf.pages]


@pytest.fixture
def untested(monkeypatch):
    """WeasyPrint 71.0 as far as weasy.py can tell, the tested behaviour back afterwards."""
    monkeypatch.setattr(weasy._STATE, "warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert weasy.select("71.0") is False
        assert weasy.select("71.0") is False  # asked again: no second warning
    try:
        yield caught
    finally:
        assert weasy.select(weasy.INSTALLED_VERSION) is True


def test_the_installed_version_is_a_tested_one():
    assert weasy.INSTALLED_VERSION in weasy.TESTED_VERSIONS and weasy.patched()


def test_an_untested_version_gets_weasyprints_own_behaviour(untested):
    import weasyprint
    from weasyprint import draw
    from weasyprint.pdf import fonts

    caught = [w for w in untested if issubclass(w.category, weasy.WeasyPrintVersionWarning)]
    assert len(caught) == 1
    assert "71.0" in str(caught[0].message) and "WeasyPrint 自身的做法" in str(caught[0].message)
    assert not weasy.patched()
    # nothing of WeasyPrint's is replaced
    assert draw.draw_collapsed_borders.__module__ == "weasyprint.draw"
    assert draw.draw_line.__module__ == "weasyprint.draw.border"
    assert fonts.Font.subset.__module__ == "weasyprint.pdf.fonts"
    assert fonts.get_pango_font_hb_face.__module__ == "weasyprint.text.fonts"
    assert type(weasy.html_document("<html><body>甲</body></html>", ".")) is weasyprint.HTML


def test_an_untested_version_still_writes_the_notice(untested):
    own = {}
    for src in SOURCES:
        data, result = pdf_bytes(read_source(src), base_url=str(src.parent))
        own[src] = (data, result)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert pdf.open_metadata().pdfa_status == "2B"
            assert len(pdf.pages) == result.pages
    assert weasy.select(weasy.INSTALLED_VERSION) is True
    for src in SOURCES:
        data, result = pdf_bytes(read_source(src), base_url=str(src.parent))
        assert (result.pages, result.banji_own_page) == (own[src][1].pages, own[src][1].banji_own_page)
        assert _text(data) == _text(own[src][0])
    assert any(r.banji_own_page for _, r in own.values())  # the 版记 page laid out WeasyPrint's way too


def test_checked_at_import_with_one_warning(tmp_path):
    """In a fresh process whose WeasyPrint says it is 71.0: one warning on
    stderr, however many PDFs are written, and the PDFs are written."""
    src = SOURCES[0]
    code = (
        "import sys, weasyprint\n"
        "weasyprint.__version__ = '71.0'\n"
        "from gongwen.notice.source import read_source\n"
        "from gongwen.writers.pdf import pdf_bytes, weasy\n"
        "assert not weasy.patched()\n"
        f"for i in range(2):\n"
        f"    data, _ = pdf_bytes(read_source({str(src)!r}), base_url={str(src.parent)!r})\n"
        "    assert data.startswith(b'%PDF-')\n"
        "print('written')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "written"
    assert run.stderr.count("WeasyPrintVersionWarning") == 1 and "71.0" in run.stderr
