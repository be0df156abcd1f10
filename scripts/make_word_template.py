"""Write templates/word/通报.docx: an example Word template of the monthly 通报
with docxtpl (Jinja) tags, laid out like a plain office 通报 (红头, 发文字号,
红线, title, 主送, body, one ranking table per category, 署名, 版记).

Staff can open the result in Word or WPS, change fonts, wording and layout,
keep the tags, and name it in campaign.yaml:

    documents:
      bulletin:
        word_template: word/通报.docx

Run:  .venv/bin/python scripts/make_word_template.py  (the same bytes every time)
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "templates" / "word" / "通报.docx"
sys.path.insert(0, str(ROOT))
from gongwen.stablezip import stable_zip  # noqa: E402  (the script runs from a checkout)

FANG = "仿宋_GB2312"
HEI = "黑体"
KAI = "楷体_GB2312"
XBS = "方正小标宋简体"
SONG = "宋体"
RED = RGBColor(0xE6, 0x00, 0x12)
LINE = Pt(28.95)  # 22 lines a page


def fonts(run_or_style, name: str) -> None:
    """Latin and East Asian font names, no theme fonts."""
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def para(doc, text: str = "", font: str = FANG, size: float = 16, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
         indent: bool = True, bold: bool = False, color: RGBColor | None = None, space_before: float = 0,
         exact: bool = True):
    p = doc.add_paragraph()
    pf = p.paragraph_format
    pf.alignment = align
    pf.first_line_indent = Pt(size * 2) if indent else Pt(0)
    pf.space_before = Pt(space_before)
    pf.space_after = Pt(0)
    if exact:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = LINE if size <= 16 else Pt(size * 1.5)
    if text:
        add_run(p, text, font, size, bold, color)
    return p


def add_run(p, text: str, font: str = FANG, size: float = 16, bold: bool = False, color: RGBColor | None = None):
    r = p.add_run(text)
    r.font.size = Pt(size)
    r.font.bold = bold
    if color is not None:
        r.font.color.rgb = color
    fonts(r, font)
    return r


def tag(doc, text: str):
    """A paragraph holding only a {%p … %} tag (removed when filled)."""
    return para(doc, text, indent=False)


def border(p, side: str, color: str = "E60012", size: int = 12, space: int = 1) -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        ppr.append(bdr)
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size))
    el.set(qn("w:space"), str(space))
    el.set(qn("w:color"), color)
    bdr.append(el)


def cell_text(cell, text: str, font: str = FANG, size: float = 10.5, bold: bool = False,
              align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.alignment = align
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if text:
        add_run(p, text, font, size, bold)


def ranking_table(doc) -> None:
    """排名 | 单位 | one cell per remaining column ({%tc %}); a row per ranked unit ({%tr %})."""
    table = doc.add_table(rows=4, cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # The grid fills the 156 mm text block; the cells' own widths say how it is
    # shared once the {%tc %} loop has made one cell per column (排名 14 mm,
    # 单位 46 mm, each further column 15 mm, then scaled to the text width).
    grid = [Mm(14), Mm(46), Mm(4), Mm(88), Mm(4)]
    cells = [Mm(14), Mm(46), Mm(4), Mm(15), Mm(4)]
    table.autofit = False
    for col, w in zip(table.columns, grid):
        col.width = w
    for row in table.rows:
        for cell, w in zip(row.cells, cells):
            cell.width = w
    head, loop_start, body, loop_end = table.rows
    cell_text(head.cells[0], "{{ t.header[0] }}", HEI)
    cell_text(head.cells[1], "{{ t.header[1] }}", HEI)
    cell_text(head.cells[2], "{%tc for h in t.header[2:] %}")
    cell_text(head.cells[3], "{{ h }}", HEI)
    cell_text(head.cells[4], "{%tc endfor %}")
    cell_text(loop_start.cells[0], "{%tr for row in t.rows %}")
    cell_text(body.cells[0], "{{ row[0] }}")
    cell_text(body.cells[1], "{{ row[1] }}", align=WD_ALIGN_PARAGRAPH.LEFT)
    cell_text(body.cells[2], "{%tc for v in row[2:] %}")
    cell_text(body.cells[3], "{{ v }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    cell_text(body.cells[4], "{%tc endfor %}")
    cell_text(loop_end.cells[0], "{%tr endfor %}")
    # the header repeats on every page
    trpr = head._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    trpr.append(el)


def page_number_footer(section) -> None:
    """— n — centred in the footer (PAGE field)."""
    p = section.footer.paragraphs[0]
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(p, "— ", SONG, 14)
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    rf = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        rf.set(qn(attr), SONG)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), "28")
    rpr.append(rf)
    rpr.append(sz)
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(rpr)
    r.append(t)
    fld.append(r)
    p._p.append(fld)
    add_run(p, " —", SONG, 14)


def build() -> Document:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    fonts(normal, FANG)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(18)
    page_number_footer(section)

    C = WD_ALIGN_PARAGRAPH.CENTER
    # 版头
    para(doc, "{{ issue.organs[0] }}", XBS, 26, C, indent=False, color=RED, space_before=30, exact=False)
    tag(doc, "{%p if issue.number %}")
    para(doc, "{{ issue.number }}", FANG, 16, C, indent=False, space_before=28)
    tag(doc, "{%p endif %}")
    rule = para(doc, "", FANG, 8, indent=False)
    border(rule, "bottom", size=12)
    # 标题、主送
    para(doc, "关于{{ campaign.name }}{{ month_cn }}工作情况的通报", XBS, 22, C, indent=False, space_before=28)
    para(doc, "", indent=False)
    para(doc, "{{ issue.addressee }}", indent=False)
    # 正文
    para(doc, "为深入推进{{ campaign.name }}工作，{{ office }}对各单位{{ month_cn }}工作情况进行了评比。现将有关情况通报如下。")
    para(doc, "一、总体情况", HEI)
    para(doc, "{{ month_cn }}，各单位"
              "{% if figures.trips is defined %}共外出招商{{ figures.trips }}批次，拜访企业（客商）{{ figures.visits }}家；{% endif %}"
              "{% if figures.signed is defined %}签约项目{{ figures.signed }}个、总投资{{ figures.signed_amount|yi }}；{% endif %}"
              "{% if figures.starts is defined %}新开工项目{{ figures.starts }}个、总投资{{ figures.starts_amount|yi }}{% endif %}。")
    para(doc, "二、排名情况", HEI)
    para(doc, "按照评比细则，{{ campaign.categories|length }}个类别分别排名如下。")
    tag(doc, "{%p for cat in categories %}")
    tag(doc, "{%p set t = tables[loop.index0] %}")
    p = para(doc, "（{{ \"一二三四五六七八九十\"[loop.index0] }}）{{ cat.name }}。", KAI)
    add_run(p, "共{{ cat.count }}个单位参评，{{ cat.top }}位列第一。")
    para(doc, "{{ t.title }}", HEI, 14, C, indent=False)
    ranking_table(doc)
    tag(doc, "{%p endfor %}")
    para(doc, "三、“{{ campaign.leaders_name }}”和“{{ campaign.laggards_name }}”", HEI)
    tag(doc, "{%p for cat in categories %}")
    para(doc, "{{ cat.name }}：{% if cat.leaders %}{{ cat.leaders|join_cn }}列入“{{ campaign.leaders_name }}”"
              "{% else %}本月没有单位列入“{{ campaign.leaders_name }}”{% endif %}；"
              "{% if cat.laggards %}{{ cat.laggards|join_cn }}列入“{{ campaign.laggards_name }}”"
              "{% else %}所有单位均有重大项目签约{% endif %}。")
    tag(doc, "{%p endfor %}")
    para(doc, "四、存在问题", HEI)
    tag(doc, "{%p for p in problems %}")
    para(doc, "{{ p }}")
    tag(doc, "{%p endfor %}")
    para(doc, "五、下步工作", HEI)
    tag(doc, "{%p for p in next_steps %}")
    para(doc, "{{ p }}")
    tag(doc, "{%p endfor %}")
    # 署名、成文日期
    para(doc, "", indent=False)
    para(doc, "", indent=False)
    sig = para(doc, "{{ issue.organs[0] }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    sig.paragraph_format.right_indent = Pt(64)
    day = para(doc, "{{ issue.date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    day.paragraph_format.right_indent = Pt(64)
    # 版记
    para(doc, "", indent=False)
    tag(doc, "{%p if issue.cc %}")
    cc = para(doc, "抄送：{{ issue.cc|join_cn(\"，\") }}。", FANG, 14, indent=False)
    cc.paragraph_format.left_indent = Pt(14)
    border(cc, "top", color="000000", size=8)
    tag(doc, "{%p endif %}")
    printed = para(doc, "{{ issue.printer }}", FANG, 14, indent=False)
    printed.paragraph_format.left_indent = Pt(14)
    add_run(printed, "\t{{ issue.date }}印发", FANG, 14)
    tabs = printed.paragraph_format.tab_stops
    from docx.enum.text import WD_TAB_ALIGNMENT

    tabs.add_tab_stop(Mm(154), WD_TAB_ALIGNMENT.RIGHT)
    border(printed, "top", color="000000", size=4)
    border(printed, "bottom", color="000000", size=8)

    props = doc.core_properties
    when = dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc)
    props.created = props.modified = props.last_printed = when
    props.author = props.last_modified_by = "公文流水线"
    props.title = "月度通报（Word 模板示例）"
    props.revision = 1
    props.language = "zh-CN"
    props.comments = "标签的写法见 docs/公文生成.md 的“用单位自己的 Word 模板”（文档属性里不能写标签）。"
    return doc


def to_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue())


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(to_bytes(build()))
    print(f"已写出 {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
