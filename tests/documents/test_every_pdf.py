"""Every PDF a full build of the demo campaign writes, measured: A4, text
inside the text block, page numbers where GB/T 9704 puts them, every font
embedded and subset, PDF/A-2b, and the 版记 on an even last page."""

from __future__ import annotations

import json

import pikepdf
import pytest

from gongwen import INPUTS_DIR
from gongwen.campaign import compute, load_campaign
from gongwen.campaign.build import render, write
from tests.build_helpers import add_documents
from gongwen.layout.spec import load_layout
from tests import pdfmeasure as pm

L = load_layout()
PAGE_W, PAGE_H, LEFT, RIGHT, TOP, BOTTOM = pm.PAGE_W, pm.PAGE_H, pm.LEFT, pm.RIGHT, pm.TOP, pm.BOTTOM
CHAR = pm.CHAR


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    out = tmp_path_factory.mktemp("xinfeng-build")
    c = compute(load_campaign(INPUTS_DIR / "xinfeng-2023"))
    r = render(c, out)
    done = add_documents(c, out, r)
    write(r, out)
    return out, {f"{d.rel}.pdf": d for d, _ in done}


def test_every_document_has_both_formats_in_the_manifest(build):
    out, docs = build
    listed = {e["path"]: e for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]}
    assert len(docs) > 90  # plan, 3 通报, 3 榜单, 90 得分反馈单, final, annual
    for rel in docs:
        assert rel in listed and rel.replace(".pdf", ".docx") in listed
        assert listed[rel]["inputs"], rel
        assert (out / rel).is_file() and (out / rel.replace(".pdf", ".docx")).is_file()


def test_every_pdf_keeps_the_layout(build):
    out, docs = build
    checked = 0
    for rel, doc in docs.items():
        path = out / rel
        notice = doc.notice
        with pm.open_pdf(path) as pdf:
            pages = pdf.pages
            if notice.has_banji:
                assert len(pages) % 2 == 0, rel
            for page in pages:
                assert abs(page.width - PAGE_W) < 0.5 and abs(page.height - PAGE_H) < 0.5, rel
                upright = [c for c in page.chars if c["upright"] and c["text"].strip()]
                number = pm.page_number_line(page, BOTTOM)
                body = [c for c in upright if c["bottom"] <= BOTTOM + 2]
                for c in body:  # everything but the page number sits in the text block
                    assert LEFT - 1 <= c["x0"] and c["x1"] <= RIGHT + 1, (rel, page.page_number, c["text"])
                    assert c["top"] >= TOP - 1, (rel, page.page_number, c["text"])
                if number is not None:
                    assert number.text == f"—{page.page_number}—", (rel, page.page_number)
                    side = abs(number.x1 - (RIGHT - CHAR)) if page.page_number % 2 else abs(number.x0 - (LEFT + CHAR))
                    assert side < 0.6, (rel, page.page_number)
                    assert abs(pm.mm(number.top - BOTTOM) - L.page_number.below_block_mm) < 0.3
            # Every page with text carries its number (the 版记-only and blank pages excepted).
            for page in pages[:-1] if notice.has_banji else pages:
                if any(c["bottom"] <= BOTTOM for c in page.chars):
                    assert pm.page_number_line(page, BOTTOM) is not None, (rel, page.page_number)
        for f in pm.embedded_fonts(path):
            assert f["embedded"] and f["subset"] and f["tounicode"], (rel, f)
        with pikepdf.open(path) as p:
            assert p.open_metadata().pdfa_status == "2B", rel
        checked += 1
    assert checked == len(docs)


def test_feedback_sheets_are_one_page_each(build):
    out, docs = build
    sheets = [rel for rel in docs if "/得分反馈单/" in rel]
    assert len(sheets) == 90
    for rel in sheets:
        with pm.open_pdf(out / rel) as pdf:
            assert len(pdf.pages) == 1, rel
