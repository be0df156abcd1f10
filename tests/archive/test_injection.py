"""Nothing injected: hostile unit names are typeset literally in DOCX and PDF,
stored as text in 得分明细.xlsx (never a formula), and never leave the output
folder as file names; a template reaching for Python internals is refused.

What is right per name (all are accepted by the roster and built):
  & < > " '            literal everywhere (no markup, no YAML, no XML breaks)
  tab and line break    literal in the DOCX cell; whitespace in the PDF text; _ in file names
  200 characters        literal; the feedback sheet's file name is cut to 80 characters
  🚀 (emoji)            literal in the DOCX and the PDF's text (drawn only if an emoji font is installed)
  𠮷 埇 (not GB2312)    literal (drawn by the fallback font)
  =1+1, @cmd            literal; in 得分明细.xlsx a text cell with a quote prefix, never a formula
  ../evil, a/b          literal in documents; file names _evil, a_b inside 得分反馈单/"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from docx import Document
from openpyxl import load_workbook

from archive_helpers import only_kinds, HEADERS, build, make_campaign, write_text_xlsx

LONG = "长" * 200
NAMES = {
    "markup": "A&B<c>\"d'e 招商局",
    "control": "控\t制\n镇",
    "emoji": "🚀招商局",
    "gb2312": "𠮷埇桥镇",
    "formula": "=1+1",
    "at": "@cmd",
    "dotdot": "../evil",
    "slash": "a/b",
}
ROSTER = [
    (NAMES["markup"], "专业招商小分队"), (NAMES["formula"], "专业招商小分队"),
    ("长" * 20, "县直部门"), (NAMES["emoji"], "县直部门"), (NAMES["at"], "县直部门"),
    (NAMES["control"], "乡镇"), (NAMES["gb2312"], "乡镇"), (NAMES["dotdot"], "乡镇"), (NAMES["slash"], "乡镇"),
]


def hostile_campaign(root, roster):
    camp = make_campaign(root)
    write_text_xlsx(camp / "units.xlsx", {"参评单位": [[n, c, ""] for n, c in roster]}, {"参评单位": ["单位", "类别", "简称"]})
    units = [NAMES["dotdot"], NAMES["formula"], NAMES["gb2312"], NAMES["markup"]]
    from archive_helpers import june_rows

    write_text_xlsx(camp / "reports" / "2023-06.xlsx", june_rows(units), HEADERS)
    return camp


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    camp = hostile_campaign(root, ROSTER)
    before = {p for p in root.rglob("*")}
    out = root / "out"
    with pytest.MonkeyPatch.context() as mp:
        only_kinds(mp, "通报", "得分反馈单")
        build(camp, out)
    new = {p for p in root.rglob("*")} - before
    return camp, out, new


def pdf_text(path) -> str:
    """The PDF's text (poppler's pdftotext), whitespace and page numbers (— 2 —) removed,
    so a paragraph running over a page reads on."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"—\d+—", "", re.sub(r"\s", "", text))


def docx_text(path) -> tuple[list[str], str]:
    d = Document(path)
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    return cells, "\n".join(p.text for p in d.paragraphs)


def test_names_typeset_literally_in_docx_and_pdf(hostile):
    _, out, _ = hostile
    cells, paragraphs = docx_text(out / "2023-06" / "6月工作情况通报.docx")
    text = pdf_text(out / "2023-06" / "6月工作情况通报.pdf")
    for key, name in NAMES.items():
        assert name in cells, key  # the ranking table's 单位 cell, exactly
        assert re.sub(r"\s", "", name) in text, key
    assert "&amp;" not in text and "&lt;" not in text and "_x" not in "".join(cells)
    assert f"共2个单位参评，{NAMES['markup']}位列第一" in paragraphs


def test_feedback_sheets_stay_in_their_folder(hostile):
    camp, out, new = hostile
    assert all(out in p.parents or p == out for p in new)  # nothing written outside the output folder
    sheets = sorted(p.name for p in (out / "2023-06" / "得分反馈单").iterdir())
    stems = sorted({p.rsplit(".", 1)[0] for p in sheets})
    assert stems == sorted(["A&B_c__d'e 招商局", "=1+1", "长" * 20, "🚀招商局", "@cmd", "控_制_镇", "𠮷埇桥镇", "_evil", "a_b"])
    assert not (out / "2023-06" / "evil.docx").exists() and not (out.parent / "evil.docx").exists()
    # each sheet names its unit literally
    cells, paragraphs = docx_text(out / "2023-06" / "得分反馈单" / "_evil.docx")
    assert NAMES["dotdot"] in paragraphs + "\n".join(cells)
    assert NAMES["dotdot"] in pdf_text(out / "2023-06" / "得分反馈单" / "_evil.pdf")


def test_scores_workbook_has_text_never_formulas(hostile):
    _, out, _ = hostile
    ws = load_workbook(out / "2023-06" / "得分明细.xlsx")["得分"]
    names = {}
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
        names[row[1].value] = row[1]
    assert set(NAMES.values()) <= set(names)
    for key in ("formula", "at"):
        cell = names[NAMES[key]]
        assert cell.data_type == "s" and cell.quotePrefix and cell.value == NAMES[key]
    raw = load_workbook(out / "2023-06" / "得分明细.xlsx", data_only=False)["得分"]
    assert all(not (isinstance(c.value, str) and c.data_type == "f") for r in raw.iter_rows() for c in r)


def test_a_200_character_name_gets_a_short_file_name(tmp_path, monkeypatch):
    camp = hostile_campaign(tmp_path, [(LONG, "县直部门"), ("甲镇", "乡镇"), ("甲小分队", "专业招商小分队")])
    write_text_xlsx(camp / "reports" / "2023-06.xlsx", {"信息报送": [[LONG, "2023-06-03"]]}, HEADERS)
    only_kinds(monkeypatch, "得分反馈单")
    build(camp, tmp_path / "out")
    from gongwen.filenames import safe_stem

    [pdf] = [p for p in (tmp_path / "out" / "2023-06" / "得分反馈单").glob("长*.pdf")]
    assert pdf.stem == safe_stem(LONG) and len(pdf.stem.encode("utf-8")) <= 180
    assert pdf.stem.startswith("长" * 50) and "～" in pdf.stem  # cut, with a stable suffix from its hash


def test_a_200_character_name_in_the_bulletin(tmp_path, monkeypatch):
    camp = hostile_campaign(tmp_path, [(LONG, "县直部门"), ("甲镇", "乡镇"), ("甲小分队", "专业招商小分队")])
    write_text_xlsx(camp / "reports" / "2023-06.xlsx", {"信息报送": [[LONG, "2023-06-03"]]}, HEADERS)
    only_kinds(monkeypatch, "通报")
    out = tmp_path / "out"
    build(camp, out)
    cells, paragraphs = docx_text(out / "2023-06" / "6月工作情况通报.docx")
    assert LONG in cells and f"{LONG}位列第一" in paragraphs
    assert f"{LONG}位列第一" in pdf_text(out / "2023-06" / "6月工作情况通报.pdf")


def test_template_reaching_for_internals_is_refused(tmp_path, fast):
    camp = make_campaign(tmp_path)
    (camp / "templates").mkdir()
    (camp / "templates" / "通报.txt.j2").write_text("---\n标题: 测试\n---\n{{ ''.__class__.__mro__ }}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = build(camp, out, code=2)
    assert "错误：模板 通报.txt.j2 试图访问程序内部，已拒绝" in result.stderr
    assert "模板只能使用提供给它的数据。" in result.stderr.replace("\n", "")
    assert not out.exists()
    (camp / "templates" / "通报.txt.j2").write_text(
        "---\n标题: 测试\n---\n{{ cycler.__init__.__globals__.os.popen('id').read() }}\n", encoding="utf-8")
    result = build(camp, out, code=2)
    assert "试图访问程序内部，已拒绝" in result.stderr and not out.exists()
