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
    if t.widths:
        rel = list(t.widths) + [1.0] * (ncols - len(t.widths))
        total = sum(rel) or 1.0
        return [width * w / total for w in rel]
    if slack is None:
        slack = float(load_layout().tables.width_slack_pt)
    need = 2 * side_padding + slack  # slack against rounding in the renderers
    lo, hi = [need] * ncols, [need] * ncols
    for rows, role in ((t.header, HEADER_ROLE), (t.rows, BODY_ROLE)):
        seen: set[tuple[int, str]] = set()
        for row in rows:
            for c, text in enumerate(row[:ncols]):
                if not text or (c, text) in seen:
                    continue
                seen.add((c, text))
                run, line = _extent(text, role, size)
                lo[c] = max(lo[c], run + need)
                hi[c] = max(hi[c], line + need)
    sum_lo, sum_hi = sum(lo), sum(hi)
    if sum_hi <= width:  # everything fits on one line: share the rest in proportion
        return [width * h / sum_hi for h in hi]
    if sum_lo >= width:  # not even the unbreakable runs fit: shrink them alike
        return [width * m / sum_lo for m in lo]
    share = (width - sum_lo) / (sum_hi - sum_lo)
    return [m + (h - m) * share for m, h in zip(lo, hi)]
