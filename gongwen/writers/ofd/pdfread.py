"""Read the laid-out pages of one of our own PDFs back as drawing items.

A small interpreter of PDF content streams (pikepdf parses them): it follows
the graphics state (q/Q, cm, colours, line width, ExtGState alpha, clipping),
the text state (Tf, Tc, Tw, Tz, TL, Ts, Tr, Tm, Td, TD, T*) and form XObjects,
and gives for every page:

- TextRun: the glyphs of one Tj/TJ/'/" show, each with its CID, its Unicode
  text (from the font's ToUnicode CMap) and its origin on the page;
- PathItem: a painted path (stroke, fill, or both) with its segments;
- ImageItem: an image XObject and the matrix that places its unit square.

All coordinates are PDF points in a y-down page space whose origin is the top
left corner of the page box (what OFD uses, in millimetres, after scaling).

Only what WeasyPrint writes is understood: Type0 fonts with Identity-H
encoding over CIDFontType0 (CFF) or CIDFontType2 (TrueType) descendants.
Anything else raises OfdUnsupported rather than writing an unfaithful page.
Shadings (sh), patterns, inline images and marked content are ignored (they
do not occur in our PDFs); see the package docstring.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Name

__all__ = ["OfdUnsupported", "PdfFont", "TextRun", "PathItem", "ImageItem", "PageItems", "read_pages"]

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class OfdUnsupported(ValueError):
    """The PDF uses something the OFD writer cannot carry over faithfully."""


def mul(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF row-vector convention: p' = p x m x n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])


# ---------------------------------------------------------------------------
# Fonts


@dataclass
class PdfFont:
    """One Type0 font of the PDF (shared by every page that uses it)."""

    key: tuple[int, int]  # objgen of the font dictionary
    base_name: str  # BaseFont without the subset tag
    family: str
    kind: str  # "cff" (FontFile3 CIDFontType0C), "otf" (FontFile3 OpenType) or "ttf" (FontFile2)
    program: bytes
    widths: dict[int, float]  # CID -> width in 1/1000 text space
    default_width: float
    to_unicode: dict[int, str]  # CID -> text
    cid_to_gid: dict[int, int] | None  # CIDFontType2 CIDToGIDMap stream; None: identity
    ascent: float  # 1/1000 em
    descent: float  # negative, 1/1000 em
    bold: bool
    italic: bool
    used: set[int] = field(default_factory=set)  # CIDs shown

    def width(self, cid: int) -> float:
        return self.widths.get(cid, self.default_width)


def _parse_widths(w) -> dict[int, float]:
    out: dict[int, float] = {}
    items = list(w) if w is not None else []
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1]
        if isinstance(nxt, pikepdf.Array):
            for k, v in enumerate(nxt):
                out[first + k] = float(v)
            i += 2
        else:
            last, v = int(nxt), float(items[i + 2])
            for c in range(first, last + 1):
                out[c] = v
            i += 3
    return out


_TOKEN = re.compile(rb"<([0-9A-Fa-f\s]*)>|\[|\]|([A-Za-z]+)|(-?\d+)")


def _utf16(hexs: bytes) -> str:
    raw = bytes.fromhex(re.sub(rb"\s", b"", hexs).decode())
    if len(raw) % 2:
        raw = b"\0" + raw
    return raw.decode("utf-16-be", errors="replace")


def parse_to_unicode(data: bytes) -> dict[int, str]:
    """CID -> text of a ToUnicode CMap (bfchar and bfrange sections)."""
    out: dict[int, str] = {}
    tokens = []
    for m in _TOKEN.finditer(data):
        if m.group(1) is not None:
            tokens.append(("hex", m.group(1)))
        elif m.group(2) is not None:
            tokens.append(("op", m.group(2)))
        elif m.group(0) in (b"[", b"]"):
            tokens.append((m.group(0).decode(), None))
        else:
            tokens.append(("int", m.group(3)))
    mode = None
    i = 0
    while i < len(tokens):
        kind, val = tokens[i]
        if kind == "op":
            mode = {b"beginbfchar": "char", b"beginbfrange": "range"}.get(val, None if val.startswith(b"end") else mode)
            i += 1
            continue
        if mode == "char" and kind == "hex" and i + 1 < len(tokens) and tokens[i + 1][0] == "hex":
            out[int(re.sub(rb"\s", b"", val) or b"0", 16)] = _utf16(tokens[i + 1][1])
            i += 2
            continue
        if mode == "range" and kind == "hex" and i + 2 < len(tokens):
            lo = int(re.sub(rb"\s", b"", val), 16)
            hi = int(re.sub(rb"\s", b"", tokens[i + 1][1]), 16)
            dst = tokens[i + 2]
            if dst[0] == "hex":
                base = _utf16(dst[1])
                for k, cid in enumerate(range(lo, hi + 1)):
                    out[cid] = base[:-1] + chr(ord(base[-1]) + k) if base else ""
                i += 3
                continue
            if dst[0] == "[":
                j = i + 3
                k = 0
                while j < len(tokens) and tokens[j][0] != "]":
                    if tokens[j][0] == "hex":
                        out[lo + k] = _utf16(tokens[j][1])
                        k += 1
                    j += 1
                i = j + 1
                continue
        i += 1
    return out


def _strip_subset(name: str) -> str:
    name = name.lstrip("/")
    return name.split("+", 1)[1] if re.match(r"^[A-Z]{6}\+", name) else name


def load_font(font) -> PdfFont:
    """A PdfFont from a /Type0 font dictionary (OfdUnsupported for others)."""
    if font.get("/Subtype") != Name.Type0 or font.get("/Encoding") != Name("/Identity-H"):
        raise OfdUnsupported(f"font {font.get('/BaseFont')}: only Type0 fonts with Identity-H encoding are supported")
    desc = font.DescendantFonts[0]
    fd = desc.FontDescriptor
    if "/FontFile3" in fd:
        sub = fd.FontFile3.get("/Subtype")
        kind = {Name("/CIDFontType0C"): "cff", Name("/Type1C"): "cff", Name("/OpenType"): "otf"}.get(sub)
        program = fd.FontFile3.read_bytes()
    elif "/FontFile2" in fd:
        kind, program = "ttf", fd.FontFile2.read_bytes()
    else:
        kind, program = None, b""
    if kind is None:
        raise OfdUnsupported(f"font {font.get('/BaseFont')}: no embedded CFF, OpenType or TrueType program")
    cid_to_gid = None
    c2g = desc.get("/CIDToGIDMap")
    if isinstance(c2g, pikepdf.Stream):
        raw = c2g.read_bytes()
        cid_to_gid = {i // 2: int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)}
    tu = font.get("/ToUnicode")
    to_unicode = parse_to_unicode(tu.read_bytes()) if isinstance(tu, pikepdf.Stream) else {}
    base = _strip_subset(str(font.get("/BaseFont", desc.get("/BaseFont", "/Font"))))
    family = str(fd.get("/FontFamily", "")) or base
    flags = int(fd.get("/Flags", 0))
    weight = int(fd.get("/FontWeight", 400))
    return PdfFont(
        key=font.objgen,
        base_name=base,
        family=family,
        kind=kind,
        program=program,
        widths=_parse_widths(desc.get("/W")),
        default_width=float(desc.get("/DW", 1000)),
        to_unicode=to_unicode,
        cid_to_gid=cid_to_gid,
        ascent=float(fd.get("/Ascent", 880)),
        descent=float(fd.get("/Descent", -120)),
        bold="bold" in base.lower() or weight >= 600 or bool(flags & (1 << 18)),
        italic=bool(flags & (1 << 6)) or float(fd.get("/ItalicAngle", 0)) != 0,
    )


# ---------------------------------------------------------------------------
# Page items


Color = tuple[int, int, int]


@dataclass
class Clip:
    """A clipping path: subpaths in page space, and its fill rule."""

    subpaths: list
    even_odd: bool


@dataclass
class Glyph:
    cid: int
    text: str  # ToUnicode text ("" when the font has none for this CID)
    x: float  # origin, page space
    y: float
    advance: float  # distance to the next glyph's natural origin, page space along the text direction


@dataclass
class TextRun:
    font: PdfFont
    matrix: Matrix  # glyph space (1 unit = 1 em, Tz included) -> page space, without translation
    glyphs: list[Glyph]
    fill: Color
    stroke: Color
    fill_alpha: float
    stroke_alpha: float
    mode: int  # text rendering mode
    line_width: float
    clips: tuple


@dataclass
class PathItem:
    # subpaths: lists of ("M", x, y) / ("L", x, y) / ("B", x1, y1, x2, y2, x3, y3) / ("C",)
    subpaths: list
    stroke: bool
    fill: bool
    even_odd: bool
    fill_color: Color
    stroke_color: Color
    fill_alpha: float
    stroke_alpha: float
    line_width: float
    cap: int
    join: int
    miter: float
    dash: tuple[list[float], float] | None
    clips: tuple


@dataclass
class ImageItem:
    image: pikepdf.Object  # the image XObject
    matrix: Matrix  # unit square -> page space
    fill_alpha: float
    clips: tuple


@dataclass
class PageItems:
    width: float  # points
    height: float
    items: list = field(default_factory=list)


@dataclass
class _GState:
    ctm: Matrix
    fill: Color = (0, 0, 0)
    stroke: Color = (0, 0, 0)
    fill_cs: int = 3  # components of the current fill colour space (0 = pattern/unknown)
    stroke_cs: int = 3
    line_width: float = 1.0
    cap: int = 0
    join: int = 0
    miter: float = 10.0
    dash: tuple | None = None
    fill_alpha: float = 1.0
    stroke_alpha: float = 1.0
    clips: tuple = ()
    font: PdfFont | None = None
    size: float = 0.0
    tc: float = 0.0
    tw: float = 0.0
    th: float = 1.0
    tl: float = 0.0
    rise: float = 0.0
    mode: int = 0

    def copy(self) -> _GState:
        return _GState(**self.__dict__)


def _rgb(values: list[float]) -> Color:
    def c(v):
        return max(0, min(255, int(round(float(v) * 255))))

    if len(values) == 1:
        return (c(values[0]),) * 3
    if len(values) == 3:
        return (c(values[0]), c(values[1]), c(values[2]))
    if len(values) == 4:
        cy, m, y, k = (float(v) for v in values)
        return (c((1 - cy) * (1 - k)), c((1 - m) * (1 - k)), c((1 - y) * (1 - k)))
    return (0, 0, 0)


def _cs_components(cs, resources) -> int:
    """Number of colour components of a colour space operand (0: unsupported)."""
    name = cs
    if isinstance(cs, Name):
        n = {Name.DeviceGray: 1, Name.DeviceRGB: 3, Name.DeviceCMYK: 4, Name("/CalRGB"): 3, Name("/CalGray"): 1}.get(cs)
        if n:
            return n
        if cs == Name.Pattern:
            return 0
        spaces = resources.get("/ColorSpace", {}) if resources is not None else {}
        name = spaces.get(cs) if cs in spaces else None
    if isinstance(name, pikepdf.Array) and len(name) >= 2:
        if name[0] == Name.ICCBased:
            return int(name[1].get("/N", 3))
        if name[0] in (Name("/CalRGB"),):
            return 3
        if name[0] in (Name("/CalGray"),):
            return 1
    return 0


class _Interpreter:
    def __init__(self, fonts: dict, page_box):
        self.fonts = fonts  # objgen -> PdfFont, shared across pages
        x0, y0, x1, y1 = (float(v) for v in page_box)
        self.width, self.height = abs(x1 - x0), abs(y1 - y0)
        # PDF user space -> y-down page space
        self.base: Matrix = (1.0, 0.0, 0.0, -1.0, -min(x0, x1), max(y0, y1))
        self.items: list = []

    def font(self, resources, name) -> PdfFont:
        fonts = resources.get("/Font", {}) if resources is not None else {}
        if name not in fonts:
            raise OfdUnsupported(f"font {name} is not in the page's resources")
        obj = fonts[name]
        key = obj.objgen
        if key not in self.fonts:
            self.fonts[key] = load_font(obj)
        return self.fonts[key]

    def run(self, content_owner, resources, gs: _GState, depth: int = 0) -> None:
        if depth > 8:
            raise OfdUnsupported("form XObjects nested too deeply")
        stack: list[_GState] = []
        path: list[list] = []
        clip_pending: bool | None = None
        tm: Matrix = IDENTITY
        tlm: Matrix = IDENTITY

        def point(x, y):
            return apply(mul(gs.ctm, self.base), float(x), float(y))

        for operands, op in pikepdf.parse_content_stream(content_owner):
            op = str(op)
            if op == "q":
                stack.append(gs.copy())
            elif op == "Q":
                if stack:
                    gs = stack.pop()
            elif op == "cm":
                gs.ctm = mul(tuple(float(v) for v in operands), gs.ctm)
            elif op == "w":
                gs.line_width = float(operands[0])
            elif op == "J":
                gs.cap = int(operands[0])
            elif op == "j":
                gs.join = int(operands[0])
            elif op == "M":
                gs.miter = float(operands[0])
            elif op == "d":
                arr = [float(v) for v in operands[0]]
                gs.dash = (arr, float(operands[1])) if arr else None
            elif op == "gs":
                ext = resources.get("/ExtGState", {}).get(operands[0]) if resources is not None else None
                if ext is not None:
                    if "/ca" in ext:
                        gs.fill_alpha = float(ext.ca)
                    if "/CA" in ext:
                        gs.stroke_alpha = float(ext.CA)
                    if "/LW" in ext:
                        gs.line_width = float(ext.LW)
                    if "/LC" in ext:
                        gs.cap = int(ext.LC)
                    if "/LJ" in ext:
                        gs.join = int(ext.LJ)
                    if "/ML" in ext:
                        gs.miter = float(ext.ML)
                    if "/D" in ext:
                        arr = [float(v) for v in ext.D[0]]
                        gs.dash = (arr, float(ext.D[1])) if arr else None
            elif op in ("g", "rg", "k"):
                gs.fill, gs.fill_cs = _rgb(list(operands)), len(operands)
            elif op in ("G", "RG", "K"):
                gs.stroke, gs.stroke_cs = _rgb(list(operands)), len(operands)
            elif op == "cs":
                gs.fill_cs = _cs_components(operands[0], resources)
                gs.fill = (0, 0, 0)
            elif op == "CS":
                gs.stroke_cs = _cs_components(operands[0], resources)
                gs.stroke = (0, 0, 0)
            elif op in ("sc", "scn"):
                vals = [v for v in operands if not isinstance(v, Name)]
                if gs.fill_cs and len(vals) == gs.fill_cs:
                    gs.fill = _rgb(vals)
            elif op in ("SC", "SCN"):
                vals = [v for v in operands if not isinstance(v, Name)]
                if gs.stroke_cs and len(vals) == gs.stroke_cs:
                    gs.stroke = _rgb(vals)
            # path construction
            elif op == "m":
                path.append([("M", *point(*operands))])
            elif op == "l":
                if not path:
                    path.append([("M", *point(*operands))])
                else:
                    path[-1].append(("L", *point(*operands)))
            elif op in ("c", "v", "y"):
                if not path:
                    continue
                last = path[-1][-1] if path[-1][-1][0] != "C" else path[-1][0]
                cur = (last[-2], last[-1])
                pts = [point(operands[i], operands[i + 1]) for i in range(0, len(operands), 2)]
                if op == "v":
                    pts = [cur] + pts
                elif op == "y":
                    pts = [pts[0], pts[1], pts[1]]
                path[-1].append(("B", *pts[0], *pts[1], *pts[2]))
            elif op == "h":
                if path:
                    path[-1].append(("C",))
            elif op == "re":
                x, y, w, h = (float(v) for v in operands)
                path.append(
                    [("M", *point(x, y)), ("L", *point(x + w, y)), ("L", *point(x + w, y + h)), ("L", *point(x, y + h)), ("C",)]
                )
            elif op in ("W", "W*"):
                clip_pending = op == "W*"
            elif op in ("S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"):
                if op in ("s", "b", "b*") and path:
                    path[-1].append(("C",))
                stroke = op in ("S", "s", "B", "B*", "b", "b*")
                fill = op in ("f", "F", "f*", "B", "B*", "b", "b*")
                if path and (stroke or fill):
                    self.items.append(
                        PathItem(
                            subpaths=path,
                            stroke=stroke,
                            fill=fill,
                            even_odd=op in ("f*", "B*", "b*"),
                            fill_color=gs.fill,
                            stroke_color=gs.stroke,
                            fill_alpha=gs.fill_alpha,
                            stroke_alpha=gs.stroke_alpha,
                            line_width=gs.line_width * _scale(mul(gs.ctm, self.base)),
                            cap=gs.cap,
                            join=gs.join,
                            miter=gs.miter,
                            dash=(
                                ([v * _scale(mul(gs.ctm, self.base)) for v in gs.dash[0]], gs.dash[1] * _scale(mul(gs.ctm, self.base)))
                                if gs.dash
                                else None
                            ),
                            clips=gs.clips,
                        )
                    )
                if clip_pending is not None and path:
                    gs.clips = gs.clips + (Clip(path, clip_pending),)
                clip_pending = None
                path = []
            # text
            elif op == "BT":
                tm = tlm = IDENTITY
            elif op == "ET":
                pass
            elif op == "Tf":
                gs.font = self.font(resources, operands[0])
                gs.size = float(operands[1])
            elif op == "Tc":
                gs.tc = float(operands[0])
            elif op == "Tw":
                gs.tw = float(operands[0])
            elif op == "Tz":
                gs.th = float(operands[0]) / 100
            elif op == "TL":
                gs.tl = float(operands[0])
            elif op == "Ts":
                gs.rise = float(operands[0])
            elif op == "Tr":
                gs.mode = int(operands[0])
            elif op == "Tm":
                tm = tlm = tuple(float(v) for v in operands)
            elif op in ("Td", "TD"):
                tx, ty = float(operands[0]), float(operands[1])
                if op == "TD":
                    gs.tl = -ty
                tm = tlm = mul((1, 0, 0, 1, tx, ty), tlm)
            elif op == "T*":
                tm = tlm = mul((1, 0, 0, 1, 0, -gs.tl), tlm)
            elif op in ("Tj", "TJ", "'", '"'):
                if op == "'":
                    tm = tlm = mul((1, 0, 0, 1, 0, -gs.tl), tlm)
                elif op == '"':
                    gs.tw, gs.tc = float(operands[0]), float(operands[1])
                    tm = tlm = mul((1, 0, 0, 1, 0, -gs.tl), tlm)
                    operands = operands[2:]
                parts = list(operands[0]) if op == "TJ" else [operands[-1]]
                tm = self.show(parts, gs, tm)
            elif op == "Do":
                xobjs = resources.get("/XObject", {}) if resources is not None else {}
                xobj = xobjs.get(operands[0])
                if xobj is None:
                    continue
                if xobj.get("/Subtype") == Name.Image:
                    self.items.append(ImageItem(xobj, mul(gs.ctm, self.base), gs.fill_alpha, gs.clips))
                elif xobj.get("/Subtype") == Name.Form:
                    inner = gs.copy()
                    inner.ctm = mul(tuple(float(v) for v in xobj.get("/Matrix", IDENTITY)), gs.ctm)
                    bbox = xobj.get("/BBox")
                    if bbox is not None:
                        x0, y0, x1, y1 = (float(v) for v in bbox)
                        m = mul(inner.ctm, self.base)
                        rect = [("M", *apply(m, x0, y0)), ("L", *apply(m, x1, y0)), ("L", *apply(m, x1, y1)), ("L", *apply(m, x0, y1)), ("C",)]
                        inner.clips = inner.clips + (Clip([rect], False),)
                    self.run(xobj, xobj.get("/Resources", resources), inner, depth + 1)
            # everything else (sh, BI/ID/EI, marked content, d0/d1, BX/EX) is not drawn
        return None

    def show(self, parts, gs: _GState, tm: Matrix) -> Matrix:
        font = gs.font
        if font is None:
            raise OfdUnsupported("text shown without a font")
        glyphs: list[Glyph] = []
        device = mul(gs.ctm, self.base)
        size, th = gs.size, gs.th
        start = mul((size * th, 0, 0, size, 0, gs.rise), mul(tm, device))
        for part in parts:
            if isinstance(part, pikepdf.String):
                raw = bytes(part)
                for i in range(0, len(raw) - 1, 2):
                    cid = int.from_bytes(raw[i : i + 2], "big")
                    trm = mul((size * th, 0, 0, size, 0, gs.rise), mul(tm, device))
                    w0 = font.width(cid) / 1000
                    tx = (w0 * size + gs.tc) * th
                    adv = apply((trm[0], trm[1], trm[2], trm[3], 0, 0), tx / (size * th) if size * th else 0, 0)
                    glyphs.append(Glyph(cid, font.to_unicode.get(cid, ""), trm[4], trm[5], math.hypot(*adv)))
                    font.used.add(cid)
                    tm = mul((1, 0, 0, 1, tx, 0), tm)
            else:
                tx = -float(part) / 1000 * size * th
                tm = mul((1, 0, 0, 1, tx, 0), tm)
        if glyphs:
            self.items.append(
                TextRun(
                    font=font,
                    matrix=(start[0], start[1], start[2], start[3], 0.0, 0.0),
                    glyphs=glyphs,
                    fill=gs.fill,
                    stroke=gs.stroke,
                    fill_alpha=gs.fill_alpha,
                    stroke_alpha=gs.stroke_alpha,
                    mode=gs.mode,
                    line_width=gs.line_width * _scale(device),
                    clips=gs.clips,
                )
            )
        return tm


def _scale(m: Matrix) -> float:
    return math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))


def read_pages(pdf: pikepdf.Pdf) -> tuple[list[PageItems], dict]:
    """Every page's items, and the fonts they use (objgen -> PdfFont)."""
    fonts: dict = {}
    pages = []
    for page in pdf.pages:
        if int(page.obj.get("/Rotate", 0)) % 360:
            raise OfdUnsupported("rotated pages (/Rotate) are not supported")
        box = page.obj.get("/CropBox", page.mediabox)
        interp = _Interpreter(fonts, box)
        interp.run(page, page.resources, _GState(ctm=IDENTITY))
        pages.append(PageItems(interp.width, interp.height, interp.items))
    return pages, fonts
