"""Re-hash an output folder against its manifest.json: every file missing,
changed or extra is named."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from gongwen.campaign.manifest import MANIFEST_FILE, sha256
from gongwen.errors import UserError

# Files a build keeps beside its outputs that the manifest does not list.
OWN_FILES = {MANIFEST_FILE, ".gongwen.lock"}


@dataclass
class Report:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.changed or self.extra)


def verify(folder: Path) -> Report:
    """Every file of the manifest re-hashed, every other file named. A
    subfolder with a manifest.json of its own (annual/ written by `annual`)
    is checked against that one."""
    folder = Path(folder)
    path = folder / MANIFEST_FILE
    if not path.is_file():
        raise UserError(f"{folder} 里没有 {MANIFEST_FILE}，无法核对。请指定 build 的输出文件夹。")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        entries = {e["path"]: e["sha256"] for e in manifest["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path} 已损坏，无法读取（{exc}）") from None
    report = Report()
    for rel, digest in sorted(entries.items()):
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
        inner = verify(sub)
        report.checked += inner.checked
        report.missing += [prefix + p for p in inner.missing]
        report.changed += [prefix + p for p in inner.changed if prefix + p not in report.changed]
        report.extra += [prefix + p for p in inner.extra if prefix + p not in entries]
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            rel = p.relative_to(folder).as_posix()
            if any(p.is_relative_to(sub) for sub in nested):
                continue
            if rel not in entries and rel not in OWN_FILES and not p.name.endswith((".tmp", ".part")):
                report.extra.append(rel)
    return report
