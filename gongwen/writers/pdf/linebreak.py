"""CJK line breaking and inter-character justification.

WeasyPrint justifies only at spaces, so lines are broken here and each full
line gets the letter-spacing that makes it flush with both edges; no
character is added to the text, so copying from the PDF gives the source.
Where a line may break is in gongwen/notice/breaks.py."""

from __future__ import annotations

from dataclasses import dataclass

from gongwen.notice.breaks import emergency_breaks, tokens
from gongwen.notice.metrics import role_widths


@dataclass
class Piece:
    text: str
    role: str


def tight(c: str) -> bool:
    """A character of a Latin word, number or URL: justifying a line does not open the gaps between two of them."""
    return c.isascii() and not c.isspace()


@dataclass
class Line:
    pieces: list[Piece]
    natural: float  # width at the grid spacing
    spacing: float  # letter-spacing in pt for this line
    x: float  # left offset from the text-block edge
    full: bool  # justified to the right edge
    run_spacing: float | None = None  # between two tight() characters, when not `spacing`

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    def gaps(self) -> list[float]:
        """The letter-spacing after each character (the last one's ends a full line at 0)."""
        text = self.text
        out = [self.run_spacing if self.run_spacing is not None and tight(a) and tight(b) else self.spacing
               for a, b in zip(text, text[1:])]
        if text:
            out.append(0.0 if self.full else self.spacing)
        return out


def break_paragraph(
    segments: list[Piece],
    size: float,
    width: float,
    pitch: float,
    first_indent: float = 0.0,
    rest_indent: float = 0.0,
    justify: bool = True,
    max_stretch_em: float = 0.25,
) -> list[Line]:
    """Break text made of segments (each in one font role) into lines.

    `pitch` is the grid character pitch: a full-width character plus the
    grid spacing (pitch - size) that fills `width` with whole characters.
    A line is never set tighter than the grid; a run (URL, number, date)
    that would leave a justified line more than `max_stretch_em` (of the
    size) looser per gap is split at its seams (breaks.emergency_breaks)."""
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
    # A justified line may open up by at most this much per gap before a run is split instead.
    bound = max_stretch_em * size
    pending = list(toks)
    while pending:
        tok = pending.pop(0)
        a = adv(tok)
        # Characters fill grid cells of one pitch each; 28 cells fill the line.
        if used + a <= avail + 0.01:
            current.extend(tok)
            used += a
            continue
        # The run does not fit. Closing the line here is fine unless it
        # leaves the line looser than the bound, or the run fits no line.
        loose = bool(current) and justify and (avail - used) / max(len(current) - 1, 1) > bound
        too_long = a > width - rest_indent + 0.01
        if current and not loose and not too_long:
            lines.append(current)
            current, used, avail = [], 0.0, width - rest_indent
            pending.insert(0, tok)
            continue
        head = _split(tok, avail - used, adv, anywhere=too_long or not current)
        if head is None:  # nothing of it fits here: a new line
            if not current:  # cannot happen with one character a line, but never loop
                head = 1
            else:
                lines.append(current)
                current, used, avail = [], 0.0, width - rest_indent
                pending.insert(0, tok)
                continue
        current.extend(tok[:head])
        lines.append(current)
        current, used, avail = [], 0.0, width - rest_indent
        pending.insert(0, tok[head:])
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
        run_spacing = None
        if len(ln) > 1 and (justify and not last or natural > avail):
            spacing = (avail - glyphs) / (len(ln) - 1)
            full = True
            # The room goes between Chinese characters and at the edges of Latin
            # words, numbers and URLs, not inside them, as long as no gap opens past
            # the bound; beyond it the rest is shared by the gaps inside them too.
            inside = sum(1 for (a, _), (b, _) in zip(ln, ln[1:]) if tight(a) and tight(b))
            outside = len(ln) - 1 - inside
            if inside and outside and spacing > base_spacing:
                room = avail - natural
                if room / outside <= bound:
                    spacing, run_spacing = base_spacing + room / outside, base_spacing
                else:
                    spacing, run_spacing = base_spacing + bound, base_spacing + (room - bound * outside) / inside
        else:
            spacing = base_spacing
            full = False
        pieces: list[Piece] = []
        for c, r in ln:
            if pieces and pieces[-1].role == r:
                pieces[-1].text += c
            else:
                pieces.append(Piece(c, r))
        out.append(Line(pieces, natural, spacing, indent, full, run_spacing))
    return out


def _split(tok, room: float, adv, anywhere: bool) -> int | None:
    """The longest head of `tok` that fits `room`, cut at the best tier of
    seams that has one (between any two characters only when `anywhere`:
    the run is longer than a line); None when no head fits."""
    text = "".join(c for c, _ in tok)
    tiers = emergency_breaks(text)
    for tier in tiers if anywhere else tiers[:1]:
        fits = [i for i in tier if adv(tok[:i]) <= room + 0.01]
        if fits:
            return max(fits)
    return None
