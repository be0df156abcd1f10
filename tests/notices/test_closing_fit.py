"""GB/T 9704 7.3.5.5: when the 附件说明, signature and date would leave the
text's last page, its lines are set closer (no closer than
signature.fit_extra_lines more lines a page allow) so that they stay.

Measured on real notices from the corpus (tests/fixtures/corpus/SOURCES.md),
once as they are and once, for a fit that starts inside the body, with the
body cut after its eighth block: the PDF measured with pdfplumber, the DOCX
converted by LibreOffice and measured the same way, and both put through the
format checker. The layout without the fit (fit_extra_lines: 0) is the
baseline each is compared with."""

from __future__ import annotations

import dataclasses
import statistics

import pytest

from gongwen import ROOT
from gongwen.check import check_file
from gongwen.check.convert import convert_many, soffice
from gongwen.layout.spec import Layout, load_layout
from gongwen.notice.source import read_source
from gongwen.writers.docx import write_docx
from gongwen.writers.pdf import render, write_pdf
from tests import pdfmeasure as pm

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
# name, body blocks kept (None: all), where the closer lines start (-1: from the 主送)
CASES = [("c06-lufeng-tongzhi", None, -1), ("c08-lincang-tongzhi", None, -1),
         ("c21-pifu-jinyuqu", None, -1), ("c11-jining-yijian", 8, 1)]


def _notice(name: str, keep: int | None):
    notice = read_source(CORPUS / f"{name}.txt")
    return notice if keep is None else dataclasses.replace(notice, body=notice.body[:keep])


def _without_fit() -> Layout:
    lay = load_layout()
    raw = lay.raw.model_copy(update={"signature": lay.raw.signature.model_copy(update={"fit_extra_lines": 0})})
    return Layout(raw)


def _date_page(path) -> tuple[int, int]:
    """(page of the 成文日期, pages): the date is the last line matching 年…月…日 before any 附件 page."""
    from gongwen.check.roles import is_closing_date

    with pm.open_pdf(path) as pdf:
        pages = [pm.body_lines(p, pm.BOTTOM) for p in pdf.pages]
    found = [i + 1 for i, lines in enumerate(pages) if any(is_closing_date(ln.text) for ln in lines)]
    return found[0], len(pages)


def _last_text_page(path, date_page: int) -> list[pm.Line]:
    with pm.open_pdf(path) as pdf:
        return pm.body_lines(pdf.pages[date_page - 1], pm.BOTTOM)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("fit")
    result, docx = {}, []
    for name, keep, _ in CASES:
        notice = _notice(name, keep)
        res = write_pdf(notice, out / f"{name}.pdf", base_url=str(CORPUS))
        docx.append(write_docx(notice, out / f"{name}.docx", banji_own_page=res.banji_own_page,
                               closing_fit=res.closing_fit))
        result[name] = {"notice": notice, "res": res, "docx": docx[-1]}
    converted = convert_many(docx, "pdf", out / "lo") if soffice() else {}
    for name in result:
        result[name]["lo"] = converted.get(result[name]["docx"])
    return result


@pytest.mark.parametrize("name,keep,start", CASES, ids=[c[0] for c in CASES])
def test_signature_and_date_stay_with_the_text(built, monkeypatch, tmp_path, name, keep, start):
    b = built[name]
    fit = b["res"].closing_fit
    lay = load_layout()
    assert fit is not None and fit.from_block == start
    assert lay.closing_min_pitch_pt <= fit.pitch_pt < lay.line_pitch_pt
    # without the fit the closing block went to a page of its own
    monkeypatch.setattr(render, "load_layout", _without_fit)
    plain = write_pdf(b["notice"], tmp_path / "plain.pdf", base_url=str(CORPUS))
    monkeypatch.undo()
    assert plain.closing_fit is None
    date_before, pages_before = _date_page(plain.path)
    date_after, pages_after = _date_page(b["res"].path)
    assert date_after == date_before - 1
    assert pages_after <= pages_before
    # on the date's page the lines are the fitted pitch apart; the pages before keep the grid
    lines = _last_text_page(b["res"].path, date_after)
    steps = pm.pitches([ln for ln in lines if abs(ln.size - lay.body_size_pt) < 0.6])
    assert steps and abs(statistics.median(steps) - fit.pitch_pt) < 0.3, steps
    assert lines[-1].bottom <= pm.BOTTOM + 0.5
    if date_after > 1:
        with pm.open_pdf(b["res"].path) as pdf:
            earlier = pm.body_lines(pdf.pages[date_after - 2], pm.BOTTOM)
        assert abs(statistics.median(pm.pitches(earlier)) - lay.line_pitch_pt) < 0.3


@pytest.mark.parametrize("name,keep,start", CASES, ids=[c[0] for c in CASES])
def test_libreoffice_keeps_the_date_on_the_same_page(built, name, keep, start):
    lo = built[name]["lo"]
    if lo is None:
        pytest.skip("LibreOffice is not installed")
    assert _date_page(lo) == _date_page(built[name]["res"].path)


@pytest.mark.parametrize("name,keep,start", CASES, ids=[c[0] for c in CASES])
def test_the_checker_accepts_the_fitted_page(built, name, keep, start):
    for path in (built[name]["res"].path, built[name]["docx"]):
        rep = check_file(path, layout=False)
        assert not [f for f in rep.findings if f.rule == "grid"], (path.name, rep.findings)


def test_the_checker_still_flags_a_close_set_document(built, tmp_path):
    """The exception is for the run of paragraphs before the date that one
    page holds: the same notice at 27 pt throughout is flagged."""
    import docx

    d = docx.Document(str(built["c11-jining-yijian"]["docx"]))
    for p in d.paragraphs:
        p.paragraph_format.line_spacing = docx.shared.Pt(26.8)
    path = tmp_path / "close.docx"
    d.save(str(path))
    rep = check_file(path, layout=False)
    assert [f for f in rep.findings if f.rule == "grid"]
