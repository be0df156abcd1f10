"""Re-hash an output folder against its manifest.json: every file missing,
changed or extra is named. A manifest cannot send verify outside the folder:
an absolute path, a ../ path or one reaching out through a link is listed as
refused and never opened. Every file the manifest does not list is extra,
leftover temporaries (*.tmp, *.part) included.

Numbered documents against the 发文登记 (the register) are checked through
`verify(folder, numbered=…)`: a callable given the folder and the manifest,
returning lines of problems. The register provides it
(gongwen.archive.register.issued_check; find_register reads which register
from the note a build leaves in the folder); the `verify` command wires them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from gongwen.campaign.manifest import MANIFEST_FILE, REGISTER_NOTE, sha256
from gongwen.errors import UserError, excerpt

# Files a build keeps beside its outputs that the manifest does not list.
OWN_FILES = {MANIFEST_FILE, ".gongwen.lock", REGISTER_NOTE}


@dataclass
class Report:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # manifest paths outside the folder, never opened
    numbered: list[str] = field(default_factory=list)  # problems the register check found

    @property
    def ok(self) -> bool:
        return not (self.missing or self.changed or self.extra or self.refused or self.numbered)


def inside(folder: Path, rel: object) -> bool:
    """Whether a manifest path names a file inside folder: relative, no .. part,
    no drive, and not reaching out through a link."""
    if not isinstance(rel, str) or not rel or "\x00" in rel:
        return False
    if PurePosixPath(rel).is_absolute() or PureWindowsPath(rel).is_absolute() or PureWindowsPath(rel).drive:
        return False
    if ".." in PurePosixPath(rel.replace("\\", "/")).parts:
        return False
    try:
        return (folder / rel).resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError, RuntimeError):
        return False


def verify(folder: Path, numbered: Callable[[Path, dict], list[str]] | None = None) -> Report:
    """Every file of the manifest re-hashed, every other file named. A
    subfolder with a manifest.json of its own (annual/ written by `annual`)
    is checked against that one. `numbered`: the register's check of the
    numbered documents (see the module's note)."""
    folder = Path(folder)
    path = folder / MANIFEST_FILE
    if not path.is_file():
        inner = sorted(p.parent.name for p in Path(folder).glob(f"*/{MANIFEST_FILE}"))
        hint = (f"它下面的 {'、'.join(inner)} 里有，请核对那里（如 {Path(folder) / inner[0]}）。" if inner
                else "请指定 build 或 annual 的输出文件夹。")
        raise UserError(f"{folder} 里没有 {MANIFEST_FILE}，无法核对。{hint}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        entries = {e["path"]: e["sha256"] for e in manifest["files"]}
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise UserError(f"{path} 已损坏，无法读取（{excerpt(type(exc).__name__)}）") from None
    report = Report()
    for rel, digest in sorted(entries.items(), key=lambda kv: str(kv[0])):
        if not inside(folder, rel):
            report.refused.append(excerpt(str(rel), 200))
            continue
        target = folder / rel
        report.checked += 1
        if not target.is_file():
            report.missing.append(rel)
        elif sha256(target.read_bytes()) != digest:
            report.changed.append(rel)
    nested = sorted(p.parent for p in folder.rglob(MANIFEST_FILE) if p.parent != folder)
    nested = [n for n in nested if not any(n.is_relative_to(o) and n != o for o in nested)]
    for sub in nested:
        prefix = sub.relative_to(folder).as_posix() + "/"
        inner = verify(sub, numbered)
        report.checked += inner.checked
        report.missing += [prefix + p for p in inner.missing]
        report.changed += [prefix + p for p in inner.changed if prefix + p not in report.changed]
        report.extra += [prefix + p for p in inner.extra if prefix + p not in entries]
        report.refused += [prefix + p for p in inner.refused]
        report.numbered += inner.numbered
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            rel = p.relative_to(folder).as_posix()
            if any(p.is_relative_to(sub) for sub in nested):
                continue
            if rel not in entries and rel not in OWN_FILES:
                report.extra.append(rel)
    if numbered is not None:
        report.numbered += numbered(folder, manifest)
    return report
