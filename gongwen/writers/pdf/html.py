"""Notice tree -> HTML for WeasyPrint. Lines are broken and justified here
(see linebreak.py); vertical positions of the 版头 come from the layout."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

from gongwen.layout.model import Masthead, PageModel, layout_notice
from gongwen.layout.spec import Layout, load_layout, mm
from gongwen.notice.numbers import cn_date
from gongwen.notice.spans import Span, pieces, placeholder_spans
from gongwen.notice.titles import title_lines
from gongwen.notice.tree import Attachment, Block, Image, Notice, PageBreak, Paragraph, Table
from gongwen.writers.pdf.landscape import row_chunks as landscape_row_chunks
from gongwen.writers.pdf.landscape import sheet as landscape_sheet
from gongwen.writers.pdf.linebreak import Line, Piece, break_paragraph, tight
from gongwen.notice.metrics import role_widths, text_width

HEADING_ROLE = {"h1": "heading1", "h2": "heading2", "h3": "body", "h4": "body"}


def _f(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".")


LINE_OPEN = re.compile(r'<div class="ln(?=[ "])')  # a typeset line (class token "ln"), as weasy.line_ordinals counts them


@dataclass(frozen=True)
class Tighten:
    """Lines from the `first`-th typeset line of the document (0-based, in
    document order) through the 成文日期 set `pitch` apart (GB/T 9704 7.3.5.5;
    render.layout decides it from a first layout)."""

    first: int
    pitch: float


class HtmlBuilder:
    """Builds the HTML of one notice. `banji` is "footnote" (at the bottom of
    the page where the text ends) or "own-page" (alone on the next even page)."""

    def __init__(self, notice: Notice, layout: Layout | None = None, banji: str = "footnote",
                 model: PageModel | None = None, tighten: Tighten | None = None):
        self.n = notice
        self.tighten = tighten
        self.fit_block: int | None = None  # with tighten: the body block its first line belongs to
        self.L = layout or load_layout()
        self.model = model or layout_notice(notice, self.L)
        self.banji_mode = banji
        self.out: list[str] = []
        self.W = self.L.block_width_pt
        self.P = self.L.char_pitch_pt
        self.pitch = self.L.line_pitch_pt
        self.size = self.L.body_size_pt

    # -- primitives -------------------------------------------------------
    def marked(self, t: str, spans: tuple[Span, ...] = (), start: int = 0, z_last: bool = False) -> str:
        """Escaped text with its placeholders (spans of the text it starts at
        `start` of) on a light background, for text without letter-spacing
        (centred lines, table cells, the 发文字号): an inline box with nothing
        but a background breaks no line differently and moves a glyph by
        Pango's rounding at most (under 0.001 pt). Justified lines, whose
        letter-spacing a span would round anew, get shades() instead.
        z_last puts the last character in the zero-spacing span of a full line."""
        out = []
        segs = pieces(t, spans, start) if spans else [(t, False)]
        for k, (seg, mark) in enumerate(segs):
            if z_last and k == len(segs) - 1 and seg:
                body = f'{escape(seg[:-1])}<span class="z">{escape(seg[-1])}</span>'
            else:
                body = str(escape(seg))
            out.append(f'<span style="background:{self.L.placeholder.shade}">{body}</span>' if mark else body)
        return "".join(out)

    def line_html(self, line: Line, size: float | None = None, cls: str = "",
                  spans: tuple[Span, ...] = (), start: int = 0) -> str:
        """One typeset line: the line's letter-spacing on every character but
        the last of a full line, so its glyphs end flush with the right edge;
        characters inside a Latin word, number or URL keep their own spacing
        (line.run_spacing) in a span. `spans` are placeholders of the
        paragraph; the line starts at `start` of it."""
        pieces_ = line.pieces
        style = f"padding-left:{_f(line.x)}pt;letter-spacing:{_f(line.spacing)}pt"
        if size and size != self.size:
            style += f";font-size:{_f(size)}pt"
        shade = self.shades(line, size or self.size, spans, start) if spans else ""
        whole = line.text
        # the characters followed by a gap inside a Latin word, number or URL
        inside = [tight(a) and tight(b) for a, b in zip(whole, whole[1:])] + [False] \
            if line.run_spacing is not None else None
        run = f'<span style="letter-spacing:{_f(line.run_spacing)}pt">' if inside else ""
        at = 0

        def text(i: int, t: str) -> str:
            nonlocal at
            first, at = at, at + len(t)
            if inside is not None:
                out, k = [], 0
                while k < len(t):
                    j = k
                    while j < len(t) and inside[first + j] == inside[first + k]:
                        j += 1
                    piece = t[k:j]
                    if first + j == len(whole) and line.full:
                        body = f'{escape(piece[:-1])}<span class="z">{escape(piece[-1])}</span>'
                    else:
                        body = str(escape(piece))
                    out.append(f"{run}{body}</span>" if inside[first + k] else body)
                    k = j
                return "".join(out)
            if line.full and i == len(pieces_) - 1:
                return f'{escape(t[:-1])}<span class="z">{escape(t[-1])}</span>'
            return str(escape(t))

        if len(pieces_) == 1:
            return f'<div class="ln r-{pieces_[0].role} {cls}" style="{style}">{shade}{text(0, pieces_[0].text)}</div>'
        inner = "".join(f'<span class="r-{p.role}">{text(i, p.text)}</span>' for i, p in enumerate(pieces_))
        return f'<div class="ln {cls}" style="{style}">{shade}{inner}</div>'

    def shades(self, line: Line, size: float, spans: tuple[Span, ...], start: int) -> str:
        """Light boxes behind the placeholders of a line, placed from the same
        advances the line was broken with: a block of no height opening the
        line holds them, so they are painted under the text (block backgrounds
        come before inline content) and move nothing. The characters stay in
        one text box: a span around them would round their positions anew."""
        chars = [(c, p.role) for p in line.pieces for c in p.text]
        gaps = line.gaps()
        end = start + len(chars)
        out = []
        for a, b in spans:
            a, b = max(a, start), min(b, end)
            if b <= a:
                continue
            x = line.x
            for i, (c, role) in enumerate(chars[: b - start]):
                adv = role_widths(role).em(c) * size + gaps[i]
                if i < a - start:
                    x += adv
                    continue
                if i == a - start:
                    x0 = x
                x += adv
            # A box of no height that is its own formatting context: the
            # shade's top margin cannot collapse through it and move the text.
            out.append(f'<div style="display:flow-root;height:0"><div style="margin:{_f((self.pitch - size) / 2)}pt 0 0 '
                       f'{_f(x0 - line.x)}pt;width:{_f(x - x0)}pt;height:{_f(size)}pt;'
                       f'background-color:{self.L.placeholder.shade}"></div></div>')
        return "".join(out)

    def lines(self, segments: list[Piece], first: float = 0.0, rest: float = 0.0, justify: bool = True,
              size: float | None = None, width: float | None = None, pitch: float | None = None) -> list[Line]:
        size = size or self.size
        return break_paragraph(segments, size, width or self.W, pitch or (self.P * size / self.size), first, rest, justify,
                               float(self.L.body.max_stretch_em))

    def blank(self, n: int = 1) -> None:
        self.out.extend('<div class="ln"></div>' for _ in range(n))

    def plain_line(self, text: str, role: str = "body", x: float = 0.0, size: float | None = None, cls: str = "") -> None:
        size = size or self.size
        spacing = self.P * size / self.size - size
        self.out.append(self.line_html(Line([Piece(text, role)], 0.0, spacing, x, False), size, cls))

    def width(self, text: str, role: str = "body", size: float | None = None) -> float:
        size = size or self.size
        return text_width(text, role, size, self.P * size / self.size - size)

    # -- 版头 ---------------------------------------------------------------
    def head(self) -> None:
        n, L = self.n, self.L
        y = 0.0  # distance from the top of the text block
        if n.format == "letter":
            self.letter_head()
            return
        marks = []
        if n.copy_no:
            marks.append((n.copy_no, "body"))
        if n.secrecy:
            marks.append((n.secrecy + (f"★{n.secrecy_term}" if n.secrecy_term else ""), "heading1"))
        if n.urgency:
            marks.append((n.urgency, "heading1"))
        for text, role in marks:
            self.plain_line(text, role)
            y += self.pitch
        mh = self.model.masthead
        if mh is None:
            return
        height = self.masthead(mh, mh.top_pt - y)
        y = mh.top_pt + height
        # Without a 发文字号 its line stays (empty), so the red rule keeps its place.
        if self.model.number_line:
            y = self.number_line(y)
        if self.model.red_rule:
            # y is the bottom of the number's characters; the line box ends half a leading lower.
            below = mm(L.red_rule.below_number_mm) - (self.pitch - self.size) / 2
            self.out.append(f'<div class="rule" style="margin-top:{_f(below)}pt"></div>')

    def masthead(self, mh: Masthead, margin_top: float) -> float:
        """The red 发文机关标志 the model decided; returns its height (em top
        of the first row to em bottom of the last). Rows are one masthead line
        (mh.line_pt) plus the row gap apart, as in the DOCX."""
        size = mh.size_pt
        style = f"margin-top:{_f(margin_top)}pt;font-size:{_f(size)}pt;line-height:{_f(size)}pt"
        if not mh.stacked:
            self.out.append(f'<div class="mast r-masthead" style="{style}">{escape(mh.text)}</div>')
            return size
        gap = mh.row_pitch_pt - size
        def row(i: int, s: str) -> str:
            # justified to the widest row by letter-spacing (WeasyPrint justifies only at spaces)
            margin = "margin-top:" + _f(gap) + "pt;" if i else ""
            if len(s) < 2:
                return f'<div style="height:{_f(size)}pt;{margin}text-align:center">{escape(s)}</div>'
            if abs(mh.row_spacing_pt(s)) < 1e-6:  # the widest row fills the stack as it is
                return f'<div style="height:{_f(size)}pt;{margin}text-align:justify;text-align-last:justify">{escape(s)}</div>'
            return (f'<div style="height:{_f(size)}pt;{margin}text-align:left;letter-spacing:{_f(mh.row_spacing_pt(s))}pt">'
                    f'{escape(s[:-1])}<span class="z">{escape(s[-1])}</span></div>')

        stack = "".join(row(i, s) for i, s in enumerate(mh.rows))
        side = f'<td style="padding-left:{_f(mh.suffix_gap_pt)}pt">{escape(mh.suffix)}</td>' if mh.suffix else ""
        self.out.append(
            f'<div class="mast r-masthead" style="{style}"><table><tbody><tr>'
            f'<td style="width:{_f(mh.stack_width_pt)}pt">{stack}</td>{side}</tr></tbody></table></div>'
        )
        return len(mh.rows) * size + (len(mh.rows) - 1) * gap

    def number_html(self) -> str:
        """The 发文字号 with a number still to be given (〔2024〕**号) shaded, as the DOCX highlights it."""
        return self.marked(self.n.number or "", self.n.field_placeholders("number"))

    def number_line(self, y: float) -> float:
        """发文字号 two blank lines under the masthead; 签发人 in the model's
        rows (two names a row), the number on the last row's line."""
        n = self.n
        gap = self.L.number.lines_below_masthead * self.pitch
        sg = self.model.signers
        html = []
        if sg is None:
            html.append(f'<div class="ln center" style="margin-top:{_f(gap)}pt">{self.number_html()}</div>')
            lines = 1
        else:
            grid = self.P - self.size  # the spacing the model measured the rows with
            for i, row in enumerate(sg.rows):
                last = i == len(sg.rows) - 1
                number = self.number_html() if last else ""
                margin = f"margin-top:{_f(gap)}pt;" if i == 0 else ""
                html.append(
                    f'<div class="ln" style="{margin}position:relative">'
                    f'<span style="position:absolute;left:{_f(sg.number_x_pt)}pt">{number}</span>'
                    f'<span style="position:absolute;left:{_f(sg.label_x_pt)}pt;letter-spacing:{_f(grid)}pt">{sg.label if i == 0 else ""}</span>'
                    f'<span class="r-signer_name" style="position:absolute;left:{_f(sg.names_x_pt)}pt;letter-spacing:{_f(grid)}pt">'
                    f'{escape(sg.separator.join(row)[:-1])}<span class="z">{escape(sg.separator.join(row)[-1])}</span></span></div>'
                )
            lines = len(sg.rows)
        self.out.extend(html)
        # Bottom of the number's characters: its line box minus the half-leading.
        return y + gap + lines * self.pitch - (self.pitch - self.size) / 2

    def letter_head(self) -> None:
        n, L = self.n, self.L
        mh = self.model.masthead
        top = mm(L.masthead.letter_top_from_paper_mm) - mm(L.page.margin_top_mm)
        if mh is not None:
            self.masthead(mh, top)
        self.double_rule(mm(L.letter_rules.below_masthead_mm), thick_first=True)
        if n.number:
            self.out.append(f'<div class="ln a-right">{self.number_html()}</div>')
        # The closing double line 20 mm above the paper bottom, on page 1 only.
        lr = L.letter_rules
        bottom = mm(L.page.height_mm - L.page.margin_top_mm - lr.bottom_from_paper_mm)
        offset = (mm(lr.length_mm) - self.W) / 2
        self.out.append(
            f'<div style="position:absolute;top:{_f(bottom - lr.thin_pt - lr.gap_pt - lr.thick_pt)}pt;left:{_f(-offset)}pt;'
            f'width:{_f(mm(lr.length_mm))}pt;height:{_f(lr.gap_pt)}pt;border-top:{_f(lr.thin_pt)}pt solid {L.colors.red};'
            f'border-bottom:{_f(lr.thick_pt)}pt solid {L.colors.red}"></div>'
        )

    def double_rule(self, margin_top: float, thick_first: bool) -> None:
        lr = self.L.letter_rules
        offset = (mm(lr.length_mm) - self.W) / 2
        a, b = (lr.thick_pt, lr.thin_pt) if thick_first else (lr.thin_pt, lr.thick_pt)
        red = self.L.colors.red
        self.out.append(
            f'<div style="margin:{_f(margin_top)}pt {_f(-offset)}pt 0 {_f(-offset)}pt;height:{_f(lr.gap_pt)}pt;'
            f'border-top:{_f(a)}pt solid {red};border-bottom:{_f(b)}pt solid {red}"></div>'
        )

    # -- title, addressee -----------------------------------------------------
    def title(self, title: str, note: str | None, lines_above: int, extra_pt: float = 0.0) -> None:
        L = self.L
        size = float(L.sizes_pt.er_hao)
        tp = float(L.title.line_pitch_pt)
        first = True
        above = lines_above * self.pitch + extra_pt
        for text in title_lines(title, int(L.title.max_chars_per_line)):
            margin = f"margin-top:{_f(above)}pt;" if first and above else ""
            self.out.append(
                f'<div class="ln center r-title" style="{margin}height:{_f(tp)}pt;line-height:{_f(tp)}pt;font-size:{_f(size)}pt">{self.marked(text, placeholder_spans(text))}</div>'
            )
            first = False
        if note:
            self.out.append(f'<div class="ln center r-heading2">{self.marked(note, placeholder_spans(note))}</div>')

    # -- body blocks ---------------------------------------------------------
    def paragraph(self, p: Paragraph) -> None:
        indent = p.indent_chars * self.P
        if p.kind == "body":
            segments = [Piece(p.text, "body")]
        else:
            segments = [Piece(p.heading_text, HEADING_ROLE[p.kind])]
            if p.rest_text:
                segments.append(Piece(p.rest_text, "body"))
        if p.align in ("center", "right"):
            role = segments[0].role
            self.out.append(f'<div class="ln r-{role} a-{p.align}">{self.marked(p.text, p.placeholders or ())}</div>')
            return
        lines = []
        start = 0
        for ln in self.lines(segments, first=indent):
            lines.append(self.line_html(ln, spans=p.placeholders or (), start=start))
            start += len(ln.text)
        self.out.append(f'<div class="p {p.kind}">' + "".join(lines) + "</div>")
        self.last_paragraph = (len(self.out) - 1, p.kind, lines)

    def table(self, t: Table) -> None:
        L = self.L
        ncols = t.ncols
        # Size, orientation and column widths come from the page model
        # (gongwen/layout/columns.py measures them once): the DOCX gets the same.
        tm = self.model.tables.get(id(t)) or layout_notice(Notice(title="", body=[t]), L).table(t)
        landscape, size, widths = tm.landscape, tm.size_pt, tm.widths
        cols = "".join(f'<col style="width:{_f(w)}pt"/>' for w in widths)
        align = tm.align

        spans, covered = t.merges()
        nhead = len(t.header)
        every = t.header + t.rows

        def sheet_spans(a: int, b: int):
            """Spans, covered cells and repeated cells for body rows a..b (one
            landscape sheet): a merge crossing the sheet's edge is cut there
            and its text repeated at the top of the next sheet."""
            lo, hi = nhead + a, nhead + b
            sp, cov, moved = {}, set(covered), {}
            for (r, c), (rs, cs) in spans.items():
                if r < nhead or lo <= r < hi:
                    sp[(r, c)] = (rs if r < nhead else min(rs, hi - r), cs)
                elif r < lo < r + rs:
                    sp[(lo, c)] = (min(r + rs, hi) - lo, cs)
                    cov.discard((lo, c))
                    moved[(lo, c)] = r
            return sp, cov, moved

        def cells(row, tag, r, sheet=(spans, covered, {})):
            sp, cov, moved = sheet
            out = []
            for i in range(ncols):
                if (r, i) in cov:
                    continue
                src = moved.get((r, i), r)
                text = every[src][i] if i < len(every[src]) else ""
                rs, cs = sp.get((r, i), (1, 1))
                span = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
                # A class, not a style attribute: cells alike then share one computed style.
                cls = f' class="a-{align[i]}"' if i < len(align) and align[i] and tag == "td" else ""
                out.append(f"<{tag}{cls}{span}>{self.marked(text, t.cell_placeholders(src, i))}</{tag}>")
            return "".join(out)

        head = "".join(f"<tr>{cells(row, 'th', r)}</tr>" for r, row in enumerate(t.header))
        caption = f'<div class="tcaption" style="break-after:avoid">{escape(t.title)}</div>' if t.title else ""
        note = f'<div class="tnote">{escape(t.note)}</div>' if t.note else ""

        def table_html(rows, ids=False, first=True, last=True):
            sheet = sheet_spans(rows.start, rows.stop) if rows else (spans, covered, {})
            body = "".join(
                f'<tr{f" id=r{i}" if ids else ""}>{cells(t.rows[i], "td", nhead + i, sheet)}</tr>' for i in rows
            )
            return (
                f'{caption if first else ""}<table class="grid" style="font-size:{_f(size)}pt;line-height:{_f(size * L.tables.line_height_em)}pt">'
                f"<colgroup>{cols}</colgroup><thead>{head}</thead><tbody>{body}</tbody></table>{note if last else ''}"
            )

        if not landscape:
            self.out.append(table_html(range(len(t.rows))))
            return
        chunks = landscape_row_chunks(table_html, len(t.rows), L)
        for k, (a, b) in enumerate(chunks):
            self.out.append(landscape_sheet(table_html(range(a, b), first=k == 0, last=k == len(chunks) - 1), L))

    def image(self, img: Image) -> None:
        if img.title:
            self.out.append(f'<div class="tcaption">{escape(img.title)}</div>')
        width = self.W * img.width_ratio
        src = Path(img.path).resolve().as_uri()
        self.out.append(f'<img class="figure" src="{escape(src)}" style="width:{_f(width)}pt"/>')

    def blocks(self, blocks: list[Block]) -> None:
        for b in blocks:
            if isinstance(b, Paragraph):
                self.paragraph(b)
            elif isinstance(b, Table):
                self.table(b)
            elif isinstance(b, PageBreak):
                self.out.append('<div class="pagebreak"></div>')
            elif isinstance(b, Image):
                self.image(b)

    # -- closing parts -----------------------------------------------------------
    def attachment_note(self) -> None:
        an = self.model.attachment_note
        if an is None:
            return
        atts = self.n.attachments
        self.blank()
        html = []
        if not an.numbered:
            name = atts[0].title.replace("\n", "")
            for ln in self.lines([Piece(an.label + name, "body")], first=an.x_pt, rest=an.name_x_pt):
                html.append(self.line_html(ln))
        for a in atts if an.numbered else []:
            # 附件：N. (or N.) in a box as wide as the room before the names, then the name in flow:
            # the text stays in reading order and every name starts at the model's x.
            lead_x = an.x_pt if a.number == 1 else an.number_x_pt
            lead = (an.label if a.number == 1 else "") + f"{a.number}."
            name = a.title.replace("\n", "")
            lines = self.lines([Piece(name, "body")], first=an.name_x_pt, rest=an.name_x_pt)
            for i, ln in enumerate(lines):
                if i:
                    html.append(self.line_html(ln))
                    continue
                box = (f'<span style="display:inline-block;width:{_f(an.name_x_pt - lead_x)}pt;'
                       f'letter-spacing:{_f(self.P - self.size)}pt">{escape(lead)}</span>')
                first = Line(ln.pieces, ln.natural, ln.spacing, lead_x, ln.full, ln.run_spacing)
                html.append(self.line_html(first).replace('">', '">' + box, 1))
        self.out.append('<div class="p keep">' + "".join(html) + "</div>")

    def signature(self) -> None:
        """署名 and 成文日期 where the model put them."""
        sig = self.model.signature
        if sig is None:
            return
        self.blank(sig.lines_above)
        spacing = self.P - self.size
        html = [self.line_html(Line([Piece(s.text, "body")], 0, spacing, max(s.x_pt, 0.0), False),
                               spans=placeholder_spans(s.text))
                for s in sig.names]
        html.extend('<div class="ln"></div>' for _ in range(sig.date_gap_lines if sig.date else 0))
        if sig.date:
            html.append(self.line_html(Line([Piece(sig.date.text, "body")], 0, spacing, sig.date.x_pt, False),
                                       spans=placeholder_spans(sig.date.text)))
        self.out.append('<div class="p keep">' + "".join(html) + "</div>")

    def note(self) -> None:
        if not self.n.note:
            return
        text = self.n.note.strip()
        if not text.startswith(("（", "(")):
            text = f"（{text}）"
        lines = self.lines([Piece(text, "body")], first=self.L.body.indent_chars * self.P)
        spans, html, start = placeholder_spans(text), [], 0
        for ln in lines:
            html.append(self.line_html(ln, spans=spans, start=start))
            start += len(ln.text)
        self.out.append('<div class="p">' + "".join(html) + "</div>")

    def attendance(self) -> None:
        if not self.n.attendance:
            return
        self.blank()
        x0 = self.L.body.indent_chars * self.P
        for label, names in self.n.attendance.items():
            text = f"{label}：{names}"
            lab = f"{label}："
            segs = [Piece(lab, "label"), Piece(names, "body")]
            lines = self.lines(segs, first=x0, rest=x0 + self.width(lab))
            self.out.append('<div class="p">' + "".join(self.line_html(l) for l in lines) + "</div>")
            del text

    def attachment(self, a: Attachment) -> None:
        L = self.L
        label = "附件" if len(self.n.attachments) == 1 else f"附件{a.number}"
        self.out.append('<div class="att">')
        self.plain_line(label if self.model.attachment_labels else "", "label")
        self.title(a.title, a.subtitle, L.attachment_page.title_line - L.attachment_page.label_line - 1)
        self.blank()
        self.blocks(a.body)
        self.out.append("</div>")

    def banji(self) -> str:
        """The 版记: 抄送 and the 印发 line between rules, in 4号."""
        n, L = self.n, self.L
        size = float(L.sizes_pt.si_hao)
        pitch = size  # one 4号 字
        x = L.banji.indent_chars * pitch
        width = self.W - 2 * x
        rows = []
        if n.cc:
            lab = "抄送："
            lines = break_paragraph([Piece(lab + n.cc, "banji")], size, width + x, size, x, x + text_width(lab, "banji", size),
                                    max_stretch_em=float(L.body.max_stretch_em))
            spans, html, start = placeholder_spans(lab + n.cc), [], 0
            for ln in lines:
                html.append(self.line_html(ln, size, spans=spans, start=start))
                start += len(ln.text)
            rows.append("".join(html))
        if n.printer or n.print_date_line:
            if n.format != "letter":
                date = f"{n.print_date_line}印发" if n.print_date_line else ""
                rows.append(
                    f'<div class="ln" style="position:relative;font-size:{_f(size)}pt">'
                    f'<span class="r-banji" style="position:absolute;left:{_f(x)}pt">{escape(n.printer or "")}</span>'
                    f'<span class="r-banji" style="position:absolute;right:{_f(x)}pt">{escape(date)}</span></div>'
                )
        inner = "".join(f'<div class="{"thin" if i else ""}">{r}</div>' for i, r in enumerate(rows))
        return f'<div class="banji" id="gw-banji">{inner}</div>'

    def closing(self) -> None:
        """附件说明, attendance, signature and 附注 stay together and take the
        body's last line with them: a page never holds only the signature."""
        start = len(self.out)
        last = self.last_paragraph
        self.attachment_note()
        self.attendance()
        self.signature()
        self.note()
        if len(self.out) == start:
            return
        closing = self.out[start:]
        del self.out[start:]
        carried = ""
        self.carried = 0
        if last is not None and last[0] == start - 1 and len(last[2]) > 1:
            index, kind, lines = last
            # Carry two lines, and leave two or none: no line of it alone on either page.
            n = len(lines) if len(lines) <= 3 else 2
            self.out[index] = f'<div class="p {kind}">' + "".join(lines[:-n]) + "</div>" if n < len(lines) else ""
            carried = f'<div class="p {kind}">{"".join(lines[-n:])}</div>'
            self.carried = n
        self.out.append('<div class="keep" id="gw-closing">' + carried + "".join(closing) + "</div>")

    def apply_tighten(self, text_start: int, body_start: int, starts: list[int], closing_at: int) -> None:
        """Mark the lines from tighten.first (never one of the 版头 or title)
        through the closing block with class t (set tighten.pitch apart by the
        stylesheet render.layout adds), and note the body block the first of
        them is in (-1: the 主送 and the blank line under the title; None: the
        closing block, past the body's carried lines)."""
        first = self.tighten.first
        block_of = {at: i for i, at in enumerate(starts)}
        seen, block, found = 0, None, False
        for index in range(closing_at + 1):
            block = block_of.get(index, block)
            text = self.out[index]
            count = len(LINE_OPEN.findall(text))
            if index < text_start or seen + count <= first:
                seen += count
                continue
            if not found:
                found = True
                if index < body_start:
                    self.fit_block = -1
                elif index < closing_at:
                    self.fit_block = block
                elif max(first, seen) < seen + self.carried:  # among the last paragraph's carried lines
                    self.fit_block = len(starts) - 1

            def mark(m: re.Match) -> str:
                nonlocal seen
                seen += 1
                return '<div class="ln t' if seen - 1 >= first else m.group(0)

            self.out[index] = LINE_OPEN.sub(mark, text)

    # -- the document --------------------------------------------------------------
    def build(self) -> str:
        n = self.n
        self.out = []
        self.head()
        # Opening the page (no 版头), the title's em box sits where the DOCX's exact line puts it.
        extra = self.model.title_top_pt - (float(self.L.title.line_pitch_pt) - float(self.L.sizes_pt.er_hao)) / 2
        if not self.model.title_shown:  # 命令: the text two lines under the order number
            self.blank(int(self.L.order.body_lines_below_number))
        else:
            self.title(n.title, n.title_note, self.model.title_lines_above,
                       extra if self.model.masthead is None else 0.0)
        text_start = len(self.out)  # what follows the title may be set closer (Tighten)
        if not self.model.title_shown:
            pass
        elif n.addressee:
            self.blank(self.L.title.addressee_lines_below)
            lines, start, spans = [], 0, n.field_placeholders("addressee")
            for ln in self.lines([Piece(n.addressee, "body")]):
                lines.append(self.line_html(ln, spans=spans, start=start))
                start += len(ln.text)
            self.out.append('<div class="p">' + "".join(lines) + "</div>")
        elif n.body:
            # Without 主送 the body keeps the blank line under the title.
            self.blank(self.L.title.addressee_lines_below)
        self.last_paragraph = None
        self.carried = 0
        body_start = len(self.out)
        starts = []
        for b in n.body:
            starts.append(len(self.out))
            self.blocks([b])
        closing_at = len(self.out)
        self.text_line0 = sum(len(LINE_OPEN.findall(t)) for t in self.out[:text_start])  # the first line under the title
        self.closing()
        if self.tighten is not None and len(self.out) > closing_at:
            self.apply_tighten(text_start, body_start, starts, closing_at)
        for a in n.attachments:
            if not a.note_only:
                self.attachment(a)
        self.out.append('<div id="gw-end"></div>')
        if n.has_banji:
            wrapper = "banji-own" if self.banji_mode == "own-page" else ""
            self.out.append(f'<div class="{wrapper}">{self.banji()}</div>')
        return f'<!DOCTYPE html><html lang="zh-CN"><head>{head_meta(n)}</head><body>{"".join(self.out)}</body></html>'



def head_meta(n: Notice) -> str:
    """<title> and <meta> elements WeasyPrint turns into the PDF's metadata."""
    from gongwen.writers.pdf.pdfa import fixed_time

    when = fixed_time(n).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    metas = [("author", "、".join(n.organs)), ("description", n.number or ""),
             ("keywords", ", ".join(v for v in (n.meta.get("活动"), n.meta.get("月份"), n.meta.get("文种")) if v)),
             ("generator", "gongwen"), ("dcterms.created", when), ("dcterms.modified", when)]
    tags = "".join(f'<meta name="{k}" content="{escape(v)}"/>' for k, v in metas if v)
    return f'<meta charset="utf-8"/><title>{escape(n.title.replace(chr(10), ""))}</title>{tags}'


def notice_html(notice: Notice, banji: str = "footnote") -> str:
    return HtmlBuilder(notice, banji=banji).build()


def banji_pages_html(notice: Notice, blank: bool) -> str:
    """The 版记 alone on a page, after a blank page when `blank`; neither numbered."""
    banji = HtmlBuilder(notice).banji()
    first = '<div style="page:banji"></div><div class="banji-own" style="break-before:page">' if blank else '<div class="banji-own">'
    return f'<!DOCTYPE html><html lang="zh-CN"><head>{head_meta(notice)}</head><body>{first}{banji}</div></body></html>'
