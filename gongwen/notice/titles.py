"""Multi-line titles broken at word boundaries, in a trapezoid or diamond
shape (GB/T 9704 7.3.1): never inside a word, never a closing mark first."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from gongwen import caches
from gongwen.notice.breaks import keep_spans

OPENING = "（《“‘〔【「『(["
CLOSING = "）》”’〕】」』)]，。、；：？！,.;:?!"
# Good places to break a title: before these words/marks…
BREAK_BEFORE = ("关于", "《", "“", "的通知", "的意见", "的决定", "的报告", "的通报", "的请示", "的批复", "的函")
# …and after these.
BREAK_AFTER = ("》", "”", "、", "，")
# Organ names a title should not split: a place, then the organ (县人民政府办公室, 市商务局).
ORGAN = re.compile(
    r"(?:[\u4e00-\u9fff]{1,7}?(?:省|自治区|市|自治州|州|盟|县|区|旗|镇|乡|街道))?"
    r"(?:人民政府办公室|人民政府办公厅|人民政府|人大常委会|委员会办公室|委员会|政协|"
    r"[\u4e00-\u9fff]{1,4}?(?:局|厅|委|办公室|办))"
)
# A date or period a title keeps whole: 7月2日至4日, 2019年度, 2023年6月30日.
DATE = re.compile(r"\d{4}年(?:度|\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日(?:[至—－-](?:\d{1,2}月)?\d{1,2}日)?")


@caches.lru("notice.titles.words", maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    import rjieba

    return tuple(rjieba.cut(text))


def _boundaries(text: str) -> set[int]:
    cuts, pos = set(), 0
    for word in _words(text):
        pos += len(word)
        cuts.add(pos)
    cuts.discard(len(text))
    # Never inside a number with its unit, a document number or a range (breaks.KEEP).
    inside = {i for a, b in keep_spans(text) for i in range(a + 1, b)}
    # Never let a closing mark start a line or an opening mark end one.
    return {c for c in cuts if text[c] not in CLOSING and text[c - 1] not in OPENING and c not in inside}


@caches.lru("notice.titles.whole", maxsize=4096)
def _whole(text: str) -> tuple[tuple[int, int], ...]:
    """Organ names and dates of a title, kept on one line where the lines allow."""
    return tuple(m.span() for rx in (ORGAN, DATE) for m in rx.finditer(text) if m.end() - m.start() > 2)


def _depth(text: str, cut: int, opening: str, closing: str) -> int:
    before = text[:cut]
    return before.count(opening) - before.count(closing)


def _bonus(text: str, cut: int) -> float:
    before, after = text[:cut], text[cut:]
    score = 0.0
    if _depth(text, cut, "“", "”") > 0:
        score -= 6.0  # keep a short quoted name such as “百日竞赛” on one line
    if _depth(text, cut, "《", "》") > 0:
        score -= 2.0  # keep a 书名号 phrase whole where the line allows
    if any(a < cut < b for a, b in _whole(text)):
        score -= 4.0  # an organ name or a date
    if any(after.startswith(w) for w in BREAK_BEFORE):
        score += 2.0
    if any(before.endswith(w) for w in BREAK_AFTER):
        score += 2.0
    return score


def title_lines(title: str, max_chars: int) -> list[str]:
    """Lines of a title: the author's own breaks when given, else balanced
    lines with longer (or equal) lines on top, broken between words."""
    if "\n" in title:
        return [ln.strip() for ln in title.splitlines() if ln.strip()]
    text = title.strip()
    if len(text) <= max_chars:
        return [text]
    nlines = math.ceil(len(text) / max_chars)
    cuts = sorted(_boundaries(text) | {0, len(text)})
    ideal = len(text) / nlines

    @lru_cache(maxsize=None)
    def best(start: int, left: int) -> tuple[float, tuple[int, ...]]:
        if left == 1:
            n = len(text) - start
            return ((n - ideal) ** 2, ()) if n <= max_chars else (math.inf, ())
        result = (math.inf, ())
        for c in cuts:
            n = c - start
            if n <= 0 or n > max_chars:
                continue
            rest_cost, rest = best(c, left - 1)
            if rest_cost == math.inf:
                continue
            nxt = (rest[0] if rest else len(text)) - c
            shape = 0.0 if n >= nxt else 3.0 * (nxt - n)  # upper line shorter: not a trapezoid
            cost = (n - ideal) ** 2 + shape - 4.0 * _bonus(text, c) + rest_cost
            if cost < result[0]:
                result = (cost, (c,) + rest)
        return result

    for lines in range(nlines, nlines + 3):
        nlines = lines
        ideal = len(text) / nlines
        best.cache_clear()
        cost, chosen = best(0, nlines)
        if cost < math.inf:
            bounds = (0,) + chosen + (len(text),)
            return [text[a:b] for a, b in zip(bounds, bounds[1:])]
    # No word-boundary solution: fall back to even character chunks.
    return [text[i : i + max_chars] for i in range(0, len(text), max_chars)]
