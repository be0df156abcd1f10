"""Rules measured on a PDF with the project's ruler (gongwen.check.measure):
the paper, where the text block really is, 22 lines of 28 characters, the
masthead and red rule on page 1, sizes, page numbers, and the written forms
(发文字号, dates, 附件说明) read from the text. Used for PDFs from any
origin and for a DOCX as LibreOffice lays it out."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

from gongwen.check import forms, measure
from gongwen.check.docx_rules import pitch_fits
from gongwen.check.findings import Finding, snippet
from gongwen.check.roles import ATTACH_NOTE, DATE_LOOSE, Item, Parsed, classify, flat, is_closing_date
from gongwen.layout.spec import load_layout, mm

TOL_PT = mm(1.5)


def _page_where(n: int) -> str:
    return f"第{n}页"


def _is_landscape(page) -> bool:
    return page.width > page.height


def check_pdf(path: Path, source: str = "PDF", text_rules: bool = True) -> list[Finding]:
    lay = load_layout()
    pg = lay.page
    W, H = mm(pg.width_mm), mm(pg.height_mm)
    top, bottom = mm(pg.margin_top_mm), mm(pg.height_mm - pg.margin_bottom_mm)
    left, right = mm(pg.margin_left_mm), mm(pg.width_mm - pg.margin_right_mm)
    zi = lay.char_pitch_pt
    body = lay.body_size_pt
    found: list[Finding] = []

    def add(rule, page_no, text, measured, expected):
        found.append(Finding(rule, _page_where(page_no), snippet(text), measured, expected, source=source))

    with measure.open_pdf(path) as pdf:
        pages = list(pdf.pages)
        if not pages:
            return found
        bad_paper = [i for i, p in enumerate(pages, 1)
                     if abs(min(p.width, p.height) - W) > 3 or abs(max(p.width, p.height) - H) > 3]
        if bad_paper:
            p = pages[bad_paper[0] - 1]
            add("paper", bad_paper[0], "", f"{p.width / mm(1):.0f} mm × {p.height / mm(1):.0f} mm（共 {len(bad_paper)} 页）",
                f"A4 {pg.width_mm} mm × {pg.height_mm} mm")
            return found  # nothing else is measurable against the block
        all_lines = {i: measure.page_lines(p) for i, p in enumerate(pages, 1)}
        portrait = [i for i, p in enumerate(pages, 1) if not _is_landscape(p)]

        # the size most text is set in (3号 in a compliant notice; whatever a draft used otherwise)
        ruled = {i for i, p in enumerate(pages, 1) if _table_rules(p) > 4}  # tables
        sizes = [round(ln.size * 2) / 2 for i in portrait if i not in ruled for ln in all_lines[i]
                 if ln.bottom <= bottom + 2 and len(ln.text) >= 10]
        main_size = statistics.mode(sizes) if sizes else body
        # -- the text block: body lines give its left and right edges ----------------------------
        long_lines = [(i, ln) for i in portrait if i not in ruled for ln in all_lines[i]
                      if abs(ln.size - main_size) < 0.6 and len(ln.text) >= lay.grid.chars // 2]
        if len(long_lines) >= 3:
            xs = sorted(ln.x0 for _, ln in long_lines)
            x0 = xs[len(xs) // 10]
            first = next((i, ln) for i, ln in long_lines if abs(ln.x0 - x0) < 2)
            if abs(x0 - left) > mm(1) + 1:
                add("margins", first[0], first[1].text, f"文字左边缘距纸边 {x0 / mm(1):.1f} mm",
                    f"订口 {pg.margin_left_mm} mm±1 mm")
            wrapped = [ln.x1 for _, ln in long_lines if abs(ln.x0 - x0) < 2 and len(ln.text) >= lay.grid.chars - 4]
            # narrower block: no line ever reaches the right edge; wider: lines regularly pass it
            x1 = right
            if len(wrapped) >= 5 and max(wrapped) < right - mm(1.5) - 2:
                x1 = max(wrapped)  # no line reaches the block's right edge: the block is narrower
            elif len(wrapped) >= 5 and statistics.median(wrapped) > right + mm(1.5) + 2:
                x1 = statistics.median(wrapped)  # lines regularly run past it: wider
            if x1 != right:
                add("margins", first[0], first[1].text, f"满行右边缘距纸边 {(W - x1) / mm(1):.1f} mm",
                    f"右白边 {pg.margin_right_mm} mm（版心宽 156 mm）")
            full = [(i, ln) for i, ln in long_lines if abs(ln.x0 - x0) < 2 and abs(ln.x1 - x1) < zi / 2
                    and re.fullmatch(r"[\u3000-\u9fff\uff00-\uffef“”‘’—…·]+", ln.text)]
            if len(full) >= 3:
                c = statistics.median(len(ln.text) for _, ln in full)
                if abs(c - lay.grid.chars) > 1:
                    add("grid", full[0][0], full[0][1].text, f"满行 {c:g} 个字", f"每行 {lay.grid.chars} 个字")
        # -- the first line of pages 2.. sits on the block top; 22 lines per full page -----------
        pitches_all, tops = [], []
        for i in portrait:
            lines = [ln for ln in all_lines[i] if ln.bottom <= bottom + 2]
            body_lines = [ln for ln in lines if abs(ln.size - main_size) < 0.6]
            if i > 1 and lines and abs(lines[0].size - main_size) < 0.6:
                em_top = measure.baseline(lines[0].chars[0]) - 0.88 * lines[0].size
                tops.append((i, em_top, lines[0]))
            if len(body_lines) >= 6 and i not in ruled:
                steps = [s for s in measure.pitches(body_lines) if s < 1.5 * lay.line_pitch_pt]
                if len(steps) >= 4:
                    # the median step; where lines alternate round the pitch (a fallback font for some
                    # characters, such as × in a format sample, moves its lines' baselines), the mean
                    # step, which is what decides how many lines a page holds
                    step = statistics.median(steps)
                    if not pitch_fits(step, lay, noise=0.25) and pitch_fits(statistics.fmean(steps), lay, noise=0.25):
                        step = statistics.fmean(steps)
                    pitches_all.append((i, step, len(body_lines), body_lines[0]))
        if tops:
            t = min(x for _, x, _ in tops)  # a page whose first line sits on the block top shows where it is
            pitch_gap = lay.line_pitch_pt - main_size  # the em box sits in the lower part of its line
            if not (top - mm(1) - 1 <= t <= top + pitch_gap + mm(1) + 1):
                i, _, ln = tops[0]
                add("margins", i, ln.text, f"版心上边缘距纸边约 {t / mm(1):.1f} mm", f"天头 {pg.margin_top_mm} mm±1 mm")
        # GB/T 9704 7.3.5.5: the page holding the 成文日期 may have its lines set closer
        # (down to the layout's closing_min_pitch_pt) so that the date stays with the text.
        lowest = lay.closing_min_pitch_pt - 0.25
        pitches_all = [(i, p, n, ln) for i, p, n, ln in pitches_all
                       if pitch_fits(p, lay, noise=0.25) or not lowest <= p < lay.line_pitch_pt
                       or not any(is_closing_date(x.text) for x in all_lines[i])]
        if pitches_all:
            pitch = statistics.median(p for _, p, _, _ in pitches_all)
            i, _, n, ln = pitches_all[0]
            if not pitch_fits(pitch, lay, noise=0.25):  # measured: allow for rounding in the PDF
                add("grid", i, ln.text, f"行距 {pitch:.1f} pt（约每面 {mm(225) / pitch:.0f} 行）",
                    f"{lay.line_pitch_pt} pt，每面 {lay.grid.lines} 行")
        # -- body size ---------------------------------------------------------------------------
        if sizes:
            common = main_size
            if abs(common - body) > 0.6:
                add("body_font", 1, "", f"正文主要字号 {common:g} pt", f"3号（{body:g} pt）")
        # -- page 1: masthead, number, red rule, title ----------------------------------------------
        first = all_lines[1]
        p1 = pages[0]
        # what each line is: the same classifier the DOCX rules use, on page 1's lines
        parsed = classify_lines(first, left, right, bottom, zi)
        order = parsed.form == "命令"
        reds = [ln for ln in first if _red_line(ln) and ln.size >= 20 and ln.top < top + mm(90)]
        rules = measure.red_rects(p1)
        head = next((i for i in parsed.items if i.role in ("number", "signer")), None)
        number = head.ref if head is not None else None
        if reds:
            m = reds[0]
            m_top = measure.baseline(m.chars[0]) - 0.88 * m.size
            # 命令: the organ + 令 20 mm below the block top (GB/T 9704 10.2); else 35 mm (7.2.4)
            want_mm = lay.order.top_from_block_mm if order else lay.masthead.top_from_block_mm
            want = top + mm(want_mm)
            letter = not order and abs(m_top - mm(lay.masthead.letter_top_from_paper_mm)) < mm(3)
            if not letter and abs(m_top - want) > mm(2):
                add("masthead", 1, m.text, f"上边缘距版心上边缘 {(m_top - top) / mm(1):.1f} mm",
                    f"{float(want_mm):g} mm" + ("（命令格式）" if order else ""))
            block = [ln for ln in reds if ln.top < m.top + 4 * m.size]
            centre = (min(ln.x0 for ln in block) + max(ln.x1 for ln in block)) / 2
            if abs(centre - (left + right) / 2) > mm(3):
                add("masthead", 1, m.text, "未居中", "居中排布")
            if number is not None and not letter:
                below = [r for r in rules if r["top"] > measure.baseline(number.chars[0]) - 2]
                if not below:
                    add("red_rule", 1, number.text, "发文字号下没有红色分隔线", "发文字号之下4 mm，与版心等宽的红色分隔线")
                else:
                    r = below[0]
                    gap = r["top"] - measure.baseline(number.chars[0])
                    width = r["x1"] - r["x0"]
                    if abs(width - (right - left)) > mm(2):
                        add("red_rule", 1, number.text, f"分隔线长 {width / mm(1):.0f} mm", "与版心等宽（156 mm）")
                    if abs(gap / mm(1) - lay.red_rule.below_number_mm) > 2:
                        add("red_rule", 1, number.text, f"分隔线在发文字号下 {gap / mm(1):.1f} mm",
                            f"{lay.red_rule.below_number_mm} mm")
        # -- the title: the first line under the 版头 (or the first line of a page without one);
        # a 命令 has none ----------------------------------------------------------------------------
        title = parsed.first("title")
        if title is not None and not flat(title.text).endswith(("：", ":")) and not title.red:
            t = title.ref
            if abs(t.size - lay.size("er_hao")) > 0.6 and len(flat(t.text)) >= 4:
                add("title", 1, t.text, f"标题字号 {t.size:.1f} pt", f"2号（{lay.size('er_hao'):g} pt）小标宋")
            elif abs((t.x0 + t.x1) / 2 - (left + right) / 2) > zi:
                add("title", 1, t.text, "标题未居中", "居中排布")
        # -- page numbers --------------------------------------------------------------------------
        numbered = 0
        for i in portrait:
            below = [ln for ln in all_lines[i] if ln.top > bottom + 2]
            if not below:
                continue
            ln = below[0]
            form = re.sub(r"\s", "", ln.text)
            if not re.search(r"\d", form):
                continue
            numbered += 1
            if not re.fullmatch(r"[—－-]+\d+[—－-]+", form) or not re.fullmatch(r"—\d+—", form):
                add("page_number", i, ln.text, f"页码印作“{ln.text}”", "— 1 —（两边各一条一字线）")
                break
            dash_top = ln.top
            if abs(dash_top - (bottom + mm(lay.page_number.below_block_mm))) > mm(2.5):
                add("page_number", i, ln.text, f"页码在版心下边缘之下 {(dash_top - bottom) / mm(1):.1f} mm",
                    f"{lay.page_number.below_block_mm} mm")
                break
            if abs(ln.size - lay.size("si_hao")) > 0.6:
                add("page_number", i, ln.text, f"页码字号 {ln.size:.1f} pt", f"4号（{lay.size('si_hao'):g} pt）")
                break
            side = lay.page_number.side_chars * zi
            if i % 2 == 1 and abs(ln.x1 - (right - side)) > zi * 0.75:
                add("page_number", i, ln.text, f"单页页码右端距版心右边缘 {(right - ln.x1) / zi:.1f} 字",
                    f"单页居右空{lay.page_number.side_chars}字")
                break
            if i % 2 == 0 and abs(ln.x0 - (left + side)) > zi * 0.75:
                add("page_number", i, ln.text, f"双页页码左端距版心左边缘 {(ln.x0 - left) / zi:.1f} 字",
                    f"双页居左空{lay.page_number.side_chars}字")
                break
        if len(pages) >= 2 and numbered == 0:
            add("page_number", 1, "", "没有页码", "— 1 —，版心下边缘之下7 mm")
        # -- 版记: 抄送 and 印发 lines in 4号 --------------------------------------------------------
        small = lay.size("si_hao")
        for i in portrait:
            for ln in all_lines[i]:
                t = flat(ln.text)
                if (re.match(r"^抄送[:：]", t) or re.search(r"\d{4}年\d{1,2}月\d{1,2}日印发$", t)) \
                        and abs(ln.size - small) > 0.6:
                    add("banji", i, ln.text, f"版记字号 {ln.size:.1f} pt", f"4号（{small:g} pt）仿宋")
                    break
        # -- text forms ------------------------------------------------------------------------
        if text_rules:
            if number is not None:
                text = flat(number.text).split("签发人")[0]
                for measured, expected in forms.number_problems(text):
                    add("number", 1, text, measured, expected)
            for i in portrait:
                for ln in all_lines[i]:
                    t = flat(ln.text)
                    if DATE_LOOSE.match(t):
                        for measured, expected in forms.date_problems(t):
                            add("signature", i, t, measured, expected)
                    if ATTACH_NOTE.match(t) and len(t) < 60:
                        for measured, expected in forms.attach_note_problems(t):
                            add("attach_note", i, t, measured, expected)
    return found


def _table_rules(page) -> int:
    """Lines and rectangles that may be table rules: not the red rule, not the coloured
    highlight over a field left to fill in (**年**月**日)."""
    n = 0
    for obj in list(page.rects) + list(page.lines):
        colour = obj.get("non_stroking_color") if obj.get("fill") else obj.get("stroking_color")
        if isinstance(colour, (tuple, list)) and len(colour) == 3 and max(colour) - min(colour) > 0.3:
            continue  # red, yellow, ...: not black table rules
        n += 1
    return n


def classify_lines(lines, left: float, right: float, bottom: float, zi: float) -> Parsed:
    """Roles (gongwen.check.roles.classify) for a page's text lines inside the block."""
    items = []
    for ln in lines:
        if ln.bottom > bottom + 2:
            continue  # the page number
        centre = abs((ln.x0 + ln.x1) / 2 - (left + right) / 2) < zi and ln.x0 > left + zi / 2
        flush_right = not centre and abs(ln.x1 - right) < zi and ln.x0 > left + zi
        items.append(Item(ln.text, ln.size, red=_red_line(ln), center=centre, right=flush_right,
                          indent=ln.x0 - left, ref=ln))
    return classify(items)


def _red_line(ln) -> bool:
    reds = 0
    for c in ln.chars:
        col = c.get("non_stroking_color")
        if isinstance(col, (tuple, list)) and len(col) == 3 and col[0] > 0.7 and col[1] < 0.3 and col[2] < 0.3:
            reds += 1
        elif isinstance(col, (tuple, list)) and len(col) == 4 and col[1] > 0.6 and col[2] > 0.6 and col[3] < 0.3:
            reds += 1
    return reds > len(ln.chars) / 2
