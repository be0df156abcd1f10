"""Re-pack the fonts WeasyPrint embeds so each holds only the glyphs drawn.

WeasyPrint 70 subsets every font keeping the original glyph ids
(HB_SUBSET_FLAGS_RETAIN_GIDS): a subset of a CJK font used for 150 glyphs
still has thousands of empty glyph slots (CharStrings offsets, hmtx, vmtx,
FDSelect): about 10 KB per font, most of a one-page PDF's fonts after the
outlines themselves. Here each embedded CID font
(Type0 with Identity-H over CIDFontType0 or CIDFontType2) is subset again by
HarfBuzz, the library WeasyPrint itself subsets with, without retained ids:
the kept glyphs (those shown, plus .notdef) get new consecutive ids, and every
place the PDF names a glyph is renumbered to match: the 2-byte codes in the
content streams and form XObjects (Identity-H: code = CID), the /W widths,
the ToUnicode CMap and the CIDSet. The old -> new mapping is the one HarfBuzz
reports for its subset plan; for CFF it is checked glyph by glyph (the
charstring and the Private DICT of each kept glyph are unchanged).

A CID-keyed CFF program is stored as bare CFF (FontFile3 /CIDFontType0C) with
an identity charset, so CID n is glyph n whether a reader looks CIDs up
through the charset (as ISO 32000 says) or uses them as glyph ids.

Whatever this module does not understand is left as WeasyPrint wrote it: a
font it cannot follow everywhere (other encodings, fonts of an interactive
form, a program shared with a simple font, CFF with subroutines) keeps its
program; text it cannot attribute to a font (a form XObject showing text in
the font of its caller, an unknown font name) leaves the whole file as it was.

A font WeasyPrint was made to subset already (weasy.py's presubsetting)
comes with its old -> new glyph ids in a `Presubset` map, passed to
compact_fonts by its caller (render.pdf_bytes through pdfa.finish): its
program is kept and only the PDF renumbered. `subset_face` is that subsetting,
called from weasy.py. Nothing here touches WeasyPrint.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import struct
import zlib
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Name

from gongwen import caches
from gongwen.errors import UserError
from gongwen.notice import harfbuzz

__all__ = ["Presubset", "compact_fonts", "program_key", "subset_face"]

# sha1 of a font program (program_key) -> its old -> new glyph ids: the fonts
# of one PDF that were subset already, without retained ids (weasy.py)
Presubset = dict[bytes, dict[int, int]]


def program_key(program: bytes) -> bytes:
    return hashlib.sha1(program).digest()


# ---------------------------------------------------------------------------
# HarfBuzz's subset plan API (gongwen/notice/harfbuzz.py) gives the old -> new
# glyph mapping of the subset it builds.

_MEMORY_MODE_READONLY = 1
_SETS_DROP_TABLE_TAG = 3
_FLAG_NO_HINTING = 0x1
_FLAG_DESUBROUTINIZE = 0x4
_FLAG_PASSTHROUGH_UNRECOGNIZED = 0x20
_FLAG_NOTDEF_OUTLINE = 0x40
_MAP_INVALID = 0xFFFFFFFF


def _harfbuzz():
    """(ffi, libharfbuzz, libharfbuzz-subset), None where subsetting is unavailable."""
    try:
        return harfbuzz.subset_lib()
    except UserError:  # pragma: no cover - no HarfBuzz at all
        return None


def _tag(name: bytes) -> int:
    return int.from_bytes(name, "big")


def _hb_subset(program: bytes, gids: list[int], only_cff: bool) -> tuple[bytes, dict[int, int]]:
    """Subset program to gids (+ .notdef) without retained ids. Returns the new
    program (the bare CFF table when only_cff) and HarfBuzz's old -> new mapping
    of the requested glyphs."""
    hb = _harfbuzz()
    if hb is None:
        raise _Unsupported("harfbuzz")
    ffi, core, _ = hb
    buffer = ffi.from_buffer(program)  # HarfBuzz reads it in place: kept alive until the blob is gone
    blob = core.hb_blob_create(buffer, len(program), _MEMORY_MODE_READONLY, ffi.NULL, ffi.NULL)
    face = core.hb_face_create(blob, 0)
    try:
        drop = [tag for tag in _sfnt_tables(program) if tag != b"CFF "] if only_cff else []
        # keep .notdef as it is (WeasyPrint chose whether it has an outline)
        flags = _FLAG_NOTDEF_OUTLINE | (0 if only_cff else _FLAG_PASSTHROUGH_UNRECOGNIZED)
        return _subset_face(hb, face, gids, flags, drop, b"CFF " if only_cff else None)
    finally:
        core.hb_face_destroy(face)
        core.hb_blob_destroy(blob)


def subset_face(face_address: int, gids: list[int], drop: tuple[bytes, ...]) -> tuple[bytes, dict[int, int]]:
    """What WeasyPrint's subsetting makes of a HarfBuzz face (no hinting,
    desubroutinized, the tables it drops, `drop`, dropped), but without
    retained glyph ids: (the new program, old -> new glyph id). Used by
    weasy.py, which names the tables."""
    hb = _harfbuzz()
    if hb is None:
        raise _Unsupported("harfbuzz")
    ffi = hb[0]
    flags = _FLAG_PASSTHROUGH_UNRECOGNIZED | _FLAG_NO_HINTING | _FLAG_DESUBROUTINIZE
    return _subset_face(hb, ffi.cast("hb_face_t *", face_address), gids, flags, drop, None)


def _subset_face(hb, face, gids: list[int], flags: int, drop: list[bytes] | tuple, table: bytes | None):
    ffi, core, sub = hb
    inp = sub.hb_subset_input_create_or_fail()
    plan = out = result = ffi.NULL
    try:
        if inp == ffi.NULL:
            raise _Unsupported("harfbuzz input")
        wanted = sorted(set(gids) | {0})
        core.hb_set_add_sorted_array(sub.hb_subset_input_glyph_set(inp), ffi.new("hb_codepoint_t[]", wanted), len(wanted))
        if drop:
            dropped = sub.hb_subset_input_set(inp, _SETS_DROP_TABLE_TAG)
            for tag in drop:
                core.hb_set_add(dropped, _tag(tag))
        sub.hb_subset_input_set_flags(inp, flags)
        plan = sub.hb_subset_plan_create_or_fail(face, inp)
        if plan == ffi.NULL:
            raise _Unsupported("harfbuzz plan")
        old_to_new = sub.hb_subset_plan_old_to_new_glyph_mapping(plan)
        mapping = {g: core.hb_map_get(old_to_new, g) for g in wanted}
        out = sub.hb_subset_plan_execute_or_fail(plan)
        if out == ffi.NULL:
            raise _Unsupported("harfbuzz subset")
        result = core.hb_face_reference_table(out, _tag(table)) if table else core.hb_face_reference_blob(out)
        data = harfbuzz.blob_bytes(result)
    finally:
        if result != ffi.NULL:
            core.hb_blob_destroy(result)
        if out != ffi.NULL:
            core.hb_face_destroy(out)
        if plan != ffi.NULL:
            sub.hb_subset_plan_destroy(plan)
        if inp != ffi.NULL:
            sub.hb_subset_input_destroy(inp)
    new_ids = set(mapping.values())
    if not data or _MAP_INVALID in new_ids or len(new_ids) != len(mapping) or mapping[0] != 0:
        raise _Unsupported("harfbuzz mapping")
    return data, mapping


# ---------------------------------------------------------------------------
# sfnt and CFF, just enough to find the CFF table, check the subset and give
# a CID-keyed font an identity charset.


class _Unsupported(Exception):
    """Something this module does not handle: leave the font (or file) as it is."""


Unsupported = _Unsupported


def _sfnt_tables(data: bytes) -> dict[bytes, tuple[int, int]]:
    """Table tag -> (offset, length) of an sfnt (OpenType/TrueType) font."""
    if len(data) < 12 or data[:4] not in (b"OTTO", b"\x00\x01\x00\x00", b"true"):
        raise _Unsupported("not an sfnt font")
    (count,) = struct.unpack_from(">H", data, 4)
    tables = {}
    for i in range(count):
        tag, _checksum, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        tables[tag] = (offset, length)
    return tables


class _Index:
    """A CFF INDEX at pos: item(i) without reading the other items."""

    def __init__(self, data: bytes, pos: int):
        self.data = data
        (self.count,) = struct.unpack_from(">H", data, pos)
        if self.count == 0:
            self.end = pos + 2
            return
        self.size = data[pos + 2]
        self.offsets_at = pos + 3
        self.base = pos + 3 + (self.count + 1) * self.size - 1
        self.end = self.base + self._offset(self.count)

    def _offset(self, i: int) -> int:
        at = self.offsets_at + i * self.size
        return int.from_bytes(self.data[at:at + self.size], "big")

    def item(self, i: int) -> bytes:
        if not 0 <= i < self.count:
            raise _Unsupported("CFF index")
        return self.data[self.base + self._offset(i):self.base + self._offset(i + 1)]


def _cff_dict(data: bytes) -> dict[int, list]:
    """A CFF DICT: operator (12 x as 1200 + x) -> operands (reals as None)."""
    result, operands, i, n = {}, [], 0, len(data)
    while i < n:
        b0 = data[i]
        if b0 <= 21:
            if b0 == 12:
                i += 1
                b0 = 1200 + data[i]
            result[b0] = operands
            operands = []
            i += 1
        elif b0 == 28:
            operands.append(struct.unpack_from(">h", data, i + 1)[0])
            i += 3
        elif b0 == 29:
            operands.append(struct.unpack_from(">i", data, i + 1)[0])
            i += 5
        elif b0 == 30:
            i += 1
            while i < n and (data[i] & 0x0F) != 0x0F and (data[i] >> 4) != 0x0F:
                i += 1
            operands.append(None)
            i += 1
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + data[i + 1] + 108)
            i += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[i + 1] - 108)
            i += 2
        else:
            raise _Unsupported("CFF dict")
    return result


@dataclass
class _Cff:
    """The parts of a CID-keyed CFF program this module reads."""

    data: bytes
    top: dict
    charstrings: _Index
    fd_array: _Index
    fd_select: int
    subroutines: bool
    _ranges: list | None = None
    _firsts: list | None = None
    _privates: dict = field(default_factory=dict)

    @classmethod
    def parse(cls, data: bytes) -> _Cff:
        try:
            names = _Index(data, data[2])
            tops = _Index(data, names.end)
            strings = _Index(data, tops.end)
            gsubrs = _Index(data, strings.end)
            if tops.count != 1:
                raise _Unsupported("CFF font set")
            top = _cff_dict(tops.item(0))
            if 1230 not in top or 1236 not in top or 1237 not in top:
                raise _Unsupported("not a CID-keyed CFF")
            fd_array = _Index(data, top[1236][0])
            subroutines = gsubrs.count > 0
            for i in range(fd_array.count):
                size, offset = _cff_dict(fd_array.item(i)).get(18, [0, 0])
                subroutines |= 19 in _cff_dict(data[offset:offset + size])
            return cls(data, top, _Index(data, top[17][0]), fd_array, top[1237][0], subroutines)
        except (struct.error, IndexError, KeyError, ValueError) as exc:
            raise _Unsupported("CFF") from exc

    def fd_of(self, gid: int) -> int:
        data, pos = self.data, self.fd_select
        if data[pos] == 0:
            return data[pos + 1 + gid]
        if data[pos] == 3:
            if self._ranges is None:
                (count,) = struct.unpack_from(">H", data, pos + 1)
                self._ranges = [struct.unpack_from(">HB", data, pos + 3 + 3 * r) for r in range(count)]
                self._firsts = [first for first, _ in self._ranges]
            r = bisect.bisect_right(self._firsts, gid) - 1
            if r >= 0:
                return self._ranges[r][1]
        raise _Unsupported("CFF FDSelect")

    def private(self, fd: int) -> dict:
        if fd not in self._privates:
            size, offset = _cff_dict(self.fd_array.item(fd))[18]
            self._privates[fd] = _cff_dict(self.data[offset:offset + size])
        return self._privates[fd]

    def with_identity_charset(self) -> bytes:
        """The same program with charset GID n -> CID n, written over the old
        charset in its own format (never longer than the old one)."""
        data, pos, glyphs = self.data, self.top[15][0], self.charstrings.count - 1
        if pos < 3:
            raise _Unsupported("predefined charset")
        fmt = data[pos]
        if fmt == 0:
            length, new = 1 + 2 * glyphs, bytes([0]) + struct.pack(f">{glyphs}H", *range(1, glyphs + 1))
        elif fmt in (1, 2):
            per, code = (256, ">HB") if fmt == 1 else (65536, ">HH")
            at, covered = pos + 1, 0
            while covered < glyphs:
                covered += 1 + (data[at + 2] if fmt == 1 else struct.unpack_from(">H", data, at + 2)[0])
                at += 3 if fmt == 1 else 4
            length = at - pos
            new = bytes([fmt]) + b"".join(
                struct.pack(code, first, min(per, glyphs + 1 - first) - 1) for first in range(1, glyphs + 1, per)
            )
        else:
            raise _Unsupported("CFF charset format")
        if len(new) > length:  # cannot happen: same format, fewest ranges
            raise _Unsupported("CFF charset")
        return data[:pos] + new + bytes(length - len(new)) + data[pos + length:]


def _check_cff(old: _Cff, new: _Cff, mapping: dict[int, int]) -> None:
    """Every kept glyph has the same charstring and Private DICT as before."""
    if new.charstrings.count != len(mapping) or new.subroutines:
        raise _Unsupported("CFF subset")
    for gid, new_gid in mapping.items():
        if old.charstrings.item(gid) != new.charstrings.item(new_gid):
            raise _Unsupported("CFF glyph changed")
        if old.private(old.fd_of(gid)) != new.private(new.fd_of(new_gid)):
            raise _Unsupported("CFF private dict changed")


@caches.lru("writers.pdf.fontpack.bare_cff", maxsize=32)
def _bare_cff(program: bytes) -> bytes:
    """The CFF table of an OpenType program, with an identity charset (kept
    for the programs the next documents embed again, see weasy.py)."""
    offset, length = _sfnt_tables(program)[b"CFF "]
    return _Cff.parse(program[offset:offset + length]).with_identity_charset()


@caches.lru("writers.pdf.fontpack.deflated", maxsize=32)
def _deflated(data: bytes) -> bytes:
    return zlib.compress(data)


def _repack(program: bytes, gids: list[int], kind: str,
            presubset: Presubset | None = None) -> tuple[bytes, dict[int, int], str | None]:
    """(new program, old -> new glyph id, new FontFile3 /Subtype or None)."""
    mapping = presubset.get(program_key(program)) if presubset else None
    if mapping is not None:  # subset already, its glyphs renumbered (weasy.py)
        if not set(gids) <= mapping.keys():
            raise _Unsupported("glyphs drawn that the subset does not have")
        if kind == "cff":
            return _bare_cff(program), mapping, "/CIDFontType0C"
        return program, mapping, None
    if kind == "cff":
        tables = _sfnt_tables(program)
        if b"CFF " not in tables:
            raise _Unsupported("OpenType without CFF")
        offset, length = tables[b"CFF "]
        old = _Cff.parse(program[offset:offset + length])
        if old.subroutines:
            raise _Unsupported("CFF with subroutines")
        data, mapping = _hb_subset(program, gids, only_cff=True)
        new = _Cff.parse(data)
        _check_cff(old, new, mapping)
        return new.with_identity_charset(), mapping, "/CIDFontType0C"
    _sfnt_tables(program)
    data, mapping = _hb_subset(program, gids, only_cff=False)
    return data, mapping, None


def _glyph_count(data: bytes, kind: str) -> int:
    if kind == "cff":
        return _Cff.parse(data).charstrings.count
    offset, _ = _sfnt_tables(data)[b"maxp"]
    return struct.unpack_from(">H", data, offset + 4)[0]


# ---------------------------------------------------------------------------
# The PDF side.


@dataclass
class _Program:
    """One embedded font program and the Type0 fonts drawing with it."""

    stream: pikepdf.Stream
    kind: str  # "cff" (OpenType CFF, CID-keyed), "truetype"
    fonts: dict = field(default_factory=dict)  # Type0 objgen -> Type0 font dictionary
    used: set = field(default_factory=set)
    ok: bool = True
    mapping: dict | None = None  # old -> new glyph id, once re-packed
    data: bytes = b""  # the new program
    subtype: str | None = None  # its FontFile3 /Subtype when it changes
    glyph_count: int = 0
    tokens: dict = field(default_factory=dict)  # string token -> its 2-byte codes
    new_tokens: dict = field(default_factory=dict)  # string token -> renumbered, once re-packed
    dicts: list = field(default_factory=list)  # (Type0 font, new /W, new ToUnicode), once re-packed
    key: bytes = b""  # program_key of the program as found

    def codes(self, token: bytes) -> tuple | None:
        """The glyph codes of a string token (None, and the program no longer
        handled, when it is not a whole number of 2-byte codes)."""
        codes = self.tokens.get(token)
        if codes is None:
            raw = _string_bytes(token)
            if len(raw) % 2:
                self.ok = False
                return None
            codes = self.tokens[token] = struct.unpack(f">{len(raw) // 2}H", raw)
        return codes

    def renumbered(self, token: bytes) -> bytes:
        """The string token with each code renumbered, as a hex string."""
        new = self.new_tokens.get(token)
        if new is None:
            n = self.mapping
            new = self.new_tokens[token] = b"<" + b"".join(b"%04x" % n[c] for c in self.tokens[token]) + b">"
        return new


def _descriptor_program(descendant) -> tuple[str, pikepdf.Stream] | None:
    desc = descendant.get("/FontDescriptor")
    if not isinstance(desc, pikepdf.Dictionary):
        return None
    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
        stream = desc.get(key)
        if isinstance(stream, pikepdf.Stream):
            return key, stream
    return None


def _classify(type0) -> tuple[pikepdf.Stream | None, str | None]:
    """The program of a Type0 font and its kind, kind None when not handled."""
    fonts = type0.get("/DescendantFonts")
    if not isinstance(fonts, pikepdf.Array) or len(fonts) != 1 or not isinstance(fonts[0], pikepdf.Dictionary):
        return None, None
    descendant = fonts[0]
    found = _descriptor_program(descendant)
    if found is None:
        return None, None
    key, stream = found
    kind = None
    if type0.get("/Encoding") == Name("/Identity-H") and "/W2" not in descendant and type0.is_indirect:
        subtype = descendant.get("/Subtype")
        if subtype == Name.CIDFontType0 and key == "/FontFile3" and stream.stream_dict.get("/Subtype") == Name.OpenType:
            kind = "cff"
        elif (subtype == Name.CIDFontType2 and key == "/FontFile2"
              and descendant.get("/CIDToGIDMap", Name.Identity) == Name.Identity):
            kind = "truetype"
    return stream, kind


# Content streams are read with one regular expression that yields only what
# matters here: text shown with its operands (TJ arrays, Tj ' " strings), Tf
# with its font name, gs with its state name, q and Q; strings and comments
# elsewhere are skipped whole so nothing inside them is taken for an operator.
# What it cannot read (an inline image, a string with nested parentheses, a
# show or Tf operator whose operands are not in the expected form) stops the
# whole re-packing.
_LIT = rb"\((?:[^()\\]|\\.)*\)"
_HEX = rb"<[0-9A-Fa-f\s]*>"
_NAME = rb"/[^\s\[\]()<>{}/%]*"
_NUM = rb"[-+]?(?:\d+\.?\d*|\.\d+)"
_END = rb"(?![^\s\[\]()<>{}/%])"  # the token ends here
_LEXER = re.compile(
    rb"[^\[<(/qQTgB'\"%]+"  # nothing that can start a token of interest: skipped in one step
    rb"|(?P<tj>\[(?P<array>(?:[^\]()%]|" + _LIT + rb")*)\]\s*TJ" + _END + rb")"
    rb"|(?P<show>(?P<string>" + _HEX + rb"|" + _LIT + rb")\s*(?P<op>Tj|'|\")" + _END + rb")"
    rb"|(?P<tf>(?P<font>" + _NAME + rb")\s+" + _NUM + rb"\s+Tf" + _END + rb")"
    rb"|(?P<gs>(?P<state>" + _NAME + rb")\s+gs" + _END + rb")"
    rb"|(?<![^\s\[\]()<>{}])(?:(?P<q>q)|(?P<Q>Q)|(?P<bad>Tf|Tj|TJ|'|\"|gs|BI))" + _END
    + rb"|" + _LIT + rb"|%[^\r\n]*"
    rb"|(?P<paren>\()",
    re.DOTALL,
)
_STRING = re.compile(_HEX + rb"|" + _LIT, re.DOTALL)
_TEXT_OBJECT = re.compile(rb"BT(?=\s).*?\sET" + _END, re.DOTALL)
_INLINE_IMAGE = re.compile(rb"(?:^|\s)BI" + _END)
_BEFORE_TOKEN = b" \t\r\n\f\x00])>}"
_SHOW_OPERATORS = (b"Tj", b"TJ", b"'", b'"')
_INHERITED = object()  # the font from before a text object read on its own
_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|(\r\n|\r|\n)|(.))|(\r\n|\r)", re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(m: re.Match) -> bytes:
    octal, _continued, char, eol = m.groups()
    if octal:
        return bytes([int(octal, 8) & 0xFF])
    if char:
        return _ESCAPES.get(char, char)
    return b"\n" if eol else b""


def _string_bytes(token: bytes) -> bytes:
    """The bytes of a PDF string token, hex or literal."""
    if token[:1] == b"<":
        digits = re.sub(rb"\s", b"", token[1:-1])
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
    return _ESCAPE.sub(_unescape, token[1:-1])


@dataclass
class _Stream:
    owner: object  # pikepdf.Page or pikepdf.Stream (form XObject, tiling pattern)
    resources: object
    data: bytes = b""
    shows: list = field(default_factory=list)  # (match, program) for text in a font being re-packed
    cache: dict = field(default_factory=dict)  # resource name -> what it is


def _page_resources(page):
    node = page.obj
    while isinstance(node, pikepdf.Dictionary):
        if "/Resources" in node:
            return node.Resources
        node = node.get("/Parent")
    return None


def _contents(page) -> list:
    contents = page.obj.get("/Contents")
    return [c for c in (contents if isinstance(contents, pikepdf.Array) else [contents]) if isinstance(c, pikepdf.Stream)]


class _Abort(Exception):
    """Text whose font cannot be told: change nothing in the file."""


class _Packer:
    def __init__(self, pdf: pikepdf.Pdf, presubset: Presubset | None = None):
        self.pdf = pdf
        self.presubset = presubset
        self.programs: dict[tuple, _Program] = {}
        self.streams: list[_Stream] = []

    # -- finding fonts and content streams --------------------------------

    def collect(self) -> None:
        page_contents = set()
        for page in self.pdf.pages:
            parts = _contents(page)
            for c in parts:
                if c.objgen in page_contents:
                    raise _Abort("content stream shared by two pages")
                page_contents.add(c.objgen)
            self.streams.append(_Stream(page, _page_resources(page), b"\n".join(c.read_bytes() for c in parts)))
        descriptors: dict[tuple, list] = {}  # program objgen -> fonts other than Type0 naming it
        for obj in self.pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                d = obj.stream_dict
                if obj.objgen not in page_contents and (d.get("/Subtype") == Name.Form or d.get("/PatternType") == 1):
                    self.streams.append(_Stream(obj, d.get("/Resources"), obj.read_bytes()))
            elif isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == Name.Font:
                subtype = obj.get("/Subtype")
                if subtype == Name.Type0:
                    self.font(obj)
                elif subtype == Name.Type3:
                    self._type3(obj)
                else:
                    found = _descriptor_program(obj)
                    if found:
                        descriptors.setdefault(found[1].objgen, []).append(obj)
        # a program also used by a font that is not the descendant of a Type0
        # font found here: leave it alone
        for objgen, users in descriptors.items():
            program = self.programs.get(objgen)
            if program is not None:
                descendants = {f.DescendantFonts[0].objgen for f in program.fonts.values()}
                if any(not u.is_indirect or u.objgen not in descendants for u in users):
                    program.ok = False
        acroform = self.pdf.Root.get("/AcroForm")
        if isinstance(acroform, pikepdf.Dictionary):
            resources = acroform.get("/DR")
            fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
            for font in fonts.values() if isinstance(fonts, pikepdf.Dictionary) else ():
                program = self.font(font) if isinstance(font, pikepdf.Dictionary) else None
                if program is not None:
                    program.ok = False  # text typed into the form needs every glyph

    @staticmethod
    def _type3(font) -> None:
        res = font.get("/Resources")
        if isinstance(res, pikepdf.Dictionary) and res.get("/Font"):
            raise _Abort("Type3 glyphs drawing text")  # their CharProcs are not read here

    def font(self, type0) -> _Program | None:
        """The program record of a Type0 font (registering the font)."""
        stream, kind = _classify(type0)
        if stream is None:
            return None
        program = self.programs.get(stream.objgen)
        if program is None:
            program = self.programs[stream.objgen] = _Program(stream, kind or "")
        if kind is None or kind != program.kind:
            program.ok = False
        else:
            program.fonts[type0.objgen] = type0
        return program

    def _selected(self, font) -> _Program | bool:
        """What a font being selected is: its program record, False when not handled."""
        if not isinstance(font, pikepdf.Dictionary):
            raise _Abort("font is not a dictionary")
        subtype = font.get("/Subtype")
        if subtype == Name.Type3:
            self._type3(font)
        if subtype != Name.Type0:
            return False
        return self.font(font) or False

    # -- which glyphs each font shows -------------------------------------

    def scan(self) -> None:
        for item in self.streams:
            if not self._scan_text_objects(item):
                item.shows = []
                self._lex(item, 0, len(item.data), None)

    def _scan_text_objects(self, item: _Stream) -> bool:
        """The usual case, read quickly: no strings in parentheses, comments or
        inline images, every glyph shown inside a text object (BT ... ET) that
        selects its font before showing (q and Q, not allowed inside text
        objects, then change nothing). False when the stream must be read
        token by token."""
        data = item.data
        if b"(" in data or b"%" in data or (b"BI" in data and _INLINE_IMAGE.search(data)):
            return False
        shows = 0
        for m in _TEXT_OBJECT.finditer(data):
            start, end = m.span()
            if start and data[start - 1] not in _BEFORE_TOKEN:
                return False
            shows += sum(data.count(op, start, end) for op in _SHOW_OPERATORS)
            if self._lex(item, start, end, _INHERITED) is False:
                return False
        # every show operator (or anything that looks like one) was in a text object
        return shows == sum(data.count(op) for op in _SHOW_OPERATORS)

    def _lex(self, item: _Stream, start: int, end: int, current) -> bool:
        """Read data[start:end] token by token, from the font `current`: None
        (none selected yet) or _INHERITED (inside one text object read on its
        own: returns False as soon as it would need the font from before)."""
        data, block = item.data, current is _INHERITED
        res = item.resources if isinstance(item.resources, pikepdf.Dictionary) else {}
        fonts, states = res.get("/Font", {}), res.get("/ExtGState", {})
        stack = []
        for m in _LEXER.finditer(data, start, end):
            kind = m.lastgroup
            if kind in ("q", "Q"):
                if block:
                    return False
                if kind == "q":
                    stack.append(current)
                elif stack:
                    current = stack.pop()
            elif kind == "gs":
                font = self._state_font(item, states, m.group("state"))
                if font is not None:
                    current = font
            elif kind == "tf":
                current = self._named_font(item, fonts, m.group("font"))
            elif kind in ("tj", "show"):
                if current is _INHERITED:
                    return False
                tokens = _STRING.findall(m.group("array")) if kind == "tj" else [m.group("string")]
                if current is None:
                    if any(_string_bytes(t) for t in tokens):
                        raise _Abort("text shown without a font")
                elif current is not False and current.ok:
                    for t in tokens:
                        codes = current.codes(t)
                        if codes is None:
                            break
                        current.used.update(codes)
                    item.shows.append((m, current))
            elif kind in ("bad", "paren"):
                if block:
                    return False
                raise _Abort(f"content stream not understood at byte {m.start()}")
        return True

    def _named_font(self, item: _Stream, fonts, name: bytes) -> _Program | bool:
        cache = item.cache.setdefault("/Font", {})
        if name not in cache:
            font = fonts.get(name.decode("latin-1")) if isinstance(fonts, pikepdf.Dictionary) else None
            if font is None:
                raise _Abort("font not in the resources")
            cache[name] = self._selected(font)
        return cache[name]

    def _state_font(self, item: _Stream, states, name: bytes) -> _Program | bool | None:
        cache = item.cache.setdefault("/ExtGState", {})
        if name not in cache:
            state = states.get(name.decode("latin-1")) if isinstance(states, pikepdf.Dictionary) else None
            if state is None:
                raise _Abort("graphics state not in the resources")
            font = state.get("/Font") if isinstance(state, pikepdf.Dictionary) else None
            cache[name] = None if font is None else self._selected(font[0])
        return cache[name]

    # -- the new programs --------------------------------------------------

    def repack(self) -> list[_Program]:
        """Re-pack each program that can be; returns those re-packed."""
        done = []
        for program in self.programs.values():
            if not program.ok or not program.fonts:
                continue
            try:
                raw = program.stream.read_bytes()
                program.key = program_key(raw)
                data, mapping, subtype = _repack(raw, sorted(program.used), program.kind, self.presubset)
                program.mapping, program.data, program.subtype = mapping, data, subtype
                program.glyph_count = _glyph_count(data, program.kind)
                program.dicts = [
                    (type0, _new_widths(type0.DescendantFonts[0].get("/W"), mapping),
                     _new_to_unicode(type0.get("/ToUnicode"), mapping))
                    for type0 in program.fonts.values()
                ]
            except _Unsupported:
                program.mapping = None
                continue
            done.append(program)
        return done

    # -- writing -----------------------------------------------------------

    def write(self, done: list[_Program]) -> None:
        """Renumber everywhere (all computed before the first change)."""
        contents = []
        for item in self.streams:
            shows = [(m, p) for m, p in item.shows if p.mapping is not None]
            if shows:
                contents.append((item, _rewrite(item.data, shows)))
        for item, data in contents:
            owner = item.owner
            if isinstance(owner, pikepdf.Page):
                if isinstance(owner.obj.get("/Contents"), pikepdf.Array):
                    owner.obj.Contents = self.pdf.make_stream(data)
                else:
                    owner.obj.Contents.write(data)
            else:
                owner.write(data)
        for program in done:
            stream = program.stream
            stream.write(_deflated(program.data), filter=Name.FlateDecode)
            if program.subtype is not None:
                stream.stream_dict.Subtype = Name(program.subtype)
            if "/Length1" in stream.stream_dict:
                stream.stream_dict.Length1 = len(program.data)
            for type0, widths, to_unicode in program.dicts:
                descendant = type0.DescendantFonts[0]
                if widths is not None:
                    descendant.W = widths
                if to_unicode is not None:  # a stream of its own: the old one may be shared
                    type0.ToUnicode = self.pdf.make_stream(to_unicode)
                desc = descendant.FontDescriptor
                if "/CIDSet" in desc:  # every CID of the new program is present
                    count = program.glyph_count
                    bits = ((1 << count) - 1) << (-count % 8)
                    desc.CIDSet = self.pdf.make_stream(bits.to_bytes((count + 7) // 8, "big"))


def _rewrite(data: bytes, shows: list) -> bytes:
    """data with the strings of each show renumbered, all else byte for byte."""
    out, at = [], 0
    for m, program in shows:
        out.append(data[at:m.start()])
        if m.lastgroup == "tj":
            out.append(b"[" + _STRING.sub(lambda s: program.renumbered(s.group(0)), m.group("array")) + b"] TJ")
        else:
            out.append(program.renumbered(m.group("string")) + b" " + m.group("op"))
        at = m.end()
    out.append(data[at:])
    return b"".join(out)


def _new_widths(widths, mapping: dict[int, int]) -> pikepdf.Array | None:
    """/W over the new CIDs (glyphs not kept dropped), runs of consecutive CIDs."""
    if not isinstance(widths, pikepdf.Array):
        return None
    old: dict[int, object] = {}
    items, i = list(widths), 0
    try:
        while i < len(items):
            first = int(items[i])
            if isinstance(items[i + 1], pikepdf.Array):
                for k, w in enumerate(items[i + 1]):
                    old.setdefault(first + k, w)
                i += 2
            else:
                last, w = int(items[i + 1]), items[i + 2]
                for cid in range(first, min(last, 0xFFFF) + 1):
                    old.setdefault(cid, w)
                i += 3
    except (IndexError, TypeError, ValueError) as exc:
        raise _Unsupported("/W") from exc
    new = sorted((mapping[cid], w) for cid, w in old.items() if cid in mapping)
    result, run, prev = [], None, None
    for cid, w in new:
        if run is None or cid != prev + 1:
            run = []
            result += [cid, run]
        run.append(w)
        prev = cid
    return pikepdf.Array([x if not isinstance(x, list) else pikepdf.Array(x) for x in result])


_CMAP_SECTION = re.compile(rb"begin(bfchar|bfrange)\b(.*?)\bend\1", re.DOTALL)
_CMAP_PAIR = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f\s]*)>")
_CMAP_TOKEN = re.compile(rb"<([0-9A-Fa-f\s]*)>|\[|\]")

_CMAP_HEAD = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo
<< /Registry (Adobe)
/Ordering (UCS)
/Supplement 0
>> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <ffff>
endcodespacerange
"""
_CMAP_TAIL = b"""endcmap
CMapName currentdict /CMap defineresource pop
end
end"""


def _new_to_unicode(stream, mapping: dict[int, int]) -> bytes | None:
    """The ToUnicode CMap over the new codes (bfchar and bfrange read)."""
    if not isinstance(stream, pikepdf.Stream):
        return None
    old: dict[int, bytes] = {}
    try:
        for kind, body in _CMAP_SECTION.findall(stream.read_bytes()):
            if kind == b"bfchar":
                pairs = _CMAP_PAIR.findall(body)
                if len(pairs) != body.count(b"<") // 2:
                    raise ValueError("bfchar")
                for code, dst in pairs:
                    old.setdefault(int(code, 16), bytes.fromhex(dst.decode()))
            else:
                tokens = [t.group(0) if t.group(1) is None else re.sub(rb"\s", b"", t.group(1))
                          for t in _CMAP_TOKEN.finditer(body)]
                _bfranges(tokens, old)
    except (IndexError, TypeError, ValueError) as exc:
        raise _Unsupported("ToUnicode") from exc
    entries = sorted((mapping[code], dst) for code, dst in old.items() if code in mapping)
    body = []
    for start in range(0, len(entries), 100):
        chunk = entries[start:start + 100]
        body.append(b"%d beginbfchar\n" % len(chunk))
        body += [b"<%04x> <%s>\n" % (code, dst.hex().encode()) for code, dst in chunk]
        body.append(b"endbfchar\n")
    return _CMAP_HEAD + b"".join(body) + _CMAP_TAIL


def _code(token: bytes) -> int:
    if len(token) != 4:
        raise ValueError("not a 2-byte code")
    return int(token, 16)


def _bfranges(tokens: list, old: dict) -> None:
    i = 0
    while i + 2 < len(tokens):
        lo, hi = _code(tokens[i]), _code(tokens[i + 1])
        if tokens[i + 2] == b"[":
            j = i + 3
            while tokens[j] != b"]":
                old.setdefault(lo + j - i - 3, bytes.fromhex(tokens[j].decode()))
                j += 1
            i = j + 1
        else:
            dst = bytes.fromhex(tokens[i + 2].decode())
            for k in range(hi - lo + 1):
                last = (dst[-1] + k) & 0xFF  # the last byte increments (ISO 32000 9.10.3)
                old.setdefault(lo + k, dst[:-1] + bytes([last]))
            i += 3


def compact_fonts(pdf: pikepdf.Pdf, presubset: Presubset | None = None) -> int:
    """Re-pack every CID font of pdf to the glyphs it shows and renumber them
    everywhere; returns how many font programs were re-packed (0 when
    HarfBuzz's subset plan API is missing or nothing could be done).
    `presubset`: the programs subset already and their glyph maps; the entry
    of each program renumbered with its map is taken out, so what is left
    names the programs that were not (the caller writes the PDF again)."""
    if _harfbuzz() is None:
        return 0
    packer = _Packer(pdf, presubset)
    try:
        packer.collect()
        packer.scan()
    except _Abort:
        return 0
    done = packer.repack()
    if done:
        packer.write(done)
    if presubset:  # what is left in it was not renumbered (render.pdf_bytes checks)
        for program in done:
            presubset.pop(program.key, None)
    return len(done)
