"""The PDF writer's HTML is read by the C XML parser instead of WeasyPrint's
HTML5 parser (gongwen/writers/pdf/weasy.py): for every example and fixture
the two must give the same element tree, or the fast path would change the
layout."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import tinyhtml5

from gongwen import INPUTS_DIR, ROOT
from gongwen.notice.source import read_source
from gongwen.writers.pdf.html import banji_pages_html, notice_html
from gongwen.writers.pdf.style import html_document

SOURCES = sorted((INPUTS_DIR / "examples").glob("*.txt")) + sorted((ROOT / "tests" / "fixtures" / "notices").glob("*.txt"))


def _tree(e) -> tuple:
    return e.tag, sorted(e.attrib.items()), e.text or "", e.tail or "", [_tree(c) for c in e]


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_xml_and_html5_parsers_read_the_same_tree(src):
    notice = read_source(src)
    htmls = [notice_html(notice, banji=m) for m in ("footnote", "own-page")]
    if notice.has_banji:
        htmls += [banji_pages_html(notice, blank=b) for b in (False, True)]
    for html in htmls:
        assert _tree(ET.fromstring(html)) == _tree(tinyhtml5.parse(html, namespace_html_elements=False))


def test_html_the_xml_parser_cannot_read_still_renders():
    html = "<html><body><div class=ln>未加引号的属性&nbsp;和实体<br></div></body></html>"
    with pytest.raises(ET.ParseError):
        ET.fromstring(html)
    doc = html_document(html).render()
    assert len(doc.pages) == 1
