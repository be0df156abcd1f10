"""Collapsed table borders drawn as a few long strokes.

WeasyPrint 70 (pinned in requirements.txt) draws a collapsed table border
piece by piece: every side of every cell is its own q ... Q group with its
colour, width, one line and a stroke. A 1,000-unit 通报 has about 9,000
cells, so 18,000 such groups, a sixth of its drawing time and a third of its
page content. Here WeasyPrint still works out every piece (its own
draw_collapsed_borders runs, on a stand-in stream that keeps the pieces);
when they are all solid and of one width and colour (as every table of ours
is), pieces that continue one another on the same line are joined and the
table's rules are stroked at once, in one group. Anything else (several
colours, widths or styles) is drawn piece by piece as WeasyPrint draws it,
in its order. The joined lines cover exactly what the pieces covered
(tests/test_pdf_borders.py compares the pages' pixels).

Installed once per process by render.pdf_bytes; `ENABLED` turns it off (for
the comparison in the tests)."""

from __future__ import annotations

from contextlib import nullcontext
from typing import NamedTuple

ENABLED = True
JOIN_SLACK = 1e-6  # pieces this close (in CSS px) continue one another
_state = {"installed": False}


class Piece(NamedTuple):
    x1: float
    y1: float
    x2: float
    y2: float
    thickness: float
    style: str
    color: object
    offset: float = 0


class _Pieces:
    """Stands in for the PDF stream while WeasyPrint works out the pieces."""

    def __init__(self):
        self.pieces: list[Piece] = []

    def artifact(self):
        return nullcontext()

    def stacked(self):
        return nullcontext()


def joined(pieces: list[Piece]) -> list[tuple[float, float, float, float]]:
    """The lines (x1, y1, x2, y2) the pieces make when the ones on the same
    vertical or horizontal line that touch or overlap are joined."""
    vertical: dict[float, list[tuple[float, float]]] = {}
    horizontal: dict[float, list[tuple[float, float]]] = {}
    for p in pieces:
        if p.x1 == p.x2:
            vertical.setdefault(p.x1, []).append((min(p.y1, p.y2), max(p.y1, p.y2)))
        else:
            horizontal.setdefault(p.y1, []).append((min(p.x1, p.x2), max(p.x1, p.x2)))
    lines = []
    for at, spans, is_vertical in [(x, s, True) for x, s in vertical.items()] + \
                                  [(y, s, False) for y, s in horizontal.items()]:
        spans.sort()
        start, end = spans[0]
        for a, b in spans[1:]:
            if a <= end + JOIN_SLACK:
                end = max(end, b)
                continue
            lines.append((at, start, at, end) if is_vertical else (start, at, end, at))
            start, end = a, b
        lines.append((at, start, at, end) if is_vertical else (start, at, end, at))
    return lines


def _uniform(pieces: list[Piece]) -> bool:
    first = pieces[0]
    return all(p.style == "solid" and p.offset == 0 and p.thickness == first.thickness and p.color == first.color
               for p in pieces)


def install() -> None:
    if _state["installed"]:
        return
    _state["installed"] = True
    from weasyprint import draw

    original_borders, original_line = draw.draw_collapsed_borders, draw.draw_line

    def draw_line(stream, x1, y1, x2, y2, thickness, style, color, offset=0):
        if isinstance(stream, _Pieces):
            stream.pieces.append(Piece(x1, y1, x2, y2, thickness, style, color, offset))
        else:
            original_line(stream, x1, y1, x2, y2, thickness, style, color, offset)

    def draw_collapsed_borders(stream, table):
        if not ENABLED:
            return original_borders(stream, table)
        recorded = _Pieces()
        original_borders(recorded, table)
        pieces = recorded.pieces
        if not pieces:
            return None
        if not _uniform(pieces):
            for p in pieces:  # as WeasyPrint draws them
                with stream.artifact(), stream.stacked():
                    original_line(stream, *p)
            return None
        with stream.artifact(), stream.stacked():
            stream.set_color(pieces[0].color, stroke=True)
            stream.set_line_width(pieces[0].thickness)
            for x1, y1, x2, y2 in joined(pieces):
                stream.move_to(x1, y1)
                stream.line_to(x2, y2)
            stream.stroke()
        return None

    draw.draw_line = draw_line
    draw.draw_collapsed_borders = draw_collapsed_borders
