"""CJK line breaking and inter-character justification.

WeasyPrint justifies only at spaces, so lines are broken here and each full
line gets the letter-spacing that makes it flush with both edges; no
character is added to the text, so copying from the PDF gives the source.
Where a line may break is in gongwen/notice/breaks.py."""

from __future__ import annotations

from dataclasses import dataclass

from gongwen.notice.breaks import tokens
from gongwen.notice.metrics import role_widths


@dataclass
class Piece:
    text: str
    role: str


@dataclass
class Line:
    pieces: list[Piece]
    natural: float  # width at the grid spacing
    spacing: float  # letter-spacing in pt for this line
    x: float  # left offset from the text-block edge
    full: bool  # justified to the right edge

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


def break_paragraph(
    segments: list[Piece],
    size: float,
    width: float,
    pitch: float,
    first_indent: float = 0.0,
    rest_indent: float = 0.0,
    justify: bool = True,
) -> list[Line]:
    """Break text made of segments (each in one font role) into lines.

    `pitch` is the grid character pitch: a full-width character plus the
    grid spacing (pitch - size) that fills `width` with whole characters."""
    base_spacing = pitch - size
    chars = [(c, seg.role) for seg in segments for c in seg.text]
    if not chars:
        return []
    ems = {role: role_widths(role) for role in {r for _, r in chars}}
    toks = tokens(chars)

    def adv(tok) -> float:
        return sum(ems[r].em(c) * size + base_spacing for c, r in tok)

    lines: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    used = 0.0
    avail = width - first_indent
    for tok in toks:
        a = adv(tok)
        # Characters fill grid cells of one pitch each; 28 cells fill the line.
        if current and used + a > avail + 0.01:
            lines.append(current)
            current, used, avail = [], 0.0, width - rest_indent
        current.extend(tok)
        used += a
    if current:
        lines.append(current)

    out = []
    for i, ln in enumerate(lines):
        indent = first_indent if i == 0 else rest_indent
        avail = width - indent
        glyphs = sum(ems[r].em(c) * size for c, r in ln)
        natural = glyphs + base_spacing * (len(ln) - 1)
        last = i == len(lines) - 1
        # A last line that fills the width is set flush too, not left a hair over it.
        if len(ln) > 1 and (justify and not last or natural > avail):
            spacing = (avail - glyphs) / (len(ln) - 1)
            full = True
        else:
            spacing = base_spacing
            full = False
        pieces: list[Piece] = []
        for c, r in ln:
            if pieces and pieces[-1].role == r:
                pieces[-1].text += c
            else:
                pieces.append(Piece(c, r))
        out.append(Line(pieces, natural, spacing, indent, full))
    return out
