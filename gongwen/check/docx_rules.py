"""Rules read from the DOCX itself: page setup, effective fonts and sizes per
element, indents, the forms of 发文字号, dates, 附件说明, 版记, page-number
footers and tables. Layout numbers come from styles/layout.yaml."""

from __future__ import annotations

import math
import re

from gongwen.check import forms
from gongwen.check.docxread import Docx, Para
from gongwen.check.findings import Finding, snippet
from gongwen.check.roles import CC, PRINTED, Item, Parsed, classify, clean, flat, is_closing_date
from gongwen.notice import fonts as font_roles
from gongwen.layout.spec import load_layout, mm

MM_TOL = 1.0  # the standard's ±1 mm
PT_TOL = 0.6


def pitch_fits(pitch: float, lay, noise: float = 0.0) -> bool:
    """A line pitch that puts exactly grid.lines lines in the text block (225 mm): 28.95 pt
    (the layout's own), or anything down to just above 225 mm / 23, such as the common 固定值 28 磅."""
    lines = lay.grid.lines
    return lay.block_height_pt / (lines + 1) + noise < pitch <= lay.block_height_pt / lines + noise


def family_kind(name: str) -> str:
    """仿宋 / 黑体 / 楷体 / 小标宋 / 宋体 / other, for a font family name."""
    n = (name or "").lower().replace(" ", "")
    table = [("小标宋", ("小标宋", "xiaobiaosong", "xbs", "中宋", "zhongsong")),
             ("仿宋", ("仿宋", "fangsong", "fang")),
             ("楷体", ("楷", "kai")),
             ("黑体", ("黑", "hei", "sans")),
             ("宋体", ("宋", "song", "serif"))]
    for kind, keys in table:
        if any(k in n for k in keys):
            return kind
    # families the project's font list names for a role count as that role's kind
    for role, kind in (("title", "小标宋"), ("body", "仿宋"), ("heading1", "黑体"), ("heading2", "楷体")):
        if any(spec.family.lower().replace(" ", "") == n for spec in font_roles.roles()[role][:3]):
            return kind
    return "other"


def is_red(color: str) -> bool:
    c = (color or "").upper()
    if not re.fullmatch(r"[0-9A-F]{6}", c):
        return False
    r, g, b = int(c[:2], 16), int(c[2:4], 16), int(c[4:], 16)
    return r >= 0xB0 and g <= 0x60 and b <= 0x60


def is_black(color: str) -> bool:
    c = (color or "AUTO").upper()
    if c in ("AUTO", ""):
        return True
    if not re.fullmatch(r"[0-9A-F]{6}", c):
        return True
    return max(int(c[:2], 16), int(c[2:4], 16), int(c[4:], 16)) <= 0x40


def items_of(doc: Docx) -> list[Item]:
    out = []
    # body paragraphs, and the 版记 lines when they are typed in a (borderless) table
    paras = doc.paras
    carry = False  # a page break in an empty paragraph, or at the end of the one before
    table_before = False
    for i, p in enumerate(paras):
        if p.in_table and not (CC.match(flat(p.text)) or PRINTED.search(flat(p.text))):
            table_before = True
            continue
        brk = carry or p.page_break_before or p.break_before or (i > 0 and paras[i - 1].section != p.section)
        if not p.text.strip() and not p.border_bottom:
            carry = brk or p.break_after
            continue
        carry = p.break_after
        indent = p.left + max(p.first_line, 0) + p.leading_spaces() * max(p.size, 1)
        out.append(Item(p.shown, p.size, p.bold, is_red(p.color), p.align == "center", p.align == "right",
                        bool(p.border_bottom) and not p.text.strip(), brk, indent, table_before, p))
        table_before = False
    return out


def parse(doc: Docx) -> Parsed:
    return classify(items_of(doc))


def where(p: Para) -> str:
    return f"第{p.index}段"


def _prefix_runs(p: Para, n: int):
    """The runs covering the first n visible characters (a run-in heading)."""
    out, seen = [], 0
    for r in p.runs:
        if seen >= n:
            break
        if r.text.strip():
            out.append(r)
        seen += len(r.text)
    return out or p.runs


def _pt(x: float) -> str:
    return f"{x:g} pt" if x == int(x) else f"{x:.1f} pt"


def _size_name(x: float) -> str:
    names = {22: "2号", 16: "3号", 14: "4号", 12: "小4号", 10.5: "5号", 15: "小3号", 18: "小2号", 24: "小1号", 26: "1号",
             9: "小5号"}
    return f"{names.get(x, '')}（{_pt(x)}）" if x in names else _pt(x)


class DocxChecker:
    def __init__(self, doc: Docx):
        self.doc = doc
        self.lay = load_layout()
        self.parsed = parse(doc)
        self.found: list[Finding] = []
        self.zi = self.lay.char_pitch_pt

    def add(self, rule: str, p: Para | None, measured: str, expected: str, text: str | None = None,
            severity: str = "") -> None:
        self.found.append(Finding(rule, where(p) if p is not None else "全文", snippet(text if text is not None else (p.shown if p else "")),
                                  measured, expected, severity))

    def run(self) -> list[Finding]:
        for step in (self.page, self.line_pitch, self.header, self.title, self.addressee, self.body,
                     self.closing, self.attachments, self.banji, self.page_numbers, self.tables, self.colours):
            step()
        return self.found

    # -- page ---------------------------------------------------------------------------
    def page(self) -> None:
        pg = self.lay.page
        for i, s in enumerate(self.doc.sections):
            w, h = sorted((s.width, s.height))
            if abs(w - mm(pg.width_mm)) > 2 or abs(h - mm(pg.height_mm)) > 2:
                self.found.append(Finding("paper", f"第{i + 1}节", "", f"{w / mm(1):.0f} mm × {h / mm(1):.0f} mm",
                                          f"A4 {pg.width_mm} mm × {pg.height_mm} mm"))
                continue
            if s.width > s.height:
                continue  # a landscape table section: margins turn with the page
            got = {"上（天头）": s.top, "下": s.bottom, "左（订口）": s.left, "右": s.right}
            want = {"上（天头）": pg.margin_top_mm, "下": pg.margin_bottom_mm, "左（订口）": pg.margin_left_mm,
                    "右": pg.margin_right_mm}
            bad = [k for k in got if abs(got[k] / mm(1) - want[k]) > MM_TOL]
            if bad:
                self.found.append(Finding(
                    "margins", f"第{i + 1}节", "",
                    "，".join(f"{k}{got[k] / mm(1):.1f} mm" for k in bad),
                    "，".join(f"{k}{want[k]} mm±1 mm" for k in bad)))

    def _pitch(self, p: Para) -> float:
        s = self.doc.sections[p.section]
        natural = max(p.size, 1) * 1.3
        if p.line_rule == "exact":
            return p.line / 20
        if p.line_rule == "atLeast":
            return max(p.line / 20, natural)
        mult = p.line / 240
        if s.grid_type in ("lines", "linesAndChars") and s.line_pitch:
            return s.line_pitch * max(1, math.ceil(mult * natural / s.line_pitch - 0.01))
        return mult * natural

    def closer_before_date(self) -> set[int]:
        """GB/T 9704 7.3.5.5: the paragraphs just before the 成文日期 may be set
        closer (no closer than the layout's closing_min_pitch_pt) so that the
        date stays on the text's last page: the indexes of the items in the
        unbroken run of such paragraphs that ends at the date, no more of them
        than one page holds (their lines estimated from their length)."""
        items = self.parsed.items
        dates = [k for k, i in enumerate(items) if i.role == "date"] or \
            [k for k, i in enumerate(items) if is_closing_date(i.text)][-1:]
        lowest = self.lay.closing_min_pitch_pt - 0.05
        out: set[int] = set()
        height = 0.0
        for k in range(dates[0] if dates else 0, 0, -1):
            item = items[k - 1]
            pitch = self._pitch(item.ref)
            if item.role in ("title", "masthead", "number") or not lowest <= pitch < self.lay.line_pitch_pt:
                break
            height += pitch * max(1, math.ceil(len(clean(item.text)) / self.lay.grid.chars))
            if height > self.lay.block_height_pt:
                break
            out.add(k - 1)
        return out

    def line_pitch(self) -> None:
        want = self.lay.line_pitch_pt
        closer = self.closer_before_date()
        bad = [i.ref for k, i in enumerate(self.parsed.items) if i.role in ("body", "h1", "h2", "h3", "h4")
               and k not in closer and not pitch_fits(self._pitch(i.ref), self.lay)]
        if bad:
            self.add("grid", bad[0], f"行距约 {self._pitch(bad[0]):.1f} pt（共 {len(bad)} 段）",
                     f"固定值 {want} pt（每面 {self.lay.grid.lines} 行；不大于 {self.lay.block_height_pt / self.lay.grid.lines:.2f} pt）")

    # -- font helper -----------------------------------------------------------------------
    def font(self, item: Item, kind: str, size: float, rule: str, runs=None, what: str = "", severity: str = "") -> bool:
        p: Para = item.ref
        runs = [r for r in (runs or p.runs) if r.text.strip()]
        if not runs:
            return True
        got_sizes = sorted({r.size for r in runs})
        got_kinds = sorted({family_kind(r.font) for r in runs})
        problems = []
        if any(abs(s - size) > 0.26 for s in got_sizes):
            problems.append("字号" + "、".join(_size_name(s) for s in got_sizes))
        if got_kinds != [kind]:
            problems.append("字体" + "、".join(sorted({r.font or "（未指定）" for r in runs})))
        if problems:
            self.add(rule, p, (what + "：" if what else "") + "，".join(problems), f"{_size_name(size)}{kind}",
                     severity=severity)
            return False
        return True

    # -- 版头 ----------------------------------------------------------------------------
    def header(self) -> None:
        body = self.lay.body_size_pt
        for it in self.parsed.items:
            p: Para = it.ref
            t = flat(it.text)
            if it.role == "copy_no":
                if p.first_line + p.left > 2 or p.align not in ("left", "both"):
                    self.add("copy_no", p, "未顶格", "顶格编排在版心左上角第一行")
            elif it.role in ("secrecy", "urgency"):
                self.font(it, "黑体", body, "secrecy")
                if p.first_line + p.left > 2 or p.align not in ("left", "both"):
                    self.add("secrecy", p, "未顶格", "顶格编排")
            elif it.role == "masthead":
                if not it.red:
                    self.add("masthead", p, f"颜色 {p.color}", "红色（#FF0000）")
                if p.align != "center" and not p.in_textbox:  # a text box is placed as a whole
                    self.add("masthead", p, "未居中", "居中排布")
                kinds = {family_kind(r.font) for r in p.runs if r.text.strip()}
                if kinds != {"小标宋"}:
                    self.add("masthead", p, "字体" + "、".join(sorted({r.font for r in p.runs if r.text.strip()})), "小标宋体字")
                if p.size > self.lay.masthead.max_size_pt + 0.5:
                    self.add("masthead", p, f"字号 {_pt(p.size)}", f"不大于 {self.lay.masthead.max_size_pt} pt（不超出版心）")
            elif it.role == "order_no":  # 命令: 令号 centred under the organ + 令 (GB/T 9704 10.2)
                self.font(it, "仿宋", body, "number", severity="一般")
                if p.align != "center":
                    self.add("number", p, "令号未居中", "令号居中排布", severity="一般")
            elif it.role in ("number", "signer"):
                number = t.split("签发人")[0] if it.role == "signer" else t
                if number:
                    for measured, expected in forms.number_problems(number):
                        self.add("number", p, measured, expected, number)
                if it.role == "number":
                    self.font(it, "仿宋", body, "number", severity="一般")
                    if p.align not in ("center", "right"):  # 信函格式: flush right under the double line
                        self.add("number", p, "未居中", "居中排布（上行文居左空一字，信函格式居右）", severity="一般")
                if it.role == "signer":
                    name_runs = []
                    after = p.shown.find("签发人") + 4
                    seen = 0
                    for r in p.runs:
                        if seen >= after and r.text.strip():
                            name_runs.append(r)
                        seen += len(r.text)
                    if name_runs and {family_kind(r.font) for r in name_runs} != {"楷体"}:
                        self.add("signer", p, "签发人姓名字体" + "、".join(sorted({r.font for r in name_runs})), "3号楷体字")
        # the red rule under the number
        head = [i for i in self.parsed.items[:10] if i.role in ("masthead", "number", "signer", "rule")]
        if any(i.role == "masthead" for i in head) and any(i.role in ("number", "signer") for i in head):
            has_rule = any(i.role == "rule" for i in head) or any(i.ref.border_bottom for i in head) \
                or any(i.ref.has_drawing for i in self.parsed.items[:10])
            rule_items = [i for i in head if i.role == "rule" or i.ref.border_bottom]
            if not has_rule:
                self.add("red_rule", head[-1].ref, "没有分隔线", "发文字号之下4 mm处一条与版心等宽的红色分隔线")
            elif rule_items and not is_red(rule_items[0].ref.border_bottom or ""):
                self.add("red_rule", rule_items[0].ref, f"分隔线颜色 {rule_items[0].ref.border_bottom}", "红色")

    def title(self) -> None:
        for it in self.parsed.of("title"):
            p: Para = it.ref
            self.font(it, "小标宋", self.lay.size("er_hao"), "title")
            if p.align != "center":
                self.add("title", p, "未居中", "居中排布")
            if clean(it.text).endswith(("。", ".")):
                self.add("title", p, "标题末尾有句号", "标题末尾不加标点")

    def addressee(self) -> None:
        for it in self.parsed.of("addressee"):
            p: Para = it.ref
            self.font(it, "仿宋", self.lay.body_size_pt, "addressee")
            if p.first_line + p.left > 2 or p.leading_spaces() or p.align in ("center", "right"):
                self.add("addressee", p, f"左缩进 {(p.first_line + p.left) / self.zi:.1f} 字" +
                         (f"，段首 {p.leading_spaces()} 个空格" if p.leading_spaces() else ""), "居左顶格")
            if not clean(it.text).endswith("："):
                self.add("addressee", p, f"末尾是“{clean(it.text)[-1:]}”", "以全角冒号“：”结尾")

    # -- 正文 ----------------------------------------------------------------------------
    def body(self) -> None:
        body = self.lay.body_size_pt
        indent = self.lay.body.indent_chars * self.zi
        fonts_bad = {"body": [], "h3": [], "h4": []}
        heads_bad: dict[str, list] = {"h1": [], "h2": []}
        indent_bad, spaces, breaks = [], [], []
        for it in self.parsed.items:
            p: Para = it.ref
            if it.role not in ("body", "h1", "h2", "h3", "h4", "attach_body"):
                continue
            text = clean(it.text)
            if not text or p.align == "center":  # a table title or a centred sub-heading
                continue
            if re.match(r"^(注[:：]|出席[:：]|请假[:：]|列席[:：]|缺席[:：]|附件\d*$)", text):
                continue  # a table note, 纪要 attendance: their own size, hanging or flush by design
            runin = 0
            if it.role in ("h1", "h2"):
                from gongwen.notice.body import make_paragraph

                # a numbered item longer than a heading is body text (GB/T 9704 7.3.3 sets
                # 层次序数 headings, not paragraphs): only a run-in heading takes the face
                runin = make_paragraph(text).runin
            if runin:
                prefix = _prefix_runs(p, p.leading_spaces() + runin)
                kind = "黑体" if it.role == "h1" else "楷体"
                runs = [r for r in prefix if r.text.strip()]
                if any(abs(r.size - body) > 0.26 for r in runs) or any(family_kind(r.font) != kind for r in runs):
                    heads_bad[it.role].append((it, runs, kind))
            else:
                runs = [r for r in p.runs if r.text.strip()]
                if any(abs(r.size - body) > 0.26 for r in runs) or any(family_kind(r.font) != "仿宋" for r in runs):
                    fonts_bad.setdefault(it.role if it.role in fonts_bad else "body", []).append(it)
            if p.align in ("center", "right"):
                continue
            lead = p.leading_spaces()
            if lead:
                spaces.append(p)
            elif abs(p.first_line - indent) > 4 or abs(p.left) > 2:
                indent_bad.append(p)
            if "\n" in p.text.strip("\n") and it.role in ("body", "attach_body"):
                breaks.append(p)
        for role, bad in fonts_bad.items():
            if bad:
                first = bad[0].ref
                runs = [r for r in first.runs if r.text.strip()]
                self.add("body_font" if role in ("body",) else "headings", first,
                         "字号" + "、".join(_size_name(s) for s in sorted({r.size for r in runs})) + "，字体" +
                         "、".join(sorted({r.font or "（未指定）" for r in runs})) + f"（共 {len(bad)} 段）",
                         f"{_size_name(body)}仿宋")
        for role, bad in heads_bad.items():
            if bad:
                it, runs, kind = bad[0]
                self.add("headings", it.ref, {"h1": "一级标题", "h2": "二级标题"}[role] + "：字号" +
                         "、".join(_size_name(s) for s in sorted({r.size for r in runs})) + "，字体" +
                         "、".join(sorted({r.font or "（未指定）" for r in runs})) + f"（共 {len(bad)} 处）",
                         f"{_size_name(body)}{kind}")
        if spaces:
            p = spaces[0]
            self.add("indent", p, f"用 {p.leading_spaces()} 个空格缩进（共 {len(spaces)} 段）",
                     f"首行缩进 {self.lay.body.indent_chars} 字（段落格式设置，不打空格）")
        if indent_bad:
            p = indent_bad[0]
            self.add("indent", p, f"首行缩进 {p.first_line / self.zi:.1f} 字，左缩进 {p.left / self.zi:.1f} 字（共 {len(indent_bad)} 段）",
                     f"首行缩进 {self.lay.body.indent_chars} 字，回行顶格")
        if breaks:
            self.add("line_break", breaks[0], f"段内有手动换行（共 {len(breaks)} 段）", "一个自然段一段，回行由排版完成")

    def closing(self) -> None:
        body = self.lay.body_size_pt
        notes = self.parsed.of("attach_note")
        if notes:
            first = notes[0]
            p: Para = first.ref
            text = "\n".join(clean(i.text) for i in notes)
            for measured, expected in forms.attach_note_problems(text):
                self.add("attach_note", p, measured, expected)
            ind = (p.first_line + p.left) if p.first_line >= 0 else p.left + p.first_line
            lead = p.leading_spaces()
            if not lead and abs(ind - self.lay.attachment_note.indent_chars * self.zi) > 4:
                self.add("attach_note", p, f"左空 {ind / self.zi:.1f} 字", f"左空 {self.lay.attachment_note.indent_chars} 字")
            self.font(first, "仿宋", body, "attach_note")
        for it in self.parsed.of("signature"):
            self.font(it, "仿宋", body, "signature")
            p = it.ref
            if p.align in ("left", "both") and not p.leading_spaces() and p.left + p.first_line < 10 * self.zi:
                self.add("signature", p, "署名居左", f"居右（不加盖印章时右空 {self.lay.signature.right_chars_no_seal} 字）")
        for it in self.parsed.of("date"):
            p = it.ref
            self.font(it, "仿宋", body, "signature")
            for measured, expected in forms.date_problems(flat(it.text)):
                self.add("signature", p, measured, expected)
            if p.align in ("left", "both") and not p.leading_spaces() and p.left + p.first_line < 10 * self.zi:
                self.add("signature", p, "成文日期居左", "居右，在署名之下")
        for it in self.parsed.of("note"):
            p = it.ref
            t = clean(it.text)
            if not (t.startswith("（") and t.endswith("）")):
                self.add("note", p, f"括号为“{t[0]}…{t[-1]}”", "全角圆括号（）")
            self.font(it, "仿宋", body, "note")

    def attachments(self) -> None:
        labels = self.parsed.of("attach_label")
        notes = [clean(i.text) for i in self.parsed.of("attach_note")]
        listed = forms.attach_note_count("\n".join(notes)) if notes else 0
        for n, it in enumerate(labels, start=1):
            p: Para = it.ref
            t = flat(it.text)
            self.font(it, "黑体", self.lay.body_size_pt, "attachment")
            if not it.page_break:
                self.add("attachment", p, "附件未另起一页", "附件另面编排")
            if t.endswith(("：", ":")):
                self.add("attachment", p, f"“{t}”带冒号", "“附件”及顺序号后不加冒号")
            want = "附件" if len(labels) == 1 and listed <= 1 else f"附件{n}"
            if t.rstrip("：:") not in (want, f"附件{n}"):
                self.add("attachment", p, f"标识为“{t}”", f"“{want}”（与附件说明的顺序号一致）")
        if labels and listed and len(labels) > listed:
            self.add("attachment", labels[-1].ref, f"附件 {len(labels)} 个，附件说明列了 {listed} 个", "附件与附件说明一致")
        for it in self.parsed.of("attach_title"):
            self.font(it, "小标宋", self.lay.size("er_hao"), "attachment", what="附件标题")
            if it.ref.align != "center":
                self.add("attachment", it.ref, "附件标题未居中", "居中排布")

    def banji(self) -> None:
        small = self.lay.size("si_hao")
        for it in self.parsed.of("cc"):
            p = it.ref
            t = flat(it.text)
            self.font(it, "仿宋", small, "banji", what="抄送")
            if not re.match(r"^抄送：", t):
                self.add("banji", p, f"写作“{t[:3]}”", "“抄送：”（全角冒号）")
            if not t.endswith("。"):
                self.add("banji", p, f"末尾是“{t[-1:]}”", "最后一个抄送机关后标句号")
        for it in self.parsed.of("printer"):
            self.font(it, "仿宋", small, "banji", what="印发机关和印发日期")
            m = re.search(r"(\S+?)印发$", flat(it.text))
            if m:
                for measured, expected in forms.date_problems(re.search(r"\d+年.*日", flat(it.text)).group(0)):
                    self.add("banji", it.ref, "印发日期" + measured, expected)

    def page_numbers(self) -> None:
        d = self.doc
        portrait = [s for s in d.sections]
        if not portrait:
            return
        s0 = portrait[0]
        parts = s0.footers
        default = d.footers.get(parts.get("default", ""), [])
        even = d.footers.get(parts.get("even", ""), [])
        text = "".join(p.text for p in default).strip()
        if not text:
            self.found.append(Finding("page_number", "页脚", "", "没有页码", "“— 1 —”形式的页码"))
            return
        form = re.sub(r"[ \u00a0]", "", text)
        if not re.fullmatch(r"—\d+—", form):
            self.found.append(Finding("page_number", "页脚", snippet(text), f"页码写作“{text}”",
                                      "4号半角阿拉伯数字，左右各一条一字线：— 1 —"))
        numbered = [p for p in default if p.text.strip()]
        if numbered:
            runs = [r for r in numbered[0].runs if r.text.strip()]
            sizes = {r.size for r in runs}
            if any(abs(x - self.lay.size("si_hao")) > 0.26 for x in sizes):
                self.found.append(Finding("page_number", "页脚", snippet(text), "字号" + "、".join(_size_name(x) for x in sorted(sizes)),
                                          f"{_size_name(self.lay.size('si_hao'))}宋体"))
            if numbered[0].align != "right":
                self.found.append(Finding("page_number", "页脚（单页）", snippet(text),
                                          {"center": "居中", "left": "居左", "both": "居左"}.get(numbered[0].align, numbered[0].align),
                                          "单页码居右空一字"))
        even_num = [p for p in even if p.text.strip()]
        if not d.even_odd or not even_num:
            self.found.append(Finding("page_number", "页脚（双页）", snippet(text), "单双页页码位置相同",
                                      "双页码居左空一字（页面设置“奇偶页不同”）"))
        elif even_num[0].align != "left" and even_num[0].align != "both":
            self.found.append(Finding("page_number", "页脚（双页）", snippet(text), "双页码未居左", "双页码居左空一字"))

    def tables(self) -> None:
        small = self.lay.size("table_small")
        for t in self.doc.tables:
            cells = [p for p in self.doc.paras if p.table == t.index and p.text.strip()]
            if any(CC.match(flat(p.text)) or PRINTED.search(flat(p.text)) for p in cells):
                continue  # the 版记 typed as a table
            tiny = [p for p in cells if p.size < small - 0.26]
            if tiny:
                self.add("table", tiny[0], f"表格文字 {_size_name(tiny[0].size)}", f"不小于{_size_name(small)}")
            if not t.borders and len(t.rows) >= 3 and max(len(r) for r in t.rows) >= 2:
                self.add("table", cells[0] if cells else None, "表格没有框线", "表格加框线")

    def colours(self) -> None:
        bad = [i for i in self.parsed.items if i.role not in ("masthead", "rule") and
               any(not is_black(r.color) and r.text.strip() for r in i.ref.runs)]
        if bad:
            p = bad[0].ref
            colours = sorted({r.color for r in p.runs if not is_black(r.color)})
            self.add("text_color", p, f"文字颜色 {'、'.join(colours)}（共 {len(bad)} 段）", "黑色")


def check_docx_xml(doc: Docx) -> list[Finding]:
    return DocxChecker(doc).run()
