"""Workbook bytes that do not change between runs, and writes that never leave a
half-written file: render to bytes, write a temp file beside the target, os.replace.
A build's finished files can wait on disk in a private staging folder
(FileStore) instead of in memory until that write."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Mapping, MutableMapping
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


class Staged:
    """A finished file's bytes waiting in a staging folder (not in memory)."""

    __slots__ = ("path", "size")

    def __init__(self, path: Path, size: int):
        self.path, self.size = path, size

    def read(self) -> bytes:
        return self.path.read_bytes()

    def __len__(self) -> int:
        return self.size


SPILL_BYTES = 16 * 1024  # smaller files stay in memory
RAM_FILESYSTEMS = {"tmpfs", "ramfs"}


def ram_backed(folder: str | Path) -> bool:
    """True when `folder` lives on a filesystem kept in memory (tmpfs): files
    staged there would take the memory they were meant to free."""
    try:
        mounts = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    real = os.path.realpath(folder)
    best, kind = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind in RAM_FILESYSTEMS


STAGING_PREFIX = "gongwen-staging-"
STALE_LEGACY_S = 24 * 3600  # staging folders named without a process id: removed once this old


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def sweep_staging(folder: str | Path | None = None) -> list[Path]:
    """Staging folders that a killed build left in the system's temporary
    folder (gongwen-staging-<process id>-…, the process gone) removed;
    returns them."""
    import time

    removed = []
    for p in Path(folder or tempfile.gettempdir()).glob(f"{STAGING_PREFIX}*"):
        pid = p.name[len(STAGING_PREFIX):].split("-", 1)[0]
        try:
            if not p.is_dir() or p.is_symlink():
                continue
            if pid.isdigit() and "-" in p.name[len(STAGING_PREFIX):]:
                if int(pid) == os.getpid() or _alive(int(pid)):
                    continue
            elif time.time() - p.stat().st_mtime < STALE_LEGACY_S:
                continue
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
        except OSError:
            continue
    return removed


class FileStore(MutableMapping):
    """Target path -> bytes, like a dict; contents of SPILL_BYTES or more wait
    in a private staging folder under the system's temporary folder (created
    on first use, removed when the store is closed or collected or the process
    exits), so a build of thousands of documents does not hold them all in
    memory before its all-or-nothing write. Reading an entry reads the staged
    file back; write_all copies staged files to their targets without loading
    them. Where the temporary folder is in memory (tmpfs), nothing is staged."""

    def __init__(self, spill_bytes: int = SPILL_BYTES):
        self._items: dict[Path, bytes | Staged] = {}
        self._spill = spill_bytes
        self._dir: Path | None = None
        self._finalizer: weakref.finalize | None = None
        self._count = 0
        self._in_memory = ram_backed(tempfile.gettempdir())

    def stage(self, data: bytes) -> bytes | Staged:
        """Put `data` on disk now (if large); the result can be stored under a
        path later (store[path] = staged) without writing it again."""
        if isinstance(data, Staged) or len(data) < self._spill or self._in_memory:
            return data
        try:
            if self._dir is None:
                sweep_staging()
                self._dir = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-"))
                self._finalizer = weakref.finalize(self, shutil.rmtree, str(self._dir), True)
            self._count += 1
            path = self._dir / f"{self._count:06d}"
            with open(path, "xb") as fh:  # no fsync: the staged copy is thrown away either way
                fh.write(data)
        except OSError as exc:
            from gongwen.errors import os_reason
            from gongwen.errors import UserError

            raise UserError(f"暂存排好的文件失败：{os_reason(exc)}（临时文件夹 {tempfile.gettempdir()}）。"
                            "本次没有写出任何文件，原有的文件保持不变") from None
        return Staged(path, len(data))

    def __setitem__(self, key: Path, value: bytes | Staged) -> None:
        key = Path(key)
        staged = self.stage(value)
        self._discard(self._items.get(key), keep=staged)
        self._items[key] = staged

    def __getitem__(self, key: Path) -> bytes:
        value = self._items[Path(key)]
        return value.read() if isinstance(value, Staged) else value

    def __delitem__(self, key: Path) -> None:
        self._discard(self._items.pop(Path(key)))

    def __contains__(self, key: object) -> bool:
        try:
            return Path(key) in self._items  # type: ignore[arg-type]
        except TypeError:
            return False

    def __iter__(self) -> Iterator[Path]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def size(self, key: Path) -> int:
        return len(self._items[Path(key)])

    def raw(self) -> dict[Path, bytes | Staged]:
        """Entries as held: bytes, or Staged files (for write_all)."""
        return dict(self._items)

    def _discard(self, old: bytes | Staged | None, keep: bytes | Staged | None = None) -> None:
        if isinstance(old, Staged) and old is not keep:
            old.path.unlink(missing_ok=True)

    @property
    def staging(self) -> Path | None:
        return self._dir

    def close(self) -> None:
        """Remove the staging folder; staged entries are gone with it."""
        if self._finalizer is not None:
            self._finalizer()
        self._items = {k: v for k, v in self._items.items() if not isinstance(v, Staged)}


def write_atomic(path: Path, data: bytes) -> None:
    write_all({Path(path): data})


def write_all(files: Mapping[Path, bytes | Staged]) -> None:
    """Write files that were all rendered already (bytes, or Staged files that
    are copied without being loaded), all or nothing: every name is checked
    first, every file goes to a temporary file beside its target (a full disk
    or Ctrl-C here leaves the old outputs untouched and no temporary file
    behind), then all are renamed into place with Ctrl-C held back, and any
    failure while renaming puts the old files back (gongwen.campaign.journal;
    a build also keeps a journal there, for crashes)."""
    from gongwen.campaign.journal import write_files

    write_files(files)
