"""Font roles: styles/fonts.yaml lists, per role, the office font first and
open substitutes after it. The DOCX names the office font; the PDF uses the
first font installed here and falls back along the list per character."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import yaml

from gongwen import STYLES_DIR, caches


@dataclass(frozen=True)
class FontSpec:
    family: str
    bold: bool = False

    @classmethod
    def parse(cls, entry: str) -> "FontSpec":
        family, _, style = entry.partition(":")
        return cls(family.strip(), style.strip().lower() == "bold")


@dataclass(frozen=True)
class InstalledFont:
    family: str
    bold: bool
    file: str
    index: int


@caches.lru("notice.fonts.roles")
def roles() -> dict[str, tuple[FontSpec, ...]]:
    with open(STYLES_DIR / "fonts.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)["roles"]
    return {role: tuple(FontSpec.parse(e) for e in entries) for role, entries in data.items()}


def office_font(role: str) -> str:
    """The font name the DOCX writes for a role (what offices have installed)."""
    return roles()[role][0].family


@caches.lru("notice.fonts.installed", maxsize=1)
def installed() -> dict[tuple[str, bool], InstalledFont]:
    """Families fontconfig knows, keyed by (family, bold)."""
    try:
        out = subprocess.run(
            ["fc-list", "--format", "%{family}\t%{weight}\t%{file}\t%{index}\t%{style}\n"],
            capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    found: dict[tuple[str, bool], InstalledFont] = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 5:
            continue
        families, weight, file, index, style = parts
        try:
            bold = int(weight.strip("[]").split()[0]) >= 180
        except ValueError:
            bold = False
        # Some fonts (Fandol) declare weight 80 on their bold face: trust the style name too.
        bold = bold or "bold" in style.lower() or "bold" in file.rsplit("/", 1)[-1].lower()
        for family in families.split(","):
            key = (family.strip(), bold)
            # Prefer the plain .otf/.ttf over a collection when both exist.
            if key not in found or found[key].file.endswith(".ttc") and not file.endswith(".ttc"):
                found[key] = InstalledFont(family.strip(), bold, file, int(index or 0))
    return found


def available_chain(role: str) -> list[InstalledFont]:
    """The role's fonts that are installed here, in preference order."""
    have = installed()
    chain = []
    for spec in roles()[role]:
        font = have.get((spec.family, spec.bold)) or (have.get((spec.family, False)) if spec.bold else None)
        if font is not None:
            chain.append(InstalledFont(spec.family, spec.bold, font.file, font.index))
    return chain


def css_family(role: str) -> str:
    """A CSS font-family value: installed fonts of the role, in order."""
    names = [f.family for f in available_chain(role)] or [s.family for s in roles()[role]]
    seen = []
    for n in names:
        if n not in seen:
            seen.append(n)
    return ", ".join(f'"{n}"' for n in seen)


def css_bold(role: str) -> bool:
    chain = available_chain(role)
    return bool(chain and chain[0].bold)


def covers(font: InstalledFont, char: str) -> bool:
    from gongwen.notice import harfbuzz

    return harfbuzz.face(font.file, font.index).glyph(char) is not None


def coverage_report(role: str, text: str) -> tuple[InstalledFont | None, dict[str, str | None]]:
    """The role's primary font, and for each character it cannot draw, the
    fallback family that will (None: no font of the role can)."""
    chain = available_chain(role)
    if not chain:
        return None, {}
    primary = chain[0]
    missing: dict[str, str | None] = {}
    for ch in sorted(set(text)):
        if ch.isspace() or ord(ch) < 0x20 or covers(primary, ch):
            continue
        missing[ch] = next((f.family for f in chain[1:] if covers(f, ch)), None)
    return primary, missing
