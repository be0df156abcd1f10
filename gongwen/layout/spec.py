"""styles/layout.yaml: its typed schema, the derived values both writers
need (text-block size, character pitch), and load_layout(). A wrong key or
type gives a Chinese message naming the key, as campaign.yaml does."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gongwen import STYLES_DIR, safeyaml
from gongwen.errors import UserError
from gongwen.schema_errors import describe

PT_PER_MM = 72 / 25.4
TWIPS_PER_PT = 20
EMU_PER_PT = 12700

Pos = Field(gt=0)
NonNeg = Field(ge=0)


def mm(value: float) -> float:
    """Millimetres to points."""
    return value * PT_PER_MM


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def __getitem__(self, key: str) -> Any:  # layout.sizes_pt["er_hao"]
        try:
            return getattr(self, key)
        except AttributeError as exc:
            raise KeyError(key) from exc


class Page(_Part):
    width_mm: float = Pos
    height_mm: float = Pos
    margin_top_mm: float = NonNeg
    margin_bottom_mm: float = NonNeg
    margin_left_mm: float = NonNeg
    margin_right_mm: float = NonNeg


class Grid(_Part):
    lines: int = Pos
    chars: int = Pos
    line_pitch_pt: float = Pos
    docx_char_spacing_pt: float


class Sizes(_Part):
    er_hao: float = Pos
    san_hao: float = Pos
    si_hao: float = Pos
    table: float = Pos
    table_small: float = Pos


class Colors(_Part):
    red: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    black: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")


class Masthead(_Part):
    top_from_block_mm: float = NonNeg
    max_size_pt: float = Pos
    min_size_pt: float = Pos
    size_step_pt: float = Pos
    letter_top_from_paper_mm: float = NonNeg
    joint_line_gap_pt: float = NonNeg
    joint_gap_em: float = NonNeg


class Order(_Part):
    top_from_block_mm: float = NonNeg
    body_lines_below_number: int = NonNeg
    signature_lines_above: int = NonNeg
    signature_right_chars: float = NonNeg
    signer_title_gap_chars: int = NonNeg
    date_lines_below_signature: int = NonNeg


class Number(_Part):
    lines_below_masthead: int = NonNeg
    signers_per_row: int = Pos


class RedRule(_Part):
    below_number_mm: float = NonNeg
    thickness_pt: float = Pos


class LetterRules(_Part):
    length_mm: float = Pos
    thick_pt: float = Pos
    thin_pt: float = Pos
    gap_pt: float = NonNeg
    below_masthead_mm: float = NonNeg
    bottom_from_paper_mm: float = NonNeg


class Title(_Part):
    lines_below_rule: int = NonNeg
    line_pitch_pt: float = Pos
    max_chars_per_line: int = Pos
    addressee_lines_below: int = NonNeg


class Body(_Part):
    indent_chars: float = NonNeg
    max_stretch_em: float = NonNeg


class AttachmentNote(_Part):
    lines_above: int = NonNeg
    indent_chars: float = NonNeg
    number_gap_chars: float = NonNeg


class Signature(_Part):
    lines_above: int = NonNeg
    right_chars_no_seal: float = NonNeg
    date_offset_chars: float = NonNeg
    date_right_chars_seal: float = NonNeg
    date_right_chars_long: float = NonNeg
    fit_extra_lines: int = NonNeg


class AttachmentPage(_Part):
    label_line: int = Pos
    title_line: int = Pos


class Banji(_Part):
    thick_rule_pt: float = Pos
    thin_rule_pt: float = Pos
    indent_chars: float = NonNeg
    line_pitch_pt: float = Pos


class PageNumber(_Part):
    below_block_mm: float = NonNeg
    side_chars: float = NonNeg
    dash: str


class Tables(_Part):
    row_padding_pt: float = NonNeg
    cell_side_padding_pt: float = NonNeg
    border_pt: float = NonNeg
    line_height_em: float = Pos
    width_slack_pt: float = NonNeg
    min_body_cols_portrait: int = NonNeg
    landscape_min_cols: int = Pos
    body_size_max_cols: int = NonNeg
    small_size_min_cols: int = Pos


class Placeholder(_Part):
    shade: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")


class Docx(_Part):
    exact_line_per_em: float = Pos
    baseline_per_line: float = Pos
    em_ascent: float = Pos
    spacer_pt: float = Pos
    slack_pt: float = NonNeg


class LayoutSpec(_Part):
    """Every section of styles/layout.yaml; every key required, none unknown."""

    page: Page
    grid: Grid
    sizes_pt: Sizes
    colors: Colors
    masthead: Masthead
    order: Order
    number: Number
    red_rule: RedRule
    letter_rules: LetterRules
    title: Title
    body: Body
    attachment_note: AttachmentNote
    signature: Signature
    attachment_page: AttachmentPage
    banji: Banji
    page_number: PageNumber
    tables: Tables
    placeholder: Placeholder
    docx: Docx


def _keys(model: type[BaseModel]) -> list[str]:
    """Every key name of the schema, for "did you mean" suggestions."""
    out = []
    for name, f in model.model_fields.items():
        out.append(name)
        t = f.annotation
        if isinstance(t, type) and issubclass(t, BaseModel):
            out.extend(_keys(t))
    return out


KNOWN_KEYS = _keys(LayoutSpec)


@dataclass(frozen=True)
class Layout:
    """The validated layout with attribute access (layout.page.width_mm)
    and the derived numbers. `raw` is the LayoutSpec itself."""

    raw: LayoutSpec

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
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
    def closing_min_pitch_pt(self) -> float:
        """The tightest line pitch the page holding the 成文日期 may take so that
        the date and seal stay with the text (GB/T 9704 7.3.5.5): that many more
        lines in the text block than the grid's."""
        return self.block_height_pt / (self.raw.grid.lines + self.raw.signature.fit_extra_lines)

    @property
    def body_size_pt(self) -> float:
        return float(self.raw.sizes_pt.san_hao)

    def size(self, name: str) -> float:
        return float(self.raw.sizes_pt[name])


def parse_layout(data: Any, source: str = "styles/layout.yaml") -> Layout:
    """Validate a layout mapping; a UserError in Chinese naming each bad key."""
    if not isinstance(data, dict):
        raise UserError(f"{source} 有误：", ["顶层应为“键: 值”的形式"])
    try:
        return Layout(LayoutSpec.model_validate(data))
    except ValidationError as exc:
        raise UserError(f"{source} 有误：", describe(exc, KNOWN_KEYS)) from None


@lru_cache(maxsize=None)
def load_layout(path: Path | None = None) -> Layout:
    path = Path(path) if path else STYLES_DIR / "layout.yaml"
    text = path.read_text(encoding="utf-8")
    return parse_layout(safeyaml.load(text, str(path)), str(path))
