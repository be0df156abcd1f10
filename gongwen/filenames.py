"""One sanitiser for every file name made from data (unit names, titles,
campaign names): the file stays in its folder on every system.

- no path separators or characters Windows refuses, no control characters;
- no leading or trailing dots or spaces (so never "." or ".."; Windows drops
  trailing dots), whitespace runs as one space;
- no reserved device names (CON, NUL, COM1 …, also as CON.xlsx);
- never empty;
- at most STEM_BYTES bytes of UTF-8, so that the stem with an extension and a
  （第N版） suffix stays under the 255-byte limit of common file systems; a
  longer name is cut and given a stable suffix from its hash, so two long
  names that share a beginning stay apart and the same name always gives the
  same file name."""

from __future__ import annotations

import hashlib
import re
import unicodedata

STEM_BYTES = 180  # bytes of UTF-8: 255 less room for "（第99版）", ".docx" and the like
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
HASH_CHARS = 8


def safe_stem(name: str) -> str:
    """A file name stem for `name` (see the module docstring)."""
    text = unicodedata.normalize("NFC", str(name))
    text = UNSAFE.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = text.strip(". ")  # "..", ".hidden", "name." (Windows drops trailing dots)
    if len(text.encode("utf-8")) > STEM_BYTES:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]
        suffix = f"～{digest}"
        room = STEM_BYTES - len(suffix.encode("utf-8"))
        cut = text.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(". ")
        text = cut + suffix
    if not text:
        text = "_"
    if text.split(".")[0].strip().upper() in WINDOWS_RESERVED:
        text = "_" + text
    return text


def unique_stems(names: list[str]) -> dict[str, str]:
    """Safe stems for several names; two that become the same (case aside) get （2）, （3）…"""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        stem = safe_stem(name)
        candidate, n = stem, 2
        while candidate.casefold() in taken:
            candidate, n = f"{stem}（{n}）", n + 1
        taken.add(candidate.casefold())
        out[name] = candidate
    return out
