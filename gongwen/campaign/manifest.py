"""manifest.json: every file a build writes, with its SHA-256 and the inputs it
was made from. Files are added as bytes before anything is written, so the
document builders can add their DOCX/PDF the same way."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_FILE = "manifest.json"
REGISTER_NOTE = ".gongwen-register"  # beside manifest.json: where the register of the folder's numbered documents is


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Manifest:
    campaign: str = ""
    folder: str = ""  # the subfolder of the output folder manifest.json goes in (annual/); its paths are relative to it
    inputs: dict[str, str] = field(default_factory=dict)  # shown path -> sha256
    files: dict[str, dict] = field(default_factory=dict)  # path under out dir -> entry

    def add_input(self, shown: str, path: Path) -> str:
        self.inputs[shown] = sha256(Path(path).read_bytes())
        return shown

    def add(self, relpath: str, data: bytes, inputs: list[str], **info) -> None:
        """A file about to be written at out_dir/relpath; `info` e.g. kind="得分明细", period="2023-06"."""
        self.files[relpath] = {"sha256": sha256(data), "bytes": len(data), "inputs": sorted(inputs), **info}

    def to_bytes(self) -> bytes:
        doc = {
            "campaign": self.campaign,
            "inputs": [{"path": k, "sha256": v} for k, v in sorted(self.inputs.items())],
            "files": [{"path": self.relative(k), **v} for k, v in sorted(self.files.items())],
        }
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def relative(self, relpath: str) -> str:
        """A path under the output folder as manifest.json writes it: relative to `folder`."""
        prefix = self.folder.rstrip("/") + "/" if self.folder else ""
        return relpath[len(prefix):] if prefix and relpath.startswith(prefix) else relpath
