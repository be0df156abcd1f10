"""Typesetting one notice into every chosen format, and `render`: notice
sources to files. The writers and their order come from the registry
(gongwen.writers.registry); the PDF's pagination decides where the 版记 goes
and the formats after it follow."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gongwen.build.progress import Progress, report
from gongwen.errors import UserError
from gongwen.notice.tree import Notice
from gongwen.writers import registry


@dataclass
class Typeset:
    """A notice in every chosen format: extension -> bytes (None where a
    format could not be made: a Word template's PDF without LibreOffice)."""

    files: dict[str, bytes | None]
    pages: int

    @property
    def docx(self) -> bytes | None:
        return self.files.get("docx")

    @property
    def pdf(self) -> bytes | None:
        return self.files.get("pdf")


def typeset(notice: Notice, base_url: str | None = None, formats: Iterable[str] | None = None) -> Typeset:
    """The notice in `formats` (default: the registry's defaults), as bytes."""
    out = registry.write(notice, formats or registry.default_formats(), base_url)
    return Typeset(out.files, out.pages)


@dataclass
class Rendered:
    """One source rendered: where it came from and the files written."""

    source: Path
    files: dict[str, Path]  # extension -> written file
    pages: int


@dataclass
class RenderResult:
    out: Path
    formats: tuple[str, ...]
    rendered: list[Rendered] = field(default_factory=list)

    @property
    def written(self) -> list[Path]:
        return [p for r in self.rendered for p in r.files.values()]


DRAFT_SUFFIXES = (".docx", ".doc")  # documents typed in Word/WPS: imported first (一键排版)


def find_sources(paths: Iterable[Path]) -> list[Path]:
    """The files given (.txt sources, or .docx/.doc drafts), or the .txt in the folders given."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(p.glob("*.txt")))
        else:
            found.append(p)
    if not found:
        raise UserError("没有找到公文源文件（.txt）。请给出文件，或包含 .txt 文件的文件夹。")
    return found


def render_notice(notice: Notice, out_dir: Path, base_url: str | None = None,
                  formats: Iterable[str] | None = None) -> tuple[dict[str, Path], int]:
    """One notice typeset and written as out_dir/<name>.<ext> for each format."""
    t = typeset(notice, base_url, formats)
    files = {ext: Path(out_dir) / f"{notice.name}.{ext}" for ext, data in t.files.items() if data is not None}
    _write({files[ext]: t.files[ext] for ext in files})
    return files, t.pages


def _write(files: dict[Path, bytes]) -> None:
    """All or nothing (the build's write_all), imported here and not at the
    top: typesetting workers import this module and never the campaign modules."""
    from gongwen.campaign.xlsxio import write_all

    write_all(files)


def _read_draft(path: Path, out: Path, formats: Iterable[str]) -> Notice:
    """A Word draft imported into a notice (gongwen.importer); the imported
    source is written beside the output as <name>.txt for staff to check. An
    output that would overwrite the draft itself is named <name>-排版."""
    from gongwen.importer import import_notice

    notice, result = import_notice(path)
    if any((Path(out) / f"{notice.name}.{ext}").resolve() == Path(path).resolve() for ext in formats):
        notice.name = f"{notice.name}-排版"
    _write({Path(out) / f"{notice.name}.txt": result.source.encode("utf-8")})
    return notice


def render(sources: Iterable[Path], out: Path, formats: Iterable[str] | None = None,
           progress: Progress | None = None) -> RenderResult:
    """Notice sources (files, or folders of .txt) -> files in `out`. Every
    source is read before anything is typeset: a bad file stops the run before
    any output."""
    from gongwen.notice.source import read_source

    files = find_sources(sources)
    formats = tuple(formats or registry.default_formats())
    report(progress, "读取源文件", 0, len(files))
    notices = [_read_draft(f, out, formats) if f.suffix.lower() in DRAFT_SUFFIXES else read_source(f) for f in files]
    result = RenderResult(Path(out), formats)
    for i, (f, notice) in enumerate(zip(files, notices)):
        report(progress, f"排版 {f.name}", i, len(files))
        written, pages = render_notice(notice, out, base_url=str(f.parent), formats=formats)
        result.rendered.append(Rendered(f, written, pages))
    report(progress, "排版完成", len(files), len(files))
    return result
