"""The DOCX writer's shortcuts, checked on the files it writes: the zip is
what zipfile (through stable_zip) would write, documents start from one
styled base per process without changing it, and table rows copied from a
template row still carry each cell's own text read back by python-docx."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn

from gongwen.notice.fonts import office_font
from gongwen.notice.source import notice_from_source, read_source
from gongwen.notice.tree import Table
from gongwen.stablezip import stable_zip
from gongwen.writers.docx import build_document, docx_bytes, package

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "notices"

TABLE_SOURCE = """---
发文机关: 信丰县扩大开放工作领导小组办公室
发文字号: 信开放办〔2023〕8号
标题: 关于表格单元格的测试通知
主送: 各单位：
成文日期: 2023年7月3日
---
正文一段。

::: 表格 标题="单元格" 表头=1 对齐=左,右,中
名称｜数值｜备注
甲｜1｜一
:::
"""

# Each cell as written and as python-docx reads it back (w:tab -> \\t, w:br -> \\n).
ROWS = [
    ["  前后空格  ", "12.50", ""],
    ["甲\t乙", "第一行\n第二行", "【待填】"],
    ["得分***分", "短行"],
    ["<b>&amp;</b>", "=1+1", "中文"],
]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _table_notice():
    notice = notice_from_source(TABLE_SOURCE, where="table-cells")
    table = next(b for b in notice.body if isinstance(b, Table))
    table.rows = [list(r) for r in ROWS]
    return notice


def test_zip_is_what_zipfile_writes():
    data = docx_bytes(read_source(FIXTURES / "tables.txt"), banji_own_page=True)
    # stable_zip rewrites with zipfile: the same bytes back means the same
    # headers, times, permissions, compression and central directory.
    assert stable_zip(data) == data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        names = z.namelist()
        assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
        assert {"word/document.xml", "word/styles.xml", "word/settings.xml", "docProps/core.xml"} <= set(names)
        assert any(n.startswith("word/media/") for n in names)  # the fixture's picture
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
    assert len(docx.Document(io.BytesIO(data)).tables) >= 3


def test_documents_share_an_unchanged_base():
    names = ["tables", "letter", "draft", "minutes", "upward", "long-body"]
    notices = {n: read_source(FIXTURES / f"{n}.txt") for n in names}
    first = {n: docx_bytes(notices[n]) for n in names}
    # Every kind of document again, in another order and with the 版记 on its own page ...
    for n in reversed(names):
        docx_bytes(notices[n], banji_own_page=True)
    # ... and the first ones are byte for byte what they were.
    assert {n: docx_bytes(notices[n]) for n in names} == first
    # The same as a fresh process writes them (no state carried from earlier documents).
    script = (
        "import hashlib, sys\n"
        "from pathlib import Path\n"
        "from gongwen.notice.source import read_source\n"
        "from gongwen.writers.docx import docx_bytes\n"
        "for n in sys.argv[1:]:\n"
        f"    print(n, hashlib.sha256(docx_bytes(read_source(Path({str(FIXTURES)!r}) / (n + '.txt')))).hexdigest())\n"
    )
    out = subprocess.run([sys.executable, "-c", script, *reversed(names)], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert dict(line.split() for line in out.splitlines()) == {n: _sha(first[n]) for n in names}
    # The styles part is the shared one: the same bytes in every document, with our styles in it.
    styles = set()
    for data in first.values():
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            styles.add(z.read("word/styles.xml"))
    assert len(styles) == 1
    d = docx.Document(io.BytesIO(first["tables"]))
    body = d.styles["正文"].element.rPr.find(qn("w:rFonts"))
    assert body.get(qn("w:eastAsia")) == office_font("body")
    assert d.styles["表头"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == office_font("table_header")


def _styles_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/styles.xml")


def test_a_document_that_changes_the_styles_writes_its_own():
    notice = read_source(FIXTURES / "letter.txt")
    plain = docx_bytes(notice)
    document = build_document(notice)
    document.styles.add_style("附加样式", WD_STYLE_TYPE.PARAGRAPH)
    document.styles["正文"].font.bold = True
    changed = package.to_bytes(document)
    d = docx.Document(io.BytesIO(changed))
    assert "附加样式" in [s.name for s in d.styles]
    assert d.styles["正文"].font.bold is True
    # The change stays in that document: the next one has the shared styles again.
    again = docx_bytes(notice)
    assert again == plain
    assert "附加样式".encode() not in _styles_xml(again)
    assert docx.Document(io.BytesIO(again)).styles["正文"].font.bold is None
    # Only styles.xml differs between the two files.
    with zipfile.ZipFile(io.BytesIO(changed)) as a, zipfile.ZipFile(io.BytesIO(plain)) as b:
        assert a.namelist() == b.namelist()
        assert [n for n in a.namelist() if a.read(n) != b.read(n)] == ["word/styles.xml"]


def test_table_rows_from_a_template_keep_their_own_cells():
    notice = _table_notice()
    data = docx_bytes(notice)
    assert docx_bytes(_table_notice()) == data
    d = docx.Document(io.BytesIO(data))
    [table] = d.tables
    assert [c.text for c in table.rows[0].cells] == ["名称", "数值", "备注"]
    for r, expected in enumerate(ROWS, start=1):
        assert [c.text for c in table.rows[r].cells] == expected + [""] * (3 - len(expected))
    tbl = table._tbl
    grid = [col.get(qn("w:w")) for col in tbl.tblGrid.findall(qn("w:gridCol"))]
    trs = tbl.findall(qn("w:tr"))
    assert len(trs) == 1 + len(ROWS)
    for i, tr in enumerate(trs):
        trPr = tr.find(qn("w:trPr"))
        assert trPr.find(qn("w:cantSplit")).get(qn("w:val")) == "1"
        assert (trPr.find(qn("w:tblHeader")) is not None) == (i == 0)
        tcs = tr.findall(qn("w:tc"))
        assert [tc.find(qn("w:tcPr")).find(qn("w:tcW")).get(qn("w:w")) for tc in tcs] == grid
        for c, tc in enumerate(tcs):
            p = tc.find(qn("w:p"))
            ppr = p.find(qn("w:pPr"))
            assert ppr.find(qn("w:pStyle")).get(qn("w:val")) == ("gwTableHeader" if i == 0 else "gwTableText")
            jc = ppr.find(qn("w:jc"))
            assert (jc.get(qn("w:val")) if jc is not None else None) == (None if i == 0 else
                                                                        ["left", "right", "center"][c])
            fonts = [r.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in p.findall(qn("w:r"))]
            assert fonts and set(fonts) == {office_font("table_header" if i == 0 else "body")}
    # Cells copied from one row still differ where their text does.
    cell = table.rows[1].cells[0]._tc
    assert cell.find(".//" + qn("w:t")).get(qn("xml:space")) == "preserve"
    assert table.rows[2].cells[0]._tc.find(".//" + qn("w:tab")) is not None
    assert table.rows[2].cells[1]._tc.find(".//" + qn("w:br")) is not None

    def highlighted(tc) -> list[str]:
        return ["".join(t.text for t in r.iter(qn("w:t"))) for r in tc.iter(qn("w:r"))
                if r.find(qn("w:rPr")).find(qn("w:highlight")) is not None]

    assert highlighted(table.rows[2].cells[2]._tc) == ["【待填】"]
    assert highlighted(table.rows[3].cells[0]._tc) == ["***"]
    assert highlighted(table.rows[1].cells[0]._tc) == []
