"""PDF/A metadata. WeasyPrint writes the PDF/A-2b identification, the sRGB
output intent and dc:title; here the XMP packet gains what an archive needs
to find a 公文 again (发文机关, 发文字号, 成文日期, the campaign and month,
language zh-CN), kept consistent with the document information dictionary,
and the file is saved with an ID derived from its content so the same
notice always gives the same bytes (the edited packet is kept: the next
document with the same packet and fields, another 得分反馈单 of the month,
gets it without editing it again). On the way, every embedded CID font is
re-packed to the glyphs it shows (fontpack.py), and the output intent's
sRGB profile is swapped for a compact one (icc.py).

Part of the PDF writer (it was gongwen/archive/pdfa.py): render.pdf_bytes
finishes every PDF here; gongwen.archive (embed.py) builds on its output
and imports from it, never the other way round."""

from __future__ import annotations

import datetime as dt
import io
import os

import pikepdf

from gongwen import caches
from gongwen.notice.tree import Notice
from gongwen.writers.pdf.fontpack import Presubset, compact_fonts
from gongwen.writers.pdf.icc import is_srgb_display, srgb_profile

NS = "https://gongwen.invalid/ns/notice/1.0/"  # our own XMP namespace (a name, never fetched)
PREFIX = "gw"
LANG = "zh-CN"

# XMP property (in our namespace) -> where its value comes from
FIELDS = {
    "Title": lambda n: n.title.replace("\n", ""),
    "IssuingOrgan": lambda n: "、".join(n.organs),
    "DocumentNumber": lambda n: n.number or "",
    "DateWritten": lambda n: n.date.isoformat() if n.date else "",
    "Campaign": lambda n: n.meta.get("活动", ""),
    "Month": lambda n: n.meta.get("月份", ""),
    "Kind": lambda n: n.meta.get("文种", ""),
}


def fixed_time(notice: Notice) -> dt.datetime:
    """The timestamp written into the files: SOURCE_DATE_EPOCH when set, else
    the notice's 成文日期 at midnight China time, else 2000-01-01."""
    tz = dt.timezone(dt.timedelta(hours=8))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz)
    day = notice.date or dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz)


def compact_output_intents(pdf: pikepdf.Pdf) -> int:
    """Rewrite, in place, each output intent's DestOutputProfile that is an
    sRGB display profile (read from its ICC header and description tag:
    WeasyPrint writes its sRGB2014.icc there) with the compact sRGB profile;
    returns how many streams changed. The stream object stays the same, so the /ICCBased
    colour spaces that point to it (WeasyPrint's /srgb resource) follow, and
    its dictionary keeps /N 3 and any /Alternate. The intents' own entries
    (/S, /OutputConditionIdentifier "sRGB2014.icc", /Info) still name an sRGB
    condition and are left as WeasyPrint wrote them."""
    done = set()
    for intent in pdf.Root.get("/OutputIntents", ()):
        stream = intent.get("/DestOutputProfile")
        if not isinstance(stream, pikepdf.Stream) or stream.objgen in done:
            continue
        if int(stream.get("/N", 0)) != 3 or not is_srgb_display(stream.read_bytes()):
            continue  # not an sRGB profile: not ours to change
        stream.write(srgb_profile())  # /Filter and /DecodeParms dropped; compressed on save
        done.add(stream.objgen)
    return len(done)


# (WeasyPrint's XMP packet and document information, our fields) -> (the new
# packet, its stream dictionary, the new document information): every
# 得分反馈单 of a month has the same title, dates and fields, so pikepdf's
# XMP editing (parse, edit, serialise, update the information dictionary)
# runs once per month, not per sheet
_METADATA: dict[tuple, tuple[bytes, list, list]] = {}
METADATA_KEPT = 32
caches.register("writers.pdf.pdfa.metadata", _METADATA.clear, lambda: len(_METADATA))


def _metadata(pdf: pikepdf.Pdf, notice: Notice) -> None:
    """Add the 公文 fields to the XMP packet, keeping the document information
    dictionary consistent with it (pikepdf), or set what that gave before for
    the same packet and fields."""
    when = fixed_time(notice).isoformat()
    fields = tuple((key, value(notice)) for key, value in FIELDS.items())
    before = pdf.Root.get("/Metadata")
    key = (before.read_bytes() if isinstance(before, pikepdf.Stream) else None,
           tuple((str(k), str(v)) for k, v in pdf.docinfo.items()), when, tuple(notice.organs), fields)
    done = _METADATA.get(key)
    if done is not None:
        packet, stream_items, info_items = done
        stream = pdf.make_stream(packet)
        for k, v in stream_items:
            stream.stream_dict[k] = pikepdf.Name(v)
        pdf.Root.Metadata = stream
        for k in list(pdf.docinfo.keys()):
            del pdf.docinfo[k]
        for k, v in info_items:
            pdf.docinfo[k] = pikepdf.String(v)
        return
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["dc:language"] = [LANG]
        meta["xmp:CreateDate"] = when
        meta["xmp:ModifyDate"] = when
        meta["xmp:MetadataDate"] = when
        if notice.organs:
            meta["dc:creator"] = list(notice.organs)
        for name, text in fields:
            if text:
                meta[f"{PREFIX}:{name}"] = text
    stream = pdf.Root.Metadata
    stream_items = [(k, v) for k, v in stream.stream_dict.items() if k not in ("/Length", "/Filter", "/DecodeParms")]
    info_items = list(pdf.docinfo.items())
    if not all(isinstance(v, pikepdf.Name) for _, v in stream_items) or \
            not all(isinstance(v, pikepdf.String) for _, v in info_items):
        return  # only names and strings are kept (set again as such)
    if len(_METADATA) >= METADATA_KEPT:
        _METADATA.clear()
    _METADATA[key] = (stream.read_bytes(), [(k, str(v)) for k, v in stream_items],
                      [(str(k), str(v)) for k, v in info_items])


def finish(data: bytes, notice: Notice, presubset: Presubset | None = None) -> bytes:
    """Re-pack the fonts, add the 公文 fields to the XMP packet and save
    deterministically. `presubset`: the glyph maps of the fonts WeasyPrint
    was made to subset already (weasy.presubsetting), for compact_fonts; the
    maps it used are taken out of it."""
    pikepdf.models.metadata.PdfMetadata.register_xml_namespace(NS, PREFIX)
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        compact_fonts(pdf, presubset)
        compact_output_intents(pdf)
        _metadata(pdf, notice)
        pdf.Root.Lang = pikepdf.String(LANG)
        # WeasyPrint writes its PDF uncompressed (render.pdf_bytes): each stream is
        # compressed once, here, instead of twice there and again after re-packing.
        pdf.save(out, deterministic_id=True, preserve_pdfa=True, fix_metadata_version=False,
                 compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
