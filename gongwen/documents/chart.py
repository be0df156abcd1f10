"""The bar chart the monthly 通报 may carry as an attachment: per category the
highest, average and lowest total of the month. Drawn with matplotlib's Agg
canvas (no pyplot state) in the same CJK fonts the PDF uses, saved as a PNG
with fixed size, resolution and metadata, so a rebuild gives the same bytes.
The PNG only feeds typesetting: it is cached under the temp folder by its
content hash."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from gongwen.campaign import Computed
from gongwen.documents import numbers as N
from gongwen.notice.tree import Image

DPI = 200
SIZE_IN = (6.14, 3.9)  # the 156 mm text block, a little wider than tall
SERIES = ("最高分", "平均分", "最低分")  # legend labels
COLORS = ("#8c1c13", "#c8553d", "#f2b880")  # dark to light: reads in grey print too
CACHE = Path(tempfile.gettempdir()) / "gongwen-charts"


@dataclass(frozen=True)
class CategoryTotals:
    category: str
    units: int
    highest: Decimal
    average: Decimal
    lowest: Decimal


def category_totals(c: Computed, month: str) -> list[CategoryTotals]:
    """Per category (campaign order) the month's highest, average (2 places, half up) and lowest total."""
    score = c.scores[month]
    out = []
    for cat in c.campaign.categories:
        totals = [u.total for u in score.category(cat)]
        if not totals:
            continue
        avg = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        out.append(CategoryTotals(cat, len(totals), max(totals), avg, min(totals)))
    return out


def _font_families(role: str) -> list[str]:
    """matplotlib family names of the role's installed fonts, in preference order
    (matplotlib falls back along the list glyph by glyph)."""
    from matplotlib import font_manager as fm
    from matplotlib import ft2font

    from gongwen.notice.fonts import available_chain

    names: list[str] = []
    known = {(f.fname, getattr(f, "face_index", 0)): f.name for f in fm.fontManager.ttflist}
    for font in available_chain(role):
        name = known.get((font.file, font.index))
        if name is None:
            fm.fontManager.addfont(font.file)
            prop = fm.ttfFontProperty(ft2font.FT2Font(font.file, face_index=font.index))
            name = prop.name
        if name not in names:
            names.append(name)
    return names or ["sans-serif"]


def draw(totals: list[CategoryTotals], full: Decimal) -> bytes:
    """The PNG bytes of the chart (deterministic for the same numbers and fonts)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    body = FontProperties(family=_font_families("body"), size=10)
    small = FontProperties(family=_font_families("body"), size=8)
    heading = FontProperties(family=_font_families("heading1"), size=10)
    with rc_context({"svg.hashsalt": "gongwen", "axes.unicode_minus": False, "path.simplify": True}):
        fig = Figure(figsize=SIZE_IN, dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        width = 0.26
        xs = list(range(len(totals)))
        for k, (label, color) in enumerate(zip(SERIES, COLORS)):
            values = [float((t.highest, t.average, t.lowest)[k]) for t in totals]
            pos = [x + (k - 1) * width for x in xs]
            bars = ax.bar(pos, values, width=width * 0.92, color=color, label=label, zorder=3)
            for bar, t in zip(bars, totals):
                value = (t.highest, t.average, t.lowest)[k]
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + float(full) * 0.012,
                        N.score(value), ha="center", va="bottom", fontproperties=small)
        ax.set_xticks(xs)
        ax.set_xticklabels([f"{t.category}（{t.units}个）" for t in totals], fontproperties=body)
        ax.set_ylim(0, float(full) * 1.15)
        ax.set_ylabel("得分", fontproperties=heading)
        for label in ax.get_yticklabels():
            label.set_fontproperties(small)
        ax.grid(axis="y", color="#d9d9d9", linewidth=0.6, zorder=0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(prop=body, loc="upper center", ncol=3, frameon=False, bbox_to_anchor=(0.5, 1.12))
        fig.subplots_adjust(left=0.09, right=0.98, top=0.86, bottom=0.12)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def cached_png(data: bytes) -> Path:
    """Write the PNG once under the temp folder, named by its content hash."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{hashlib.sha256(data).hexdigest()}.png"
    if not path.exists() or path.read_bytes() != data:
        fd, tmp = tempfile.mkstemp(dir=CACHE, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    return path


def category_totals_chart(c: Computed, month: str) -> Image:
    """The month's chart as a picture block for `::: 图片 数据=chart`."""
    full = Decimal(str(c.campaign.config.scoring.total))
    data = draw(category_totals(c, month), full)
    return Image(path=str(cached_png(data)))


__all__ = ["CategoryTotals", "category_totals", "category_totals_chart", "draw"]
