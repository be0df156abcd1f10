"""Advance widths of characters in the fonts a role resolves to, so lines
can be broken and justified before WeasyPrint sees them."""

from __future__ import annotations

from gongwen import caches
from gongwen.notice import fonts, harfbuzz

FULL_WIDTH = 1.0


class FontWidths:
    """Advance widths (in em) of one installed font, asked of HarfBuzz as needed."""

    def __init__(self, font: fonts.InstalledFont):
        self.face = harfbuzz.face(font.file, font.index)
        self.cache: dict[str, float | None] = {}

    def width(self, ch: str) -> float | None:
        try:
            return self.cache[ch]
        except KeyError:
            w = self.cache[ch] = self.face.advance_em(ch)
            return w


@caches.lru("notice.metrics.font_widths")
def _font_widths(file: str, index: int) -> FontWidths:
    return FontWidths(fonts.InstalledFont("", False, file, index))


class RoleWidths:
    """Width in em of a character in a role: the first font of the role's
    chain that has the glyph (as Pango's fallback would choose)."""

    def __init__(self, role: str):
        self.chain = [_font_widths(f.file, f.index) for f in fonts.available_chain(role)]
        self.cache: dict[str, float] = {}

    def em(self, ch: str) -> float:
        w = self.cache.get(ch)
        if w is None:
            w = next((x for x in (f.width(ch) for f in self.chain) if x is not None), None)
            if w is None:
                w = 0.5 if ord(ch) < 0x2E80 else FULL_WIDTH
            self.cache[ch] = w
        return w


@caches.lru("notice.metrics.role_widths")
def role_widths(role: str) -> RoleWidths:
    return RoleWidths(role)


def text_width(text: str, role: str, size: float, spacing: float = 0.0) -> float:
    """Width in points of `text` at `size` with `spacing` after every character but the last."""
    rw = role_widths(role)
    if not text:
        return 0.0
    return sum(rw.em(c) for c in text) * size + spacing * (len(text) - 1)
