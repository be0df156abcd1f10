"""Real notices the engine had never seen (tests/fixtures/corpus/, sources in
SOURCES.md), typeset to PDF and to DOCX, the DOCX converted by LibreOffice,
and both measured with tests/pdfmeasure.py the way a reviewer would look:
no overlapping glyphs and no gap over one 字 inside a justified line,
numbers and dates whole at line ends, headings short, page counts alike,
nothing red without an organ, text inside the block."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from gongwen import ROOT
from gongwen.notice.source import read_source
from gongwen.notice.tree import Paragraph
from gongwen.writers.docx import write_docx
from gongwen.writers.pdf import write_pdf
from tests import pdfmeasure as pm

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
SOURCES = sorted(CORPUS.glob("*.txt"))
NAMES = [s.stem for s in SOURCES]

# A number split from its digits or unit, a document number from its 号, a range from its end.
SPLIT = re.compile(r"\d\|[\d年月日号%％]|〕\|\d|\d[—－~～\-]\|\d|\d\|[—－~～\-]\d|日至\|\d")


# Closing marks LibreOffice lets hang past the right edge whatever w:overflowPunct says.
HANGING = set("，。、；：？！）》”’〕】")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, dict]:
    """name -> notice, its PDF, and LibreOffice's PDF of its DOCX (one soffice call)."""
    out = tmp_path_factory.mktemp("corpus")
    result, docx = {}, []
    for src in SOURCES:
        notice = read_source(src)
        res = write_pdf(notice, out / f"{src.stem}.pdf", base_url=str(src.parent))
        lo_dir = out / "lo"
        lo_dir.mkdir(exist_ok=True)
        docx.append(write_docx(notice, lo_dir / f"{src.stem}.docx", banji_own_page=res.banji_own_page,
                               closing_fit=res.closing_fit))
        result[src.stem] = {"notice": notice, "pdf": res.path, "lo": lo_dir / f"{src.stem}.pdf"}
    if shutil.which("soffice"):
        profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
        try:
            subprocess.run(
                ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                 "--outdir", str(out / "lo"), *map(str, docx)],
                check=True, capture_output=True, timeout=600, env=dict(os.environ, HOME=str(profile)),
            )
        finally:
            shutil.rmtree(profile, ignore_errors=True)
    return result


def outputs(rendered, name):
    """(label, path) of the PDF and, when LibreOffice is installed, of the converted DOCX."""
    item = rendered[name]
    out = [("PDF", item["pdf"])]
    if item["lo"].exists():
        out.append(("DOCX (LibreOffice)", item["lo"]))
    return out


def text_pages(path: Path):
    """Each page's lines inside the text block, tables left out (their cells are not justified text)."""
    with pm.open_pdf(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            ruled = [(r["top"], r["bottom"]) for r in list(page.rects) + list(page.lines)
                     if r not in pm.red_rects(page, 0)]
            lines = [l for l in pm.body_lines(page, pm.BOTTOM)
                     if not any(t - 2 <= l.top <= b + 2 or t - 2 <= l.bottom <= b + 2 for t, b in ruled)]
            yield number, page, lines


def test_corpus_is_big_enough_and_sourced():
    assert len(SOURCES) >= 20
    listed = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for src in SOURCES:
        head = src.read_text(encoding="utf-8").split("\n", 3)[1]
        assert head.startswith("# 来源: http"), f"{src.name}: the front matter opens with its source URL"
        assert src.name in listed, f"{src.name} is not in SOURCES.md"


@pytest.mark.parametrize("name", NAMES)
def test_no_overlap_and_no_wide_gap(rendered, name):
    for label, path in outputs(rendered, name):
        for number, page, lines in text_pages(path):
            # An ideographic space (第一条　…) is text: the measure leaves it out, the gap keeps it.
            spaces = [c for c in page.chars if c["text"] == "\u3000"]
            for line in lines:
                chars = [c for c in line.chars if c["size"] > 10]
                justified = line.x1 > pm.RIGHT - 2 and line.x0 < pm.LEFT + 2 * pm.CHAR + 2
                for a, b in zip(chars, chars[1:]):
                    assert b["x0"] >= a["x1"] - 1.0, f"{name} {label} p.{number}: “{a['text']}{b['text']}” overlap in “{line.text}”"
                    if justified:
                        gap = b["x0"] - a["x1"] - sum(
                            s["x1"] - s["x0"] for s in spaces
                            if a["x1"] - 1 <= s["x0"] <= b["x0"] and abs(pm.baseline(dict(s, page_height=page.height))
                                                                        - pm.baseline(a)) < 2)
                        assert gap <= pm.CHAR, f"{name} {label} p.{number}: {gap:.1f} pt between “{a['text']}” and “{b['text']}” in “{line.text}”"


def splits(path: Path) -> list[str]:
    """Numbers, document numbers and ranges split at a line end, with their context."""
    out = []
    for number, _page, lines in text_pages(path):
        # an attachment's 附件N label is a line of its own, not a number cut from the next line
        texts = [re.sub("[\u200b-\u200d\u2060\ufeff]", "", l.text) for l in lines]  # format characters print nothing
        joined = "|".join(t for t in texts if not re.fullmatch(r"附件\d*", t))
        out += [f"p.{number}: “{joined[max(m.start() - 8, 0):m.end() + 8]}”" for m in SPLIT.finditer(joined)]
    return out


@pytest.mark.parametrize("name", NAMES)
def test_numbers_and_dates_whole(rendered, name):
    """In the PDF (our line breaker) no number, document number or range is split at a line end.
    (LibreOffice breaks the DOCX itself and does split some: docs/版式.md.)"""
    assert not splits(rendered[name]["pdf"]), f"{name}: split at {splits(rendered[name]['pdf'])}"


@pytest.mark.parametrize("name", NAMES)
def test_headings_are_short(rendered, name):
    notice = rendered[name]["notice"]
    blocks = list(notice.body) + [b for a in notice.attachments for b in a.body]
    for b in blocks:
        if isinstance(b, Paragraph) and b.kind in ("h1", "h2"):
            assert b.runin <= 60, f"{name}: a heading of {b.runin} characters: {b.text[:30]}…"
            assert "。" not in b.text[: b.runin - 1], f"{name}: a heading with a sentence in it: {b.text[:30]}…"


@pytest.mark.parametrize("name", NAMES)
def test_page_counts_agree(rendered, name):
    item = rendered[name]
    if not item["lo"].exists():
        pytest.skip("LibreOffice is not installed")
    with pm.open_pdf(item["pdf"]) as a, pm.open_pdf(item["lo"]) as b:
        ours, theirs = len(a.pages), len(b.pages)
    if ours <= 5:
        assert theirs == ours, f"{name}: PDF {ours} pages, DOCX in LibreOffice {theirs}"
    else:
        assert abs(theirs - ours) <= 1, f"{name}: PDF {ours} pages, DOCX in LibreOffice {theirs}"


def _red_chars(page) -> list[str]:
    out = []
    for c in page.chars:
        colour = c.get("non_stroking_color")
        if isinstance(colour, (tuple, list)) and len(colour) == 3 and colour[0] > 0.8 and colour[1] < 0.2 and colour[2] < 0.2:
            out.append(c["text"])
    return out


@pytest.mark.parametrize("name", NAMES)
def test_red_only_with_an_organ(rendered, name):
    notice = rendered[name]["notice"]
    for label, path in outputs(rendered, name):
        with pm.open_pdf(path) as pdf:
            red = [t for p in pdf.pages for t in _red_chars(p)] + [r for p in pdf.pages for r in pm.red_rects(p)]
        if notice.organs or notice.masthead:
            assert red, f"{name} {label}: an organ but no red masthead"
        else:
            assert not red, f"{name} {label}: red without an organ"


@pytest.mark.parametrize("name", NAMES)
def test_text_inside_the_block(rendered, name):
    for label, path in outputs(rendered, name):
        for number, page, _lines in text_pages(path):
            for line in pm.body_lines(page, pm.BOTTOM):
                chars = line.chars
                if label != "PDF" and len(chars) > 1 and chars[-1]["text"] in HANGING:
                    chars = chars[:-1]  # LibreOffice hangs a closing mark past the edge (docs/版式.md)
                x1 = max(c["x1"] for c in chars)
                assert line.x0 >= pm.LEFT - 1.5 and x1 <= pm.RIGHT + 1.5, \
                    f"{name} {label} p.{number}: “{line.text}” outside the block ({line.x0:.1f}–{x1:.1f})"
            assert len([l for l in pm.body_lines(page, pm.BOTTOM) if l.size > 15]) <= 22 + 1


def lone_lines(path: Path) -> list[str]:
    """Page breaks that leave a paragraph's first line alone at a page foot or
    its last line alone at a page head (body text: indented first lines)."""
    with pm.open_pdf(path) as pdf:
        pages = [[l for l in pm.body_lines(p, pm.BOTTOM) if abs(l.size - 16) < 0.5] for p in pdf.pages]
    out = []
    indent = pm.LEFT + 1.5 * pm.CHAR
    for number, (a, b) in enumerate(zip(pages, pages[1:]), start=1):
        if not a or not b or b[0].x0 > indent or re.fullmatch(r"附件\d*", b[0].text):
            continue  # the next page opens a paragraph (or an attachment) of its own
        foot, head = a[-1], b[0]
        alone_at_foot = indent < foot.x0 < pm.LEFT + 2.5 * pm.CHAR and foot.x1 > pm.RIGHT - 2
        alone_at_head = head.x1 < pm.RIGHT - 2 * pm.CHAR and (len(b) < 2 or b[1].x0 > indent)
        if alone_at_foot or alone_at_head:
            out.append(f"p.{number}/{number + 1}: “{foot.text[:10]}…” | “{head.text[:10]}…”")
    return out


@pytest.mark.parametrize("name", NAMES)
def test_no_paragraph_split_one_line_alone(rendered, name):
    """Widow and orphan control, and the closing parts never take a lone last line with them."""
    for label, path in outputs(rendered, name):
        assert not lone_lines(path), f"{name} {label}: {lone_lines(path)}"


def test_examples_keep_two_lines_together(tmp_path):
    from gongwen import INPUTS_DIR

    for src in sorted((INPUTS_DIR / "examples").glob("*.txt")) + sorted((ROOT / "tests/fixtures/notices").glob("*.txt")):
        path = write_pdf(read_source(src), tmp_path / f"{src.stem}.pdf", base_url=str(src.parent)).path
        assert not lone_lines(path), f"{src.name}: {lone_lines(path)}"
