"""Each rule: exactly that defect seeded into a compliant DOCX (the project's
own output) is found and named; the untouched document is clean. PDFs with
the defect are made by LibreOffice from the seeded DOCX (one soffice call)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from lxml import etree

from gongwen.check import RULES, check_file
from tests.check.conftest import mutate, para, q, replace_text, set_run, write


def _body(parts):
    return parts["word/document.xml"]


def _sect(parts):
    return _body(parts).find(f".//{q('sectPr')}")


def paper(parts):
    _sect(parts).find(q("pgSz")).set(q("w"), "12240")
    _sect(parts).find(q("pgSz")).set(q("h"), "15840")


def margins(parts):
    _sect(parts).find(q("pgMar")).set(q("top"), "1440")


def grid(parts):
    """Body text at 24 pt line pitch (in the styles: what a unit's template would do)."""
    for st in parts["word/styles.xml"].iter(q("style")):
        if st.get(q("styleId")) in ("gwBody", "gwH1", "gwH2", "gwH3", "gwH4"):
            sp = st.find(f"{q('pPr')}/{q('spacing')}")
            sp.set(q("line"), "480")
            sp.set(q("lineRule"), "exact")
    grid_el = _sect(parts).find(q("docGrid"))
    grid_el.getparent().remove(grid_el)  # else a client snaps the lines back to the 22-line grid


def body_font(parts):
    set_run(para(_body(parts), "为及时掌握"), "rFonts", eastAsia="宋体", ascii="宋体", hAnsi="宋体")


def text_color(parts):
    set_run(para(_body(parts), "为及时掌握"), "color", val="0000FF")


def masthead(parts):
    set_run(para(_body(parts), "信丰县商务局文件"), "color", val="000000")


def number(parts):
    replace_text(para(_body(parts), "信商字"), "〔2023〕18号", "[2023]第018号")


def red_rule(parts):
    for bdr in list(_body(parts).iter(q("pBdr")))[:1]:
        bdr.getparent().remove(bdr)


def title(parts):
    set_run(para(_body(parts), "关于开展"), "sz", val="36")


def addressee(parts):
    replace_text(para(_body(parts), "各乡（镇）"), "单位：", "单位:")


def indent(parts):
    p = para(_body(parts), "为及时掌握")
    t = next(p.iter(q("t")))
    t.text = "\u3000\u3000" + t.text
    ind = etree.SubElement(p.find(q("pPr")), q("ind"))
    ind.set(q("firstLine"), "0")


def headings(parts):
    set_run(para(_body(parts), "一、报送内容"), "rFonts", eastAsia="仿宋_GB2312", ascii="仿宋_GB2312")


def attach_note(parts):
    replace_text(para(_body(parts), "附件："), "附件：", "附件:")


def signature(parts):
    replace_text(para(_body(parts), "2023年6月5日"), "2023年6月5日", "2023年06月05日")


def note(parts):
    p = para(_body(parts), "（联系人")
    replace_text(p, "（联系人", "(联系人")


def attachment(parts):
    p = para(_body(parts), "附件2")
    pb = p.find(f"{q('pPr')}/{q('pageBreakBefore')}")
    pb.getparent().remove(pb)


def banji(parts):
    set_run(para(_body(parts), "抄送"), "sz", val="32")


def page_number(parts):
    for name, root in parts.items():
        if name.startswith("word/footer"):
            for t in root.iter(q("t")):
                if t.text and "—" in t.text:
                    t.text = t.text.replace("—", "-")


def table(parts):
    for tbl in list(_body(parts).iter(q("tbl")))[:1]:
        for p in tbl.iter(q("p")):
            set_run(p, "sz", val="18")


def line_break(parts):
    p = para(_body(parts), "请于6月15日")
    r = next(p.iter(q("r")))
    t = r.find(q("t"))
    head, tail = t.text[:10], t.text[10:]
    t.text = head
    br = etree.SubElement(r, q("br"))
    t2 = etree.SubElement(r, q("t"))
    t2.text = tail


def masthead_name(parts):  # for the upward notice
    pass


# Upward notice (份号, 密级, 签发人)
def copy_no(parts):
    p = para(_body(parts), "000123")
    ppr = p.find(q("pPr"))
    ind = ppr.find(q("ind"))
    if ind is None:
        ind = etree.SubElement(ppr, q("ind"))
    ind.set(q("left"), "640")


def secrecy(parts):
    set_run(para(_body(parts), "机密"), "rFonts", eastAsia="仿宋_GB2312", ascii="仿宋_GB2312")


def signer(parts):
    p = para(_body(parts), "信商字")
    runs = list(p.iter(q("r")))
    for r in runs[-2:]:
        set_font = r.find(f"{q('rPr')}/{q('rFonts')}")
        if set_font is not None:
            set_font.set(q("eastAsia"), "仿宋_GB2312")
            set_font.set(q("ascii"), "仿宋_GB2312")


FULL_CASES = [paper, margins, grid, body_font, text_color, masthead, number, red_rule, title, addressee, indent,
              headings, attach_note, signature, note, attachment, banji, page_number, table, line_break]
UPWARD_CASES = [copy_no, secrecy, signer]


def test_every_rule_has_a_seeded_case():
    assert {f.__name__ for f in FULL_CASES + UPWARD_CASES} == set(RULES)


def test_compliant_documents_are_clean(full_notice, upward_notice, tmp_path):
    for name, (docx, pdf) in {"full": full_notice, "upward": upward_notice}.items():
        for ext, data in (("docx", docx), ("pdf", pdf)):
            r = check_file(write(tmp_path, f"{name}.{ext}", data), layout=False)
            assert r.clean, [(f.rule, f.where, f.measured) for f in r.findings]


@pytest.mark.parametrize("seed", FULL_CASES + UPWARD_CASES, ids=lambda f: f.__name__)
def test_seeded_defect_is_found_in_the_docx(seed, full_notice, upward_notice, tmp_path):
    base = upward_notice if seed in UPWARD_CASES else full_notice
    path = write(tmp_path, "seeded.docx", mutate(base[0], seed))
    report = check_file(path, layout=False)
    rules = report.rules()
    assert seed.__name__ in rules, [(f.rule, f.where, f.measured) for f in report.findings]
    others = rules - {seed.__name__}
    # Only knock-on effects of the same defect may appear with it.
    allowed = {"paper": {"margins"}, "indent": set(), "grid": set()}.get(seed.__name__, set())
    assert others <= allowed, [(f.rule, f.measured) for f in report.findings]
    f = next(f for f in report.findings if f.rule == seed.__name__)
    assert f.clause.startswith("GB/T 9704-2012") and f.measured and f.expected and f.where


# -- the same defects in PDFs (made by LibreOffice from the seeded DOCX) ------------------------

def masthead_position(parts):
    """The masthead moved up: 35 mm below the block top no longer holds (seen in the layout)."""
    sp = para(_body(parts), "信丰县商务局文件").find(f"{q('pPr')}/{q('spacing')}")
    sp.set(q("before"), "200")


PDF_CASES = [paper, margins, grid, number, red_rule, title, signature, attach_note, banji, page_number, masthead_position]
PDF_RULE = {masthead_position: "masthead"}


@pytest.fixture(scope="module")
def seeded_pdfs(full_notice, tmp_path_factory) -> dict[str, Path]:
    exe = shutil.which("soffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("seeded")
    files = [write(out, "clean.docx", full_notice[0])]
    files += [write(out, f"{s.__name__}.docx", mutate(full_notice[0], s)) for s in PDF_CASES]
    with tempfile.TemporaryDirectory() as prof:
        subprocess.run([exe, f"-env:UserInstallation={Path(prof).as_uri()}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), *map(str, files)], check=True, capture_output=True, timeout=300)
    return {f.stem: f.with_suffix(".pdf") for f in files}


@pytest.mark.libreoffice
def test_libreoffice_pdf_of_the_compliant_docx_is_clean(seeded_pdfs):
    r = check_file(seeded_pdfs["clean"])
    assert r.clean, [(f.rule, f.where, f.measured) for f in r.findings]


@pytest.mark.libreoffice
@pytest.mark.parametrize("seed", PDF_CASES, ids=lambda f: f.__name__)
def test_seeded_defect_is_found_in_the_pdf(seed, seeded_pdfs):
    r = check_file(seeded_pdfs[seed.__name__])
    rule = PDF_RULE.get(seed, seed.__name__)
    assert rule in r.rules(), [(f.rule, f.where, f.measured) for f in r.findings]


@pytest.mark.libreoffice
def test_layout_only_defect_is_found_in_a_docx(full_notice, tmp_path):
    """The masthead's position is a layout matter: the DOCX check finds it by laying the document out."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    path = write(tmp_path, "moved.docx", mutate(full_notice[0], masthead_position))
    assert "masthead" not in check_file(path, layout=False).rules()
    r = check_file(path, layout=True)
    f = next(f for f in r.findings if f.rule == "masthead")
    assert f.source == "版面" and "版心上边缘" in f.measured


@pytest.mark.libreoffice
def test_many_docx_laid_out_in_one_run_give_the_same_reports(full_notice, tmp_path):
    from gongwen.check import check_files

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    a = write(tmp_path, "a.docx", mutate(full_notice[0], masthead_position))
    (tmp_path / "b").mkdir()
    b = write(tmp_path / "b", "a.docx", full_notice[0])  # same name, other folder
    together = check_files([a, b])
    alone = [check_file(a), check_file(b)]
    assert [r.rules() for r in together] == [r.rules() for r in alone] == [{"masthead"}, set()]


def test_common_fixed_28pt_line_spacing_is_not_an_error(full_notice, tmp_path):
    """固定值 28 磅 still puts 22 lines on a page: no false alarm. 29.5 磅 gives 21: found."""
    from gongwen.check.docx_rules import pitch_fits
    from gongwen.layout.spec import load_layout

    def spacing(twips):
        def seed(parts):
            for st in parts["word/styles.xml"].iter(q("style")):
                if st.get(q("styleId")) in ("gwBody", "gwH1", "gwH2", "gwH3", "gwH4"):
                    st.find(f"{q('pPr')}/{q('spacing')}").set(q("line"), str(twips))
        return seed

    assert "grid" not in check_file(write(tmp_path, "28.docx", mutate(full_notice[0], spacing(560))), layout=False).rules()
    assert "grid" in check_file(write(tmp_path, "29.docx", mutate(full_notice[0], spacing(590))), layout=False).rules()
    lay = load_layout()
    assert pitch_fits(lay.line_pitch_pt, lay) and not pitch_fits(lay.block_height_pt / lay.grid.lines + 0.1, lay)


# -- 命令（令）格式 (GB/T 9704 10.2): its own rules, and the 文件 rules still hold for a 文件 ----------

@pytest.fixture(scope="module")
def order_notice() -> tuple[bytes, bytes]:
    from gongwen import ROOT
    from tests.check.conftest import typeset_source

    # 河北省人民政府令, 令号 政府令〔2010〕第15号, the regulation on its own page
    return typeset_source((ROOT / "tests" / "fixtures" / "corpus" / "c04-hebei-ling.txt").read_text(encoding="utf-8"))


def order_masthead_at_35mm(parts):
    """The organ + 令 placed where a 文件's masthead goes (35 mm below the block top, not 20 mm)."""
    para(_body(parts), "河北省人民政府令").find(f"{q('pPr')}/{q('spacing')}").set(q("before"), str(round(35 / 25.4 * 1440)))


def file_masthead_at_20mm(parts):
    """A 文件's masthead placed where a 命令's goes."""
    para(_body(parts), "信丰县商务局文件").find(f"{q('pPr')}/{q('spacing')}").set(q("before"), str(round(20 / 25.4 * 1440)))


def order_no_left(parts):
    p = para(_body(parts), "政府令〔2010〕")
    etree.SubElement(p.find(q("pPr")), q("jc")).set(q("val"), "left")


def number_with_di(parts):
    replace_text(para(_body(parts), "信商字"), "〔2023〕18号", "〔2023〕第18号")


def test_compliant_order_is_clean(order_notice, tmp_path):
    for ext, data in zip(("docx", "pdf"), order_notice):
        r = check_file(write(tmp_path, f"order.{ext}", data), layout=False)
        assert r.clean, [(f.rule, f.where, f.measured) for f in r.findings]


def test_order_no_is_held_to_the_order_rules(order_notice, tmp_path):
    """The 令号 keeps its 第 (no 发文字号 finding) but must be centred."""
    r = check_file(write(tmp_path, "left.docx", mutate(order_notice[0], order_no_left)), layout=False)
    assert r.rules() == {"number"} and any("令号" in f.measured for f in r.findings), \
        [(f.rule, f.measured) for f in r.findings]


def test_di_in_a_file_number_is_still_found(full_notice, tmp_path):
    r = check_file(write(tmp_path, "di.docx", mutate(full_notice[0], number_with_di)), layout=False)
    assert [f.measured for f in r.findings if f.rule == "number"] == ["序号前加了“第”"]


@pytest.mark.libreoffice
def test_masthead_position_follows_the_format(order_notice, full_notice, tmp_path):
    """As LibreOffice lays them out: a 命令 at 20 mm and a 文件 at 35 mm are clean; each at the other's
    place is found; a 文件 number with 第 is found in the layout's text too."""
    from gongwen.check import check_files

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    files = [write(tmp_path, "order.docx", order_notice[0]),
             write(tmp_path, "order35.docx", mutate(order_notice[0], order_masthead_at_35mm)),
             write(tmp_path, "file20.docx", mutate(full_notice[0], file_masthead_at_20mm))]
    clean, order35, file20 = check_files(files, layout=True)
    assert clean.clean, [(f.source, f.rule, f.measured) for f in clean.findings]
    f = next(f for f in order35.findings if f.rule == "masthead")
    assert f.source == "版面" and f.measured.startswith("上边缘距版心上边缘 35") and f.expected.startswith("20 mm")
    assert order35.rules() == {"masthead"}, [(f.rule, f.measured) for f in order35.findings]
    f = next(f for f in file20.findings if f.rule == "masthead")
    assert f.measured.startswith("上边缘距版心上边缘 20") and f.expected.startswith("35")
