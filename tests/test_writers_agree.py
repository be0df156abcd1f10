"""The two writers translate one layout model (gongwen/layout/model.py):
measured on the PDF and on LibreOffice's rendering of the DOCX, the
masthead (size, top, stacked rows, gap to 文件), the 签发人 rows and their
x, and the signature (lines, x of names and date) agree, for a notice of
every format.

Tolerance 0.5 mm. The DOCX sets its characters 0.25 pt narrower than the
PDF's grid pitch (grid.docx_char_spacing_pt: 28 字 of 15.75 pt against
15.79 pt), so a line of up to 28 字 may end 1.2 pt (0.42 mm) apart;
LibreOffice rounds lengths to twips and places an exact line's baseline at
4/5 of it, a few tenths of a point from where the PDF's half-leading puts
it. Anything the writers decided differently (a 字 of gap, a row of
signers, a 0.5 pt masthead step: 2 mm and more) is far outside it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gongwen import INPUTS_DIR, ROOT
from gongwen.check.convert import convert_many
from gongwen.layout.model import layout_notice
from gongwen.notice.numbers import cn_date
from gongwen.notice.source import notice_from_source, read_source
from gongwen.writers.docx import write_docx
from gongwen.writers.pdf import write_pdf
from gongwen.layout.spec import load_layout
from tests.pdfmeasure import LEFT, RIGHT, baseline, mm, open_pdf, page_lines, red_rects

TOL_MM = 0.5
FIXTURES = ROOT / "tests" / "fixtures" / "notices"

# Sources by the format they stand for.
FILES = {
    "file": FIXTURES / "long-body.txt",  # 文件, one organ, seal
    "joint": INPUTS_DIR / "examples" / "002-xinfeng-bairi-gongjian.txt",  # joint 文件, two organs
    "upward": FIXTURES / "upward.txt",  # joint, two signers, seal
    "letter": FIXTURES / "letter.txt",  # 信函
    "minutes": FIXTURES / "minutes.txt",  # 纪要
    "draft": FIXTURES / "draft.txt",  # no 文件, no seal: name and date after it
    "order": ROOT / "tests" / "fixtures" / "corpus" / "c05-guowuyuan-ling.txt",  # 命令 (国务院令第227号)
}
INLINE = {
    # Three signers: two to a row, the third under the first name.
    "signers3": """---
发文机关:
  - 信丰县商务局
  - 信丰县财政局
  - 信丰县自然资源局
发文字号: 信商字〔2023〕19号
签发人:
  - 王建国
  - 刘志强
  - 欧阳明远
标题: 关于申请安排专项工作经费的请示
主送: 信丰县人民政府：
成文日期: 2023-06-05
---
现就有关事项请示如下。
""",
    # 纪要 without a 发文字号: the red rule all the same (the DOCX drew it only with a number).
    "minutes_no_number": """---
格式: 纪要
发文机关: 信丰县人民政府办公室
标题: 全县招大引强工作调度会议纪要
---
会议议定事项纪要如下。
""",
    # No organ at all (as a 得分反馈单): no masthead, no red.
    "no_organ": """---
标题: 信丰县招大引强“百日攻坚”得分反馈单
成文日期: 2023-06-30
---
本月得分见下表，请核对。
""",
}


def _notice(name: str):
    if name in FILES:
        return read_source(FILES[name])
    return notice_from_source(INLINE[name], where=name)


NAMES = list(FILES) + list(INLINE)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, tuple[Path, Path, object]]:
    """name -> (PDF from the PDF writer, PDF LibreOffice made of the DOCX, notice)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("agree")
    lo = out / "lo"
    docs, result = [], {}
    for name in NAMES:
        notice = _notice(name)
        base = FILES[name].parent if name in FILES else None
        res = write_pdf(notice, out / f"{name}.pdf", base_url=str(base) if base else None)
        docs.append(write_docx(notice, out / f"{name}.docx", banji_own_page=res.banji_own_page,
                               closing_fit=res.closing_fit))
        result[name] = (res.path, docs[-1], notice)
    converted = convert_many(docs, "pdf", lo)  # the project's LibreOffice client, one run for all
    result = {name: (pdf, converted.get(docx, lo / "missing.pdf"), notice) for name, (pdf, docx, notice) in result.items()}
    return result


def _red(c: dict) -> bool:
    col = c.get("non_stroking_color")
    return isinstance(col, (tuple, list)) and len(col) == 3 and col[0] > 0.8 and col[1] < 0.2 and col[2] < 0.2


def _em_top(line) -> float:
    return mm(baseline(line.chars[0]) - 0.88 * line.size)


def _x(pt: float) -> float:
    """mm from the text-block left edge."""
    return mm(pt - LEFT)


def _masthead(path: Path, model):
    """Masthead rows of page 1: (text, size, em top mm, x0 mm, x1 mm), top to
    bottom then left to right; a joint masthead's 文件 (on a row's baseline)
    split off as a row of its own."""
    mh = model.masthead
    with open_pdf(path) as pdf:
        page = pdf.pages[0]
        lines = [l for l in page_lines(page) if any(_red(c) for c in l.chars) and l.size > 20]
        out = []
        for l in lines:
            groups = [l.chars]
            if mh.joint and l.text not in mh.rows and l.text != mh.suffix and l.text.endswith(mh.suffix):
                n = len(mh.suffix)
                groups = [l.chars[:-n], l.chars[-n:]]
            for g in groups:
                out.append(("".join(c["text"] for c in g), round(l.size, 2), mm(baseline(g[0]) - 0.88 * l.size),
                            _x(min(c["x0"] for c in g)), _x(max(c["x1"] for c in g))))
        return sorted(out, key=lambda r: (round(r[2]), r[3]))


@pytest.mark.parametrize("name", ["file", "joint", "upward", "letter", "minutes", "draft", "signers3"])
def test_masthead_same_in_both(outputs, name):
    pdf_path, lo_path, notice = outputs[name]
    model = layout_notice(notice)
    a, b = _masthead(pdf_path, model), _masthead(lo_path, model)
    assert [r[0] for r in a] == [r[0] for r in b], (name, a, b)
    assert a, name
    for ra, rb in zip(a, b):
        assert ra[1] == rb[1] == model.masthead.size_pt, (name, ra, rb)  # one size rule
        assert abs(ra[2] - rb[2]) <= TOL_MM, (name, "top", ra, rb)
        assert abs(ra[3] - rb[3]) <= TOL_MM and abs(ra[4] - rb[4]) <= TOL_MM, (name, "x", ra, rb)
    if model.masthead.joint:
        # the gap between the stacked names and 文件: the same, and as layout.yaml says
        suffix = [r for r in a if r[0] == model.masthead.suffix]
        for rows in (a, b):
            stack_right = max(r[4] for r in rows if r[0] != model.masthead.suffix)
            gap = [r for r in rows if r[0] == model.masthead.suffix][0][3] - stack_right
            assert abs(gap - mm(model.masthead.suffix_gap_pt)) <= TOL_MM, (name, gap)
        assert suffix


def test_minutes_masthead_says_jiyao_once(outputs):
    model = layout_notice(outputs["minutes"][2])
    for path in outputs["minutes"][:2]:
        (row,) = _masthead(path, model)
        assert row[0] == "信丰县招大引强工作调度会议纪要"


def _signer_rows(path: Path, notice):
    """Lines of page 1 with signer names: (text, x of 签发人 or None, x of the first name)."""
    with open_pdf(path) as pdf:
        out = []
        for l in page_lines(pdf.pages[0]):
            names = [s for s in notice.signers if s in l.text]
            if not names:
                continue
            label = next((c for c in l.chars if c["text"] == "签"), None)
            first = next(c for c in l.chars if c["text"] == names[0][0])
            out.append((l.text, _x(label["x0"]) if label else None, _x(first["x0"]), mm(baseline(l.chars[0]))))
        return out


@pytest.mark.parametrize("name", ["upward", "signers3"])
def test_signers_two_to_a_row_in_both(outputs, name):
    pdf_path, lo_path, notice = outputs[name]
    model = layout_notice(notice)
    expected = [list(r) for r in model.signers.rows]
    assert all(len(r) <= 2 for r in expected) and len(expected) == (len(notice.signers) + 1) // 2
    a, b = _signer_rows(pdf_path, notice), _signer_rows(lo_path, notice)
    assert len(a) == len(b) == len(expected), (a, b)
    for row, ra, rb in zip(expected, a, b):
        for s in row:
            assert s in ra[0] and s in rb[0]
        # names of every row start where the first row's do; 签发人 only on the first
        assert abs(ra[2] - rb[2]) <= TOL_MM, (ra, rb)
        assert abs(ra[2] - a[0][2]) <= TOL_MM and abs(rb[2] - b[0][2]) <= TOL_MM
        assert abs(ra[3] - rb[3]) <= TOL_MM, ("baseline", ra, rb)
    assert a[0][1] is not None and b[0][1] is not None and abs(a[0][1] - b[0][1]) <= TOL_MM
    # the 发文字号 on the last row's line
    for rows in (a, b):
        assert notice.number in rows[-1][0]


def _signature(path: Path, notice, model):
    """(x0, x1) in mm from the block's left of each name line and of the date, on the page with the date."""
    date = cn_date(notice.date)
    with open_pdf(path) as pdf:
        for page in pdf.pages:
            lines = page_lines(page)
            hit = [i for i, l in enumerate(lines) if l.text == date]
            if not hit:
                continue
            i = hit[-1]
            names = lines[i - len(model.signature.names):i]
            return [(l.text, _x(l.x0), _x(l.x1)) for l in names], (lines[i].text, _x(lines[i].x0), _x(lines[i].x1))
    raise AssertionError(f"no date line in {path}")


@pytest.mark.parametrize("name", ["file", "joint", "upward", "letter", "draft", "signers3", "no_organ", "order"])
def test_signature_same_in_both(outputs, name):
    """Each line at the edge the model anchors it by: a right-aligned name or
    date by its right end, a left-aligned one by its first character. (The
    other end may differ: LibreOffice lacks the office fonts' digits and sets
    a date's digits wider; the standard fixes only the anchored edge.)"""
    pdf_path, lo_path, notice = outputs[name]
    model = layout_notice(notice)
    sig = model.signature
    (na, da), (nb, db) = _signature(pdf_path, notice, model), _signature(lo_path, notice, model)
    assert [t for t, *_ in na] == [t for t, *_ in nb] == [s.text.replace("\u3000", "") for s in sig.names]
    for a, b, line in list(zip(na, nb, sig.names)) + [(da, db, sig.date)]:
        if line.anchor == "right":
            edge_a, edge_b, want = a[2], b[2], mm(line.x_pt + line.width_pt)
        else:
            edge_a, edge_b, want = a[1], b[1], mm(line.x_pt)
        assert abs(edge_a - edge_b) <= TOL_MM, (name, line.text, a, b)
        assert abs(edge_a - want) <= TOL_MM, (name, line.text, a, want)


def test_order_text_and_signature_lines_as_the_standard_sets_them(outputs):
    """命令 (GB/T 9704 10.2, 7.3.5.4), in both: the text two blank lines under
    the order number; the signer's title two 字 left of the 签名章 (the name),
    which ends four 字 in from the right two blank lines under the text; the
    date one blank line under it, ending four 字 in too."""
    pdf_path, lo_path, notice = outputs["order"]
    lay = load_layout()
    pitch, zi = lay.line_pitch_pt, lay.char_pitch_pt
    for path in (pdf_path, lo_path):
        with open_pdf(path) as pdf:
            lines = [l for l in page_lines(pdf.pages[0]) if l.size < 20]
        number = next(l for l in lines if l.text.replace(" ", "").startswith("第227号"))
        body = lines[lines.index(number) + 1]
        name = next(l for l in lines if l.text.startswith("总理"))
        date = lines[lines.index(name) + 1]
        before = lines[lines.index(name) - 1]
        steps = [(baseline(b.chars[0]) - baseline(a.chars[0])) / pitch for a, b in ((number, body), (before, name), (name, date))]
        # within a tenth of a line: LibreOffice places an exact line's baseline a point or two apart
        assert all(abs(s - want) < 0.1 for s, want in zip(steps, (3, 3, 2))), (path.name, steps)
        li, peng = (next(c for c in name.chars if c["text"] == ch) for ch in "理李")
        assert abs((peng["x0"] - li["x1"]) / zi - 2) < 0.2, (path.name, (peng["x0"] - li["x1"]) / zi)
        for line in (name, date):
            assert abs(mm(RIGHT - line.x1) - mm(4 * zi)) <= 1.0, (path.name, line.text, mm(RIGHT - line.x1))


def test_minutes_are_not_signed_in_either(outputs):
    pdf_path, lo_path, notice = outputs["minutes"]
    assert layout_notice(notice).signature is None
    date = cn_date(notice.date)
    for path in (pdf_path, lo_path):
        with open_pdf(path) as pdf:
            assert not any(l.text == date for p in pdf.pages for l in page_lines(p))


def test_no_organ_no_masthead_no_red(outputs):
    pdf_path, lo_path, notice = outputs["no_organ"]
    model = layout_notice(notice)
    assert model.masthead is None and not model.red_rule and not model.number_line
    for path in (pdf_path, lo_path):
        with open_pdf(path) as pdf:
            for page in pdf.pages:
                assert not [c for c in page.chars if _red(c)], path
                assert not red_rects(page, min_width_pt=10), path
                assert "文件" not in page.extract_text()
    # the title opens the page in both, at the same height
    tops = []
    for path in (pdf_path, lo_path):
        with open_pdf(path) as pdf:
            first = page_lines(pdf.pages[0])[0]
            assert first.text == notice.title
            tops.append(_em_top(first))
    assert abs(tops[0] - tops[1]) <= TOL_MM, tops


def test_red_rule_with_every_masthead_in_both(outputs):
    """文件 and 纪要 with a masthead draw the red rule in both; 信函 its double lines."""
    for name in ("file", "joint", "upward", "minutes", "draft", "minutes_no_number"):
        pdf_path, lo_path, notice = outputs[name]
        assert layout_notice(notice).red_rule
        tops = []
        for path in (pdf_path, lo_path):
            with open_pdf(path) as pdf:
                rules = red_rects(pdf.pages[0])
                assert rules, (name, path)
                tops.append(mm(min(r["top"] for r in rules)))
        assert abs(tops[0] - tops[1]) <= TOL_MM, (name, tops)


@pytest.mark.parametrize("name", ["file", "joint", "upward", "minutes", "draft"])
def test_number_line_and_red_rule_same_in_both(outputs, name):
    """The 发文字号 two lines under the masthead's em box and the red rule 4 mm
    under it, at the same height in both (they were 2-4 mm apart: the DOCX
    counted from the bottom of the masthead's exact line)."""
    pdf_path, lo_path, notice = outputs[name]
    model = layout_notice(notice)
    found = []
    for path in (pdf_path, lo_path):
        with open_pdf(path) as pdf:
            page = pdf.pages[0]
            rule = min(r["top"] for r in red_rects(page))
            number = None
            if notice.number:
                number = next(l for l in page_lines(page) if notice.number in l.text)
            found.append((mm(rule), _em_top(number) if number else None))
    (ra, na), (rb, nb) = found
    assert abs(ra - rb) <= TOL_MM, (name, ra, rb)
    if notice.number:
        assert abs(na - nb) <= TOL_MM, (name, na, nb)
        from tests.pdfmeasure import TOP
        assert abs(na - mm(TOP + model.number_top_pt)) <= TOL_MM, (name, na)


@pytest.mark.parametrize("name", ["file", "joint", "upward", "minutes", "draft"])
def test_title_and_addressee_same_height_in_both(outputs, name):
    """The title two lines under the red rule and the addressee one line
    under the title (or its note), at the same height in both: the DOCX
    counted the title from the rule's bottom to its em box, the PDF to its
    line (2.3 mm), and the addressee after a title note from the title
    (up to 7.7 mm); the page then broke at other lines."""
    pdf_path, lo_path, notice = outputs[name]
    first = notice.title.replace("\n", "")[:6]
    wanted = [first] + ([notice.addressee[:6]] if notice.addressee else [])
    tops = []
    for path in (pdf_path, lo_path):
        with open_pdf(path) as pdf:
            lines = page_lines(pdf.pages[0])
            tops.append([_em_top(next(l for l in lines if l.text.startswith(w))) for w in wanted])
    for a, b, w in zip(*tops, wanted):
        assert abs(a - b) <= TOL_MM, (name, w, a, b)


def test_attachment_names_start_at_one_x_in_both(outputs):
    """附件说明 with several attachments: every name (and its wrapped lines)
    starts where the model says, in both (the DOCX put them half a 字 further,
    the PDF right after each number: 4 mm apart)."""
    pdf_path, lo_path, notice = outputs["draft"]
    an = layout_notice(notice).attachment_note
    assert an.numbered
    for path in (pdf_path, lo_path):
        with open_pdf(path) as pdf:
            for att in notice.attachments:
                name = att.title.replace("\n", "")
                line = next(l for p in pdf.pages for l in page_lines(p) if name[:6] in l.text)
                first = line.text.index(name[:6])
                assert abs(_x(line.chars[first]["x0"]) - mm(an.name_x_pt)) <= TOL_MM, (path, name)
