"""The writer registry: every registered writer runs on every example and
fixture, each file is read back by a client of its format, and formats are
chosen by name (an unknown one is a plain error)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pikepdf
import pytest
from docx import Document

from gongwen import INPUTS_DIR
from gongwen.build.notices import typeset
from gongwen.errors import UserError
from gongwen.notice.source import read_source
from gongwen.writers import registry

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((INPUTS_DIR / "examples").glob("*.txt")) + sorted((ROOT / "tests/fixtures/notices").glob("*.txt"))


def read_back(ext: str, data: bytes) -> int:
    """Open the file with a client of its format; its page count where it has one."""
    if ext == "pdf":
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    if ext == "docx":
        assert Document(io.BytesIO(data)).paragraphs
        return 0
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # any other format is a package (OFD)
        assert z.testzip() is None
        return 0


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_every_writer_runs_on_every_example(source):
    notice = read_source(source)
    t = typeset(notice, base_url=str(source.parent), formats=registry.all_formats())
    assert list(t.files) == list(registry.all_formats())
    for ext, data in t.files.items():
        pages = read_back(ext, data)
        if ext == "pdf":
            assert pages == t.pages > 0


def test_formats_by_name_and_in_registry_order():
    assert registry.parse_formats("docx,pdf") == ("pdf", "docx")
    assert registry.parse_formats(" PDF ") == ("pdf",)
    assert registry.parse_formats(None) == registry.default_formats()
    with pytest.raises(UserError) as err:
        registry.parse_formats("pdf,rtf")
    assert "不认识的输出格式：rtf" in str(err.value)


def test_a_writer_gets_what_it_needs_first_and_only_asked_formats_come_back():
    notice = read_source(ROOT / "tests/fixtures/notices/minutes.txt")
    docx_only = typeset(notice, formats=("docx",))
    assert list(docx_only.files) == ["docx"]
    assert docx_only.pages > 0  # the PDF's pagination ran first: the DOCX follows it
    both = typeset(notice)
    assert docx_only.files["docx"] == both.files["docx"]


def test_the_registry_has_one_entry_per_format():
    exts = [w.ext for w in registry.WRITERS]
    assert len(exts) == len(set(exts))
    for w in registry.WRITERS:
        assert all(n in exts[:exts.index(w.ext)] for n in w.needs), f"{w.ext} needs a format registered after it"
