"""A minimal BIFF8 writer: real .xls bytes (an OLE2 compound file holding a
Workbook stream of BOF, BOUNDSHEET8, SST, LABELSST and NUMBER records), as
Excel 97-2003 and WPS save them, for tests: no installed package writes .xls.
No fonts or cell formats: dates are written as text."""
import struct


def _rec(kind, data=b""):
    return struct.pack("<HH", kind, len(data)) + data


ERRORS = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24, "#N/A": 0x2A}


class Error(str):
    """A cell holding an error value (BOOLERR), as Excel saves #DIV/0!."""


class FormulaError(str):
    """A formula cell whose saved result is an error (FORMULA)."""


def biff8(sheets, hidden=(), hidden_rows=None, hidden_columns=None):
    """sheets: {title: [[str | int | float | Error | FormulaError | None]]} -> .xls
    bytes; `hidden`: titles of hidden sheets; `hidden_rows`, `hidden_columns`: {title: [0-based numbers]}."""
    strings = []
    index = {}
    for rows in sheets.values():
        for row in rows:
            for v in row:
                if isinstance(v, str) and v not in index:
                    index[v] = len(strings)
                    strings.append(v)
    bof = lambda dt: _rec(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 6))
    sst = struct.pack("<II", len(strings), len(strings)) + b"".join(
        struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings)
    bodies = []
    for title, rows in sheets.items():
        cells = b""
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, Error):
                    cells += _rec(0x0205, struct.pack("<HHHBB", r, c, 0, ERRORS[v], 1))
                elif isinstance(v, FormulaError):  # result: error; then flags, cache, a formula of one token
                    result = bytes([2, 0, ERRORS[v], 0, 0, 0, 0xFF, 0xFF])
                    cells += _rec(0x0006, struct.pack("<HHH", r, c, 0) + result + struct.pack("<HIH", 0, 0, 2) + bytes([0x1C, ERRORS[v]]))  # PtgErr
                elif isinstance(v, str):
                    cells += _rec(0x00FD, struct.pack("<HHHI", r, c, 0, index[v]))
                else:
                    cells += _rec(0x0203, struct.pack("<HHHd", r, c, 0, float(v)))
        width = max((len(r) for r in rows), default=0)
        for c in (hidden_columns or {}).get(title, ()):
            cells = _rec(0x007D, struct.pack("<HHHHHH", c, c, 2560, 15, 0x0001, 0)) + cells
        for r in (hidden_rows or {}).get(title, ()):
            cells = _rec(0x0208, struct.pack("<HHHHHHI", r, 0, width, 0x0F, 0, 0, 0x20 | 0x100)) + cells
        dims = _rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
        bodies.append(bof(0x0010) + dims + cells + _rec(0x000A))
    def globals_(offsets):
        out = bof(0x0005) + _rec(0x0042, struct.pack("<H", 1200))
        for (title, _), off in zip(sheets.items(), offsets):
            name = title.encode("utf-16-le")
            out += _rec(0x0085, struct.pack("<IBBBB", off, 1 if title in hidden else 0, 0, len(title), 1) + name)
        return out + _rec(0x00FC, sst) + _rec(0x000A)
    head = globals_([0] * len(sheets))
    offsets, at = [], len(head)
    for b in bodies:
        offsets.append(at)
        at += len(b)
    stream = globals_(offsets) + b"".join(bodies)
    return ole2({"Workbook": stream})


def ole2(streams):
    """A version-3 compound file holding one stream (at least 4096 bytes: no mini stream)."""
    (name, data), = streams.items()
    data = data + b"\0" * max(0, 4096 - len(data))
    size = len(data)
    nsec = (size + 511) // 512
    data += b"\0" * (nsec * 512 - size)
    END, FREE, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [FATSECT, END] + [3 + i if i < nsec - 1 else END for i in range(nsec)]
    assert len(fat) <= 128
    fat += [FREE] * (128 - len(fat))
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16 + struct.pack(
        "<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, END, 0, END, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREE) * 108

    def entry(nm, kind, child, start, length):
        raw = nm.encode("utf-16-le") + b"\0\0" if nm else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1 if nm else 0)
                + struct.pack("<III", NOSTREAM, NOSTREAM, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IQ", start, length))
    directory = (entry("Root Entry", 5, 1, END, 0) + entry(name, 2, NOSTREAM, 2, size)
                 + entry("", 0, NOSTREAM, 0, 0) * 2)
    return header + struct.pack("<128I", *fat) + directory + data
