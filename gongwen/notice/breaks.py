"""Where a CJK line may break (GB/T 15834): a closing mark never starts a
line, an opening mark never ends one, and a number or Latin word is never
split; nor is a number from its unit (3月11日, 35.6%, 2019年度), a
document number (〔2023〕1号) or a range (2022—2024年, 7月2日至4日).
Shared by the PDF line breaker, the title breaker and the table column
measure.

A run that cannot stay whole (a URL longer than the room left on a line, a
date chain that would leave the line before it too loose) may still be
split at its own seams: emergency_breaks() says where, best first."""

from __future__ import annotations

import re

CLOSING = set("，。、；：？！）》」』”’〕】〉…—·%‰,.;:?!)]}％℃")
OPENING = set("（《「『“‘〔【〈([{")

_LATIN = r"[0-9A-Za-z][0-9A-Za-z.,%/:+\-_@?&=#~]*[0-9A-Za-z%/]|[0-9A-Za-z]"
# A number and the unit that may not leave it.
_NUM = r"\d+(?:[.．]\d+)?"
_UNIT = r"(?:年度|[年月日号时分秒%％‰])"
_NUMUNIT = rf"{_NUM}{_UNIT}"
_DASH = r"[—－~～\-至到]"
KEEP = (
    rf"[〔\[]\d{{4}}[〕\]]\d+号"                                  # 〔2023〕1号
    rf"|{_NUM}{_DASH}{{1,2}}{_NUM}{_UNIT}"                          # 2022—2024年, 7-9月
    rf"|(?:{_NUMUNIT})+(?:{_DASH}{{1,2}}(?:{_NUMUNIT})+)?"        # 2023年6月30日, 7月2日至4日, 35.6%
)
# Runs that must stay on one line: the above, numbers, Latin words and URLs, ——, ……
UNBREAKABLE = re.compile(rf"{KEEP}|{_LATIN}|——|……")

# Seams of a long run, best first: after a URL's separators, after a date's units, anywhere.
URL_SEAMS = set("/.-_@?&=#")
UNIT_SEAMS = set("年月日号至到—－~～")


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


def keep_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of the runs of `text` a line (or a title line) keeps whole."""
    return [m.span() for m in UNBREAKABLE.finditer(text) if m.end() - m.start() > 1]


def emergency_breaks(text: str) -> list[list[int]]:
    """Positions inside a token (1..len-1) where it may be split, in tiers,
    best first (never leaving a closing mark to start the next line):
    after a URL's separators (a Latin run only: that is all a line too
    loose may use), after a date's units (a run longer than a line), then
    between any two characters (a run longer than a line with no seam)."""
    def ok(i: int) -> bool:
        return text[i] not in CLOSING and text[i - 1] not in OPENING
    latin = bool(re.search(r"[A-Za-z]", text)) and not re.search(r"[\u4e00-\u9fff]", text)
    url = [i for i in range(1, len(text)) if latin and text[i - 1] in URL_SEAMS and ok(i)]
    units = [i for i in range(1, len(text)) if text[i - 1] in UNIT_SEAMS and ok(i)]
    anywhere = [i for i in range(1, len(text)) if ok(i)]
    return [url, units, anywhere]
