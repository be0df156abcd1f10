"""LibreOffice as a client: lay a DOCX out into a PDF (to measure it as a
reader sees it) and turn a .doc into a .docx."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from gongwen.errors import UserError

TIMEOUT = 300  # seconds for one conversion (the first start of a fresh profile is slow)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: Path, to: str, out_dir: Path) -> Path:
    """src converted by LibreOffice into out_dir (to: "pdf", "docx")."""
    exe = soffice()
    if exe is None:
        raise UserError("本机没有安装 LibreOffice（soffice），无法转换。请安装 LibreOffice，或在 Word/WPS 里另存为 .docx 后再试。")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gongwen-lo-") as tmp:
        profile = Path(tmp) / "profile"
        target = {"docx": "docx:MS Word 2007 XML"}.get(to, to)
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(out_dir), str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise UserError(f"LibreOffice 转换 {src.name} 超过 {TIMEOUT} 秒仍未完成，已中止") from None
    out = out_dir / (src.stem + "." + to)
    if proc.returncode != 0 or not out.is_file():
        detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
        raise UserError(f"LibreOffice 没能转换 {src.name}（{detail or '没有输出'}）")
    return out


def convert_many(srcs: list[Path], to: str, out_dir: Path) -> dict[Path, Path]:
    """Many files converted in one LibreOffice run (it starts once): source -> result.
    Each source is copied under a numbered name first, so equal names do not clash.
    A file LibreOffice could not convert is left out of the result."""
    exe = soffice()
    if exe is None or not srcs:
        return {}
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gongwen-lo-") as tmp:
        copies = {}
        for n, src in enumerate(srcs):
            copy = Path(tmp) / f"{n:05d}{src.suffix.lower()}"
            shutil.copyfile(src, copy)
            copies[src] = copy
        profile = Path(tmp) / "profile"
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", to, "--outdir", str(out_dir), *map(str, copies.values())]
        try:
            subprocess.run(cmd, capture_output=True, timeout=TIMEOUT + 20 * len(srcs), env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            return {}
    done = {}
    for src, copy in copies.items():
        out = out_dir / (copy.stem + "." + to)
        if out.is_file():
            done[src] = out
    return done


def doc_to_docx(src: Path, out_dir: Path) -> Path:
    return convert(src, "docx", out_dir)
