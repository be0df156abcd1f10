"""OFD (GB/T 33190-2016) output: the same laid-out pages as the PDF.

`ofd_bytes(pdf, info)` reads our own PDF (as WeasyPrint wrote it and our
font packer re-packed it) and writes an OFD package with the same pages:

- namespace http://www.ofdspec.org/2016; OFD.xml, Document.xml, PublicRes.xml,
  DocumentRes.xml and each page's Content.xml valid against the standard's
  schemas (GB/T 33190-2016 Annex A);
- page size (PhysicalBox) and every coordinate in millimetres, y axis down;
- text as TextObject/TextCode with X/Y and DeltaX (DeltaY for rotated runs):
  selectable, searchable Unicode text from the PDF's ToUnicode maps, each
  glyph placed where the PDF places it (positions to 0.001 mm); rotated text
  (landscape table pages) through the object's CTM;
- the fonts the PDF embeds, as font files in the package: bare CFF wrapped
  into OpenType (.otf) with the same glyphs and glyph ids, and a cmap built
  from ToUnicode; a CGTransform names the glyph where the cmap cannot
  (see fonts.py);
- rules, table borders and the red rule (版头分隔线) as PathObject, colours in
  an RGB colour space (red is Value "255 0 0"), line widths, caps, joins,
  dashes, fill rules, opacity, and clipping paths that cut into an object;
- images (charts) as ImageObject with a PNG in the package (soft mask as alpha);
- DocInfo: Title, Author (issuing organ(s)), CreationDate (成文日期), Creator,
  and CustomDatas for 发文字号 and any custom data (campaign, month, ...);
- the same bytes for the same input: fixed zip times, IDs numbered in order,
  fixed font timestamps, DocID derived from the content.

Not supported (not in our PDFs, or not carried over):
- electronic signatures and seals (Signatures.xml, 电子印章): OFD signing
  needs a certificate and the SM2/SM3 algorithms; a signed OFD is made by the
  signing system from this unsigned file;
- annotations (Annots), links, bookmarks/outlines, attachments, custom tags,
  versions, permissions, templates, layers other than one Body layer;
- shadings and pattern fills (sh, /Pattern colour spaces), inline images,
  Type3 fonts and simple (non-Type0) fonts, encodings other than Identity-H,
  page /Rotate, and colour-managed colours (ICC colours are written as their
  component values in RGB/grey). A PDF using an unsupported font or rotation
  raises OfdUnsupported instead of giving an unfaithful OFD.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pikepdf

from gongwen.writers.ofd.pdfread import OfdUnsupported

__all__ = ["OfdInfo", "OfdUnsupported", "ofd_bytes", "benchmark", "NS"]

NS = "http://www.ofdspec.org/2016"


def _date(value) -> dt.date | None:
    """成文日期 as a date: a date, an ISO string or "2026年11月22日"
    (Chinese numerals "二〇二六年十一月二十二日" included)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        return dt.date(*map(int, m.groups()))
    digits = dict(zip("〇零一二三四五六七八九", [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))

    def cn(s: str) -> int:
        if s.isdigit():
            return int(s)
        if all(ch in digits for ch in s) and len(s) == 4:  # 二〇二六
            return int("".join(str(digits[ch]) for ch in s))
        if "十" in s:
            tens, _, ones = s.partition("十")
            return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)
        return digits[s]

    m = re.fullmatch(r"(\S{4})年(\S{1,3})月(\S{1,3})日", text)
    if m:
        try:
            return dt.date(cn(m.group(1)), cn(m.group(2)), cn(m.group(3)))
        except (KeyError, ValueError):
            pass
    raise ValueError(f"成文日期无法识别：{text}")


@dataclass(frozen=True)
class OfdInfo:
    """Document metadata for DocInfo.

    title: 标题; organs: 发文机关 (one or several: Author joins them with 、);
    date: 成文日期 (date, "2026-11-22" or "2026年11月22日"), the CreationDate;
    doc_number: 发文字号 (CustomData "发文字号"); custom: further CustomData
    in order (e.g. {"活动": "百日攻坚", "月份": "2026-11"}).
    """

    title: str = ""
    organs: Sequence[str] | str = ()
    date: dt.date | str | None = None
    doc_number: str = ""
    custom: Mapping[str, str] = field(default_factory=dict)
    subject: str = ""
    keywords: Sequence[str] = ()
    creator: str = "gongwen"
    doc_id: str = ""  # 32 hex digits; default: derived from the content (stable)

    @property
    def author(self) -> str:
        organs = [self.organs] if isinstance(self.organs, str) else list(self.organs)
        return "、".join(o for o in organs if o)

    @property
    def creation_date(self) -> dt.date | None:
        return _date(self.date)

    def custom_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        if self.doc_number:
            pairs.append(("发文字号", self.doc_number))
        organs = [self.organs] if isinstance(self.organs, str) else list(self.organs)
        if len(organs) > 1:
            pairs += [("发文机关", o) for o in organs]
        pairs += [(str(k), str(v)) for k, v in self.custom.items()]
        return pairs


def ofd_bytes(pdf: bytes, info: OfdInfo) -> bytes:
    """The OFD package of a PDF written by our PDF writer."""
    from gongwen.writers.ofd.writer import write_ofd

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return write_ofd(doc, info, fingerprint=hashlib.sha256(pdf).digest())


@dataclass
class OfdBench:
    """One PDF's OFD: pages, seconds to write (median), sizes in bytes."""

    pages: int
    seconds: float
    ofd_bytes: int
    pdf_bytes: int

    @property
    def ms_per_page(self) -> float:
        return self.seconds * 1000 / max(self.pages, 1)

    @property
    def kb_per_page(self) -> float:
        return self.ofd_bytes / 1024 / max(self.pages, 1)

    def as_dict(self) -> dict:
        return {
            "pages": self.pages,
            "seconds": round(self.seconds, 4),
            "ms_per_page": round(self.ms_per_page, 1),
            "ofd_bytes": self.ofd_bytes,
            "pdf_bytes": self.pdf_bytes,
            "ofd_kb_per_page": round(self.kb_per_page, 1),
        }


def benchmark(pdf: bytes, info: OfdInfo | None = None, repeat: int = 3) -> OfdBench:
    """Time and size of writing one PDF's OFD, for bench.py: the median of
    `repeat` runs after one warm-up run (as bench.timed measures)."""
    info = info or OfdInfo(title="benchmark")
    out = ofd_bytes(pdf, info)  # warm-up: imports, HarfBuzz
    runs = []
    for _ in range(max(repeat, 1)):
        t = time.perf_counter()
        out = ofd_bytes(pdf, info)
        runs.append(time.perf_counter() - t)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        pages = len(doc.pages)
    return OfdBench(pages, statistics.median(runs), len(out), len(pdf))


def info_of(notice) -> OfdInfo:
    """DocInfo from the notice tree: title, 发文机关, 成文日期, 发文字号 and the
    campaign data the document kinds put in its metadata."""
    custom = {k: str(notice.meta[k]) for k in ("活动", "月份", "年度", "文种", "单位") if notice.meta.get(k)}
    return OfdInfo(title=notice.title.replace("\n", ""), organs=tuple(notice.organs), date=notice.date,
                   doc_number=notice.number or "", custom=custom)


def write_output(out) -> bytes:
    """The registry's entry (gongwen.writers.registry): the OFD drawn from the
    PDF written just before it."""
    from gongwen.errors import UserError

    try:
        return ofd_bytes(out.files["pdf"], info_of(out.notice))
    except OfdUnsupported as exc:
        raise UserError(f"《{out.notice.title.replace(chr(10), '')}》写不成 OFD：{exc}"
                        "（按单位 Word 模板生成、由 LibreOffice 转出的 PDF 可能用到 OFD 写出器不支持的字体；"
                        "去掉 --formats 里的 ofd 即可照常生成 DOCX 和 PDF）") from None
