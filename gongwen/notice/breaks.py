"""Where a CJK line may break (GB/T 15834): a closing mark never starts a
line, an opening mark never ends one, and a number or Latin word is never
split. Shared by the PDF line breaker and the table column measure."""

from __future__ import annotations

import re

CLOSING = set("，。、；：？！）》」』”’〕】〉…—·%‰,.;:?!)]}％℃")
OPENING = set("（《「『“‘〔【〈([{")
# Runs that must stay on one line: numbers (12.50, 35.6%, 2023), Latin words, ——, ……
UNBREAKABLE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,%/:+\-_@]*[0-9A-Za-z%]|[0-9A-Za-z]|——|……")


def tokens(chars: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Group (char, role) pairs into unbreakable tokens."""
    text = "".join(c for c, _ in chars)
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in UNBREAKABLE.finditer(text):
        spans.extend((i, i + 1) for i in range(pos, m.start()))
        spans.append((m.start(), m.end()))
        pos = m.end()
    spans.extend((i, i + 1) for i in range(pos, len(text)))
    out: list[list[tuple[str, str]]] = []
    glue_next = False
    for a, b in spans:
        tok = chars[a:b]
        if out and (glue_next or tok[0][0] in CLOSING):
            out[-1].extend(tok)
        else:
            out.append(list(tok))
        glue_next = tok[-1][0] in OPENING
    return out
