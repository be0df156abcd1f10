"""The writers: every output format a notice can be written in, one entry each.

A writer declares its extension, the name users see, whether a build writes
it without being asked, which formats it needs written first, and the
function that writes it (named as "module:function", imported only when the
format is written, so a process that writes PDF never imports the DOCX
writer's modules and the other way round).

Writers run in registry order, each with what the earlier ones produced in
hand: the PDF's pagination decides where the 版记 goes and the DOCX follows
it; a format drawn from the laid-out pages (OFD) reads the PDF. Everything
else (rendering a source, the build, the register, manifest and the tables
the CLI prints) loops over this registry; adding a format is one module and
one line in WRITERS."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gongwen.errors import UserError
from gongwen.layout.model import ClosingFit
from gongwen.notice.tree import Notice


@dataclass
class Output:
    """One notice being written: what the writers so far produced."""

    notice: Notice
    base_url: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # extension -> bytes, in registry order
    pages: int = 0  # of the PDF (the page count every format shares)
    banji_own_page: bool = False  # the PDF's pagination put the 版记 on a page of its own
    closing_fit: ClosingFit | None = None  # the PDF's pagination set the closing page's lines closer


@dataclass(frozen=True)
class Writer:
    ext: str  # file extension, also the format's name on the command line
    label: str  # shown to users
    entry: str  # "module:function", called with an Output, returns the file's bytes
    default: bool = True  # written by render and build unless formats are chosen
    needs: tuple[str, ...] = ()  # formats written before this one (their bytes in Output.files)

    def write(self, out: Output) -> bytes:
        module, _, name = self.entry.partition(":")
        fn: Callable[[Output], bytes] = getattr(importlib.import_module(module), name)
        return fn(out)


WRITERS: tuple[Writer, ...] = (
    Writer("pdf", "PDF", "gongwen.writers.pdf:write_output"),
    Writer("docx", "DOCX", "gongwen.writers.docx:write_output", needs=("pdf",)),
    Writer("ofd", "OFD", "gongwen.writers.ofd:write_output", default=False, needs=("pdf",)),
)


def by_ext() -> dict[str, Writer]:
    return {w.ext: w for w in WRITERS}


def default_formats() -> tuple[str, ...]:
    return tuple(w.ext for w in WRITERS if w.default)


def all_formats() -> tuple[str, ...]:
    return tuple(w.ext for w in WRITERS)


def parse_formats(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """'docx,pdf,ofd' (or a list) -> the formats in registry order; None: the defaults.
    An unknown name is a UserError listing the known ones."""
    if text is None:
        return default_formats()
    names = [t.strip().lower().lstrip(".") for t in (text.replace("，", ",").split(",") if isinstance(text, str) else text)]
    names = [n for n in names if n]
    known = by_ext()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UserError(f"不认识的输出格式：{'、'.join(unknown)}（可选：{'、'.join(known)}）")
    if not names:
        raise UserError(f"没有指定输出格式（可选：{'、'.join(known)}）")
    return tuple(w.ext for w in WRITERS if w.ext in names)


def plan(formats: Iterable[str]) -> list[Writer]:
    """The writers to run for `formats`, with what they need, in registry order."""
    known = by_ext()
    wanted: set[str] = set()

    def want(ext: str) -> None:
        if ext not in wanted:
            wanted.add(ext)
            for need in known[ext].needs:
                want(need)

    for ext in formats:
        want(ext)
    return [w for w in WRITERS if w.ext in wanted]


def write(notice: Notice, formats: Iterable[str], base_url: str | None = None,
          given: Output | None = None) -> Output:
    """Run the writers for `formats` (and what they need). `given`: an Output
    some formats were already made for (a Word template's DOCX and its PDF
    from LibreOffice); those are not written again. Returns the Output with
    only the asked-for formats in `files`."""
    formats = tuple(formats)
    out = given or Output(notice, base_url)
    for w in plan(formats):
        if w.ext in out.files:
            continue
        if any(out.files.get(n) is None for n in w.needs):
            continue  # e.g. no PDF without LibreOffice for a Word template: nothing to draw from
        out.files[w.ext] = w.write(out)
    out.files = {ext: out.files[ext] for ext in all_formats() if ext in formats and ext in out.files}
    return out
