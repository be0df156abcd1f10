"""Write the OFD package (GB/T 33190-2016) from the PDF's pages.

Package layout (every location relative to the file that names it):

    OFD.xml                         DocBody: DocInfo, DocRoot
    Doc_0/Document.xml              CommonData (MaxUnitID, PageArea, PublicRes,
                                    DocumentRes, DefaultCS), Pages
    Doc_0/PublicRes.xml             ColorSpaces (RGB), Fonts   (BaseLoc Res)
    Doc_0/DocumentRes.xml           MultiMedias (images)       (BaseLoc Res)
    Doc_0/Res/font_<ID>.otf         embedded fonts
    Doc_0/Res/image_<ID>.png        images
    Doc_0/Pages/Page_<n>/Content.xml

IDs are numbered in one sequence in the order things are met (colour space,
pages, then each page's layer, objects and the resources first used there),
so the same PDF gives the same IDs; MaxUnitID is the last one.
"""

from __future__ import annotations

import hashlib
import io
import math
import zipfile
from dataclasses import dataclass

import pikepdf
from lxml import etree

from gongwen.writers.ofd.fonts import OfdFont, build_font
from gongwen.writers.ofd.pdfread import Clip, ImageItem, PathItem, TextRun, read_pages

NS = "http://www.ofdspec.org/2016"
_OFD = "{%s}" % NS
MM_PER_PT = 25.4 / 72
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
DOC = "Doc_0"


def _mm(v: float) -> float:
    return v * MM_PER_PT


def num(v: float) -> str:
    """A number as OFD writes it: millimetres to 0.001, no trailing zeros."""
    r = round(v, 3)
    if r == 0:
        return "0"
    s = f"{r:.3f}".rstrip("0").rstrip(".")
    return s


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    e = etree.SubElement(parent, _OFD + tag) if parent is not None else etree.Element(_OFD + tag, nsmap={"ofd": NS})
    for k, v in attrs.items():
        if v is not None:
            e.set(k, str(v))
    if text is not None:
        e.text = text
    return e


def _xml(root) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")


@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def of(cls, points):
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        return cls(min(xs), min(ys), max(xs), max(ys))

    def grow(self, d: float) -> _Box:
        return _Box(self.x0 - d, self.y0 - d, self.x1 + d, self.y1 + d)

    def mm_rounded(self) -> tuple[float, float, float, float]:
        """(x, y, w, h) in mm, origin rounded to 0.001 mm down and size up, so
        the rounded box still holds the exact one."""
        x = math.floor(_mm(self.x0) * 1000) / 1000
        y = math.floor(_mm(self.y0) * 1000) / 1000
        w = math.ceil((_mm(self.x1) - x) * 1000) / 1000
        h = math.ceil((_mm(self.y1) - y) * 1000) / 1000
        return x, y, max(w, 0.001), max(h, 0.001)


def _points(subpaths):
    for sub in subpaths:
        for seg in sub:
            for i in range(1, len(seg), 2):
                yield (seg[i], seg[i + 1])


def _abbreviated(subpaths, ox: float, oy: float) -> str:
    """OFD path data (M, L, B, C) in mm relative to (ox, oy) (in mm)."""
    out = []
    for sub in subpaths:
        for seg in sub:
            op = seg[0]
            out.append(op)
            for i in range(1, len(seg), 2):
                out.append(num(_mm(seg[i]) - ox))
                out.append(num(_mm(seg[i + 1]) - oy))
    return " ".join(out)


def _delta(values: list[float]) -> str:
    """DeltaX/DeltaY with the standard's "g count value" for repeats."""
    out: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        n = j - i + 1
        if n >= 3:
            out += ["g", str(n), num(values[i])]
        else:
            out += [num(values[i])] * n
        i = j + 1
    return " ".join(out)


class _Writer:
    def __init__(self, pdf: pikepdf.Pdf, fingerprint: bytes):
        self.pdf = pdf
        self.fingerprint = fingerprint
        self.next_id = 0
        self.fonts: dict = {}  # PdfFont.key -> (ID, OfdFont)
        self.images: dict = {}  # image objgen -> ID
        self.files: dict[str, bytes] = {}
        self.font_entries: list = []
        self.image_entries: list = []

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    # -- resources ---------------------------------------------------------
    def font_id(self, font) -> tuple[int, OfdFont]:
        if font.key not in self.fonts:
            fid = self.new_id()
            ofd_font = build_font(font)
            name = f"font_{fid}.{ofd_font.ext}"
            self.files[f"{DOC}/Res/{name}"] = ofd_font.data
            self.font_entries.append((fid, font, name))
            self.fonts[font.key] = (fid, ofd_font)
        return self.fonts[font.key]

    def image_id(self, image) -> int:
        key = image.objgen
        if key not in self.images:
            iid = self.new_id()
            name = f"image_{iid}.png"
            self.files[f"{DOC}/Res/{name}"] = _png(image)
            self.image_entries.append((iid, name))
            self.images[key] = iid
        return self.images[key]

    # -- graphic units -----------------------------------------------------
    def color(self, parent, tag: str, rgb, alpha: float):
        a = int(round(alpha * 255))
        _el(parent, tag, Value=" ".join(str(c) for c in rgb), ColorSpace=self.cs_id, Alpha=a if a != 255 else None)

    def clips(self, parent, clips: tuple, box: _Box, ox: float, oy: float):
        """Clips that can cut into `box`; a rectangle holding the whole box is left out."""
        needed = []
        for clip in clips:
            rect = _rect_of(clip)
            if rect is not None and rect.x0 <= box.x0 + 1e-6 and rect.y0 <= box.y0 + 1e-6 and rect.x1 >= box.x1 - 1e-6 and rect.y1 >= box.y1 - 1e-6:
                continue
            needed.append(clip)
        if not needed:
            return
        clips_el = _el(parent, "Clips")
        for clip in needed:
            area = _el(_el(clips_el, "Clip"), "Area")
            cb = _Box.of(list(_points(clip.subpaths)))
            cx, cy, cw, ch = cb.mm_rounded()
            path = _el(area, "Path", Boundary=f"{num(cx - ox)} {num(cy - oy)} {num(cw)} {num(ch)}", Stroke="false", Fill="true",
                       Rule="Even-Odd" if clip.even_odd else None)
            _el(path, "AbbreviatedData", _abbreviated(clip.subpaths, ox, oy))

    def path(self, layer, item: PathItem):
        pts = list(_points(item.subpaths))
        if not pts:
            return
        box = _Box.of(pts).grow(_stroke_reach(item) if item.stroke else 0)
        x, y, w, h = box.mm_rounded()
        lw = _mm(item.line_width)
        el = _el(
            layer,
            "PathObject",
            ID=self.new_id(),
            Boundary=f"{num(x)} {num(y)} {num(w)} {num(h)}",
            LineWidth=num(lw) if item.stroke else None,
            Cap={1: "Round", 2: "Square"}.get(item.cap) if item.stroke else None,
            Join={1: "Round", 2: "Bevel"}.get(item.join) if item.stroke else None,
            MiterLimit=num(item.miter) if item.stroke and item.join == 0 and item.miter != 4.234 else None,
            DashOffset=num(_mm(item.dash[1])) if item.stroke and item.dash and item.dash[1] else None,
            DashPattern=" ".join(num(_mm(v)) for v in item.dash[0]) if item.stroke and item.dash else None,
            Stroke="true" if item.stroke else "false",
            Fill="true" if item.fill else "false",
            Rule="Even-Odd" if item.fill and item.even_odd else None,
        )
        self.clips(el, item.clips, box, x, y)
        if item.stroke:
            self.color(el, "StrokeColor", item.stroke_color, item.stroke_alpha)
        if item.fill:
            self.color(el, "FillColor", item.fill_color, item.fill_alpha)
        _el(el, "AbbreviatedData", _abbreviated(item.subpaths, x, y))

    def text(self, layer, run: TextRun):
        fid, ofont = self.font_id(run.font)
        a, b, c, d = run.matrix[:4]
        size_pt = math.sqrt(abs(a * d - b * c)) if abs(b) > 1e-9 or abs(c) > 1e-9 else abs(d)
        if size_pt <= 0:
            return
        simple = abs(b) < 1e-9 and abs(c) < 1e-9 and d < 0 and a > 0
        hscale = a / abs(d) if simple else 1.0
        # The run's box on the page: every glyph's box, taken as the font's
        # bounding box (head) joined with ascent/descent and the advance, so the
        # Boundary holds whatever the glyphs draw (readers may clip to it).
        fx0, fy0, fx1, fy1 = ofont.bbox
        y0 = min(fy0, run.font.descent / 1000)
        y1 = max(fy1, run.font.ascent / 1000)
        n = math.hypot(a, b) or 1
        corners = []
        for g in run.glyphs:
            x0 = min(fx0, 0.0)
            x1 = max(fx1, g.advance / n)
            for gx in (x0, x1):
                for gy in (y0, y1):
                    corners.append((g.x + gx * a + gy * c, g.y + gx * b + gy * d))
        box = _Box.of(corners)
        x, y, w, h = box.mm_rounded()
        texts = [ofont.texts[g.cid] for g in run.glyphs]
        if simple:
            ctm = None
            local = [(_mm(g.x) - x, _mm(g.y) - y) for g in run.glyphs]
        else:
            # object space (y down, 1 em = Size mm) -> boundary space
            s = size_pt
            m = (a / s, b / s, -c / s, -d / s)
            det = m[0] * m[3] - m[1] * m[2]
            inv = (m[3] / det, -m[1] / det, -m[2] / det, m[0] / det)
            ctm = " ".join(num(v) for v in (*m, 0, 0))
            local = []
            for g in run.glyphs:
                px, py = _mm(g.x) - x, _mm(g.y) - y
                local.append((px * inv[0] + py * inv[2], px * inv[1] + py * inv[3]))
        el = _el(
            layer,
            "TextObject",
            ID=self.new_id(),
            Boundary=f"{num(x)} {num(y)} {num(w)} {num(h)}",
            CTM=ctm,
            LineWidth=num(_mm(run.line_width)) if run.mode in (1, 2, 5, 6) else None,
            Font=fid,
            Size=num(_mm(size_pt)),
            Stroke="true" if run.mode in (1, 2, 5, 6) else None,
            Fill="false" if run.mode in (1, 3, 5, 7) else None,
            HScale=num(hscale) if abs(hscale - 1) > 1e-6 else None,
        )
        self.clips(el, run.clips, box, x, y)
        if run.mode in (0, 2, 4, 6):
            self.color(el, "FillColor", run.fill, run.fill_alpha)
        if run.mode in (1, 2, 5, 6):
            self.color(el, "StrokeColor", run.stroke, run.stroke_alpha)
        # Positions rounded to 0.001 mm; deltas between the rounded positions add
        # up exactly. A glyph written as several characters: the extra ones get 0.
        xs: list[float] = []
        ys: list[float] = []
        code = []
        for (lx, ly), t in zip(local, texts):
            rx, ry = round(lx, 3), round(ly, 3)
            for k, ch in enumerate(t):
                xs.append(rx)
                ys.append(ry)
                code.append(ch)
        dx = [round(xs[i + 1] - xs[i], 3) for i in range(len(xs) - 1)]
        dy = [round(ys[i + 1] - ys[i], 3) for i in range(len(ys) - 1)]
        pos = 0
        for g, t in zip(run.glyphs, texts):
            gid = ofont.cid_to_gid[g.cid]
            if len(t) != 1 or ofont.cmap.get(ord(t)) != gid:
                cg = _el(el, "CGTransform", CodePosition=pos, CodeCount=len(t), GlyphCount=1)
                _el(cg, "Glyphs", str(gid))
            pos += len(t)
        _el(
            el,
            "TextCode",
            "".join(code),
            X=num(xs[0]),
            Y=num(ys[0]),
            DeltaX=_delta(dx) if any(v != 0 for v in dx) else None,
            DeltaY=_delta(dy) if any(v != 0 for v in dy) else None,
        )

    def image(self, layer, item: ImageItem):
        iid = self.image_id(item.image)
        a, b, c, d, e, f = item.matrix
        # OFD images fill the unit square with row 0 at y = 0 (PDF: at y = 1)
        m = (a, b, -c, -d, c + e, d + f)
        corners = [(m[4], m[5]), (m[0] + m[4], m[1] + m[5]), (m[2] + m[4], m[3] + m[5]), (m[0] + m[2] + m[4], m[1] + m[3] + m[5])]
        box = _Box.of(corners)
        x, y, w, h = box.mm_rounded()
        ctm = (_mm(m[0]), _mm(m[1]), _mm(m[2]), _mm(m[3]), _mm(m[4]) - x, _mm(m[5]) - y)
        el = _el(
            layer,
            "ImageObject",
            ID=self.new_id(),
            Boundary=f"{num(x)} {num(y)} {num(w)} {num(h)}",
            CTM=" ".join(num(v) for v in ctm),
            Alpha=int(round(item.fill_alpha * 255)) if item.fill_alpha < 1 else None,
            ResourceID=iid,
        )
        self.clips(el, item.clips, box, x, y)

    # -- package -----------------------------------------------------------
    def write(self, info) -> bytes:
        pages, _ = read_pages(self.pdf)
        self.cs_id = self.new_id()
        page_ids = [self.new_id() for _ in pages]
        default = (pages[0].width, pages[0].height) if pages else (595.2756, 841.8898)
        contents = []
        for n, page in enumerate(pages):
            root = _el(None, "Page")
            if (page.width, page.height) != default:
                area = _el(root, "Area")
                _el(area, "PhysicalBox", f"0 0 {num(_mm(page.width))} {num(_mm(page.height))}")
            layer = _el(_el(root, "Content"), "Layer", ID=self.new_id(), Type="Body")
            for item in page.items:
                if isinstance(item, TextRun):
                    self.text(layer, item)
                elif isinstance(item, PathItem):
                    self.path(layer, item)
                elif isinstance(item, ImageItem):
                    self.image(layer, item)
            contents.append((f"Pages/Page_{n}/Content.xml", root))

        # Document.xml
        doc = _el(None, "Document")
        common = _el(doc, "CommonData")
        _el(common, "MaxUnitID", str(self.next_id))
        _el(_el(common, "PageArea"), "PhysicalBox", f"0 0 {num(_mm(default[0]))} {num(_mm(default[1]))}")
        _el(common, "PublicRes", "PublicRes.xml")
        _el(common, "DocumentRes", "DocumentRes.xml")
        _el(common, "DefaultCS", str(self.cs_id))
        pages_el = _el(doc, "Pages")
        for pid, (loc, _root) in zip(page_ids, contents):
            _el(pages_el, "Page", ID=pid, BaseLoc=loc)

        public = _el(None, "Res", BaseLoc="Res")
        _el(_el(public, "ColorSpaces"), "ColorSpace", ID=self.cs_id, Type="RGB", BitsPerComponent=8)
        if self.font_entries:
            fonts_el = _el(public, "Fonts")
            for fid, font, name in self.font_entries:
                f = _el(
                    fonts_el,
                    "Font",
                    ID=fid,
                    FontName=font.base_name,
                    FamilyName=font.family,
                    Bold="true" if font.bold else None,
                    Italic="true" if font.italic else None,
                )
                _el(f, "FontFile", name)
        document_res = _el(None, "Res", BaseLoc="Res")
        if self.image_entries:
            mm_el = _el(document_res, "MultiMedias")
            for iid, name in self.image_entries:
                _el(_el(mm_el, "MultiMedia", ID=iid, Type="Image", Format="PNG"), "MediaFile", name)

        ofd = _el(None, "OFD", Version="1.0", DocType="OFD")
        body = _el(ofd, "DocBody")
        _doc_info(body, info, self.fingerprint)
        _el(body, "DocRoot", f"{DOC}/Document.xml")

        entries = [("OFD.xml", _xml(ofd)), (f"{DOC}/Document.xml", _xml(doc)), (f"{DOC}/PublicRes.xml", _xml(public)),
                   (f"{DOC}/DocumentRes.xml", _xml(document_res))]
        entries += [(f"{DOC}/{loc}", _xml(root)) for loc, root in contents]
        entries += sorted(self.files.items())
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in entries:
                zi = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                zi.compress_type = zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED
                zi.external_attr = 0o644 << 16
                zf.writestr(zi, data)
        return out.getvalue()


def _stroke_reach(item: PathItem) -> float:
    """How far a stroke's paint reaches beyond the path: half the width; more
    for square caps (a corner of the cap) and mitred corners (the miter limit)."""
    half = item.line_width / 2
    reach = half * math.sqrt(2) if item.cap == 2 else half
    if item.join == 0 and any(sum(1 for seg in sub if seg[0] != "C") >= 3 for sub in item.subpaths):
        reach = max(reach, half * item.miter)
    return reach


def _rect_of(clip: Clip) -> _Box | None:
    """The clip as an axis-aligned rectangle, or None when it is not one."""
    if len(clip.subpaths) != 1:
        return None
    sub = [s for s in clip.subpaths[0] if s[0] != "C"]
    if len(sub) not in (4, 5) or any(s[0] not in ("M", "L") for s in sub):
        return None
    pts = [(s[1], s[2]) for s in sub]
    xs = sorted({round(p[0], 6) for p in pts})
    ys = sorted({round(p[1], 6) for p in pts})
    if len(xs) > 2 or len(ys) > 2:
        return None
    return _Box.of(pts)


def _png(image) -> bytes:
    """An image XObject as PNG (its /SMask as the alpha channel)."""
    pil = pikepdf.PdfImage(image).as_pil_image()
    smask = image.get("/SMask")
    if smask is not None:
        alpha = pikepdf.PdfImage(smask).as_pil_image().convert("L")
        if alpha.size != pil.size:
            alpha = alpha.resize(pil.size)
        pil = pil.convert("RGB")
        pil.putalpha(alpha)
    elif pil.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
        pil = pil.convert("RGB")
    out = io.BytesIO()
    pil.save(out, "PNG", optimize=False)
    return out.getvalue()


def _doc_info(body, info, fingerprint: bytes) -> None:
    di = _el(body, "DocInfo")
    # DocID: 32 hex digits from the PDF's bytes and the metadata, so the same input gives the same ID
    seed = fingerprint + repr((info.title, info.author, info.creation_date, info.custom_pairs())).encode()
    _el(di, "DocID", info.doc_id or hashlib.md5(seed).hexdigest())
    if info.title:
        _el(di, "Title", info.title)
    author = info.author
    if author:
        _el(di, "Author", author)
    if info.subject:
        _el(di, "Subject", info.subject)
    date = info.creation_date
    if date is not None:
        _el(di, "CreationDate", date.isoformat())
    if info.keywords:
        kw = _el(di, "Keywords")
        for k in info.keywords:
            _el(kw, "Keyword", k)
    _el(di, "Creator", info.creator)
    customs = info.custom_pairs()
    if customs:
        cd = _el(di, "CustomDatas")
        for name, value in customs:
            _el(cd, "CustomData", value, Name=name)


def write_ofd(pdf: pikepdf.Pdf, info, fingerprint: bytes = b"") -> bytes:
    """The OFD package of an open PDF; `fingerprint` (the PDF's hash) seeds the DocID."""
    return _Writer(pdf, fingerprint).write(info)


__all__ = ["write_ofd", "NS", "num"]
