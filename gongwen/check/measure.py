"""Measure a PDF the way a reviewer with a ruler would: page size, text lines,
their edges and pitch, page numbers, fonts. Shared by the PDF tests and the
LibreOffice (DOCX -> PDF) tests so both outputs are held to the same numbers,
and by the format checker (gongwen.check). tests/pdfmeasure.py re-exports them."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pikepdf

PT_PER_MM = 72 / 25.4


def _block():
    from gongwen.layout.spec import load_layout

    lay = load_layout()
    p = lay.page
    width, height = p.width_mm * PT_PER_MM, p.height_mm * PT_PER_MM
    left, right = p.margin_left_mm * PT_PER_MM, width - p.margin_right_mm * PT_PER_MM
    top, bottom = p.margin_top_mm * PT_PER_MM, height - p.margin_bottom_mm * PT_PER_MM
    return width, height, left, right, top, bottom, (right - left) / lay.grid.chars


# The page and its text block in PDF points (from styles/layout.yaml), and one 字.
PAGE_W, PAGE_H, LEFT, RIGHT, TOP, BOTTOM, CHAR = _block()


def mm(pt: float) -> float:
    return pt / PT_PER_MM


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    fonts: set[str]
    chars: list[dict]


def baseline(c: dict) -> float:
    """Distance of a character's baseline from the page top (fonts with other
    descents, such as a fallback font, report other tops on the same line)."""
    return c["page_height"] - c["matrix"][5] if "page_height" in c else c["top"]


def page_lines(page, min_size: float = 0.0) -> list[Line]:
    """Group a page's characters into lines by their baseline (within 2 pt)."""
    chars = [dict(c, page_height=page.height) for c in page.chars if c["text"].strip() and c["size"] >= min_size]
    lines: list[list[dict]] = []
    for c in sorted(chars, key=baseline):
        for ln in lines:
            if abs(baseline(ln[0]) - baseline(c)) < 2.0:
                ln.append(c)
                break
        else:
            lines.append([c])
    out = []
    for ln in lines:
        ln.sort(key=lambda c: c["x0"])
        out.append(
            Line(
                text="".join(c["text"] for c in ln),
                x0=min(c["x0"] for c in ln),
                x1=max(c["x1"] for c in ln),
                top=min(c["top"] for c in ln),
                bottom=max(c["bottom"] for c in ln),
                size=statistics.median(c["size"] for c in ln),
                fonts={c["fontname"] for c in ln},
                chars=ln,
            )
        )
    out.sort(key=lambda l: l.top)
    return out


def body_lines(page, block_bottom_pt: float) -> list[Line]:
    """Lines inside the text block (page numbers excluded)."""
    return [l for l in page_lines(page) if l.bottom <= block_bottom_pt + 2]


def page_number_line(page, block_bottom_pt: float) -> Line | None:
    below = [l for l in page_lines(page) if l.top > block_bottom_pt + 2]
    return below[0] if below else None


def pitches(lines: list[Line]) -> list[float]:
    return [b.top - a.top for a, b in zip(lines, lines[1:])]


def embedded_fonts(path: Path) -> list[dict]:
    """Every font resource: its name, whether its program is embedded, whether subset."""
    fonts = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            res = page.obj.get("/Resources", {})
            for _, font in dict(res.get("/Font", {})).items():
                name = str(font.get("/BaseFont", ""))
                desc = font.get("/FontDescriptor")
                if desc is None and "/DescendantFonts" in font:
                    desc = font.DescendantFonts[0].get("/FontDescriptor")
                embedded = desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts[name] = {
                    "name": name,
                    "embedded": embedded,
                    "subset": len(name) > 8 and name[7] == "+",
                    "tounicode": "/ToUnicode" in font,
                }
    return list(fonts.values())


def red_rects(page, min_width_pt: float = 100) -> list[dict]:
    """Red horizontal rules drawn as lines or filled rectangles."""
    out = []
    for obj in list(page.rects) + list(page.lines):
        colour = obj.get("non_stroking_color") if obj.get("fill") else obj.get("stroking_color")
        colour = colour or obj.get("stroking_color") or obj.get("non_stroking_color")
        if not colour or not isinstance(colour, (tuple, list)):
            continue
        rgb = tuple(round(float(v), 2) for v in colour)
        is_red = len(rgb) == 3 and rgb[0] > 0.8 and rgb[1] < 0.2 and rgb[2] < 0.2
        is_red = is_red or (len(rgb) == 4 and rgb[1] > 0.6 and rgb[2] > 0.6 and rgb[3] < 0.3 and rgb[0] < 0.2)
        if is_red and obj["x1"] - obj["x0"] >= min_width_pt:
            out.append(obj)
    return out


def open_pdf(path: Path):
    return pdfplumber.open(path)


def page_pixels(data: bytes, tmp_path: Path, name: str, dpi: int = 50) -> list[bytes]:
    """Every page of a PDF rasterised by poppler (grey PNG), in order."""
    import subprocess

    src = tmp_path / f"{name}.pdf"
    src.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(src), str(tmp_path / name)], check=True)
    return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.png"))]
