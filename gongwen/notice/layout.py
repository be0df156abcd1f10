"""Layout numbers from styles/layout.yaml, with the derived values both
writers need (text-block size, character pitch). Read once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from gongwen import STYLES_DIR

PT_PER_MM = 72 / 25.4
TWIPS_PER_PT = 20
EMU_PER_PT = 12700


def mm(value: float) -> float:
    """Millimetres to points."""
    return value * PT_PER_MM


class Section(dict):
    """A mapping with attribute access (layout.page.width_mm)."""

    def __getattr__(self, key: str) -> Any:
        try:
            value = self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc
        return Section(value) if isinstance(value, dict) else value


@dataclass(frozen=True)
class Layout:
    raw: Section

    def __getattr__(self, key: str) -> Any:
        return getattr(self.raw, key)

    # Derived numbers -------------------------------------------------
    @property
    def block_width_pt(self) -> float:
        p = self.raw.page
        return mm(p.width_mm - p.margin_left_mm - p.margin_right_mm)

    @property
    def block_height_pt(self) -> float:
        p = self.raw.page
        return mm(p.height_mm - p.margin_top_mm - p.margin_bottom_mm)

    @property
    def char_pitch_pt(self) -> float:
        """One 字: the text-block width over the characters per line."""
        return self.block_width_pt / self.raw.grid.chars

    @property
    def line_pitch_pt(self) -> float:
        return float(self.raw.grid.line_pitch_pt)

    @property
    def body_size_pt(self) -> float:
        return float(self.raw.sizes_pt.san_hao)

    def size(self, name: str) -> float:
        return float(self.raw.sizes_pt[name])


@lru_cache(maxsize=None)
def load_layout(path: Path | None = None) -> Layout:
    path = path or STYLES_DIR / "layout.yaml"
    with open(path, encoding="utf-8") as fh:
        return Layout(Section(yaml.safe_load(fh)))
