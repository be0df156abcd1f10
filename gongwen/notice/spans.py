"""Placeholders: the parts of a text staff must still fill in (** runs and
【…】). The source reader marks them as spans of the tree (character ranges
of a paragraph or a table cell); writers show them (the DOCX highlights
them, the PDF shades them) without changing the text."""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\*\*+|【[^】]*】")

Span = tuple[int, int]  # [start, end) in characters


def placeholder_spans(text: str) -> tuple[Span, ...]:
    if "*" not in text and "【" not in text:
        return ()
    return tuple(m.span() for m in PLACEHOLDER.finditer(text))


def pieces(text: str, spans: tuple[Span, ...], offset: int = 0) -> list[tuple[str, bool]]:
    """`text` (which starts at `offset` of the text the spans index) cut into
    (piece, is_placeholder); one empty piece for an empty text."""
    if not spans:
        return [(text, False)]
    out: list[tuple[str, bool]] = []
    pos = 0
    end = len(text)
    for a, b in spans:
        a, b = max(a - offset, 0), min(b - offset, end)
        if b <= a or a >= end:
            continue
        if a > pos:
            out.append((text[pos:a], False))
        out.append((text[a:b], True))
        pos = b
    if pos < end or not out:
        out.append((text[pos:], False))
    return out
