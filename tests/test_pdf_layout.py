"""The PDF writer measured against GB/T 9704 (shared/spec/GBT9704.md) with a
PDF library: every number here is read off the rendered file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gongwen import INPUTS_DIR, ROOT
from gongwen.layout.spec import load_layout
from gongwen.notice.source import read_source
from gongwen.notice.tree import Paragraph
from gongwen.writers.pdf import write_pdf
from tests import pdfmeasure as pm

L = load_layout()
PAGE_W, PAGE_H, LEFT, RIGHT, TOP, BOTTOM = pm.PAGE_W, pm.PAGE_H, pm.LEFT, pm.RIGHT, pm.TOP, pm.BOTTOM
CHAR = pm.CHAR
FIXTURES = ROOT / "tests" / "fixtures" / "notices"
SOURCES = sorted((INPUTS_DIR / "examples").glob("*.txt")) + sorted(FIXTURES.glob("*.txt"))


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, tuple[Path, object, object]]:
    """name -> (pdf path, notice, PdfResult) for every example and fixture."""
    out = tmp_path_factory.mktemp("pdf")
    result = {}
    for src in SOURCES:
        notice = read_source(src)
        res = write_pdf(notice, out / f"{src.stem}.pdf", base_url=str(src.parent))
        result[src.stem] = (res.path, notice, res)
    return result


def pdf(rendered, name):
    return pm.open_pdf(rendered[name][0])


def full_body_pages(rendered, name):
    """Pages whose text block is filled with body lines (22 of them)."""
    with pdf(rendered, name) as doc:
        return [(p.page_number, pm.body_lines(p, BOTTOM)) for p in doc.pages if len(pm.body_lines(p, BOTTOM)) == 22]


def test_all_sources_render(rendered):
    assert len(rendered) >= 10
    for name, (path, _, res) in rendered.items():
        assert res.pages >= 1 and path.stat().st_size > 5000, name


def test_pages_are_a4(rendered):
    for name in rendered:
        with pdf(rendered, name) as doc:
            for p in doc.pages:
                assert abs(p.width - PAGE_W) < 0.5 and abs(p.height - PAGE_H) < 0.5, (name, p.page_number)


def test_grid_22_lines_of_28_characters(rendered):
    pages = full_body_pages(rendered, "long-body")
    # (widow and orphan control leaves a page a line short where a paragraph would split 1+1)
    assert len(pages) >= 2, "the long fixture must fill several pages"
    for number, lines in pages:
        assert abs(lines[0].top - TOP - (L.grid.line_pitch_pt - 16) / 2) < 0.5, number
        for gap in pm.pitches(lines):
            assert abs(gap - L.grid.line_pitch_pt) < 0.05
        assert lines[-1].bottom <= BOTTOM
        # Lines of 28 full-width characters fill the block exactly.
        full_cjk = [l for l in lines if len(l.text) == 28 and not re.search(r"[0-9A-Za-z.%]", l.text)]
        assert full_cjk, number
        for l in full_cjk:
            assert abs(l.x0 - LEFT) < 0.3 and abs(l.x1 - RIGHT) < 0.3, l.text


def test_full_lines_flush_with_both_edges(rendered):
    """Every line but a paragraph's last reaches both edges, digits and Latin included."""
    checked = 0
    for name in ("long-body", "000-suzhou-bairi-jingsai", "003-qiaocheng-ruogan-yijian"):
        with pdf(rendered, name) as doc:
            lines = [l for p in doc.pages for l in pm.body_lines(p, BOTTOM) if abs(l.size - 16) < 0.1]
        for a, b in zip(lines, lines[1:]):
            # b continues a paragraph (flush left), so a is a full line: flush with both edges.
            if abs(b.x0 - LEFT) < 0.3 and min(abs(a.x0 - LEFT), abs(a.x0 - LEFT - 2 * CHAR)) < 0.3 and len(a.text) > 20:
                assert abs(a.x1 - RIGHT) < 0.3, (name, a.text)
                checked += 1
    assert checked > 100


def test_paragraph_indent_is_two_characters(rendered):
    with pdf(rendered, "long-body") as doc:
        lines = pm.body_lines(doc.pages[2], BOTTOM)
    indents = {round(l.x0 - LEFT, 1) for l in lines}
    assert indents <= {0.0, round(2 * CHAR, 1)}
    assert round(2 * CHAR, 1) in indents


def test_copying_text_gives_the_source(rendered):
    """No character is inserted for justification: the extracted text of each
    paragraph, line breaks removed, is the paragraph as written."""
    notice = rendered["long-body"][1]
    with pdf(rendered, "long-body") as doc:
        text = "".join("".join(l.text for l in pm.body_lines(p, BOTTOM)) for p in doc.pages)
    for block in notice.body:
        if isinstance(block, Paragraph):
            assert block.text.replace(" ", "") in text
    with pdf(rendered, "long-body") as doc:
        raw = "".join(p.extract_text() for p in doc.pages)
    assert "  " not in raw.replace("\n", "")


def test_masthead_number_and_red_rule(rendered):
    for name in ("000-suzhou-bairi-jingsai", "tables", "long-body"):
        with pdf(rendered, name) as doc:
            page = doc.pages[0]
            lines = pm.page_lines(page)
            mast = max(lines, key=lambda l: l.size)
            assert abs(pm.mm(mast.top) - (L.page.margin_top_mm + L.masthead.top_from_block_mm)) < 0.5, name
            assert abs((mast.x0 + mast.x1) / 2 - (LEFT + RIGHT) / 2) < 1.0, name
            assert all(c["non_stroking_color"] in ((1, 0, 0), [1, 0, 0], (1.0, 0.0, 0.0)) for c in mast.chars)
            rules = pm.red_rects(page)
            assert rules, name
            rule = rules[0]
            assert abs(pm.mm(rule["x1"] - rule["x0"]) - 156) < 0.3
            assert abs(rule["x0"] - LEFT) < 0.5
            number = next(l for l in lines if "〔" in l.text)
            assert abs((number.x0 + number.x1) / 2 - (LEFT + RIGHT) / 2) < 1.0
            # Two blank lines between masthead and number; the rule 4 mm under the number.
            assert abs(number.top - mast.bottom - 2 * L.grid.line_pitch_pt - (L.grid.line_pitch_pt - 16) / 2) < 1.0
            assert abs(pm.mm(rule["top"] - number.bottom) - L.red_rule.below_number_mm) < 0.3
            title = [l for l in lines if abs(l.size - 22) < 0.1]
            assert title and title[0].top > rule["bottom"] + 2 * L.grid.line_pitch_pt - 1
            for t in title:
                assert abs((t.x0 + t.x1) / 2 - (LEFT + RIGHT) / 2) < 1.0
                assert len(t.text) <= L.title.max_chars_per_line
                assert t.text[0] not in "，。、；：）》”"


def test_joint_issuance_stacks_organs_beside_wenjian(rendered):
    with pdf(rendered, "002-xinfeng-bairi-gongjian") as doc:
        lines = [l for l in pm.page_lines(doc.pages[0]) if l.size > 22]
    texts = [l.text for l in lines]
    assert any("中共信丰县委办公室" in t for t in texts) and any("信丰县人民政府办公室" in t for t in texts)
    first = next(l for l in lines if "中共信丰县委办公室" in l.text)
    second = next(l for l in lines if "信丰县人民政府办公室" in l.text)
    assert second.top > first.bottom - 1  # stacked, lead organ first
    chars = [c for l in lines for c in l.chars]
    wen = [c for c in chars if c["text"] in "文件"]
    assert wen and min(c["x0"] for c in wen) > max(second.x1, first.x1) - 30
    mid = (first.top + second.bottom) / 2
    assert abs((wen[0]["top"] + wen[0]["bottom"]) / 2 - mid) < 6  # vertically centred on the stack


def test_headings_take_their_fonts(rendered):
    with pdf(rendered, "000-suzhou-bairi-jingsai") as doc:
        lines = [l for p in doc.pages for l in pm.body_lines(p, BOTTOM)]
    h1 = next(l for l in lines if l.text.startswith("一、总体要求"))
    assert all("FandolHei" in c["fontname"] for c in h1.chars)
    runin = next(l for l in lines if l.text.startswith("（一）宣传发动阶段"))
    head = "（一）宣传发动阶段（2020年9月上旬）。"
    for c in runin.chars[: len(head)]:
        assert "FandolKai" in c["fontname"], c["text"]
    for c in runin.chars[len(head):]:
        assert "FandolFang" in c["fontname"], c["text"]


def test_page_numbers(rendered):
    for name in ("long-body", "000-suzhou-bairi-jingsai"):
        res = rendered[name][2]
        with pdf(rendered, name) as doc:
            for p in doc.pages[: -1 if res.banji_own_page else None]:
                line = pm.page_number_line(p, BOTTOM)
                assert line is not None, (name, p.page_number)
                assert line.text == f"—{p.page_number}—"
                assert abs(line.size - 14) < 0.1
                assert "FandolSong" in next(iter(line.fonts))
                assert abs(pm.mm(line.top - BOTTOM) - L.page_number.below_block_mm) < 0.3
                if p.page_number % 2:
                    assert abs(line.x1 - (RIGHT - CHAR)) < 0.5
                else:
                    assert abs(line.x0 - (LEFT + CHAR)) < 0.5


def test_banji_on_even_last_page_without_number_when_alone(rendered):
    seen_alone = False
    for name, (path, notice, res) in rendered.items():
        if not notice.has_banji:
            continue
        with pm.open_pdf(path) as doc:
            assert len(doc.pages) % 2 == 0, name
            last = doc.pages[-1]
            rules = [r for r in list(last.rects) + list(last.lines) if r["x1"] - r["x0"] > 400]
            assert rules, name
            assert abs(max(r["bottom"] for r in rules) - BOTTOM) < 1.2, name
            assert all(abs(pm.mm(r["x1"] - r["x0"]) - 156) < 0.5 for r in rules)
            if res.banji_own_page:
                seen_alone = True
                assert pm.page_number_line(last, BOTTOM) is None, name
                body = [l for l in pm.page_lines(last) if l.top < min(r["top"] for r in rules) - 2]
                assert body == [], name
                prev = doc.pages[-2]
                if not pm.page_lines(prev):
                    assert pm.page_number_line(prev, BOTTOM) is None
            text = last.extract_text()
            # The 版记 is printed once: no copy is left on the page where the text ends.
            earlier = "".join((p.extract_text() or "") for p in doc.pages[:-1]).replace(" ", "")
            if notice.print_date and notice.format != "letter":
                pd = notice.print_date
                assert f"{pd.year}年{pd.month}月{pd.day}日印发" not in earlier, name
                # the 版记's rules are box borders (filled rectangles); a table's rules are
                # stroked lines, which may run the text's width at the foot of a page
                assert not [r for p in doc.pages[:-1] for r in p.rects
                            if r["x1"] - r["x0"] > 400 and abs(r["bottom"] - BOTTOM) < 1.2], name
            if notice.cc:
                assert "抄送：" in text
            if notice.print_date and notice.format != "letter":
                assert f"{notice.print_date.year}年{notice.print_date.month}月{notice.print_date.day}日印发" in text.replace(" ", "")
    assert seen_alone


def test_attachments_start_new_pages(rendered):
    path, notice, _ = rendered["000-suzhou-bairi-jingsai"]
    with pm.open_pdf(path) as doc:
        starts = [p for p in doc.pages if pm.page_lines(p) and pm.page_lines(p)[0].text == "附件"]
        assert len(starts) == 1
        first = pm.page_lines(starts[0])
        assert "FandolHei" in next(iter(first[0].fonts))
        assert abs(first[0].x0 - LEFT) < 0.3
        title = first[1]
        assert abs(title.size - 22) < 0.1
        assert abs(title.top - first[0].top - 2 * L.grid.line_pitch_pt) < 6


def test_attachment_note_form(rendered):
    _, notice, _ = rendered["tables"]
    with pdf(rendered, "tables") as doc:
        lines = [l for p in doc.pages for l in pm.body_lines(p, BOTTOM)]
    first = next(l for l in lines if l.text.startswith("附件：1."))
    second = lines[lines.index(first) + 1]
    assert abs(first.x0 - LEFT - 2 * CHAR) < 0.3
    assert second.text.startswith("2.") or not second.text.startswith("附件")
    assert not first.text.rstrip().endswith(("。", "，"))


def test_signature_without_and_with_seal(rendered):
    # No seal (001): organ name two 字 in from the right; date starts two 字 right of the name's start.
    _, notice, _ = rendered["001-yongqiao-zhengqiu-yijian"]
    assert not notice.seal
    with pdf(rendered, "001-yongqiao-zhengqiu-yijian") as doc:
        lines = [l for p in doc.pages for l in pm.body_lines(p, BOTTOM)]
    name = [l for l in lines if l.text == notice.signatures[0]][-1]  # the first is the masthead
    date = lines[lines.index(name) + 1]
    assert date.text == "2020年3月10日"
    assert abs(name.x1 - (RIGHT - 2 * CHAR)) < 0.6
    assert abs(date.x0 - name.x0 - 2 * CHAR) < 0.6
    # With seal and a name longer than the date (000): the name stays inside the block.
    with pdf(rendered, "000-suzhou-bairi-jingsai") as doc:
        lines = [l for p in doc.pages for l in pm.body_lines(p, BOTTOM)]
    name = next(l for l in lines if l.text == "宿州市招商引资工作领导小组办公室")
    assert name.x1 <= RIGHT + 0.3
    # With seal (upward): date four 字 in from the right, names centred over it.
    with pdf(rendered, "upward") as doc:
        lines = [l for p in doc.pages for l in pm.body_lines(p, BOTTOM)]
    date = next(l for l in lines if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", l.text))
    assert abs(date.x1 - (RIGHT - 4 * CHAR)) < 0.6
    signer = lines[lines.index(date) - 1]
    assert abs((signer.x0 + signer.x1) / 2 - (date.x0 + date.x1) / 2) < 1.0


def test_copy_number_secrecy_urgency_and_signers(rendered):
    with pdf(rendered, "upward") as doc:
        lines = pm.page_lines(doc.pages[0])
    assert lines[0].text == "000123" and abs(lines[0].x0 - LEFT) < 0.3
    assert lines[1].text.startswith("机密★") and "FandolHei" in next(iter(lines[1].fonts))
    assert lines[2].text == "特急" and abs(lines[2].x0 - LEFT) < 0.3
    signer = next(l for l in lines if "签发人" in l.text)
    number = next(l for l in lines if "〔" in l.text)
    assert abs(number.x0 - LEFT - CHAR) < 0.5
    kai = [c for c in signer.chars if c["text"] not in "签发人：" and "FandolKai" in c["fontname"]]
    assert kai, "signer names in 楷体"
    assert abs(signer.x1 - (RIGHT - CHAR)) < 0.6


def test_fonts_embedded_and_subset(rendered):
    for name, (path, _, _) in rendered.items():
        fonts = pm.embedded_fonts(path)
        assert fonts, name
        for f in fonts:
            assert f["embedded"] and f["subset"] and f["tounicode"], (name, f)


def test_rare_character_falls_back_to_noto(rendered):
    with pdf(rendered, "001-yongqiao-zhengqiu-yijian") as doc:
        chars = [c for p in doc.pages for c in p.chars if c["text"] == "埇"]
    assert chars
    assert all("Noto" in c["fontname"] for c in chars)


def test_placeholders_stay_visible(rendered):
    with pdf(rendered, "001-yongqiao-zhengqiu-yijian") as doc:
        text = "".join(p.extract_text() for p in doc.pages)
    assert "**%" in text.replace("\n", "")


def test_long_table_repeats_header_and_keeps_rows_whole(rendered):
    path, notice, _ = rendered["tables"]
    from gongwen.notice.tree import Table

    table = next(b for b in notice.body if isinstance(b, Table) and len(b.rows) >= 30)
    header = table.header[0]
    with pm.open_pdf(path) as doc:
        pages_with_rows = []
        for p in doc.pages:
            text = p.extract_text().replace(" ", "")
            rows_here = [r for r in table.rows if "".join(r).replace(" ", "") in text]
            if len(rows_here) >= 3:
                pages_with_rows.append(p)
                assert all(h[:2] in text for h in header), p.page_number  # header repeated
                for row in rows_here:  # every cell of a row is on the page of its unit name
                    for cell in row:
                        assert cell.replace(" ", "") in text
        assert len(pages_with_rows) >= 2


def test_wide_table_is_turned_with_page_number_in_place(rendered):
    path, notice, _ = rendered["tables"]
    with pm.open_pdf(path) as doc:
        turned = [p for p in doc.pages if p.chars and sum(1 for c in p.chars if not c["upright"]) > len(p.chars) / 2]
        assert turned, "a landscape sheet"
        for p in turned:
            assert abs(p.width - PAGE_W) < 0.5  # the sheet stays portrait
            number = pm.page_number_line(p, BOTTOM)
            assert number is not None and number.text == f"—{p.page_number}—"
            inside = [c for c in p.chars if not c["upright"]]
            assert min(c["x0"] for c in inside) >= LEFT - 1 and max(c["x1"] for c in inside) <= RIGHT + 1
            assert min(c["top"] for c in inside) >= TOP - 1 and max(c["bottom"] for c in inside) <= BOTTOM + 1


def test_letter_format(rendered):
    with pdf(rendered, "letter") as doc:
        first = doc.pages[0]
        assert pm.page_number_line(first, BOTTOM) is None
        mast = max(pm.page_lines(first), key=lambda l: l.size)
        assert abs(pm.mm(mast.top) - L.masthead.letter_top_from_paper_mm) < 0.6
        red = pm.red_rects(first, min_width_pt=300)
        widths = {round(pm.mm(r["x1"] - r["x0"])) for r in red}
        assert widths == {L.letter_rules.length_mm}
        assert len(red) >= 4
        assert abs(pm.mm(PAGE_H - max(r["bottom"] for r in red)) - L.letter_rules.bottom_from_paper_mm) < 0.3
        number = next(l for l in pm.page_lines(first) if "〔" in l.text)
        assert abs(number.x1 - RIGHT) < 0.5
        if len(doc.pages) > 1:
            assert pm.page_number_line(doc.pages[1], BOTTOM) is not None


def test_minutes_format(rendered):
    path, notice, _ = rendered["minutes"]
    with pm.open_pdf(path) as doc:
        lines = pm.page_lines(doc.pages[0])
        mast = max(lines, key=lambda l: l.size)
        assert mast.text.endswith("纪要")
        assert abs(pm.mm(mast.top) - (L.page.margin_top_mm + L.masthead.top_from_block_mm)) < 0.5
        all_lines = [l for p in doc.pages for l in pm.body_lines(p, BOTTOM)]
    for label in notice.attendance:
        line = next(l for l in all_lines if l.text.startswith(f"{label}："))
        assert all("FandolHei" in c["fontname"] for c in line.chars[: len(label) + 1])
        assert abs(line.x0 - LEFT - 2 * CHAR) < 0.3


def test_red_rule_keeps_its_place_without_a_number(tmp_path):
    from gongwen.notice.source import notice_from_source

    tops = []
    for number in ("发文字号: 信开放办〔2023〕9号\n", ""):
        src = f"---\n发文机关: 信丰县扩大开放工作领导小组办公室\n{number}标题: 关于某事的通知\n成文日期: 2023年7月2日\n---\n正文。\n"
        path = tmp_path / f"n{len(number)}.pdf"
        write_pdf(notice_from_source(src), path)
        with pm.open_pdf(path) as doc:
            tops.append(pm.red_rects(doc.pages[0])[0]["top"])
    assert abs(tops[0] - tops[1]) < 0.1
