"""@font-face files linked, not copied (gongwen.writers.pdf.weasy, part 5):
WeasyPrint's temporary font folder holds symbolic links to the font files,
and the PDF is byte for byte the one WeasyPrint's own add_font_face (a copy
of each file) gives."""

from __future__ import annotations

import os

import pytest

from gongwen import ROOT, caches
from gongwen.notice.source import read_source
from gongwen.writers.pdf import pdf_bytes, weasy
from gongwen.writers.pdf.style import font_config

SOURCE = ROOT / "tests" / "fixtures" / "notices" / "tables.txt"


@pytest.fixture
def fresh():
    caches.clear()  # a new font configuration, read afresh
    yield
    caches.clear()


def _pdf() -> tuple[bytes, list[tuple[str, bool, int]]]:
    """The PDF, and each file in WeasyPrint's font folder: (its name, a link?, its bytes' length)."""
    data, _ = pdf_bytes(read_source(SOURCE))
    folder = font_config()._folder
    return data, [(p.name, p.is_symlink(), os.path.getsize(p)) for p in sorted(folder.iterdir())]


def test_links_give_the_copies_bytes(fresh, monkeypatch):
    from weasyprint.text.fonts import FontConfiguration

    assert weasy.patched()
    linked, files = _pdf()
    assert files and all(link for _, link, _ in files)
    caches.clear()
    monkeypatch.setattr(FontConfiguration, "add_font_face", weasy._STATE.installed[FontConfiguration, "add_font_face"])
    copied, copies = _pdf()
    assert copies == [(name, False, size) for name, _, size in files]  # the same names, copies of the same sizes
    assert copied == linked


def test_other_rules_go_to_weasyprint():
    from weasyprint.urls import URLFetcher

    from gongwen.writers.pdf.style import stylesheet

    stylesheet(False)
    font = next(p for p in font_config()._folder.iterdir()).resolve() if font_config()._folder else None
    if font is None:
        pytest.skip("no @font-face file on this machine")
    rule = {"src": [("external", font.as_uri())], "font_family": "x", "font_weight": 400}
    assert weasy._plain_font_file(rule, URLFetcher()) == font
    assert weasy._plain_font_file({**rule, "unicode_range": []}, URLFetcher()) is None
    assert weasy._plain_font_file(rule, URLFetcher(allowed_protocols=["https"])) is None
    assert weasy._plain_font_file({**rule, "src": [("local", "FandolFang")]}, URLFetcher()) is None
    assert weasy._plain_font_file({**rule, "src": [("external", "https://example.invalid/a.otf")]}, URLFetcher()) is None
