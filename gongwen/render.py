"""Typeset one notice source to DOCX and PDF: the PDF layout decides where
the 版记 goes, the DOCX follows it so both outputs agree."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gongwen.notice.tree import Notice


@dataclass
class Rendered:
    docx: Path
    pdf: Path
    pages: int


def atomic_path(target: Path) -> Path:
    """A temporary file beside `target`, to be renamed into place when complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".gw-", suffix=target.suffix + ".part", dir=target.parent)
    os.close(fd)
    return Path(tmp)


def render_notice(notice: Notice, out_dir: Path, base_url: str | None = None) -> Rendered:
    from gongwen.writers.docx import write_docx
    from gongwen.writers.pdf import write_pdf

    out_dir = Path(out_dir)
    pdf_path = out_dir / f"{notice.name}.pdf"
    docx_path = out_dir / f"{notice.name}.docx"
    tmp_pdf, tmp_docx = atomic_path(pdf_path), atomic_path(docx_path)
    try:
        result = write_pdf(notice, tmp_pdf, base_url=base_url)
        write_docx(notice, tmp_docx, banji_own_page=result.banji_own_page)
        os.replace(tmp_pdf, pdf_path)
        os.replace(tmp_docx, docx_path)
    finally:
        for tmp in (tmp_pdf, tmp_docx):
            if tmp.exists():
                tmp.unlink()
    return Rendered(docx_path, pdf_path, result.pages)


@dataclass
class Typeset:
    docx: bytes
    pdf: bytes
    pages: int


def typeset(notice: Notice, base_url: str | None = None) -> Typeset:
    """Both outputs as bytes (the build writes them all at the end, atomically)."""
    from gongwen.writers.docx import docx_bytes
    from gongwen.writers.pdf import pdf_bytes

    pdf, result = pdf_bytes(notice, base_url=base_url)
    return Typeset(docx_bytes(notice, banji_own_page=result.banji_own_page), pdf, result.pages)
