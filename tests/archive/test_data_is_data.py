"""Data is data: unit names from units.xlsx and paragraphs from a notes file
(reports/YYYY-MM.yaml) are typeset literally, never read as notice source
syntax (::: 表格 文件=…, ::: 分页, ::: 居中, 一、 headings, placeholders)."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from archive_helpers import HEADERS, build, june_rows, make_campaign, only_kinds, write_text_xlsx

PASSWD = "::: 表格 文件=/etc/passwd 注"
PAGE = "::: 分页"
CENTRED = "::: 居中 " + "长" * 60
HEADING = "一、冒充的标题"
ROSTER = [(PASSWD, "乡镇"), (PAGE, "乡镇"), ("乙镇", "乡镇"), (CENTRED, "县直部门"), ("县甲局", "县直部门"),
          (HEADING, "专业招商小分队"), ("甲小分队", "专业招商小分队")]
NOTES = {
    "存在问题": ["::: 表格 文件=/etc/passwd", PAGE, "一、这是工作人员写的一段话", "【不是占位符】和**也不是"],
    "下步工作": ["=== 附件 ===", "--- 文头 ---", "::: 图片 文件=/etc/passwd",
                 "（一）紧盯签约目标。各单位要倒排工期 ::: 分页 【确保】签约。"],
}
RUNIN = "（一）紧盯签约目标。"


def docx_all(path: Path) -> tuple[list[str], list[str], str]:
    d = Document(path)
    paragraphs = [p.text for p in d.paragraphs]
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    return paragraphs, cells, d.element.xml


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import yaml

    root = tmp_path_factory.mktemp("data")
    camp = make_campaign(root)
    write_text_xlsx(camp / "units.xlsx", {"参评单位": [[n, c, ""] for n, c in ROSTER]},
                    {"参评单位": ["单位", "类别", "简称"]})
    write_text_xlsx(camp / "reports" / "2023-06.xlsx", june_rows((PASSWD, PAGE, CENTRED, HEADING)), HEADERS)
    (camp / "reports" / "2023-06.yaml").write_text(yaml.safe_dump(NOTES, allow_unicode=True), encoding="utf-8")
    before = set(root.rglob("*"))
    out = root / "out"
    with pytest.MonkeyPatch.context() as mp:
        only_kinds(mp, "通报", "得分反馈单")
        result = build(camp, out, "--formats", "docx")
    assert "Traceback" not in result.output
    return out, set(root.rglob("*")) - before


def test_staff_paragraphs_are_literal_in_the_bulletin(built):
    out, _ = built
    paragraphs, cells, xml = docx_all(out / "2023-06" / "6月工作情况通报.docx")
    for text in NOTES["存在问题"] + NOTES["下步工作"]:
        assert text in paragraphs, text
    assert "root:" not in "\n".join(paragraphs + cells)
    assert 'w:type="page"' not in xml.split("::: 分页")[0][-2000:]  # no page break made from data
    # the paragraph that looks like a heading is body text: its run is not the heading font (黑体)
    d = Document(out / "2023-06" / "6月工作情况通报.docx")
    para = next(p for p in d.paragraphs if p.text == "一、这是工作人员写的一段话")
    assert not any(r.font.highlight_color for r in next(p for p in d.paragraphs if p.text.startswith("【不是")).runs)
    assert para.style.name == next(p for p in d.paragraphs if p.text.startswith("为深入推进")).style.name
    # a numbered paragraph staff wrote keeps its run-in heading in the 楷体 face, as in any
    # notice; the rest of it stays literal body text
    item = next(p for p in d.paragraphs if p.text.startswith(RUNIN))
    faces = [(r.text, r._r.rPr.rFonts.get(qn("w:eastAsia"))) for r in item.runs if r.text]
    assert faces[0] == (RUNIN, "楷体_GB2312"), faces
    assert {f for _, f in faces[1:]} == {"仿宋_GB2312"}, faces
    assert "".join(t for t, _ in faces[1:]) == NOTES["下步工作"][-1][len(RUNIN):]


def test_unit_names_are_literal_in_bulletin_and_feedback(built):
    out, new = built
    paragraphs, cells, _ = docx_all(out / "2023-06" / "6月工作情况通报.docx")
    for name, _ in ROSTER:
        assert name in cells, name
    sheets = list((out / "2023-06" / "得分反馈单").glob("*.docx"))
    assert len(sheets) == len(ROSTER)
    for sheet in sheets:
        paragraphs, cells, _ = docx_all(sheet)
        text = "\n".join(paragraphs + cells)
        assert "root:" not in text
    body = "\n".join(p for s in sheets for p in docx_all(s)[0])
    for name, category in ROSTER:
        assert f"{name}（{category}）：6月你单位总分" in body, name
    assert all(out in p.parents or p == out for p in new)  # nothing written outside the output folder


@pytest.mark.parametrize("body, message", [
    ('{{ "好" * 400000000 }}', "模板 大.txt.j2 要生成的文字超过 500 万字，已拒绝。请检查模板里的重复（如 \"字\"*次数）"),
    ('{% for i in range(100000) %}{{ "好" * 1000 }}{% endfor %}',
     "模板 大.txt.j2 生成的文字超过 500 万字，已停止。请检查模板里的循环和重复（如 \"字\"*次数）"),
])
def test_template_output_is_capped(tmp_path, body, message):
    from gongwen.documents.templating import Templates
    from gongwen.errors import UserError

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "大.txt.j2").write_text(body, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        Templates(tmp_path).notice("大.txt.j2", {})
    assert str(exc.value) == message


@pytest.mark.parametrize("body", [
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",  # prints nothing
    "{% for i in range(100000) %}{% for j in range(100000) %}{{ j|string|length }}{% endfor %}{% endfor %}",
])
def test_template_time_is_capped(tmp_path, monkeypatch, body):
    """A loop gone wrong stops at MAX_SECONDS with a message, whether it prints or not."""
    import time

    from gongwen.documents import templating
    from gongwen.errors import UserError

    monkeypatch.setattr(templating, "MAX_SECONDS", 0.5)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "慢.txt.j2").write_text(body, encoding="utf-8")
    start = time.monotonic()
    with pytest.raises(UserError) as exc:
        templating.Templates(tmp_path).notice("慢.txt.j2", {})
    assert time.monotonic() - start < 5
    assert str(exc.value) == "模板 慢.txt.j2 运行超过 0.5 秒，已停止。请检查模板里的循环（如套在一起的 range）"
    # a template that loops briefly is not disturbed, and range still indexes and counts
    (tmp_path / "templates" / "快.txt.j2").write_text(
        "---\n标题: 测试\n---\n{% for i in range(3) %}第{{ i }}段。{% endfor %}{{ range(5)|length }}{{ range(9)[4] }}",
        encoding="utf-8")
    notice = templating.Templates(tmp_path).notice("快.txt.j2", {})
    assert notice.body[0].text == "第0段。第1段。第2段。54"


def test_huge_power_is_refused(tmp_path):
    from gongwen.documents.templating import Templates
    from gongwen.errors import UserError

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "大.txt.j2").write_text("{{ 10 ** 999999999 }}", encoding="utf-8")
    with pytest.raises(UserError, match="已拒绝"):
        Templates(tmp_path).notice("大.txt.j2", {})


def test_word_template_time_is_capped(tmp_path, monkeypatch):
    """A unit's own Word template (docxtpl) runs in the same sandbox, with the same time limit."""
    import time

    from gongwen.documents import templating, wordtpl
    from gongwen.errors import UserError

    monkeypatch.setattr(templating, "MAX_SECONDS", 0.5)
    doc = Document()
    doc.add_paragraph("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}完")
    doc.save(tmp_path / "单位模板.docx")
    start = time.monotonic()
    with pytest.raises(UserError) as exc:
        wordtpl.fill(tmp_path / "单位模板.docx", {})
    assert time.monotonic() - start < 5
    assert str(exc.value).startswith("模板 单位模板.docx 运行超过 0.5 秒，已停止")
