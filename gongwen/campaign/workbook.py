"""Opening the files staff send, by what their bytes are and not by their
name: .xlsx (a zip), .xls (an OLE2 compound file), WPS .et/.ett holding
either, each workbook opened once (cells as pandas reads them); a sheet given
as .csv (UTF-8 or GBK) through pandas; and clear words for what cannot be read
(a password, a damaged file). From an .xlsx also what the cells alone do not
say: hidden sheets and rows, error values (#DIV/0!) and formulas saved without
their value."""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import os
import pickle
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator


OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# Limits well above any month's report, so a hostile or broken file fails fast
# with a clear message instead of exhausting memory.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per workbook
MAX_ROWS_PER_SHEET = 50_000
MAX_CELL_CHARS = 2000  # text in one cell: a project name, a note; checked again per cell in tables.py
MAX_TEXT_BYTES = 30 * 1024 * 1024  # all the text of a workbook (its shared strings), unzipped
FIX_FORMAT = "请在 Excel 中打开，取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码），再另存为 .xlsx 格式"
SAVE_AS = "请在 Excel 或 WPS 中打开，另存为 .xlsx（Excel 工作簿）格式后重试"
HEADER_SCAN = 10  # rows where a header is looked for (title rows above it)


class Unreadable(Exception):
    """The file as a whole cannot be read; the message is the Chinese reason."""


@dataclass
class RawTable:
    """One sheet as read: rows[i] is Excel row i + 1. Cells are as
    pandas.read_excel(header=None, dtype=object) gives them, or, when
    `as_read`, as calamine gives them, each to be put through cell() (a report
    repeats its values: parse_table converts each distinct one once)."""

    file: str  # as shown to the user (relative to the campaign folder)
    title: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # merged ranges (row0, col0, row1, col1),
    # 0-based
    as_read: bool = False
    hidden: bool = False  # a hidden (or very hidden) sheet
    hidden_rows: list[int] = field(default_factory=list)  # Excel row numbers
    hidden_columns: list[int] = field(default_factory=list)  # column numbers (A = 1)
    # (Excel row, column number) -> (what the cell holds, kind): kind "error" for
    # an error value (the text is #DIV/0!...), "formula" for a formula saved
    # without its value (the text is the formula); the cell reads blank
    issues: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)

    def converted(self) -> RawTable:
        """The table with every cell as pandas gives it."""
        if not self.as_read:
            return self
        return RawTable(self.file, self.title, [[cell(v) for v in r] for r in self.rows], self.merged,
                        hidden=self.hidden, hidden_rows=self.hidden_rows, hidden_columns=self.hidden_columns,
                        issues=self.issues)

    def parts(self) -> tuple:
        """What a reader process sends back for this table (plain values)."""
        return (self.title, self.rows, self.merged, self.hidden, self.hidden_rows, self.hidden_columns, self.issues)


def sniff(path: Path) -> str:
    """What a file holds, by its first bytes: "zip" (.xlsx, and WPS .et saved
    as one), "ole2" (.xls, WPS .et, or a password-encrypted .xlsx) or "other"."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == OLE2_MAGIC:
        return "ole2"
    if head.startswith(b"PK"):
        return "zip"
    return "other"


def _check_size(path: Path) -> int:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise Unreadable(f"文件有 {size / 1048576:.1f} MB，超过 {MAX_FILE_BYTES // 1048576} MB 的上限；"
                         "月报表不应这么大，请检查是否粘贴了图片或大量空行，删去后另存")
    return size


def _check_ole2(path: Path) -> None:
    """An OLE2 file is an .xls (read as one) unless it is an encrypted .xlsx."""
    _check_size(path)
    with open(path, "rb") as fh:
        blob = fh.read(1 << 20)
    if "EncryptedPackage".encode("utf-16-le") in blob:
        raise Unreadable(f"是带密码的加密文件，无法读取；{FIX_FORMAT}")


def _check_format(path: Path) -> bytes:
    """The bytes of a zip workbook (.xlsx), checked for size, zip bombs and
    declared rows; Unreadable for anything else."""
    kind = sniff(path)
    if kind != "zip":
        raise Unreadable(f"不是有效的 Excel 工作簿（文件已损坏，或并非 Excel/WPS 表格）；{SAVE_AS}")
    size = _check_size(path)
    data = path.read_bytes()  # at most MAX_FILE_BYTES: the zip is read from memory, not reopened per entry
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Unreadable(f"不是有效的 .xlsx 文件（压缩包已损坏）；{SAVE_AS}") from None
    with zf:
        unzipped = sum(i.file_size for i in zf.infolist())
        if unzipped > MAX_UNZIPPED_BYTES or unzipped > MAX_RATIO * max(size, 1):
            raise Unreadable(f"解压后有 {unzipped / 1048576:.0f} MB（压缩前 {size / 1048576:.1f} MB），"
                             "疑似“压缩炸弹”或已损坏，已拒绝读取；请重新另存为 .xlsx")
        _check_rows(zf, data)
        _check_text(zf)
    return data


_MARK = re.compile(rb"<(?:\w+:)?(?:c|si|row)[\s>/]")  # where a cell, a shared string or a row starts
_SMALL_CELL = 256  # bytes: cells up to this size are not counted in the text total
_CELL_LIMIT = MAX_CELL_CHARS * 4 + 1024  # bytes: UTF-8 takes up to 4 a character, plus the markup


def _check_text(zf: zipfile.ZipFile) -> None:
    """The workbook's text before anything is parsed, streamed: the longest
    cell (the widest gap between two cell or string starts, in bytes) and the
    text in all (the shared strings, plus every cell of the sheets larger than
    a short value)."""
    total = 0
    for info in zf.infolist():
        name = info.filename.lower()
        shared = name.endswith("sharedstrings.xml")
        if not (shared or (name.startswith("xl/worksheets/") and name.endswith(".xml"))):
            continue
        if shared:
            total += info.file_size
        longest, big = _cell_sizes(zf, info, MAX_TEXT_BYTES - total)
        if longest > _CELL_LIMIT:
            raise Unreadable(f"有单元格的文字超过 {MAX_CELL_CHARS} 字的上限，已拒绝读取；"
                             "请检查是否把大段内容粘贴进了一格，删去后另存")
        total += 0 if shared else big
        if total > MAX_TEXT_BYTES:
            raise Unreadable(f"文字总量超过 {MAX_TEXT_BYTES // 1048576} MB 的上限；"
                             "月报表不应有这么多文字，请检查是否粘贴了大段内容")


def _cell_sizes(zf: zipfile.ZipFile, info: zipfile.ZipInfo, room: int) -> tuple[int, int]:
    """(widest gap between cell starts, bytes in gaps over _SMALL_CELL) of one
    entry, stopping as soon as a limit is passed."""
    longest = big = 0
    last, pos, tail = 0, 0, b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(1 << 22)
            if not chunk:
                break
            buf = tail + chunk
            base = pos - len(tail)
            for m in _MARK.finditer(buf):
                at = base + m.start()
                if at <= last:
                    continue  # found again in the carried-over tail
                gap = at - last
                longest = max(longest, gap)
                big += gap if gap > _SMALL_CELL else 0
                last = at
            pos += len(chunk)
            tail = buf[-16:]
            if max(longest, pos - last) > _CELL_LIMIT or big > room:
                return max(longest, pos - last), big
    gap = pos - last
    return max(longest, gap), big + (gap if gap > _SMALL_CELL else 0)


def _too_many(title: str, rows: int) -> Unreadable:
    return Unreadable(f"工作表“{title}”有 {rows} 行，超过每表 {MAX_ROWS_PER_SHEET} 行的上限；"
                      "请检查是否误填或拆成多个文件")


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\$?(\d+)(?::\$?[A-Z]*\$?(\d+))?\"")


HEAD_BYTES = 4096  # where a worksheet's <dimension> is looked for
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, file name and extra field lengths
_NOT_PLAIN = 0x01 | 0x20 | 0x40  # encrypted, patched data, strong encryption: zipfile's own path


def _entry_head(zf: zipfile.ZipFile, name: str, data: bytes) -> bytes | None:
    """The first HEAD_BYTES of a deflated entry, straight from the zip's bytes,
    when zf.open(name).read(HEAD_BYTES) would give exactly them without an error
    (the usual case); None for anything else (stored, encrypted, a header that
    does not match, a short or broken stream), which goes through zipfile."""
    info = zf.getinfo(name)
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & _NOT_PLAIN:
        return None
    off = info.header_offset
    if off < 0 or off + _LOCAL_HEADER.size > len(data):
        return None
    magic, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, off)
    start = off + _LOCAL_HEADER.size + name_len + extra_len
    end = start + info.compress_size
    if magic != b"PK\x03\x04" or end > len(data) or end > (getattr(info, "_end_offset", None) or end):
        return None
    try:
        if data[off + _LOCAL_HEADER.size:off + _LOCAL_HEADER.size + name_len].decode("ascii") != info.orig_filename:
            return None
        d = zlib.decompressobj(-zlib.MAX_WBITS)
        # 4096 bytes of output never need more than 16 KB of deflate input.
        fed = min(end, start + 4 * HEAD_BYTES)
        head = d.decompress(data[start:fed], HEAD_BYTES)
    except (UnicodeDecodeError, zlib.error):
        return None
    if d.eof or len(head) >= info.file_size:  # the whole entry: zipfile checks its CRC here
        head = head[:info.file_size]
        return head if zlib.crc32(head) == info.CRC else None
    if len(head) < HEAD_BYTES or (fed == end and not d.unconsumed_tail):
        return None  # short, or every compressed byte used: let zipfile decide
    return head


def _check_rows(zf: zipfile.ZipFile, data: bytes | None = None) -> None:
    """Refuse a sheet with more rows than any report has, before reading it all:
    each worksheet declares its extent (<dimension ref="A1:F120"/>) near its start."""
    sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    for name in sheets:
        head = None if data is None else _entry_head(zf, name, data)
        if head is None:
            try:
                with zf.open(name) as fh:
                    head = fh.read(HEAD_BYTES)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                return  # a broken entry: opening the workbook says so
        if b"dimension" not in head:
            continue
        m = _DIMENSION.search(head)
        rows = int(m.group(2) or m.group(1)) if m else 0
        if rows > MAX_ROWS_PER_SHEET:
            raise _too_many(_sheet_title(zf, name), rows)


def _sheet_title(zf: zipfile.ZipFile, part: str) -> str:
    """The title of a worksheet part, for the message (the part name if it cannot be found)."""
    try:
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        book = zf.read("xl/workbook.xml").decode("utf-8")
        target = part.removeprefix("xl/")
        rid = re.search(r'Id="([^"]+)"[^>]*Target="/?(?:xl/)?' + re.escape(target) + '"', rels) \
            or re.search(r'Target="/?(?:xl/)?' + re.escape(target) + r'"[^>]*Id="([^"]+)"', rels)
        m = rid and re.search(r'<(?:\w+:)?sheet\b[^>]*name="([^"]*)"[^>]*r:id="' + re.escape(rid.group(1)) + '"', book)
        return html.unescape(m.group(1)) if m else part
    except (KeyError, UnicodeDecodeError):
        return part


def _column_letter(n: int) -> str:
    """1 -> A, 27 -> AA (as openpyxl's get_column_letter)."""
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _merged(sheet) -> list[tuple[int, int, int, int]]:
    """Merged ranges, 0-based (row0, col0, row1, col1)."""
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:  # not every format keeps them
        return []
    return sorted((r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges)


def range_text(r0: int, c0: int, r1: int, c1: int) -> str:
    """A 0-based range written as Excel does (A1:B1)."""
    return f"{_column_letter(c0 + 1)}{r0 + 1}:{_column_letter(c1 + 1)}{r1 + 1}"


# ------------------------------------------------ what an .xlsx says beyond its values

_SHEET_TAG = re.compile(r'<(?:\w+:)?sheet\b([^>]*)/?>')
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_REL_TAG = re.compile(r'<(?:\w+:)?Relationship\b([^>]*)/?>')
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_HIDDEN_COL = re.compile(rb'<(?:\w+:)?col\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_COL_SPAN = re.compile(rb'\bmin="(\d+)"[^>]*?\bmax="(\d+)"|\bmax="(\d+)"[^>]*?\bmin="(\d+)"')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb'<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)', re.S)
_VALUE = re.compile(rb'<(?:\w+:)?v>(.*?)</(?:\w+:)?v>', re.S)


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its worksheet part (xl/worksheets/sheet1.xml)."""
    try:
        book = zf.read("xl/workbook.xml").decode("utf-8")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    except (KeyError, UnicodeDecodeError, zipfile.BadZipFile, OSError, zlib.error):
        return {}
    targets = {}
    for m in _REL_TAG.finditer(rels):
        a = dict(_ATTR.findall(m.group(1)))
        if "Id" in a and "Target" in a:
            t = a["Target"]
            targets[a["Id"]] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    parts = {}
    for m in _SHEET_TAG.finditer(book):
        a = dict(_ATTR.findall(m.group(1)))
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if "name" in a and rid in targets:
            parts[html.unescape(a["name"])] = targets[rid]
    return parts


def _letters_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _scan(xml: bytes) -> dict:
    """Hidden rows and columns, and cells whose value is an error or a
    formula saved without its value, in one worksheet part: {"rows": [...],
    "columns": [...], "issues": {(row, column): (text, kind)}}."""
    # Cheap tests first (a report sheet is mostly plain values): needles that
    # are rare in cell XML, a false hit only costs the full scan.
    hidden = []
    columns: list[int] = []
    if b'idden=' in xml:
        for m in _HIDDEN_ROW.finditer(xml):
            n = _ROW_NUMBER.search(m.group(0))
            if n:
                hidden.append(int(n.group(1)))
        for m in _HIDDEN_COL.finditer(xml):
            span = _COL_SPAN.search(m.group(0))
            if span:
                lo, hi = (span.group(1), span.group(2)) if span.group(1) else (span.group(4), span.group(3))
                columns.extend(range(int(lo), min(int(hi), 1000) + 1))
    issues: dict[tuple[int, int], tuple[str, str]] = {}
    if b'="e"' in xml or b"f>" in xml:  # every formula sheet has an <f>..</f> (shared ones: the master)
        for m in _CELL.finditer(xml):
            attrs, body = m.group(1), m.group(2) or b""
            error = b't="e"' in attrs
            if not error and b"f" not in body:
                continue
            ref = _CELL_REF.search(attrs)
            if not ref:
                continue
            where = (int(ref.group(2)), _letters_number(ref.group(1)))
            v = _VALUE.search(body)
            value = html.unescape(v.group(1).decode("utf-8", "replace")) if v else ""
            if error:
                issues[where] = (value or "#错误", "error")
                continue
            f = _FORMULA.search(body)
            if f and not value:
                text = html.unescape((f.group(1) or b"").decode("utf-8", "replace"))
                issues[where] = ("=" + text if text else "（共享公式）", "formula")
    return {"rows": hidden, "columns": columns, "issues": issues}


def _xlsx_extras(data: bytes) -> dict[str, dict]:
    """Sheet title -> _scan's findings, for the sheets that have any."""
    out = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for title, part in _sheet_parts(zf).items():
                try:
                    xml = zf.read(part)
                except (KeyError, zipfile.BadZipFile, OSError, zlib.error):
                    continue
                found = _scan(xml)
                if any(found.values()):
                    out[title] = found
    except zipfile.BadZipFile:
        pass
    return out


# Text that pandas' readers take for a missing value (pandas' default na_values):
# cells are read as pandas.read_excel(header=None, dtype=object) reads them.
NA_TEXT = frozenset({"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                     "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"})


def cell(value):
    """One cell as pandas' Excel reader gives it: whole floats as int, dates as
    datetime, missing-value text as NaN."""
    kind = type(value)
    if kind is str:
        return math.nan if value in NA_TEXT else value
    if kind is float:
        return int(value) if value.is_integer() else value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _rows(sheet) -> list[list[object]]:
    """The sheet's cells as calamine gives them (see RawTable.as_read), every row as wide as the widest."""
    rows = sheet.to_python(skip_empty_area=False)
    width = max(map(len, rows), default=0)
    if any(len(r) != width for r in rows):
        rows = [r + [math.nan] * (width - len(r)) for r in rows]
    return rows


# ------------------------------------------------ the same from an .xls (BIFF8 in OLE2)

_ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
_END, _FREE = 0xFFFFFFFE, 0xFFFFFFFF


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """The first of `names` found in an OLE2 compound file, as bytes (None if none)."""
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    size = 1 << shift
    n_fat, first_dir, _, cutoff, first_minifat, _, first_difat, n_difat = struct.unpack_from("<IIIIIIII", data, 0x2C)
    difat = list(struct.unpack_from("<109I", data, 0x4C))
    sector = first_difat
    for _ in range(n_difat):
        if sector in (_END, _FREE):
            break
        off = 512 + sector * size if shift == 9 else size + sector * size
        vals = struct.unpack_from(f"<{size // 4}I", data, off)
        difat.extend(vals[:-1])
        sector = vals[-1]
    base = 512 if shift == 9 else size

    def sec(i: int) -> bytes:
        return data[base + i * size: base + (i + 1) * size]

    fat: list[int] = []
    for i in difat[:n_fat]:
        fat.extend(struct.unpack(f"<{size // 4}I", sec(i)))

    def chain(start: int, sectors_of: list[int], limit: int) -> list[int]:
        out = []
        while start not in (_END, _FREE) and start < len(sectors_of) and len(out) < limit:
            out.append(start)
            start = sectors_of[start]
        return out

    limit = len(data) // size + 1
    directory = b"".join(sec(i) for i in chain(first_dir, fat, limit))
    entries = []
    for off in range(0, len(directory) - 127, 128):
        n = struct.unpack_from("<H", directory, off + 64)[0]
        name = directory[off:off + max(0, n - 2)].decode("utf-16-le", "replace")
        kind = directory[off + 66]
        start, length = struct.unpack_from("<IQ", directory, off + 116)
        entries.append((name, kind, start, length & 0xFFFFFFFF if shift == 9 else length))
    if not entries:
        return None
    for want in names:
        hit = next((e for e in entries if e[1] == 2 and e[0] == want), None)
        if hit is None:
            continue
        _, _, start, length = hit
        if length >= cutoff:
            return b"".join(sec(i) for i in chain(start, fat, limit))[:length]
        root_start = entries[0][2]
        mini_data = b"".join(sec(i) for i in chain(root_start, fat, limit))
        minifat_bytes = b"".join(sec(i) for i in chain(first_minifat, fat, limit))
        minifat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
        ms = 1 << mini_shift
        return b"".join(mini_data[i * ms:(i + 1) * ms] for i in chain(start, minifat, limit * 8))[:length]
    return None


def _xls_extras(path: Path) -> dict[str, dict]:
    """As _xlsx_extras, of an .xls: BOOLERR cells holding an error, formulas
    whose result is an error, ROW and COLINFO records marked hidden. Anything
    unexpected gives what was found so far (calamine has read the values)."""
    out: dict[str, dict] = {}
    try:
        data = path.read_bytes()
        stream = _ole_stream(data, ("Workbook", "Book"))
        if not stream:
            return out
        titles: dict[int, str] = {}
        pos = 0
        current: str | None = None
        depth = 0
        hidden: list[int] = []
        columns: list[int] = []
        issues: dict[tuple[int, int], tuple[str, str]] = {}
        while pos + 4 <= len(stream):
            kind, length = struct.unpack_from("<HH", stream, pos)
            body = stream[pos + 4:pos + 4 + length]
            if kind == 0x0085 and len(body) >= 8:  # BOUNDSHEET8: where each sheet's records start
                cch, high = body[6], body[7]
                raw = body[8:8 + cch * (2 if high & 1 else 1)]
                titles[struct.unpack_from("<I", body)[0]] = raw.decode("utf-16-le" if high & 1 else "latin-1")
            elif kind == 0x0809:  # BOF: a sheet's, or one nested in it (a chart)
                depth += 1
                if pos in titles and depth == 1:
                    current, hidden, columns, issues = titles[pos], [], [], {}
            elif kind == 0x000A:  # EOF
                depth -= 1
                if depth <= 0:
                    if current is not None and (hidden or columns or issues):
                        out[current] = {"rows": hidden, "columns": columns, "issues": issues}
                    current, depth = None, 0
            elif current is not None and depth == 1 and kind == 0x0205 and len(body) >= 8 and body[7] == 1:  # BOOLERR, an error
                r, c = struct.unpack_from("<HH", body)
                issues[(r + 1, c + 1)] = (_ERROR_CODES.get(body[6], "#错误"), "error")
            elif current is not None and depth == 1 and kind == 0x0006 and len(body) >= 14:  # FORMULA
                r, c = struct.unpack_from("<HH", body)
                result = body[6:14]
                if result[6:8] == b"\xff\xff" and result[0] == 2:
                    issues[(r + 1, c + 1)] = (_ERROR_CODES.get(result[2], "#错误"), "error")
            elif current is not None and depth == 1 and kind == 0x007D and len(body) >= 10:  # COLINFO
                first_col, last_col, _, _, options = struct.unpack_from("<HHHHH", body)
                if options & 0x0001:
                    columns.extend(range(first_col + 1, min(last_col, 999) + 2))
            elif current is not None and depth == 1 and kind == 0x0208 and len(body) >= 16:  # ROW
                if struct.unpack_from("<I", body, 12)[0] & 0x20:
                    hidden.append(struct.unpack_from("<H", body)[0] + 1)
            pos += 4 + length
    except (struct.error, IndexError, ValueError, OSError, UnicodeDecodeError):
        return out
    return out


def read_xlsx(path: Path, shown: str) -> list[RawTable]:
    """Every sheet of a workbook, opened once (calamine, the Rust reader pandas
    uses as engine="calamine"): 100,000 report rows in about a second, where
    openpyxl and a DataFrame per sheet took minutes. The file's bytes decide
    how it is read: .xlsx (zip) or .xls (OLE2), whatever its name."""
    from python_calamine import CalamineWorkbook

    if sniff(path) == "ole2":
        _check_ole2(path)
        data = None
        try:
            book = CalamineWorkbook.from_path(str(path))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # (a Rust panic is no Exception)
            raise Unreadable(f"是旧版 .xls 格式，但无法读取（文件已损坏或设有密码）；{SAVE_AS}") from None
    else:
        data = _check_format(path)  # and the rows each sheet declares
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # CalamineError, BadZipFile, ... or a Rust panic
            raise Unreadable(f"无法打开（{type(exc).__name__}）；{SAVE_AS}") from None
    tables = []
    try:
        extras = _xlsx_extras(data) if data is not None else _xls_extras(path)
        visible = {m.name: str(m.visible).rsplit(".", 1)[-1] == "Visible" for m in book.sheets_metadata}
        for title in book.sheet_names:
            sheet = book.get_sheet_by_name(title)
            if sheet.height > MAX_ROWS_PER_SHEET:  # a sheet that did not declare its extent
                raise _too_many(title, sheet.height)
            found = extras.get(title, {})
            tables.append(RawTable(shown, str(title), _rows(sheet), _merged(sheet), as_read=True,
                                   hidden=not visible.get(title, True), hidden_rows=found.get("rows", []),
                                   hidden_columns=found.get("columns", []), issues=found.get("issues", {})))
    except Unreadable:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # calamine raises several kinds for a broken workbook, even a Rust panic
        raise Unreadable(f"无法读取（{type(exc).__name__}）；{SAVE_AS}") from None
    finally:
        book.close()
    return tables


def _csv_problem(message: str) -> str:
    """pandas' CSV parser error in words for office staff."""
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if m:
        want, line, saw = m.groups()
        return (f"不是规整的 CSV 表格：第{line}行有 {saw} 列，前面的行只有 {want} 列"
                "（多了逗号？含逗号的文字请用英文双引号括起来）")
    if "EOF" in message:
        return "不是规整的 CSV 表格：英文双引号没有配对（文字里的双引号请写两个 \"\"）"
    return "不是规整的 CSV 表格：请在 Excel 或 WPS 中打开，另存为 CSV（逗号分隔）或 .xlsx 后重试"


def read_csv(path: Path, shown: str, title: str) -> RawTable:
    import pandas as pd

    _check_size(path)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            df = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding=enc, skip_blank_lines=False)
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            return RawTable(shown, title, [])
        except pd.errors.ParserError as exc:
            raise Unreadable(_csv_problem(str(exc))) from None
    else:
        raise Unreadable("编码无法识别，请以 UTF-8 或 GBK 编码保存 CSV")
    rows = [[None if v == "" else v for v in r] for r in df.itertuples(index=False, name=None)]
    return RawTable(shown, title, rows)


# ------------------------------------------------------------ reader processes
#
# Reading is most of intake (calamine, the row limit, the cells) and needs
# nothing but this module: many workbooks are read by reader processes that
# load this file alone (not the package and its pandas), a fresh interpreter
# each (no fork of a process that may hold threads), while this process goes
# on parsing what they have read. Results come back in the workbooks' order;
# anything a reader cannot answer cleanly is read again here, so messages and
# errors are exactly those of reading here.

MIN_PER_READER = 24  # workbooks: fewer are read here (a reader takes ~0.1 s to start)
MAX_READERS = 4
CHUNK = 8  # workbooks handed to a reader at a time, readers taking turns
_BOOT = (
    "import importlib.util, pickle, signal, sys\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"  # Ctrl-C is for the caller, which ends its readers
    "sys.path[:] = pickle.load(sys.stdin.buffer)\n"
    "spec = importlib.util.spec_from_file_location('gongwen_reader', sys.argv[1])\n"
    "mod = sys.modules['gongwen_reader'] = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(mod)\n"
    "mod._serve(sys.stdin.buffer, sys.stdout.buffer)\n"
)


def reader_count(workbooks: int, jobs: int | None = None) -> int:
    """How many reader processes to use for `workbooks` (0: read here): one
    fewer than the `jobs` processes (default: the CPUs this process may use),
    this process being the one that parses."""
    if jobs is None:
        try:
            jobs = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            jobs = os.cpu_count() or 1
    if jobs < 2 or getattr(sys, "frozen", False) or not sys.executable:
        return 0  # (a frozen application's executable is not a Python to run -c with)
    return min(jobs - 1, MAX_READERS, workbooks // MIN_PER_READER)


def _serve(inp, out) -> None:
    """A reader process: read the workbooks it is handed, in order, answering each."""
    jobs = pickle.load(inp)
    for path, shown in jobs:
        try:
            tables = read_xlsx(Path(path), shown)
            answer = ("ok", [t.parts() for t in tables])
        except Unreadable as exc:
            answer = ("unreadable", str(exc))
        except Exception:  # read again by the caller, to raise there as reading there would
            answer = ("again", None)
        try:
            pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
        except OSError:  # the caller has gone
            return


def read_many(items: list[tuple[Path, str]], jobs: int | None = None) -> Iterator[list[RawTable] | Unreadable]:
    """read_xlsx of each (path, shown), in order: the tables, or the
    Unreadable it raised (returned, not raised). With `jobs` > 1 (default:
    the CPUs this process may use) and enough workbooks, reader processes
    (see reader_count) read ahead while the caller works on what was read."""
    readers = reader_count(len(items), jobs)
    procs: list[subprocess.Popen] = []
    try:
        if readers:
            chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
            for r in range(readers):
                try:
                    proc = subprocess.Popen([sys.executable, "-c", _BOOT, __file__], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE)
                except OSError:
                    break
                procs.append(proc)
            for r, proc in enumerate(procs):
                mine = [(str(p), shown) for chunk in chunks[r::len(procs)] for p, shown in chunk]
                try:
                    pickle.dump(sys.path, proc.stdin)
                    pickle.dump(mine, proc.stdin)
                    proc.stdin.close()
                except OSError:
                    pass  # a reader that died: its workbooks are read here
        dead: set[int] = set()
        for i, (path, shown) in enumerate(items):
            answer = None
            r = (i // CHUNK) % len(procs) if procs else None
            if r is not None and r not in dead:
                try:
                    answer = pickle.load(procs[r].stdout)
                except Exception:  # the reader died: this and the rest of its share are read here
                    dead.add(r)
            if answer is not None and answer[0] == "ok":
                yield [RawTable(shown, title, rows, merged, as_read=True, hidden=hidden, hidden_rows=hrows,
                                hidden_columns=hcols, issues=issues)
                       for title, rows, merged, hidden, hrows, hcols, issues in answer[1]]
            elif answer is not None and answer[0] == "unreadable":
                yield Unreadable(answer[1])
            else:
                try:
                    yield read_xlsx(path, shown)
                except Unreadable as exc:
                    yield exc
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            for pipe in (proc.stdin, proc.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass
            proc.wait()
