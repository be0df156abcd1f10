"""DOCX writer: the written file read back with python-docx/lxml, facts
measured in the XML (page set-up, grid, styles, fonts, footers, tables)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Length

from gongwen.notice.fonts import office_font
from gongwen.layout.spec import load_layout
from gongwen.notice.source import notice_from_source, read_source
from gongwen.writers.docx import write_docx

ROOT = Path(__file__).resolve().parent.parent

FILLER = "各地各部门要高度重视，精心组织，加强调度，确保活动取得实效，推动招商引资工作再上新台阶。"
LONG_ROWS = "\n".join(f"{i} | {'埇桥区' if i % 2 else '砀山县'} | 项目{i}号 | {i * 3}.50 | 已签约" for i in range(1, 46))
WIDE_ROWS = "\n".join(" | ".join([f"{r}"] + [f"{r * c}" for c in range(1, 10)]) for r in range(1, 6))

SOURCES: dict[str, str] = {
    # A 文件 notice: several pages of body, all heading levels, run-in
    # headings, placeholders, a long table, a wide (landscape) table, an
    # attachment with text, 份号/密级/紧急程度, no seal, 附注, 版记.
    "file": f"""---
发文机关: 宿州市招商引资工作领导小组办公室
发文字号: 宿招组办〔2020〕4号
份号: "000123"
密级: 机密
保密期限: 1年
紧急程度: 特急
标题: 关于印发《宿州市招商引资“百日竞赛”活动实施方案》的通知
主送: 各县区人民政府、市直有关单位：
成文日期: 2020年9月17日
附注: 联系人：张三，电话：0557-3021234
附件:
  - 宿州市招商引资“百日竞赛”活动实施方案
  - 重点项目推进情况表
抄送: [市委办公室, 市人大常委会办公室, 市政府办公室, 市政协办公室]
印发机关: 宿州市招商引资工作领导小组办公室
印发日期: 2020年9月18日
---
经市政府同意，现将《宿州市招商引资“百日竞赛”活动实施方案》印发给你们，请认真贯彻执行。{FILLER}{FILLER}
一、总体要求
（一）指导思想。坚持以新发展理念为引领，聚焦主导产业，开展精准招商。{FILLER}
1.目标任务。活动期间全市新签约亿元以上项目**个，新开工项目【数量】个。{FILLER}
（1）县区目标。各县区要对照目标任务，细化分解到月、到周、到人。{FILLER}
（二）基本原则
{FILLER}{FILLER}{FILLER}
二、工作措施
{FILLER}{FILLER}{FILLER}{FILLER}
{FILLER}{FILLER}{FILLER}{FILLER}
{FILLER}{FILLER}{FILLER}{FILLER}
{FILLER}{FILLER}{FILLER}
::: 表格 标题=重点项目推进情况 列宽=1,2,3,2,2
序号 | 县区 | 项目 | 投资额（亿元） | 进度
{LONG_ROWS}
:::
::: 表格 标题=各县区月度指标
县区 | 1月 | 2月 | 3月 | 4月 | 5月 | 6月 | 7月 | 8月 | 9月
{WIDE_ROWS}
:::
三、组织保障
{FILLER}{FILLER}

=== 附件1 ===
宿州市招商引资“百日竞赛”活动实施方案

一、总体要求
（一）宣传发动阶段（2020年9月上旬）。印发方案，召开动员会。{FILLER}
""",
    # Joint issuance by an upward document with two signers and a seal;
    # its 版记 goes alone onto a new even page.
    "joint": f"""---
发文机关: [宿州市商务局, 宿州市发展和改革委员会, 宿州市财政局]
发文字号: 宿商〔2021〕12号
签发人: [王一, 李二, 赵三]
标题: 关于申请2021年度招商引资专项资金的请示
主送: 宿州市人民政府：
成文日期: 2021年3月5日
印章: 是
抄送: 市委办公室。
印发机关: 宿州市商务局办公室
印发日期: 2021年3月6日
---
为加快推进重点产业招商，现就申请专项资金有关事项请示如下。{FILLER}
一、资金用途
{FILLER}{FILLER}
妥否，请批示。
""",
    "letter": f"""---
格式: 信函
发文机关: 信丰县商务局
发文字号: 信商函〔2023〕25号
标题: 关于商请协助开展电子信息产业链招商对接活动的函
主送: 深圳市线路板行业协会：
成文日期: 2023年6月12日
印章: 是
抄送: [县委办公室, 县政府办公室]
---
贵会长期致力于推动线路板行业交流合作，在业内具有广泛影响力。{FILLER}{FILLER}
一、协助邀请会员企业参会。{FILLER}{FILLER}{FILLER}
二、协助开展项目对接。{FILLER}{FILLER}{FILLER}{FILLER}{FILLER}
三、联合发布产业合作信息。{FILLER}{FILLER}{FILLER}{FILLER}{FILLER}{FILLER}
特此函达，盼复。
""",
    "minutes": f"""---
格式: 纪要
发文机关: 信丰县人民政府办公室
发文机关标志: 信丰县招大引强工作调度会议
发文字号: 信府办纪〔2023〕5号
标题: 全县招大引强“百日攻坚”6月第一次调度会议纪要
署名: []
成文日期: 2023年6月16日
出席: [张建华（县长）, 李卫东（常务副县长）, 县商务局、县发改委、县工信局、县自然资源局、县财政局、高新区管委会主要负责同志]
请假: 周志刚（副县长）
列席: 各专业招商小分队队长
抄送: 县委办公室。
印发机关: 信丰县人民政府办公室
印发日期: 2023年6月17日
---
2023年6月15日下午，县长张建华主持召开调度会议。{FILLER}
一、关于攻坚月任务完成情况
{FILLER}{FILLER}
""",
}
OWN_PAGE = {"joint"}


def build(name: str, out_dir: Path) -> Path:
    notice = notice_from_source(SOURCES[name], where=name)
    return write_docx(notice, out_dir / f"{name}.docx", banji_own_page=name in OWN_PAGE)


LAYOUT = load_layout()
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("docx")
    return {name: build(name, out) for name in SOURCES}


@pytest.fixture(scope="module")
def docs(written):
    return {name: docx.Document(str(path)) for name, path in written.items()}


def _mm(length: Length) -> float:
    return length.mm


def _part_xml(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(member).decode("utf-8")


def _style_font(document, name: str) -> str:
    rfonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
    return rfonts.get(qn("w:eastAsia"))


def test_sections_are_a4_with_standard_margins(docs):
    p = LAYOUT.page
    for name, d in docs.items():
        portrait = [s for s in d.sections if s.page_width < s.page_height]
        assert portrait, name
        for s in portrait:
            assert abs(_mm(s.page_width) - p.width_mm) < 0.1 and abs(_mm(s.page_height) - p.height_mm) < 0.1
            assert abs(_mm(s.top_margin) - p.margin_top_mm) < 0.1, name
            assert abs(_mm(s.bottom_margin) - p.margin_bottom_mm) < 0.1
            assert abs(_mm(s.left_margin) - p.margin_left_mm) < 0.1
            assert abs(_mm(s.right_margin) - p.margin_right_mm) < 0.1


def test_line_grid_and_body_style(docs):
    d = docs["file"]
    for s in d.sections:
        grid = s._sectPr.find(qn("w:docGrid"))
        assert grid.get(qn("w:type")) == "lines"
        assert grid.get(qn("w:linePitch")) == "579"
        assert grid.get(qn("w:charSpace")) is None
    body = d.styles["正文"].element
    spacing = body.pPr.find(qn("w:spacing"))
    assert (spacing.get(qn("w:line")), spacing.get(qn("w:lineRule"))) == ("579", "exact")
    assert body.pPr.find(qn("w:jc")).get(qn("w:val")) == "both"
    indent = body.pPr.find(qn("w:ind"))
    assert abs(int(indent.get(qn("w:firstLine"))) / 20 - 2 * LAYOUT.char_pitch_pt) < 0.1
    assert body.rPr.find(qn("w:spacing")).get(qn("w:val")) == "-5"
    assert body.rPr.find(qn("w:sz")).get(qn("w:val")) == "32"


def test_chinese_styles_name_their_fonts(docs):
    d = docs["file"]
    expected = {
        "正文": office_font("body"), "标题": office_font("title"), "一级标题": office_font("heading1"),
        "二级标题": office_font("heading2"), "三级标题": office_font("body"), "四级标题": office_font("body"),
        "发文机关标志": office_font("masthead"), "发文字号": office_font("body"), "附件标识": office_font("label"),
        "附件标题": office_font("title"), "抄送": office_font("banji"), "页码": office_font("page_number"),
        "表头": office_font("table_header"), "表格文字": office_font("body"), "署名": office_font("body"),
    }
    for name, font in expected.items():
        assert _style_font(d, name) == font, name
    assert expected["正文"] == "仿宋_GB2312" and expected["一级标题"] == "黑体"


def test_no_theme_fonts_anywhere(written):
    for path in written.values():
        for member in ("word/styles.xml", "word/document.xml", "word/stylesWithEffects.xml"):
            xml = _part_xml(path, member)
            assert "Theme=" not in xml and "w:cstheme" not in xml, (path.name, member)
        rfonts = re.findall(r"<w:rFonts [^>]*>", _part_xml(path, "word/document.xml"))
        assert rfonts and all('w:eastAsia="' in f and 'w:ascii="' in f and 'w:hAnsi="' in f for f in rfonts)


def _paragraphs_by_text(d, start: str):
    return [p for p in d.paragraphs if p.text.startswith(start)]


def test_headings_use_heading_styles_and_run_in_fonts(docs):
    d = docs["file"]
    h1 = _paragraphs_by_text(d, "一、总体要求")[0]
    assert h1.style.name == "一级标题"
    runin = _paragraphs_by_text(d, "（一）指导思想。")[0]
    assert runin.style.name == "二级标题"
    fonts = [(r.text, r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))) for r in runin.runs]
    assert fonts[0] == ("（一）指导思想。", "楷体_GB2312")
    assert fonts[1][1] == "仿宋_GB2312" and fonts[1][0].startswith("坚持")
    assert _paragraphs_by_text(d, "1.目标任务")[0].style.name == "三级标题"
    assert _paragraphs_by_text(d, "（1）县区目标")[0].style.name == "四级标题"
    standalone = _paragraphs_by_text(d, "（二）基本原则")[0]
    assert len(standalone.runs) == 1 and standalone.paragraph_format.keep_with_next


def test_placeholders_highlighted(docs):
    p = _paragraphs_by_text(docs["file"], "1.目标任务")[0]
    marked = [r.text for r in p.runs if r._r.rPr.find(qn("w:highlight")) is not None]
    assert marked == ["**", "【数量】"]
    assert "**" in p.text and "【数量】" in p.text
    for r in p.runs:
        if r.text not in marked:
            assert r._r.rPr.find(qn("w:highlight")) is None


def test_title_lines_and_masthead(docs):
    from gongwen.notice.titles import title_lines

    d = docs["file"]
    (title,) = [p for p in d.paragraphs if p.style.name == "标题"]
    notice = notice_from_source(SOURCES["file"])
    assert title.text == "\n".join(title_lines(notice.title, LAYOUT.title.max_chars_per_line))
    assert title.runs[0]._r.rPr.find(qn("w:sz")).get(qn("w:val")) == "44"
    (mast,) = [p for p in d.paragraphs if p.style.name == "发文机关标志"]
    assert mast.text == "宿州市招商引资工作领导小组办公室文件"
    rpr = mast.runs[0]._r.rPr
    assert rpr.find(qn("w:color")).get(qn("w:val")) == LAYOUT.colors.red.lstrip("#").upper()
    size = int(rpr.find(qn("w:sz")).get(qn("w:val"))) / 2
    assert LAYOUT.masthead.min_size_pt <= size <= LAYOUT.masthead.max_size_pt
    assert size * len(mast.text) <= LAYOUT.block_width_pt + 0.01
    (number,) = [p for p in d.paragraphs if p.style.name == "发文字号"]
    assert number.text == "宿招组办〔2020〕4号" and number.style.paragraph_format.alignment == 1  # centre
    rule = [p for p in d.paragraphs if p.style.name == "版头分隔线"][0]
    bottom = rule._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:color")) == "FF0000"
    assert [p.text for p in d.paragraphs[:3]] == ["000123", "机密★1年", "特急"]
    assert d.paragraphs[1].runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"


def test_footers_odd_even_with_page_field(docs, written):
    d = docs["file"]
    settings = d.settings.element
    assert settings.find(qn("w:evenAndOddHeaders")) is not None
    s = d.sections[0]
    for footer, align in ((s.footer, "right"), (s.even_page_footer, "left")):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p._p.pPr.find(qn("w:jc")).get(qn("w:val")) == align
        ind = p._p.pPr.find(qn("w:ind"))
        assert abs(int(ind.get(qn(f"w:{align}"))) / 20 - LAYOUT.char_pitch_pt) < 0.1
        assert "宋体" in xml


def test_letter_has_no_number_on_first_page(docs):
    s = docs["letter"].sections[0]
    assert s.different_first_page_header_footer
    assert "PAGE" not in s.first_page_footer._element.xml
    assert "信丰县商务局" in s.first_page_header._element.xml  # masthead 30 mm from the paper top
    assert abs(_mm(s.header_distance) - LAYOUT.masthead.letter_top_from_paper_mm) < 0.1


def test_tables_repeat_header_and_keep_rows(docs):
    d = docs["file"]
    long_table = d.tables[0]
    rows = long_table._tbl.findall(qn("w:tr"))
    assert len(rows) == 46
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None
    assert all(r.trPr.find(qn("w:cantSplit")) is not None for r in rows)
    assert all(r.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])
    header_font = long_table.rows[0].cells[0].paragraphs[0].runs[0]._r.rPr.find(qn("w:rFonts"))
    assert header_font.get(qn("w:eastAsia")) == "黑体"
    widths = [int(c.get(qn("w:w"))) / 20 for c in long_table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert abs(sum(widths) - LAYOUT.block_width_pt) < 1
    assert abs(widths[2] / widths[0] - 3) < 0.01
    borders = long_table._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders.find(qn("w:insideH")).get(qn("w:sz")) == "6"  # 0.75 pt


def test_wide_table_gets_a_landscape_section(docs):
    d = docs["file"]
    landscape = [s for s in d.sections if s.page_width > s.page_height]
    assert len(landscape) == 1
    s = landscape[0]
    assert abs(_mm(s.page_width) - 297) < 0.1 and abs(_mm(s.top_margin) - LAYOUT.page.margin_left_mm) < 0.1
    i = [x._sectPr for x in d.sections].index(s._sectPr)
    assert d.sections[i + 1].page_width < d.sections[i + 1].page_height  # back to portrait
    wide = d.tables[1]
    assert len(wide.columns) == 10
    size = wide.rows[1].cells[0].paragraphs[0].runs[0]._r.rPr.find(qn("w:sz")).get(qn("w:val"))
    assert int(size) == 2 * LAYOUT.sizes_pt.table_small


def test_signature_and_note(docs):
    d = docs["file"]
    (name,) = [p for p in d.paragraphs if p.style.name == "署名"]
    (date,) = [p for p in d.paragraphs if p.style.name == "成文日期"]
    assert date.text == "2020年9月17日"
    zi = LAYOUT.char_pitch_pt
    assert name.alignment == 2 and abs(name.paragraph_format.right_indent.pt - 2 * zi) < 0.1
    # the date starts two 字 right of the name's first character
    name_start = LAYOUT.block_width_pt - 2 * zi - len(name.text) * (16 - 0.25)
    assert abs(date.paragraph_format.left_indent.pt - (name_start + 2 * zi)) < 0.1
    (note,) = [p for p in d.paragraphs if p.style.name == "附注"]
    assert note.text == "（联系人：张三，电话：0557-3021234）"
    sealed = docs["joint"]
    (sdate,) = [p for p in sealed.paragraphs if p.style.name == "成文日期"]
    assert sdate.alignment == 2 and abs(sdate.paragraph_format.right_indent.pt - 4 * zi) < 0.1
    names = [p.text for p in sealed.paragraphs if p.style.name == "署名"]
    assert names == ["宿州市商务局", "宿州市发展和改革委员会", "宿州市财政局"]


def test_attachment_note_and_pages(docs):
    d = docs["file"]
    notes = [p for p in d.paragraphs if p.style.name == "附件说明"]
    assert [p.text.replace("\t", "") for p in notes] == [
        "附件：1.宿州市招商引资“百日竞赛”活动实施方案", "2.重点项目推进情况表"]
    fmt = notes[0].paragraph_format
    assert fmt.first_line_indent.pt < 0  # hanging: wrapped lines align with the name
    assert abs(fmt.left_indent.pt + fmt.first_line_indent.pt - 2 * LAYOUT.char_pitch_pt) < 0.1
    (label,) = [p for p in d.paragraphs if p.style.name == "附件标识"]
    assert label.text == "附件1" and label.paragraph_format.page_break_before
    assert [p.text for p in d.paragraphs if p.style.name == "附件标题"] == ["宿州市招商引资“百日竞赛”活动实施方案"]


def test_joint_masthead_and_signers(docs):
    d = docs["joint"]
    mast = d.tables[0]
    left, right = mast.rows[0].cells
    assert [p.text for p in left.paragraphs] == ["宿州市商务局", "宿州市发展和改革委员会", "宿州市财政局"]
    assert right.text == "文件"
    assert right._tc.tcPr.find(qn("w:vAlign")).get(qn("w:val")) == "center"
    numbers = [p for p in d.paragraphs if p.style.name == "发文字号"]
    assert numbers[0].text.replace("\t", "") == "签发人：王一\u3000李二"
    assert numbers[-1].text.startswith("宿商〔2021〕12号\t")
    kai = [r for r in numbers[0].runs if r.text == "王一\u3000李二"][0]
    assert kai._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "楷体_GB2312"


def test_banji_rules_and_own_page(docs):
    d = docs["file"]
    banji = d.tables[-1]
    assert banji._tbl.tblPr.find(qn("w:tblpPr")).get(qn("w:tblpYSpec")) == "bottom"
    texts = [c.text for c in banji.columns[0].cells]
    assert texts[0] == "抄送：市委办公室，市人大常委会办公室，市政府办公室，市政协办公室。"
    assert texts[1] == "宿州市招商引资工作领导小组办公室\t2020年9月18日印发"
    borders = banji._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders.find(qn("w:top")).get(qn("w:sz")) == "8" and borders.find(qn("w:bottom")).get(qn("w:sz")) == "8"
    joint = docs["joint"]
    last = joint.sections[-1]
    assert last._sectPr.find(qn("w:type")).get(qn("w:val")) == "evenPage"
    assert "PAGE" not in last.footer._element.xml and "PAGE" not in last.even_page_footer._element.xml
    letter = docs["letter"].tables[-1]
    assert [c.text for c in letter.columns[0].cells] == ["抄送：县委办公室，县政府办公室。"]  # no 印发 line


def test_minutes_masthead_and_attendance(docs):
    d = docs["minutes"]
    (mast,) = [p for p in d.paragraphs if p.style.name == "发文机关标志"]
    assert mast.text == "信丰县招大引强工作调度会议纪要"
    rows = [p for p in d.paragraphs if p.style.name == "出席"]
    assert [p.text.split("：")[0] for p in rows] == ["出席", "请假", "列席"]
    label_font = rows[0].runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
    names_font = rows[0].runs[1]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
    assert (label_font, names_font) == ("黑体", "仿宋_GB2312")


def test_core_properties_and_determinism(tmp_path, written):
    d = docx.Document(str(written["file"]))
    cp = d.core_properties
    assert cp.title == "关于印发《宿州市招商引资“百日竞赛”活动实施方案》的通知"
    assert cp.language == "zh-CN" and cp.revision == 1
    fixed = dt.datetime(2020, 9, 17, tzinfo=dt.timezone.utc)
    assert cp.created == fixed and cp.modified == fixed
    again = build("file", tmp_path)
    assert again.read_bytes() == written["file"].read_bytes()
    with zipfile.ZipFile(again) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_every_example_and_fixture_writes(tmp_path):
    sources = sorted((ROOT / "inputs" / "examples").glob("*.txt"))
    sources += sorted((ROOT / "tests" / "fixtures" / "notices").glob("*.txt"))
    assert sources
    pictures = 0
    for src in sources:
        notice = read_source(src)
        out = write_docx(notice, tmp_path / f"{src.stem}.docx")
        d = docx.Document(str(out))
        assert any(p.style.name == "标题" for p in d.paragraphs), src.name
        for shape in d.inline_shapes:  # pictures scaled to the text-block width
            assert abs(shape.width.pt - LAYOUT.block_width_pt) < 1
            pictures += 1
    assert pictures >= 1
