"""Workbook bytes that do not change between runs, and writes that never leave a
half-written file: render to bytes, write a temp file beside the target, os.replace."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from pathlib import Path

from openpyxl import Workbook

from gongwen.stablezip import stable_zip

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(wb: Workbook) -> None:
    """Text that Excel would run as a formula (=, +, -, @ first) is stored as
    text and shown with a quote prefix: data never becomes a formula."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def workbook_bytes(wb: Workbook, when: dt.datetime) -> bytes:
    """Save with fixed document dates and fixed zip entry times; no data as formulas."""
    neutralise_formulas(wb)
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = "gongwen"
    buf = io.BytesIO()
    wb.save(buf)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def fix_modified(name: str, data: bytes) -> bytes:
        return _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data) if name == "docProps/core.xml" else data

    return stable_zip(buf.getvalue(), fix_modified, mode=0o600)


def _temp_beside(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A short name: the target's own name may already be near the 255-byte limit.
    fd, tmp = tempfile.mkstemp(prefix=".gw-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    write_all({Path(path): data})


def write_all(files: dict[Path, bytes]) -> None:
    """Write files that were all rendered already, all or nothing: every file
    goes to a temporary file beside its target first (a full disk or Ctrl-C
    here leaves the old outputs untouched and no temporary file behind), then
    all are renamed into place with Ctrl-C held back."""
    import signal

    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            temps.append((_temp_beside(Path(path), data), Path(path)))
    except BaseException:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
