"""WeasyPrint imported without the library look-ups that cost a fifth of a
second per process.

On import, WeasyPrint loads GObject, Pango, HarfBuzz, Fontconfig and PangoFT2
through cffi, trying several names for each (Windows and macOS ones first:
'libgobject-2.0-0', 'gobject-2.0-0', then 'gobject-2.0', ...). cffi hands a
name it cannot open to ctypes.util.find_library, which on Linux runs
`ldconfig -p`, then gcc, then ld, one process each, for every name: 22 names,
some 0.2 s of every `pipeline.py` run and of every typesetting worker.

`import_weasyprint()` imports it with find_library answering the same
without those processes: `ldconfig -p` runs once and is searched with the
same pattern ctypes uses (its first step, `_findSoname_ldconfig`); a name
not there is looked for by gcc and ld only as lib<name>.so or lib<name>.a in
the linker's folders, so where no such file is in those folders (or in
LD_LIBRARY_PATH / LIBRARY_PATH) the answer is None at once, and otherwise
ctypes' own find_library answers. The same libraries are loaded, so the
output does not change. Anywhere but Linux, or without /sbin/ldconfig,
WeasyPrint is imported as it is."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from contextlib import contextmanager

LDCONFIG = "/sbin/ldconfig"
# ctypes.util._findSoname_ldconfig's ABI tags (CPython 3.11)
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}
# where the linker looks besides the folders of the libraries ldconfig knows
_LINKER_DIRS = ("/lib", "/usr/lib", "/usr/local/lib", "/lib64", "/usr/lib64", "/lib32", "/usr/lib32")


def import_weasyprint():
    """The weasyprint module (imported once per process, as usual)."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    with quick_find_library():
        import weasyprint
    return weasyprint


def _abi_type() -> str:
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    return _ABI.get(machine, "libc6")


def _ldconfig() -> bytes | None:
    try:
        return subprocess.run([LDCONFIG, "-p"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, env={"LC_ALL": "C", "LANG": "C"}, check=False).stdout
    except OSError:
        return None


class _Finder:
    def __init__(self, listing: bytes, original):
        self.listing = listing
        self.original = original
        self.abi = _abi_type()
        self._names: set[str] | None = None

    def soname(self, name: str) -> str | None:
        """What ctypes.util._findSoname_ldconfig answers, from the one listing."""
        regex = os.fsencode(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), self.abi))
        found = re.search(regex, self.listing)
        return os.fsdecode(found.group(1)) if found else None

    def linkable(self, name: str) -> bool:
        """Whether gcc or ld could find -l<name>: a lib<name>.so or .a in a folder they search."""
        if self._names is None:
            dirs = set(_LINKER_DIRS)
            for var in ("LD_LIBRARY_PATH", "LIBRARY_PATH"):
                dirs.update(d for d in os.environ.get(var, "").split(":") if d)
            for path in re.findall(rb"=> (\S+)", self.listing):
                dirs.add(os.path.dirname(os.fsdecode(path)))
            multiarch = sys.implementation._multiarch if hasattr(sys.implementation, "_multiarch") else None
            if multiarch:
                dirs.update((f"/lib/{multiarch}", f"/usr/lib/{multiarch}", f"/usr/local/lib/{multiarch}"))
            names: set[str] = set()
            for d in dirs:
                try:
                    names.update(os.listdir(d))
                except OSError:
                    continue
            self._names = names
        return f"lib{name}.so" in self._names or f"lib{name}.a" in self._names

    def __call__(self, name: str) -> str | None:
        found = self.soname(name)
        if found is not None:
            return found
        return self.original(name) if self.linkable(name) else None


@contextmanager
def quick_find_library():
    """ctypes.util.find_library answering from one `ldconfig -p` (see the module's note)."""
    import ctypes.util

    if not sys.platform.startswith("linux") or not os.path.exists(LDCONFIG):
        yield
        return
    listing = _ldconfig()
    if not listing:
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = _Finder(listing, original)
    try:
        yield
    finally:
        ctypes.util.find_library = original
