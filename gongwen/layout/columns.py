"""Table font size, orientation and column widths, decided once for both writers.

Without widths given in the source, a column gets what its content asks
for, the way an automatic table layout would: every column at least its
widest unbreakable run (a CJK character with its glued punctuation, a whole
number or Latin word), and the room left shared in proportion to what each
column would take on one line. Measuring here with the fonts' own advance
widths lets the PDF use a fixed table layout (WeasyPrint then does not
measure every cell of a long table again on every page) and gives the DOCX
the same columns as the PDF."""

from __future__ import annotations

import re

from gongwen.layout.spec import Layout, load_layout
from gongwen.notice.tree import Table
from gongwen.notice.breaks import tokens
from gongwen.notice.metrics import role_widths

HEADER_ROLE, BODY_ROLE = "table_header", "body"


def font_size(t: Table, layout: Layout) -> float:
    """Points: the source's 字号 when given; else the body size for narrow
    tables, the table size, or the small size for wide ones (tables.* columns)."""
    key = t.font_size
    if key is None:
        n = t.ncols
        key = ("body" if n <= int(layout.tables.body_size_max_cols)
               else "table_small" if n >= int(layout.tables.small_size_min_cols) else "table")
    return layout.body_size_pt if key == "body" else layout.size(key)


# A cell that is a number (12.50, -3, 1,200, 35.6%, ＋2) or nothing (—, blank).
NUMBER = re.compile(r"^[+\-＋－]?\d[\d,，]*(?:[.．]\d+)?\s*[%％‰]?$")
NOTHING = {"", "—", "-", "－", "/", "——"}
COUNT_HEADS = {"序号", "排名", "名次", "编号", "序"}


def column_align(t: Table) -> tuple[str | None, ...]:
    """Each column's alignment: the source's, else right for a column whose
    body cells are all numbers (so digits line up), except a running count
    (序号 1, 2, 3 …), else None (the writer's default: centred)."""
    ncols = max(t.ncols, 1)
    given = list(t.align or [])
    out: list[str | None] = []
    for c in range(ncols):
        if c < len(given):
            out.append(given[c])
            continue
        cells = [row[c].strip() for row in t.rows if c < len(row)]
        numbers = [x for x in cells if x not in NOTHING and x not in ("<", "^")]
        head = "".join(row[c] for row in t.header if c < len(row))
        counting = numbers == [str(i) for i in range(1, len(numbers) + 1)] or head.strip() in COUNT_HEADS
        out.append("right" if numbers and not counting and all(NUMBER.match(x) for x in numbers) else None)
    return tuple(out)


def is_landscape(t: Table, layout: Layout) -> bool:
    """Turned on its side: as the source says, else from tables.landscape_min_cols columns."""
    if t.landscape is not None:
        return t.landscape
    return t.ncols >= int(layout.tables.landscape_min_cols)


def _extent(text: str, role: str, size: float) -> tuple[float, float]:
    """(widest unbreakable run, widest line) of a cell's text, in points."""
    em = role_widths(role).em
    widest_run = widest_line = 0.0
    for line in text.split("\n"):
        if not line:
            continue
        widest_line = max(widest_line, sum(em(c) for c in line) * size)
        for tok in tokens([(c, role) for c in line]):
            widest_run = max(widest_run, sum(em(c) for c, _ in tok) * size)
    return widest_run, widest_line


def column_widths(t: Table, width: float, size: float, side_padding: float, slack: float | None = None) -> list[float]:
    """Widths in points of the table's columns, summing to `width`.
    `side_padding` is the room a cell keeps free on each side of its text;
    `slack` what a column gets beyond its text (tables.width_slack_pt)."""
    ncols = max(t.ncols, 1)
    if slack is None:
        slack = float(load_layout().tables.width_slack_pt)
    need = 2 * side_padding + slack  # slack against rounding in the renderers
    lo, hi = [need] * ncols, [need] * ncols
    spans, covered = t.merges()
    first = 0
    for rows, role in ((t.header, HEADER_ROLE), (t.rows, BODY_ROLE)):
        seen: set[tuple[int, str]] = set()
        for r, row in enumerate(rows, start=first):
            for c, text in enumerate(row[:ncols]):
                if (r, c) in covered or spans.get((r, c), (1, 1))[1] > 1:
                    continue  # a merged cell spreads over its columns
                if not text or (c, text) in seen:
                    continue
                seen.add((c, text))
                run, line = _extent(text, role, size)
                lo[c] = max(lo[c], run + need)
                hi[c] = max(hi[c], line + need)
        first += len(rows)
    if t.widths:
        rel = list(t.widths) + [1.0] * (ncols - len(t.widths))
        return _given(rel, lo, width)
    sum_lo, sum_hi = sum(lo), sum(hi)
    if sum_hi <= width:  # everything fits on one line: share the rest in proportion
        return [width * h / sum_hi for h in hi]
    if sum_lo >= width:  # not even the unbreakable runs fit: shrink them alike
        return [width * m / sum_lo for m in lo]
    share = (width - sum_lo) / (sum_hi - sum_lo)
    return [m + (h - m) * share for m, h in zip(lo, hi)]


def _given(rel: list[float], lo: list[float], width: float) -> list[float]:
    """The source's relative widths, except that no column is narrower than
    its widest unbreakable run (a date such as 2023-06-08 must not run into
    the next column): such columns get that width, the others share the rest
    in the source's proportions."""
    if sum(lo) >= width:
        return [width * m / sum(lo) for m in lo]
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(rel)) if i not in fixed]
        room = width - sum(fixed.values())
        total = sum(rel[i] for i in free) or 1.0
        out = {i: room * rel[i] / total for i in free}
        short = [i for i in free if out[i] < lo[i] - 1e-9]
        if not short:
            return [fixed.get(i, out.get(i, 0.0)) for i in range(len(rel))]
        for i in short:
            fixed[i] = lo[i]
