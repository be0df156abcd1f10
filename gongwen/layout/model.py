"""The page decisions for one notice, made once from the notice tree and
styles/layout.yaml; the DOCX and the PDF writer only translate them.

layout_notice(notice, layout) -> PageModel says: whether there is a
masthead and at what size (after shrinking to the block width), its stacked
rows and the gaps between them and to 文件/纪要; whether the 发文字号 line
and the red rule are drawn and how far under the masthead; where the title
and the addressee sit; the rows of 签发人 and where they stand; the 附件说明
and the signature with their x; every table's font size, orientation and
column widths; whether the 版记 goes on a page of its own (that one is
filled in by the caller: the PDF's pagination decides it).

Heights are those of a browser's line (the em box centred in its line);
the DOCX, whose exact lines put the em box elsewhere, converts. Widths are
measured with the fonts' own advances (gongwen.notice.metrics) at the grid
character pitch, as the PDF sets them; where a word processor's advances
differ, the model also names the rule (which edge is anchored, what is
centred on what) so the DOCX keeps it with its own."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from gongwen.layout.columns import column_align, column_widths, font_size, is_landscape
from gongwen.layout.spec import Layout, load_layout, mm
from gongwen.notice.metrics import text_width
from gongwen.notice.numbers import cn_date
from gongwen.notice.tree import Block, Notice, Table

SIGNER_LABEL = "签发人："
SIGNER_SEP = "\u3000"  # between two signers on one row


@dataclass(frozen=True)
class Masthead:
    """发文机关标志. Rows are stacked names (one for a single organ); the
    suffix (文件, 纪要 or none) stands right of a stack, or after a single name.
    Every length in points; row_pitch_pt is from one row's em top to the next."""

    rows: tuple[str, ...]
    suffix: str
    size_pt: float
    line_pt: float  # the line a row takes (the DOCX's exact line; the PDF adds the difference as gap)
    row_gap_pt: float  # between stacked rows, after line_pt
    suffix_gap_pt: float  # between the stack and the suffix (joint issuance)
    top_pt: float  # em top of the first row: below the text-block top (文件, 纪要) or the paper top (信函)

    @property
    def joint(self) -> bool:
        return len(self.rows) > 1 and bool(self.suffix)

    @property
    def stacked(self) -> bool:
        return len(self.rows) > 1

    @property
    def text(self) -> str:
        """A single row with its suffix, as printed."""
        return self.rows[0] + self.suffix

    @property
    def row_pitch_pt(self) -> float:
        return self.line_pt + self.row_gap_pt

    @property
    def em_bottom_pt(self) -> float:
        """Bottom of the last row's em box, from where top_pt is measured."""
        return self.top_pt + (len(self.rows) - 1) * self.row_pitch_pt + self.size_pt

    def row_spacing_pt(self, row: str) -> float:
        """Stacked rows are justified to the widest (the DOCX's "distribute"):
        the space after each character but the last."""
        if len(row) < 2:
            return 0.0
        return (self.stack_width_pt - len(row) * self.size_pt) / (len(row) - 1)

    @property
    def stack_width_pt(self) -> float:
        return max(len(r) for r in self.rows) * self.size_pt

    @property
    def suffix_width_pt(self) -> float:
        return len(self.suffix) * self.size_pt


@dataclass(frozen=True)
class Signers:
    """签发人 (GB/T 9704 7.2.4): the label, then the names `per_row` to a row,
    later rows aligned under the first name; the 发文字号 on the last row."""

    rows: tuple[tuple[str, ...], ...]
    label: str
    separator: str
    label_x_pt: float  # from the text-block left edge
    names_x_pt: float
    number_x_pt: float


@dataclass(frozen=True)
class SignLine:
    """One line of the signature: text, its left x in the text block, its
    width, and which edge stays fixed where a word processor's fonts differ
    (right: the right indent W - x - width; left: x)."""

    text: str
    x_pt: float
    width_pt: float
    anchor: Literal["left", "right"]
    block_width_pt: float

    @property
    def right_pt(self) -> float:
        return max(self.block_width_pt - self.x_pt - self.width_pt, 0.0)


@dataclass(frozen=True)
class Signature:
    """The lines with their x, and the rule that placed them, so a writer
    whose fonts advance differently keeps the relations the standard fixes:
    "centred": the date date_right 字 in from the right, names centred over it;
    "after_name": the name ends 2 字 in, the date starts date_offset_pt right of the name's first character;
    "long_date": the date ends 2 字 in, names start date_offset_pt left of the date;
    "signed" (命令, 7.3.5.4): the signer's title and 签名章 ending 4 字 in, the date under it ending there too."""

    names: tuple[SignLine, ...]
    date: SignLine | None
    seal: bool
    arrangement: Literal["centred", "after_name", "long_date", "signed"]
    date_offset_pt: float
    lines_above: int = 1  # blank lines between the text (or 附件说明) and the first name
    date_gap_lines: int = 0  # blank lines between the last name and the date


@dataclass(frozen=True)
class AttachmentNote:
    """附件说明 (GB/T 9704 7.3.4): 附件： indent_chars in; with several
    attachments "N." after the label and every name (and its wrapped lines)
    starting at one x, after the widest number and a gap."""

    label: str
    x_pt: float
    number_x_pt: float
    name_x_pt: float
    numbered: bool


@dataclass(frozen=True)
class TableModel:
    widths: tuple[float, ...]
    size_pt: float
    landscape: bool
    align: tuple[str | None, ...] = ()  # body cells by column: the source's, right for numbers, None centred


@dataclass(frozen=True)
class ClosingFit:
    """GB/T 9704 7.3.5.5, as the PDF's pagination decided it: from body block
    `from_block` (an index into the notice's body; -1: from the 主送 and the
    blank line under the title; None: from the 附件说明 on) through the
    成文日期, lines are `pitch_pt` apart instead of the grid's, so the 附件说明,
    signature and date stay on the page the text ends on."""

    pitch_pt: float
    from_block: int | None


@dataclass(frozen=True)
class PageModel:
    masthead: Masthead | None
    number_line: bool  # the 发文字号 line is drawn (empty when there is no number) under the masthead
    number_top_pt: float  # em top of the 发文字号 (and first 签发人) line below the text-block top
    signers: Signers | None
    red_rule: bool
    title_lines_above: int  # blank lines between the red rule (or the block top) and the title
    title_top_pt: float  # without a masthead: the title's em top below the top of its first line
    title_gap_pt: float  # with a red rule: from the rule's top to the title's first em top
    signature: Signature | None
    attachment_note: AttachmentNote | None
    tables: dict[int, TableModel] = field(default_factory=dict)  # by id() of the tree's Table
    banji_own_page: bool = False  # filled in by the caller (the PDF's pagination decides it)
    title_shown: bool = True  # a 令 prints no title: its text starts order.body_lines_below_number under the number
    attachment_labels: bool = True  # 附件N over an attachment (a 令's regulation has none)
    closing_fit: ClosingFit | None = None  # filled in by the caller (the PDF's pagination decides it)

    def table(self, t: Table) -> TableModel:
        return self.tables[id(t)]

    def with_banji_own_page(self, own: bool) -> "PageModel":
        return replace(self, banji_own_page=own)

    def with_closing_fit(self, fit: ClosingFit | None) -> "PageModel":
        return replace(self, closing_fit=fit)


# -- the decisions ------------------------------------------------------------------

def _width(text: str, role: str, L: Layout, size: float | None = None) -> float:
    """Width at the grid pitch (every character but the last one 字 apart)."""
    size = size or L.body_size_pt
    return text_width(text, role, size, L.char_pitch_pt * size / L.body_size_pt - size)


def masthead_rows(notice: Notice) -> tuple[tuple[str, ...], str]:
    """The names to stack and the suffix. 纪要 is added unless the name
    already ends with it; 信函 takes none."""
    rows = tuple(s for s in (notice.masthead or notice.organs) if s)
    if not rows:
        return (), ""
    if notice.format == "letter":
        return rows, ""
    if notice.format == "minutes":
        return rows, "" if rows[-1].endswith(("纪要", "紀要")) else "纪要"
    if notice.format == "order":
        return rows, "" if rows[-1].endswith("令") else "令"
    return rows, notice.masthead_suffix


def masthead_size(rows: tuple[str, ...], suffix: str, L: Layout) -> float:
    """The largest size (<= max, >= min), floored to size_step_pt, at which
    the widest row with its suffix (and the joint gap) fits the block width."""
    mh = L.masthead
    chars = max(len(r) for r in rows) + len(suffix)
    if len(rows) > 1 and suffix:
        chars += mh.joint_gap_em
    step = float(mh.size_step_pt)
    # round() first: a width that fits exactly must not lose a step to float error
    size = math.floor(round(L.block_width_pt / max(chars, 1) / step, 6)) * step
    return max(float(mh.min_size_pt), min(float(mh.max_size_pt), size))


def _masthead(notice: Notice, L: Layout) -> Masthead | None:
    rows, suffix = masthead_rows(notice)
    if not rows:
        return None
    size = masthead_size(rows, suffix, L)
    line = size * float(L.docx.exact_line_per_em)
    if notice.format == "letter":
        top = mm(L.masthead.letter_top_from_paper_mm)
    elif notice.format == "order":
        top = mm(L.order.top_from_block_mm)
    else:
        top = mm(L.masthead.top_from_block_mm)
    return Masthead(rows=rows, suffix=suffix, size_pt=size, line_pt=line,
                    row_gap_pt=float(L.masthead.joint_line_gap_pt),
                    suffix_gap_pt=size * float(L.masthead.joint_gap_em), top_pt=top)


def _signers(notice: Notice, L: Layout) -> Signers | None:
    if not notice.signers:
        return None
    per = int(L.number.signers_per_row)
    rows = tuple(tuple(notice.signers[i:i + per]) for i in range(0, len(notice.signers), per))
    widest = max(_width(SIGNER_SEP.join(r), "signer_name", L) for r in rows)
    label_w = _width(SIGNER_LABEL, "body", L)
    P = L.char_pitch_pt
    label_x = L.block_width_pt - P - label_w - widest
    return Signers(rows=rows, label=SIGNER_LABEL, separator=SIGNER_SEP, label_x_pt=label_x,
                   names_x_pt=label_x + label_w, number_x_pt=P)


def _signature(notice: Notice, L: Layout) -> Signature | None:
    """署名 and 成文日期 (GB/T 9704 7.3.5). 纪要 are not signed. With a seal,
    or with a date but no name: the date four 字 in from the right, names
    centred over it. Without: the name two 字 in from the right, the date
    starting two 字 right of the name's first character (if the date is
    longer: two 字 in from the right, the names moved to match); joint names
    start together."""
    if notice.format == "minutes":
        return None
    names = [s for s in notice.signatures if s]
    date = notice.date_line
    if not names and not date:
        return None
    W, P, sig = L.block_width_pt, L.char_pitch_pt, L.signature
    widths = [_width(s, "body", L) for s in names]
    name_w = max(widths, default=0.0)
    date_w = _width(date, "body", L) if date else 0.0

    def line(text, x, w, anchor):
        return SignLine(text, x, w, anchor, W)

    if notice.format == "order":
        # GB/T 9704 7.3.5.4: the 签名章 (the signer's name) four 字 in from the right, two lines
        # under the text, the title two 字 to its left; the date a line under it, four 字 in too.
        o = L.order
        gap = "\u3000" * int(o.signer_title_gap_chars)
        texts = [gap.join(part for part in re.split(r"[\s\u3000]+", s.strip(), maxsplit=1) if part) for s in names]
        right = W - o.signature_right_chars * P
        lines = tuple(line(t, max(right - w, 0.0), w, "right")
                      for t, w in ((t, _width(t, "body", L)) for t in texts))
        date_line = line(date, max(right - date_w, 0.0), date_w, "right") if date else None
        return Signature(lines, date_line, notice.seal, "signed", 0.0, int(o.signature_lines_above),
                         int(o.date_lines_below_signature) if lines else 0)
    if notice.seal or not names:
        # the date four 字 in from the right, names centred over it
        x_date = W - sig.date_right_chars_seal * P - date_w
        lines = tuple(line(s, max(min(x_date + (date_w - w) / 2, W - w), 0.0), w, "right")
                      for s, w in zip(names, widths))
        date_line = line(date, x_date, date_w, "right") if date else None
        return Signature(lines, date_line, notice.seal, "centred", 0.0, int(sig.lines_above))
    offset = sig.date_offset_chars * P
    x_name = W - sig.right_chars_no_seal * P - name_w
    x_date = x_name + offset
    if x_date + date_w > W - sig.date_right_chars_long * P:
        x_date = W - sig.date_right_chars_long * P - date_w
        x_name = x_date - offset
        date_anchor = "right"
    else:
        date_anchor = "left"
    if len(names) == 1 and date_anchor == "left":
        lines = (line(names[0], x_name, name_w, "right"),)
    else:
        lines = tuple(line(s, x_name, w, "left") for s, w in zip(names, widths))
    date_line = line(date, x_date, date_w, date_anchor) if date else None
    return Signature(lines, date_line, False, "after_name" if date_anchor == "left" else "long_date", offset,
                     int(sig.lines_above))


def _attachment_note(notice: Notice, L: Layout) -> AttachmentNote | None:
    atts = notice.attachments
    if not atts or notice.format == "order":  # a 令 promulgates what follows: no 附件说明
        return None
    label = "附件："
    x = float(L.attachment_note.indent_chars) * L.char_pitch_pt
    number_x = x + _width(label, "body", L)
    if len(atts) == 1:
        return AttachmentNote(label, x, number_x, number_x, False)
    widest = max(_width(f"{a.number}.", "body", L) for a in atts)
    gap = float(L.attachment_note.number_gap_chars) * L.char_pitch_pt
    return AttachmentNote(label, x, number_x, number_x + widest + gap, True)


def _tables(blocks: list[Block], L: Layout, out: dict[int, TableModel]) -> None:
    for b in blocks:
        if isinstance(b, Table):
            landscape = is_landscape(b, L)
            size = font_size(b, L)
            width = L.block_height_pt if landscape else L.block_width_pt
            widths = column_widths(b, width, size, float(L.tables.cell_side_padding_pt), float(L.tables.width_slack_pt))
            out[id(b)] = TableModel(tuple(widths), size, landscape, column_align(b))


def layout_notice(notice: Notice, layout: Layout | None = None, *, banji_own_page: bool = False) -> PageModel:
    """Every page decision both writers share, for one notice."""
    L = layout or load_layout()
    mast = _masthead(notice, L)
    letter = notice.format == "letter"
    # Without an organ there is no 版头: no masthead, no 发文字号 line, no red rule.
    head = mast is not None and not letter
    tables: dict[int, TableModel] = {}
    _tables(notice.body, L, tables)
    for a in notice.attachments:
        _tables(a.body, L, tables)
    # The number number.lines_below_masthead blank lines under the masthead's
    # em box, centred in its grid line (as a browser sets a line).
    number_top = (mast.em_bottom_pt + int(L.number.lines_below_masthead) * L.line_pitch_pt
                  + (L.line_pitch_pt - L.body_size_pt) / 2) if head else 0.0
    return PageModel(
        masthead=mast,
        number_line=head,
        number_top_pt=number_top,
        signers=_signers(notice, L) if head else None,
        red_rule=head and notice.format != "order",
        title_lines_above=int(L.title.lines_below_rule) if mast is not None else 0,
        # where an exact line of title.line_pitch_pt sets the em box (docx.baseline_per_line, em_ascent)
        # title.lines_below_rule lines under the rule, the em box centred in its title line
        title_gap_pt=(float(L.red_rule.thickness_pt) + int(L.title.lines_below_rule) * L.line_pitch_pt
                      + (float(L.title.line_pitch_pt) - float(L.sizes_pt.er_hao)) / 2),
        title_top_pt=max(L.docx.baseline_per_line * L.title.line_pitch_pt - L.docx.em_ascent * L.sizes_pt.er_hao, 0.0),
        signature=_signature(notice, L),
        attachment_note=_attachment_note(notice, L),
        tables=tables,
        banji_own_page=banji_own_page,
        title_shown=notice.format != "order",
        attachment_labels=notice.format != "order",
    )
