"""The package: a styled base built once per process, and saving with fixed
metadata and fixed zip entry times, so the same notice always gives
byte-identical files (archives and diffs rely on it).

python-docx loads its default template (a 358 KB styles.xml among others)
and we install the Chinese styles into it; doing that for every document cost
more than writing a one-page notice. `new_document` starts each document
from a base made once per process: the parts a notice changes (document,
settings, core properties) are copied, the rest (styles, theme, fonts,
numbering …) are shared and written from zip entries compressed once; a
document that reads or changes one of them through python-docx gets its own
copy (see _SharedXml). The base is made per layout; the fonts of the roles
(styles/fonts.yaml) are read once per process, as before. `to_bytes` writes
the zip itself, entry for entry what python-docx's writer followed by
`gongwen.stablezip.stable_zip` gives (tests/test_docx_package.py).
"""

from __future__ import annotations

import copy
import datetime as dt
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import docx
from docx.document import Document
from docx.opc.packuri import PACKAGE_URI
from docx.opc.part import Part
from docx.opc.pkgwriter import _ContentTypesItem
from docx.package import Package
from lxml import etree

from gongwen import caches
from gongwen.layout.spec import Layout
from gongwen.notice.tree import Notice
from gongwen.stablezip import ZIP_TIME, stable_zip
from gongwen.writers.docx import oxml
from gongwen.writers.docx.styles import Metrics, install_styles

XML_TYPES = ("xml",)


def _fixed_time(notice: Notice) -> dt.datetime:
    day = notice.date or dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


# -- zip entries ------------------------------------------------------------------

_DOS_TIME = ZIP_TIME[3] << 11 | ZIP_TIME[4] << 5 | ZIP_TIME[5] // 2
_DOS_DATE = (ZIP_TIME[0] - 1980) << 9 | ZIP_TIME[1] << 5 | ZIP_TIME[2]
_MODE = 0o644 << 16  # stable_zip's permissions
_LIMIT = (1 << 31) - 1  # zipfile's ZIP64_LIMIT: beyond it zipfile adds zip64 records


class Entry(NamedTuple):
    """One zip member, deflated (as zipfile does with its default level)."""

    name: bytes
    flags: int
    crc: int
    size: int
    data: bytes


def entry(name: str, blob: bytes | str) -> Entry:
    if isinstance(blob, str):
        blob = blob.encode("utf-8")
    try:
        raw, flags = name.encode("ascii"), 0
    except UnicodeEncodeError:
        raw, flags = name.encode("utf-8"), 0x800
    deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    data = deflate.compress(blob) + deflate.flush()
    return Entry(raw, flags, zlib.crc32(blob), len(blob), data)


def zip_bytes(entries: list[Entry]) -> bytes:
    """The archive zipfile writes for these entries with stable_zip's fixed
    time and permissions (local headers, then the central directory)."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for e in entries:
        header = struct.pack("<4s2B4HL2L2H", b"PK\003\004", 20, 0, e.flags, 8, _DOS_TIME, _DOS_DATE,
                             e.crc, len(e.data), e.size, len(e.name), 0)
        central.append(struct.pack("<4s4B4HL2L5H2L", b"PK\001\002", 20, 3, 20, 0, e.flags, 8, _DOS_TIME,
                                   _DOS_DATE, e.crc, len(e.data), e.size, len(e.name), 0, 0, 0, 0, _MODE,
                                   offset))
        central.append(e.name)
        out += (header, e.name, e.data)
        offset += len(header) + len(e.name) + len(e.data)
    directory = b"".join(central)
    n = len(entries)
    out.append(directory)
    out.append(struct.pack("<4s4H2LH", b"PK\005\006", 0, 0, n, n, len(directory), offset, 0))
    return b"".join(out)


# -- the base package -------------------------------------------------------------

@dataclass
class Base:
    """python-docx's default template with the Chinese styles installed."""

    document: Document
    entries: dict[Part, Entry]  # the shared parts as written, compressed once


# Parts every document changes, copied up front: the body, settings (odd/even
# footers, rsids), core properties. The others are shared until touched.
_COPIED = ("/word/document.xml", "/word/settings.xml", "/docProps/core.xml")
# (layout, base) per layout object, found by identity and holding it, so an
# entry can never answer for another layout (Layout holds a dict: unhashable)
_BASES: list[tuple[Layout, Base]] = []


class _SharedXml:
    """A base XML part (styles, numbering …) in one document: the base's
    element until something asks for it, then the document's own copy,
    which is written out instead of the base's entry. Reading the styles
    through python-docx therefore costs a copy; our writer does not."""

    _base_part: Part
    _own = None

    @property
    def _element(self):
        if self._own is None:
            self._own = copy.deepcopy(self._base_part._element)
        return self._own

    @_element.setter
    def _element(self, element) -> None:
        self._own = element


@lru_cache(maxsize=None)
def _shared_class(cls: type) -> type:
    return type(f"Shared{cls.__name__}", (_SharedXml, cls), {})


def _share(part: Part, package: Package) -> Part:
    """The document's stand-in for a base part."""
    if hasattr(part, "_element"):
        clone = _shared_class(type(part)).__new__(_shared_class(type(part)))
        Part.__init__(clone, part.partname, part.content_type, None, package)
    else:  # a part python-docx keeps as bytes (theme, fonts, stylesWithEffects …)
        clone = type(part).__new__(type(part))
        Part.__init__(clone, part.partname, part.content_type, part._blob, package)
    clone._base_part = part
    return clone


def _untouched(part: Part) -> Entry | None:
    """The base's zip entry for a stand-in nobody has changed, else None."""
    base_part = getattr(part, "_base_part", None)
    if base_part is None:
        return None
    if isinstance(part, _SharedXml):
        if part._own is not None:
            return None
    elif part._blob is not base_part._blob:
        return None
    return _ENTRIES.get(base_part)


_ENTRIES: dict[Part, Entry] = {}  # every base's shared entries


def _strip_part(part: Part) -> None:
    """Theme font references out of a part (see finish)."""
    element = getattr(part, "_element", None)
    if element is not None:
        oxml.strip_theme_fonts(element)
    elif str(part.partname).endswith(".xml") and b"Theme=" in (part.blob or b""):
        # e.g. stylesWithEffects.xml, which python-docx keeps as bytes
        root = etree.fromstring(part.blob)
        oxml.strip_theme_fonts(root)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _make_base(m: Metrics) -> Base:
    document = docx.Document()
    install_styles(document, m)
    entries: dict[Part, Entry] = {}
    for part in document.part.package.iter_parts():
        if str(part.partname) not in _COPIED:
            # finish() would strip these in every document; done once here.
            _strip_part(part)
            entries[part] = entry(part.partname.membername, part.blob)
    return Base(document, entries)


def base(m: Metrics) -> Base:
    """The base for this layout, made on first use in each process (until
    gongwen.caches is cleared)."""
    for layout, found in _BASES:
        if layout is m.layout:
            return found
    made = _make_base(m)
    _BASES.append((m.layout, made))
    _ENTRIES.update(made.entries)
    return made


def _clear_bases() -> None:
    _BASES.clear()
    _ENTRIES.clear()


caches.register("writers.docx.package.bases", _clear_bases, lambda: len(_BASES))


def new_document(m: Metrics) -> Document:
    """A new document: the base's changing parts copied, the others shared."""
    b = base(m)
    old_package = b.document.part.package
    package = Package()
    clones: dict[Part, Part] = {}
    for part in old_package.iter_parts():
        if str(part.partname) in _COPIED:
            clones[part] = type(part)(part.partname, part.content_type, copy.deepcopy(part._element), package)
        else:
            clones[part] = _share(part, package)

    def relate(source_rels, target_rels) -> None:
        for rId, rel in source_rels.items():
            if rel.is_external:
                target_rels.add_relationship(rel.reltype, rel.target_ref, rId, True)
            else:
                target_rels.add_relationship(rel.reltype, clones[rel.target_part], rId)

    relate(old_package.rels, package.rels)
    for part, clone in clones.items():
        relate(part.rels, clone.rels)
    return package.main_document_part.document


def add_table(document, rows: int, cols: int):
    """document.add_table(rows, cols) without its table-style lookup, which
    reads (and so copies) the styles part; with no style it changes nothing."""
    return document._body.add_table(rows, cols, document._block_width)


# -- finishing and saving ----------------------------------------------------------------

def finish(document, notice: Notice) -> None:
    """Core properties, settings and theme-font clean-up on every part."""
    props = document.core_properties
    when = _fixed_time(notice)
    props.created = when
    props.modified = when
    props.last_printed = when
    props.revision = 1
    props.author = notice.organs[0] if notice.organs else ""
    props.last_modified_by = props.author
    props.title = notice.title.replace("\n", "")
    props.language = "zh-CN"
    props.subject = ""
    props.keywords = ""
    props.comments = ""
    props.category = ""
    settings = document.settings.element
    oxml.remove_rsids(settings)
    for part in document.part.package.iter_parts():  # the document part among them
        if _untouched(part) is None:  # the base stripped its own parts
            _strip_part(part)


def save(document, path: Path) -> None:
    Path(path).write_bytes(to_bytes(document))


def _entries(document) -> list[Entry] | None:
    """The zip entries in python-docx's order; None if one needs zip64."""
    package = document.part.package
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    entries = [entry("[Content_Types].xml", _ContentTypesItem.from_parts(parts).blob),
               entry(PACKAGE_URI.rels_uri.membername, package.rels.xml)]
    for part in parts:
        found = _untouched(part)
        entries.append(found if found is not None else entry(part.partname.membername, part.blob))
        if len(part.rels):
            entries.append(entry(part.partname.rels_uri.membername, part.rels.xml))
    if sum(e.size for e in entries) * 1.05 + sum(len(e.data) for e in entries) > _LIMIT:
        return None
    return entries


def to_bytes(document) -> bytes:
    """The .docx bytes with fixed entry times, so the same document gives the same bytes."""
    entries = _entries(document)
    if entries is None:  # too big for a plain zip: let zipfile add its zip64 records
        import io

        buffer = io.BytesIO()
        document.save(buffer)
        return stable_zip(buffer.getvalue())
    return zip_bytes(entries)
