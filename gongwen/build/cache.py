"""The typesetting cache: typeset documents kept between builds, so a rebuild
typesets only the documents whose inputs changed and reuses the others byte
for byte.

A document's key is the SHA-256 of everything that decides its bytes:

- the notice tree (every node and attribute; a picture by its file's bytes),
  its base URL, and for a Word template the template file's bytes and the
  data filled into it;
- the chosen formats;
- the engine: this program's source files (gongwen/**/*.py but the command
  line, the benchmarks and the web page: NOT_TYPESETTING), the versions of
  Python and of the libraries that write the files (WeasyPrint, python-docx,
  pikepdf, …);
- styles/ (every file: layout.yaml, fonts.yaml, the stylesheet template, …);
- the font files each role resolves to here (path, size, modification time);
- SOURCE_DATE_EPOCH.

Templates need no key of their own: a template's words are in the notice
tree it fills. Their compiled code is kept too, in the subfolder
TEMPLATES_SUBDIR (Jinja's bytecode cache, checked against each template's
text: gongwen.documents.templating.bytecode_cache), so a new process does not
compile them again; it is off with the cache.

Where it lives: GONGWEN_CACHE_DIR, else $XDG_CACHE_HOME/gongwen/typeset, else
~/.cache/gongwen/typeset (never inside an output folder, so verify does not
see it). GONGWEN_CACHE_DIR=off turns it off. Its size is bounded by
GONGWEN_CACHE_MB (default DEFAULT_MB): after a build the least recently used
entries go until the total fits.

An entry is one file, <key[:2]>/<key>.gwc: a JSON header line (pages, and
each format's length and SHA-256), then the formats' bytes. It is written
to a temporary file in the same folder and renamed into place, so two builds
at once never see half an entry; a read checks every hash and treats a
damaged entry as missing (deleted, typeset again). A hit touches the file's
modification time, the LRU order."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

ENV_DIR = "GONGWEN_CACHE_DIR"
ENV_MB = "GONGWEN_CACHE_MB"
OFF = ("off", "0", "no", "false")
DEFAULT_MB = 1024
SUFFIX = ".gwc"
TEMPLATES_SUBDIR = "templates"  # compiled wording templates (Jinja bytecode)
FORMAT = 1  # of the entry file
# gongwen subpackages that never decide a document's bytes: editing them keeps the cache
NOT_TYPESETTING = ("bench", "cli", "web")
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "python-docx", "docxtpl", "pikepdf", "fonttools",
             "Pillow", "lxml", "Jinja2", "matplotlib")


def default_dir() -> Path | None:
    """The cache folder the environment asks for (None: turned off)."""
    env = os.environ.get(ENV_DIR, "").strip()
    if env.lower() in OFF:
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gongwen" / "typeset"


def default_limit() -> int:
    try:
        return int(float(os.environ.get(ENV_MB, DEFAULT_MB)) * 2**20)
    except ValueError:
        return DEFAULT_MB * 2**20


# ---------------------------------------------------------------------------
# the key


def _canon(value, folder: str | None):
    """A JSON-able form of a notice tree (or template data) that is the same
    for equal content, whatever objects hold it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        from gongwen.notice.tree import Image

        out = {f.name: _canon(getattr(value, f.name), folder) for f in dataclasses.fields(value)}
        if isinstance(value, Image):
            out["file"] = _file_digest(value.path, folder)
        return [type(value).__name__, out]
    if isinstance(value, Mapping):
        return ["map", sorted(([str(k), _canon(v, folder)] for k, v in value.items()), key=lambda kv: kv[0])]
    if isinstance(value, (list, tuple)):
        return [_canon(v, folder) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_canon(v, folder) for v in value), key=repr)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (dt.date, dt.datetime, Decimal, Path)):
        return [type(value).__name__, str(value)]
    return [type(value).__name__, repr(value)]  # an object without a stable form only costs a miss


def _file_digest(path: str, folder: str | None) -> str | None:
    p = Path(path)
    if not p.is_absolute() and folder:
        p = Path(folder) / p
    try:
        return hashlib.sha256(p.read_bytes()).hexdigest()
    except OSError:
        return None


@lru_cache(maxsize=1)
def engine() -> str:
    """This program's source and the writing libraries' versions."""
    from importlib import metadata

    import gongwen

    h = hashlib.sha256(f"python {sys.version}\n".encode())
    for name in LIBRARIES:
        try:
            h.update(f"{name} {metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name} -\n".encode())
    package = Path(gongwen.__file__).parent
    for p in sorted(package.rglob("*.py")):
        if p.relative_to(package).parts[0] in NOT_TYPESETTING:
            continue
        h.update(p.relative_to(package).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def environment() -> str:
    """styles/, the font files, SOURCE_DATE_EPOCH: read at every build (they
    may change between the builds of a long-running process)."""
    from gongwen import STYLES_DIR
    from gongwen.notice import fonts

    h = hashlib.sha256(engine().encode())
    h.update(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}\n".encode())
    for p in sorted(Path(STYLES_DIR).rglob("*")):
        if p.is_file():
            h.update(p.relative_to(STYLES_DIR).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    seen = set()
    for role in fonts.roles():
        for f in fonts.available_chain(role):
            if f.file in seen:
                continue
            seen.add(f.file)
            try:
                st = os.stat(f.file)
                h.update(f"{role} {f.file} {st.st_size} {st.st_mtime_ns}\n".encode())
            except OSError:
                h.update(f"{role} {f.file} -\n".encode())
    return h.hexdigest()


def doc_key(doc, formats: tuple[str, ...], campaign_folder: Path | None, env: str) -> str:
    """The key of one document of a build (a gongwen.documents.common.Doc)."""
    folder = doc.base_url
    parts = {"env": env, "formats": list(formats), "base_url": doc.base_url,
             "notice": _canon(doc.notice, folder)}
    if doc.word_template:
        from gongwen.documents import wordtpl

        try:
            template = wordtpl.resolve(doc.word_template, campaign_folder)
            parts["word_template"] = hashlib.sha256(Path(template).read_bytes()).hexdigest()
        except Exception:  # not found: typesetting reports it; no hit either way
            parts["word_template"] = repr(doc.word_template)
        parts["context"] = _canon(doc.context, folder)
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------
# the store


@dataclasses.dataclass
class Stats:
    hits: int = 0
    misses: int = 0
    damaged: int = 0  # entries whose bytes did not match their hash: typeset again
    stored: int = 0
    evicted: int = 0


class TypesetCache:
    """A folder of typeset documents, bounded to `limit` bytes (LRU)."""

    def __init__(self, folder: str | Path | None = None, limit: int | None = None):
        self.folder = Path(folder) if folder is not None else default_dir()
        if self.folder is None:
            raise ValueError("cache turned off")
        self.limit = default_limit() if limit is None else limit
        self.stats = Stats()
        self._env: str | None = None

    @property
    def templates_dir(self) -> Path:
        """Where the wording templates' compiled code is kept (gongwen.documents.templating.bytecode_cache):
        a subfolder, never taken for entries (those are <key[:2]>/<key>.gwc)."""
        return self.folder / TEMPLATES_SUBDIR

    @classmethod
    def default(cls) -> TypesetCache | None:
        """The cache the environment asks for, or None when it is off."""
        return cls() if default_dir() is not None else None

    def keys(self, docs, formats: tuple[str, ...], campaign_folder: Path | None) -> list[str]:
        env = environment()
        return [doc_key(d, formats, campaign_folder, env) for d in docs]

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{SUFFIX}"

    def get(self, key: str) -> tuple[dict[str, bytes], int] | None:
        """(extension -> bytes, pages), or None (missing or damaged)."""
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                header = json.loads(fh.readline())
                files = {}
                for ext, size, digest in header["files"]:
                    data = fh.read(size)
                    if len(data) != size or hashlib.sha256(data).hexdigest() != digest:
                        raise ValueError(f"{ext} damaged")
                    files[ext] = data
                if fh.read(1) or header.get("format") != FORMAT:
                    raise ValueError("trailing bytes")
                pages = int(header["pages"])
        except FileNotFoundError:
            self.stats.misses += 1
            return None
        except (OSError, ValueError, KeyError, TypeError):
            self.stats.damaged += 1
            self.stats.misses += 1
            try:
                path.unlink()
            except OSError:
                pass
            return None
        try:
            os.utime(path)  # most recently used
        except OSError:
            pass
        self.stats.hits += 1
        return files, pages

    def put(self, key: str, files: dict[str, bytes | None], pages: int) -> None:
        """Keep a typeset document (not one with a format missing: a Word
        template's PDF without LibreOffice). Never fails a build: a cache that
        cannot be written is skipped."""
        if any(data is None for data in files.values()):
            return
        header = {"format": FORMAT, "pages": pages,
                  "files": [[ext, len(data), hashlib.sha256(data).hexdigest()] for ext, data in files.items()]}
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".gw-", suffix=".part", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(json.dumps(header).encode() + b"\n")
                    for data in files.values():
                        fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self.stats.stored += 1
        except OSError:
            pass

    def entries(self) -> list[tuple[float, int, Path]]:
        """(last use, bytes, path) of every entry."""
        out = []
        try:
            subs = list(os.scandir(self.folder))
        except OSError:
            return out
        for sub in subs:
            if not sub.is_dir():
                continue
            try:
                for e in os.scandir(sub.path):
                    if e.name.endswith(SUFFIX):
                        try:
                            st = e.stat()
                        except OSError:
                            continue
                        out.append((st.st_mtime, st.st_size, Path(e.path)))
            except OSError:
                continue
        return out

    def size(self) -> int:
        return sum(size for _, size, _ in self.entries())

    def trim(self) -> int:
        """Remove the least recently used entries until the total fits the limit; returns how many went."""
        entries = sorted(self.entries())
        total = sum(size for _, size, _ in entries)
        gone = 0
        for _, size, path in entries:
            if total <= self.limit:
                break
            try:
                path.unlink()
            except OSError:
                continue
            total -= size
            gone += 1
        self.stats.evicted += gone
        return gone

    def clear(self) -> None:
        for _, _, path in self.entries():
            path.unlink(missing_ok=True)
