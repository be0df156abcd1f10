"""The layout model (gongwen/layout): the typed styles/layout.yaml, the
decisions layout_notice() makes, the package layering, and placeholders as
spans of the tree, shown by both writers."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import docx
import pytest
import yaml

from gongwen import ROOT, STYLES_DIR
from gongwen.errors import UserError
from gongwen.layout.model import layout_notice, masthead_size
from gongwen.layout.spec import load_layout, parse_layout
from gongwen.notice.source import notice_from_source, read_source
from gongwen.notice.tree import Paragraph, Table
from gongwen.writers.docx import write_docx
from gongwen.writers.pdf import write_pdf
from tests.pdfmeasure import open_pdf

L = load_layout()
FIXTURES = ROOT / "tests" / "fixtures" / "notices"
RAW = yaml.safe_load((STYLES_DIR / "layout.yaml").read_text(encoding="utf-8"))


def _source(front: str, body: str = "正文。") -> str:
    return f"---\n{front}\n---\n{body}\n"


# -- styles/layout.yaml ---------------------------------------------------------------

def test_layout_yaml_is_typed_and_keeps_attribute_access():
    assert isinstance(L.masthead.max_size_pt, float) and isinstance(L.grid.chars, int)
    assert abs(L.block_width_pt - 156 * 72 / 25.4) < 1e-9
    assert L.sizes_pt["er_hao"] == L.size("er_hao") == 22


@pytest.mark.parametrize("path, value, key, reason", [
    (("masthead", "max_size"), 48, "masthead.max_size", "不认识这个键"),
    (("grid", "chars"), "二十八", "grid.chars", "应为整数"),
    (("masthead", "joint_gap_em"), "一字", "masthead.joint_gap_em", "应为数字"),
    (("colors", "red"), "红色", "colors.red", ""),
    (("page", "width_mm"), -210, "page.width_mm", "数值过小"),
])
def test_layout_yaml_error_names_the_key_in_chinese(path, value, key, reason):
    data = copy.deepcopy(RAW)
    data[path[0]][path[1]] = value
    with pytest.raises(UserError) as exc:
        parse_layout(data, "styles/layout.yaml")
    text = str(exc.value)
    assert "styles/layout.yaml 有误" in text and f"键 {key}：" in text and reason in text, text


def test_layout_yaml_missing_key_is_named():
    data = copy.deepcopy(RAW)
    del data["number"]["signers_per_row"]
    with pytest.raises(UserError, match="键 number.signers_per_row：缺少必填项"):
        parse_layout(data)


def test_layout_yaml_misspelt_key_gets_a_suggestion():
    data = copy.deepcopy(RAW)
    data["masthead"]["min_size"] = data["masthead"].pop("min_size_pt")
    with pytest.raises(UserError) as exc:
        parse_layout(data)
    assert "masthead.min_size：不认识这个键，是否想写“min_size_pt”？" in str(exc.value)


# -- layering ---------------------------------------------------------------------------

def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


# The one module of gongwen.notice that may name gongwen.layout: a re-export
# of the old place for modules of other work (see its docstring).
SHIM = ROOT / "gongwen" / "notice" / "layout.py"


def test_notice_never_imports_layout_and_layout_never_imports_writers():
    for path in sorted((ROOT / "gongwen" / "notice").glob("*.py")):
        if path == SHIM:
            continue
        bad = [m for m in _imports(path) if m == "gongwen.layout" or m.startswith("gongwen.layout.")]
        assert not bad, f"{path.name} imports {bad}: gongwen.notice must not depend on gongwen.layout"
    for path in sorted((ROOT / "gongwen" / "layout").glob("*.py")):
        bad = [m for m in _imports(path) if m.startswith(("gongwen.writers", "gongwen.documents", "gongwen.cli"))]
        assert not bad, f"{path.name} imports {bad}"


# -- decisions -------------------------------------------------------------------------

def test_masthead_size_floors_to_the_step_and_counts_the_joint_gap():
    # 18 字 (16 + 文件): 156 mm / 18 = 24.57 pt -> 24.5
    assert masthead_size(("宿州市招商引资工作领导小组办公室",), "文件", L) == 24.5
    # joint: 10 + 2 + 1 字 gap = 13 -> 34.0
    assert masthead_size(("中共信丰县委办公室", "信丰县人民政府办公室"), "文件", L) == 34.0
    assert masthead_size(("信丰县开放办",), "", L) == L.masthead.max_size_pt
    assert masthead_size(("很" * 40,), "文件", L) == L.masthead.min_size_pt


def test_no_organ_no_masthead_no_number_line_no_rule():
    n = notice_from_source(_source("标题: 得分反馈单\n发文字号: 信开放办〔2023〕7号"))
    pm = layout_notice(n)
    assert pm.masthead is None and not pm.number_line and not pm.red_rule and pm.title_lines_above == 0


def test_minutes_without_number_keep_the_red_rule():
    n = notice_from_source(_source("格式: 纪要\n发文机关: 信丰县人民政府办公室\n标题: 调度会议纪要"))
    pm = layout_notice(n)
    assert pm.red_rule and pm.number_line and pm.masthead.rows == ("信丰县人民政府办公室",)
    assert pm.masthead.suffix == "纪要" and pm.signature is None


def test_letter_has_no_red_rule_of_its_own():
    pm = layout_notice(read_source(FIXTURES / "letter.txt"))
    assert pm.masthead is not None and not pm.red_rule and not pm.number_line and pm.masthead.suffix == ""


def test_signers_two_to_a_row():
    n = notice_from_source(_source("发文机关: 甲局\n签发人: [张三, 李四, 王五]\n发文字号: 甲〔2023〕1号\n标题: 请示"))
    sg = layout_notice(n).signers
    assert sg.rows == (("张三", "李四"), ("王五",))
    assert sg.names_x_pt > sg.label_x_pt > sg.number_x_pt


def test_table_decisions_are_in_the_model():
    n = read_source(FIXTURES / "tables.txt")
    pm = layout_notice(n)
    tables = [b for b in n.body if isinstance(b, Table)]
    assert tables and all(id(t) in pm.tables for t in tables)
    for t in tables:
        tm = pm.table(t)
        width = L.block_height_pt if tm.landscape else L.block_width_pt
        assert abs(sum(tm.widths) - width) < 1e-6 and len(tm.widths) == t.ncols


def test_banji_own_page_is_filled_in_by_the_caller():
    n = read_source(FIXTURES / "long-body.txt")
    assert layout_notice(n).banji_own_page is False
    assert layout_notice(n, banji_own_page=True).banji_own_page is True
    assert layout_notice(n).with_banji_own_page(True).banji_own_page is True


# -- placeholders -----------------------------------------------------------------------

def _blocks(n):
    return list(n.body) + [b for a in n.attachments for b in a.body]


def test_placeholders_are_spans_of_the_tree():
    n = read_source(FIXTURES / "draft.txt")
    paras = [b for b in _blocks(n) if isinstance(b, Paragraph) and b.placeholders]
    assert len(paras) == 3
    for p in paras:
        assert all(p.text[a:b] == "**" for a, b in p.placeholders)
    (table,) = [b for b in _blocks(n) if isinstance(b, Table) and b.placeholders]
    cells = {(r, c): spans for (r, c), spans in table.placeholders.items()}
    assert cells and all((table.header + table.rows)[r][c][a:b] == "**" for (r, c), s in cells.items() for a, b in s)
    # 【…】 too, and nothing where there is none; the text stays as written
    p = notice_from_source(_source("标题: 甲", "请于【日期】前报送，联系人**。")).body[0]
    assert [p.text[a:b] for a, b in p.placeholders] == ["【日期】", "**"]
    assert p.text == "请于【日期】前报送，联系人**。"
    assert notice_from_source(_source("标题: 甲", "无占位。")).body[0].placeholders == ()


def _shade_rgb():
    h = L.placeholder.shade.lstrip("#")
    return tuple(round(int(h[i:i + 2], 16) / 255, 2) for i in (0, 2, 4))


def test_placeholders_highlighted_in_docx_and_shaded_in_pdf(tmp_path):
    n = read_source(FIXTURES / "draft.txt")
    spans = sum(len(b.placeholders) for b in _blocks(n) if isinstance(b, Paragraph))
    spans += sum(len(s) for b in _blocks(n) if isinstance(b, Table) for s in b.placeholders.values())
    # DOCX: exactly the spans' runs are highlighted
    d = docx.Document(str(write_docx(n, tmp_path / "draft.docx")))
    runs = [r for p in d.paragraphs for r in p.runs] + [
        r for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    marked = [r.text for r in runs if r.font.highlight_color is not None]
    assert marked == ["**"] * spans
    # PDF: a shading rectangle under each span's characters, nothing else shaded
    res = write_pdf(n, tmp_path / "draft.pdf", base_url=str(FIXTURES))
    shaded = []
    with open_pdf(res.path) as pdf:
        for page in pdf.pages:
            for r in page.rects:
                col = r.get("non_stroking_color")
                if isinstance(col, (tuple, list)) and tuple(round(float(v), 2) for v in col) == _shade_rgb():
                    under = [c for c in page.chars if c["x0"] >= r["x0"] - 0.5 and c["x1"] <= r["x1"] + 0.5
                             and c["top"] >= r["top"] - 3 and c["bottom"] <= r["bottom"] + 3]
                    shaded.append("".join(c["text"] for c in under))
    assert shaded == ["**"] * spans


def test_shading_moves_no_glyph_and_keeps_the_text(tmp_path):
    """The same notice with and without its spans: every character at the same place, in the same order."""
    n = read_source(FIXTURES / "draft.txt")
    plain = read_source(FIXTURES / "draft.txt")
    for b in _blocks(plain):
        if isinstance(b, Paragraph):
            b.placeholders = ()
        elif isinstance(b, Table):
            b.placeholders = {}
    a = write_pdf(n, tmp_path / "a.pdf", base_url=str(FIXTURES)).path
    b = write_pdf(plain, tmp_path / "b.pdf", base_url=str(FIXTURES)).path
    with open_pdf(a) as pa, open_pdf(b) as pb:
        assert len(pa.pages) == len(pb.pages)
        for x, y in zip(pa.pages, pb.pages):
            key = lambda c: (c["text"], round(c["x0"], 3), round(c["top"], 3), c["fontname"])  # noqa: E731
            assert [key(c) for c in x.chars] == [key(c) for c in y.chars]


def test_number_and_addressee_placeholders_are_spans_and_shown(tmp_path):
    """A number still to be given and an addressee to be filled in: spans of
    the notice's fields, highlighted in the DOCX and shaded in the PDF."""
    n = notice_from_source(_source("发文机关: 信丰县扩大开放工作领导小组办公室\n发文字号: 信开放办〔2023〕**号\n"
                                   "主送: 【主送机关】：\n标题: 关于报送材料的通知", "请按时报送。"))
    assert n.placeholders == {"number": ((10, 12),), "addressee": ((0, 6),)}
    d = docx.Document(str(write_docx(n, tmp_path / "n.docx")))
    marked = [r.text for p in d.paragraphs for r in p.runs if r.font.highlight_color is not None]
    assert marked == ["**", "【主送机关】"]
    res = write_pdf(n, tmp_path / "n.pdf")
    with open_pdf(res.path) as pdf:
        page = pdf.pages[0]
        shaded = []
        for r in page.rects:
            col = r.get("non_stroking_color")
            if isinstance(col, (tuple, list)) and tuple(round(float(v), 2) for v in col) == _shade_rgb():
                shaded.append("".join(c["text"] for c in page.chars if c["x0"] >= r["x0"] - 0.5
                                      and c["x1"] <= r["x1"] + 0.5 and c["top"] >= r["top"] - 3
                                      and c["bottom"] <= r["bottom"] + 3))
    assert sorted(shaded) == sorted(["**", "【主送机关】"])
