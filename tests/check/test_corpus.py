"""The draft corpus (tests/fixtures/drafts: real notices typed as units type
them) through 一键排版: import -> render -> check is clean, and the text of
every paragraph and table cell is kept, character for character. Also: no
false alarms on anything the project itself generates."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from gongwen import ROOT
from gongwen.check import check_file
from gongwen.check.docxread import read_docx
from gongwen.check.roles import flat
from gongwen.importer import import_file, import_notice

DRAFTS = ROOT / "tests" / "fixtures" / "drafts"


def _make_drafts():
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("make_drafts", DRAFTS / "make_drafts.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_drafts"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> list[Path]:
    mod = _make_drafts()
    out = tmp_path_factory.mktemp("drafts")
    if shutil.which("soffice") is None:
        return [mod.write(d, style, out) for d, style in mod.corpus()]
    return mod.main(out)


def _flat(text: str) -> str:
    return re.sub(r"[\s\u3000\u00a0]+", "", text)


def _notice_text(notice) -> str:
    from gongwen.notice.tree import Paragraph, Table

    parts = [notice.title, notice.addressee or "", notice.note or "", notice.cc or "", notice.printer or ""]
    parts += notice.signatures + [a.title for a in notice.attachments] + [a.subtitle or "" for a in notice.attachments]
    for blocks in [notice.body] + [a.body for a in notice.attachments]:
        for b in blocks:
            if isinstance(b, Paragraph):
                parts.append(b.text)
            elif isinstance(b, Table):
                parts.extend(c for row in b.header + b.rows for c in row)
                if b.title:
                    parts.append(b.title)
    return _flat("".join(parts))


def test_corpus_has_at_least_15_drafts_from_word_wps_and_libreoffice(corpus):
    assert len(corpus) >= 16
    assert any("libreoffice" in p.name for p in corpus) or shutil.which("soffice") is None
    sources = (DRAFTS / "SOURCES.md").read_text(encoding="utf-8")
    for p in corpus:
        stem = p.stem.removesuffix("-libreoffice")
        assert stem in sources, f"{stem} has no entry in SOURCES.md"


def test_drafts_have_findings(corpus):
    """The drafts as typed break the standard: the checker says so."""
    for p in corpus:
        r = check_file(p, layout=False)
        assert r.findings and not r.error, p.name
        assert {"margins", "grid"} <= r.rules(), (p.name, r.rules())


def test_text_is_kept(corpus):
    """Every body paragraph and table cell of the draft appears, in order, in the imported notice."""
    for p in corpus:
        notice, _ = import_notice(p)
        got = _notice_text(notice)
        doc = read_docx(p)
        pos = 0
        for para in doc.paras:
            want = _flat(para.shown)
            if len(want) < 8 or para.in_table and len(want) < 2:
                continue
            at = got.find(want, pos)
            if at < 0:
                at = got.find(want)  # front matter parts (title, date) are elsewhere
                if at < 0:
                    continue
            pos = at + len(want)
        # the labels the layout prints itself (抄送：) are not text to keep
        body = [re.sub(r"^(抄送|附件)[:：]", "", _flat(x.shown)) for x in doc.paras if len(_flat(x.shown)) > 30]
        missing = [b for b in body if b not in got]
        assert not missing, (p.name, missing[:3])


def test_import_render_check_is_clean(corpus, tmp_path):
    from gongwen.build import render

    result = render(corpus, tmp_path / "out", ["docx", "pdf"])
    assert len(result.rendered) == len(corpus)
    for r in result.rendered:
        for ext in ("docx", "pdf"):
            rep = check_file(r.files[ext], layout=False)
            assert rep.clean, (r.files[ext].name, [(f.rule, f.where, f.measured) for f in rep.findings])
        assert (tmp_path / "out" / f"{r.files['docx'].stem}.txt").is_file()


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_rendered_draft_is_clean_as_libreoffice_lays_it_out(corpus, tmp_path):
    from gongwen.build import render

    picks = [p for p in corpus if "libreoffice" in p.name or p.name.startswith("d05")]
    result = render(picks, tmp_path / "out", ["docx"])
    for r in result.rendered:
        rep = check_file(r.files["docx"], layout=True)
        assert rep.clean, [(f.source, f.rule, f.where, f.measured) for f in rep.findings]


def test_generated_notices_pass_clean(tmp_path):
    """Every example and test notice the project renders: DOCX (XML) and PDF."""
    from gongwen.build import render

    sources = [ROOT / "inputs" / "examples", ROOT / "tests" / "fixtures" / "notices"]
    result = render(sources, tmp_path, ["docx", "pdf"])
    for r in result.rendered:
        for path in r.files.values():
            rep = check_file(path, layout=False)
            assert rep.clean, (path.name, [(f.rule, f.where, f.measured) for f in rep.findings])


def test_importer_marks_guesses_and_normalises_forms(corpus):
    wps = next(p for p in corpus if p.name.startswith("d05"))
    result = import_file(wps)
    assert "# 请核对：发文字号原稿写作“信办字[2023]第31号”" in result.source
    assert "发文字号: 信办字〔2023〕31号" in result.source
    assert "成文日期: 2023年5月30日" in result.source
    assert "二〇二三年五月三十日" in result.source  # said in the comment


def test_automatic_numbering_is_read_as_text(corpus):
    wps = next(p for p in corpus if p.name.startswith("d05"))
    text = import_file(wps).source
    assert "\n一、指导思想\n" in text and "\n（一）" in text and "\n（二）" in text


def test_demo_campaign_build_passes_clean(tmp_path):
    """Every DOCX and PDF a demo campaign build writes (notices, bulletins, lists, forms, annual)."""
    from gongwen.build import build_campaign

    out = tmp_path / "out"
    build_campaign(ROOT / "inputs" / "xinfeng-2023", out, register_file=tmp_path / "发文登记.sqlite")
    files = sorted(p for p in out.rglob("*") if p.suffix in (".docx", ".pdf"))
    assert len(files) > 50
    bad = {}
    for path in files:
        rep = check_file(path, layout=False)
        if not rep.clean:
            bad[path.name] = [(f.rule, f.where, f.measured) for f in rep.findings] or rep.error
    assert not bad, bad


def test_masthead_in_a_text_box_is_recognised(tmp_path):
    """WPS and Word templates often put the red masthead in a text box."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml

    doc = Document()
    host = doc.add_paragraph()
    host._p.append(parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape style="width:440pt;height:60pt">'
        '<v:textbox><w:txbxContent><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:color w:val="FF0000"/>'
        '<w:sz w:val="72"/></w:rPr><w:t>信丰县商务局文件</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape>'
        '</w:pict></w:r>'))
    doc.add_paragraph("信商字〔2023〕18号").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("关于开展6月招商引资信息报送工作的通知").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("各乡（镇）人民政府：")
    doc.add_paragraph("为及时掌握全县招商引资工作进展，现就6月信息报送工作通知如下。")
    path = tmp_path / "box.docx"
    doc.save(path)
    text = import_file(path).source
    assert "发文机关: 信丰县商务局\n文件字样: 是\n发文字号: 信商字〔2023〕18号" in text
    assert "没有版头" not in text


def test_elements_are_recognised(corpus):
    """Title, 主送, 发文字号, 署名, 成文日期, 附注, 附件 names, 抄送 and 印发 come back as the unit typed them."""
    drafts = {d.name: d for d, _ in _make_drafts().corpus()}
    for p in corpus:
        d = drafts[p.stem.removesuffix("-libreoffice")]
        n, _ = import_notice(p)
        got = {
            "标题": n.title, "主送": n.addressee or "", "发文字号": n.number or "", "署名": n.signatures,
            "成文日期": f"{n.date.year}年{n.date.month}月{n.date.day}日" if n.date else "", "附注": n.note or "",
            "附件": [a.title for a in n.attachments], "抄送": (n.cc or "").rstrip("。"), "印发机关": n.printer or "",
        }
        want = {
            "标题": d.title, "主送": d.addressee, "发文字号": d.number, "署名": d.signature, "成文日期": d.date,
            "附注": d.note, "附件": [a.replace("\n", "") for a in d.attach_note], "抄送": d.cc, "印发机关": d.printer,
        }
        assert got == want, p.name


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_compliant_notices_saved_again_by_libreoffice_pass_clean(tmp_path):
    """A compliant notice opened and saved by another word processor (DOCX -> ODT -> DOCX) is still clean:
    the checker reads formatting, not this project's style names."""
    import subprocess
    import tempfile

    from gongwen.build import render
    from gongwen.check import check_files

    names = ["000-suzhou-bairi-jingsai.txt", "003-qiaocheng-ruogan-yijian.txt"]
    fixtures = ["upward.txt", "tables.txt", "letter.txt"]
    sources = [ROOT / "inputs" / "examples" / n for n in names] + [ROOT / "tests" / "fixtures" / "notices" / n for n in fixtures]
    result = render(sources, tmp_path / "gen", ["docx"])
    docx = [r.files["docx"] for r in result.rendered]
    with tempfile.TemporaryDirectory() as prof:
        base = ["soffice", f"-env:UserInstallation={Path(prof).as_uri()}", "--headless"]
        subprocess.run(base + ["--convert-to", "odt", "--outdir", str(tmp_path / "odt"), *map(str, docx)],
                       check=True, capture_output=True, timeout=300)
        subprocess.run(base + ["--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "back"),
                               *map(str, sorted((tmp_path / "odt").glob("*.odt")))], check=True, capture_output=True,
                       timeout=300)
    back = sorted((tmp_path / "back").glob("*.docx"))
    assert len(back) == len(docx)
    for rep in check_files(back):
        assert rep.clean, (rep.file, [(f.source, f.rule, f.where, f.measured) for f in rep.findings])


# -- the corpus of real compliant notices (tests/fixtures/corpus, origins in SOURCES.md) -----------

REAL = ROOT / "tests" / "fixtures" / "corpus"
# 命令 (c04, c05, c20), 纪要 (c19), format samples with × names and placeholders (c15, c23),
# signatures without a seal and dates left to fill in (c13, c16, c18)
LAID_OUT = ("c04", "c05", "c13", "c15", "c19", "c20", "c23")


@pytest.fixture(scope="module")
def real_notices(tmp_path_factory):
    from gongwen.build import render

    out = tmp_path_factory.mktemp("real")
    result = render([REAL], out, ["docx", "pdf"])
    return result.rendered


def test_real_notices_pass_clean(real_notices):
    """Every real notice of the corpus, rendered: its DOCX (XML rules) and its PDF have no findings."""
    assert len(real_notices) == len(list(REAL.glob("c*.txt"))) >= 23
    bad = {}
    for r in real_notices:
        for ext in ("docx", "pdf"):
            rep = check_file(r.files[ext], layout=False)
            if not rep.clean:
                bad[r.files[ext].name] = [(f.rule, f.where, f.measured) for f in rep.findings] or rep.error
    assert not bad, bad


def test_real_notices_are_read_as_their_format(real_notices):
    """命令 and 纪要 are recognised from the masthead; 份号, 密级, 紧急程度 and × numbers in samples."""
    from gongwen.check.docx_rules import parse

    docs = {r.files["docx"].name[:3]: parse(read_docx(r.files["docx"])) for r in real_notices}
    for name in ("c04", "c05", "c20"):
        assert docs[name].form == "命令" and docs[name].of("order_no") and not docs[name].of("title"), name
        assert not docs[name].of("number"), name
    assert docs["c19"].form == "纪要" and not docs["c19"].of("addressee")
    roles = {i.role: i.text for i in docs["c23"].items}
    assert roles["copy_no"] == "00001" and roles["secrecy"].startswith("机密★") and roles["urgency"] == "特急"
    assert flat(roles["number"]) == "×发〔××××〕××号" and roles["masthead"] == "×××××文件"
    assert flat(docs["c15"].first("number").text) == "×政复〔2013〕102号"
    for name in ("c13", "c16", "c18"):
        assert docs[name].of("signature") and docs[name].of("date"), name


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_real_notices_are_clean_as_libreoffice_lays_them_out(real_notices):
    from gongwen.check import check_files

    picks = [r.files["docx"] for r in real_notices if r.files["docx"].name[:3] in LAID_OUT]
    assert len(picks) == len(LAID_OUT)
    bad = {}
    for rep in check_files(picks, layout=True):
        if not rep.clean:
            bad[Path(rep.file).name] = [(f.source, f.rule, f.where, f.measured) for f in rep.findings] or rep.error
    assert not bad, bad


def test_real_orders_and_minutes_import_back(real_notices, tmp_path):
    """一键排版 of a rendered 命令 / 纪要: the format, the 令号 as written and the regulation's text come back."""
    from gongwen.build import render

    files = {r.files["docx"].name[:3]: r.files["docx"] for r in real_notices}
    order = import_file(files["c04"]).source
    for line in ("格式: 命令", "发文机关标志: 河北省人民政府令", "发文字号: 政府令〔2010〕第15号",
                 "标题: 河北省人工影响天气管理规定"):
        assert f"\n{line}\n" in order, order[:400]
    source = (REAL / "c04-hebei-ling.txt").read_text(encoding="utf-8")
    for para in re.findall(r"(?m)^第[一二三四五六七八九十]+条.*$", source):
        assert para in order
    minutes = import_file(files["c19"]).source
    assert "\n格式: 纪要\n" in minutes and "\n主送" not in minutes
    result = render([files["c04"], files["c05"], files["c19"]], tmp_path / "again", ["docx", "pdf"])
    for r in result.rendered:
        for path in r.files.values():
            rep = check_file(path, layout=False)
            assert rep.clean, (path.name, [(f.rule, f.where, f.measured) for f in rep.findings])
