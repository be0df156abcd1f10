"""A compact sRGB ICC profile for the PDFs' output intent.

WeasyPrint embeds the ICC's sRGB2014.icc (3,024 bytes: 1,024-entry tone
curves and descriptive tags a reader never needs). littleCMS, through
Pillow's ImageCms, builds the same colour space as a matrix/TRC profile of
588 bytes: the sRGB primaries, the D50 white and chromatic adaptation, and
the sRGB tone curve as one parametric curve shared by the three channels.

littleCMS writes it as ICC v4.4 and with the current time as its creation
date. PDF/A-2 (ISO 19005-2) and PDF 1.7 refer to ICC.1:2004-10, version
4.2.0.0, and every tag this profile carries (mluc, XYZ, sf32, para, chrm) is
defined there with the same layout, so the header is set to 4.2.0.0, the date
to a fixed one, and the profile ID (ICC.1:2004-10, 7.2.18) recomputed over
the patched bytes. Built once per process (a cache registered with
gongwen.caches); the same littleCMS gives the same bytes.

`description` and `is_srgb_display` read a profile's header and
description tag, so pdfa.py recognises the sRGB profile WeasyPrint (or
anyone) embedded by what it is, not by comparing its bytes.

Part of the PDF writer (it was gongwen/archive/icc.py)."""

from __future__ import annotations

import hashlib
import struct

from gongwen import caches

VERSION = bytes((4, 0x20, 0, 0))  # ICC.1:2004-10: version 4.2.0.0
DATE = (2000, 1, 1, 0, 0, 0)  # the header's dateTimeNumber, fixed so the bytes never change

# header fields (byte offsets, ICC.1:2004-10 7.2)
_VERSION = slice(8, 12)
_DATE = slice(24, 36)
_FLAGS = slice(44, 48)
_INTENT = slice(64, 68)
_ID = slice(84, 100)


def profile_id(data: bytes) -> bytes:
    """The profile ID of ICC.1:2004-10 7.2.18: MD5 of the whole profile with
    the profile flags, rendering intent and profile ID fields set to zero."""
    buf = bytearray(data)
    for field in (_FLAGS, _INTENT, _ID):
        buf[field] = bytes(field.stop - field.start)
    return hashlib.md5(buf).digest()


@caches.lru("writers.pdf.icc.srgb_profile", maxsize=1)
def srgb_profile() -> bytes:
    """The compact sRGB display profile (ICC v4.2), deterministic bytes."""
    from PIL import ImageCms

    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    if data[36:40] != b"acsp" or data[12:24] != b"mntrRGB XYZ " or struct.unpack(">I", data[:4])[0] != len(data):
        raise RuntimeError("littleCMS 生成的 sRGB 色彩配置文件格式不符合预期")
    data[_VERSION] = VERSION
    data[_DATE] = struct.pack(">6H", *DATE)
    data[_ID] = profile_id(data)
    return bytes(data)


def _header_ok(data: bytes) -> bool:
    """A whole ICC profile: its declared size, the 'acsp' signature and a tag table that fits."""
    if len(data) < 132 or data[36:40] != b"acsp" or struct.unpack_from(">I", data)[0] != len(data):
        return False
    (count,) = struct.unpack_from(">I", data, 128)
    return 132 + 12 * count <= len(data)


def description(data: bytes) -> str | None:
    """The profile's description tag ('desc'): the ASCII text of an ICC v2
    textDescriptionType or the first record of an ICC v4 multiLocalizedUnicodeType;
    None when data is not a well-formed profile or has no readable description."""
    if not _header_ok(data):
        return None
    (count,) = struct.unpack_from(">I", data, 128)
    for i in range(count):
        sig, offset, size = struct.unpack_from(">4sII", data, 132 + 12 * i)
        if sig != b"desc":
            continue
        tag = data[offset:offset + size]
        if len(tag) != size or size < 12:
            return None
        try:
            if tag[:4] == b"desc":  # ICC.1:2001-04 6.5.17: ASCII count (with its NUL), then the text
                (length,) = struct.unpack_from(">I", tag, 8)
                return tag[12:12 + length].split(b"\0", 1)[0].decode("ascii")
            if tag[:4] == b"mluc":  # ICC.1:2004-10 10.13: records of (language, country, length, offset)
                (records,) = struct.unpack_from(">I", tag, 8)
                if records < 1:
                    return None
                length, at = struct.unpack_from(">II", tag, 20)
                return tag[at:at + length].decode("utf-16-be")
        except (struct.error, UnicodeDecodeError):
            return None
        return None
    return None


def is_srgb_display(data: bytes) -> bool:
    """An RGB display profile (class 'mntr', colour space 'RGB ', PCS 'XYZ ')
    that describes itself as sRGB (WeasyPrint's sRGB2014.icc says "sRGB2014",
    littleCMS's built-in one "sRGB built-in")."""
    if not _header_ok(data) or data[12:24] != b"mntrRGB XYZ ":
        return False
    text = description(data)
    return text is not None and text.startswith("sRGB")
