"""The notice tree: every GB/T 9704 element is a node or a property here,
so writers never guess from text what something is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, Union

from gongwen.notice.spans import Span, placeholder_spans

Format = Literal["file", "letter", "minutes", "order"]
ParagraphKind = Literal["body", "h1", "h2", "h3", "h4"]
Align = Literal["justify", "center", "left", "right"]


@dataclass
class Paragraph:
    """A paragraph of the body. For a run-in heading (（一）标题。正文……) the
    first `runin` characters are the heading and take its font; the rest is
    body text. A stand-alone heading has runin == len(text)."""

    text: str
    kind: ParagraphKind = "body"
    runin: int = 0
    align: Align = "justify"
    indent_chars: float = 2.0
    # Placeholders staff must fill in (** and 【…】) as character ranges of
    # `text`; the source reader sets them, else they are found on creation.
    placeholders: tuple[Span, ...] | None = None

    def __post_init__(self) -> None:
        if self.placeholders is None:
            self.placeholders = placeholder_spans(self.text)

    @property
    def heading_text(self) -> str:
        return self.text[: self.runin]

    @property
    def rest_text(self) -> str:
        return self.text[self.runin:]


MERGE_LEFT, MERGE_UP = "<", "^"  # a table cell joined to its left / upper neighbour


@dataclass
class Table:
    """A table: header rows repeat on every page; rows are never split."""

    header: list[list[str]]
    rows: list[list[str]]
    title: str | None = None
    widths: list[float] | None = None  # relative column widths
    landscape: bool | None = None  # None: decided by the column count
    font_size: Literal["body", "table", "table_small"] | None = None  # None: auto
    align: list[Align] | None = None  # per column
    note: str | None = None  # a line under the table (e.g. 注：……)
    # Placeholders by (row, column), rows counted over header + rows; found on creation when not given.
    placeholders: dict[tuple[int, int], tuple[Span, ...]] | None = None
    # The cells the spans were given for: a cell changed since is looked at again.
    _cells: list[list[str]] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.placeholders is None:
            self.placeholders = {(r, c): spans for r, row in enumerate(self.header + self.rows)
                                 for c, text in enumerate(row) if (spans := placeholder_spans(text))}
        self._cells = [list(row) for row in self.header + self.rows]

    def cell_placeholders(self, row: int, col: int) -> tuple[Span, ...]:
        rows = self.header + self.rows
        text = rows[row][col] if row < len(rows) and col < len(rows[row]) else ""
        cells = self._cells or []
        if row < len(cells) and col < len(cells[row]) and cells[row][col] == text:
            return (self.placeholders or {}).get((row, col), ())
        return placeholder_spans(text)  # rows replaced after the tree was read

    @property
    def ncols(self) -> int:
        rows = self.header + self.rows
        return max((len(r) for r in rows), default=0)

    def merges(self) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
        """Merged cells written in the source: a cell that is only < joins the
        cell on its left, only ^ the cell above. Returns the anchor cells with
        their (rowspan, colspan), rows counted over header + rows, and the
        cells they cover."""
        rows = self.header + self.rows
        ncols = self.ncols
        owner: dict[tuple[int, int], tuple[int, int]] = {}
        for r, row in enumerate(rows):
            for c in range(ncols):
                text = row[c].strip() if c < len(row) else ""
                if text == MERGE_LEFT and c > 0:
                    owner[(r, c)] = owner.get((r, c - 1), (r, c - 1))
                elif text == MERGE_UP and r > 0:
                    owner[(r, c)] = owner.get((r - 1, c), (r - 1, c))
        spans: dict[tuple[int, int], tuple[int, int]] = {}
        for (r, c), (ar, ac) in owner.items():
            rs, cs = spans.get((ar, ac), (1, 1))
            spans[(ar, ac)] = (max(rs, r - ar + 1), max(cs, c - ac + 1))
        return spans, set(owner)


@dataclass
class PageBreak:
    pass


@dataclass
class Image:
    """A picture (e.g. a chart) scaled to the text-block width."""

    path: str
    title: str | None = None
    width_ratio: float = 1.0


Block = Union[Paragraph, Table, PageBreak, Image]


@dataclass
class Attachment:
    number: int
    title: str
    subtitle: str | None = None  # e.g. （征求意见稿）
    body: list[Block] = field(default_factory=list)
    note_only: bool = False  # listed in 附件说明, but no text in this document


@dataclass
class Notice:
    title: str  # may contain "\n" where the author fixed the line breaks
    body: list[Block] = field(default_factory=list)
    format: Format = "file"
    organs: list[str] = field(default_factory=list)  # 发文机关, lead organ first
    masthead: list[str] = field(default_factory=list)  # 发文机关标志 lines (stacked)
    masthead_suffix: str = "文件"  # printed beside the stack ("" for none)
    number: str | None = None  # 发文字号
    signers: list[str] = field(default_factory=list)  # 签发人 (upward documents)
    copy_no: str | None = None  # 份号
    secrecy: str | None = None  # 密级
    secrecy_term: str | None = None  # 保密期限
    urgency: str | None = None  # 紧急程度
    title_note: str | None = None  # a line under the title, e.g. （征求意见稿）
    addressee: str | None = None  # 主送机关
    signatures: list[str] = field(default_factory=list)  # 署名
    date: dt.date | None = None  # 成文日期
    date_text: str | None = None  # 成文日期 still to be filled in (20**年**月**日), printed as written
    seal: bool = False  # 印章
    note: str | None = None  # 附注
    attachments: list[Attachment] = field(default_factory=list)
    cc: str | None = None  # 抄送
    printer: str | None = None  # 印发机关
    print_date: dt.date | None = None  # 印发日期
    print_date_text: str | None = None  # 印发日期 still to be filled in
    attendance: dict[str, str] = field(default_factory=dict)  # 纪要: 出席/请假/列席
    meta: dict[str, str] = field(default_factory=dict)  # campaign, month, … for metadata
    # Placeholders in the notice's own text fields, by field name ("number",
    # "addressee"): set by the source reader; a field not listed is looked at when written.
    placeholders: dict[str, tuple[Span, ...]] = field(default_factory=dict)
    name: str = "notice"  # output file stem

    def field_placeholders(self, name: str) -> tuple[Span, ...]:
        """The spans of a text field (number, addressee, …)."""
        if name in self.placeholders:
            return self.placeholders[name]
        return placeholder_spans(getattr(self, name) or "")

    @property
    def date_line(self) -> str:
        """成文日期 as printed: 2023年6月30日, or the open date as written."""
        from gongwen.notice.numbers import cn_date

        return cn_date(self.date) if self.date else (self.date_text or "")

    @property
    def print_date_line(self) -> str:
        from gongwen.notice.numbers import cn_date

        return cn_date(self.print_date) if self.print_date else (self.print_date_text or "")

    @property
    def has_banji(self) -> bool:
        return bool(self.cc or self.printer)
