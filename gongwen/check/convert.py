"""LibreOffice as a client: lay a DOCX out into a PDF (to measure it as a
reader sees it) and turn a .doc into a .docx."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from gongwen.errors import UserError

TIMEOUT = 180


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


def doc_to_docx(src: Path, out_dir: Path) -> Path:
    return convert(src, "docx", out_dir)
