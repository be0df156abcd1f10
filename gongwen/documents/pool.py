"""Typesetting many documents on every core: a process pool whose workers load
the fonts, the PDF stylesheet and the DOCX styles once, take the documents in
chunks and send back bytes. The bytes are the same as the single-process path
gives (tests/test_parallel_build.py); results come back in the documents' order."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from gongwen.documents.common import Doc
from gongwen.errors import UserError

Result = tuple[bytes, bytes | None, int]  # DOCX, PDF (None without LibreOffice for a Word template), pages
MAX_CHUNK = 8  # documents per task: few enough that both cores stay busy to the end


def default_jobs() -> int:
    return os.cpu_count() or 1


def warm() -> None:
    """Load what every document needs once per process: fonts and their widths,
    the parsed stylesheets, the DOCX metrics, WeasyPrint's first layout."""
    from gongwen.notice import fonts
    from gongwen.writers.docx.styles import metrics
    from gongwen.notice.metrics import role_widths
    from gongwen.writers.pdf.style import font_config, stylesheet

    font_config()
    for letter in (False, True):
        stylesheet(letter)
    for role in fonts.roles():
        role_widths(role)
    metrics()


def _typeset_chunk(chunk: list[tuple[int, Doc]], folder: Path | None) -> list[tuple[int, Result | UserError]]:
    from gongwen.documents.build import typeset_doc

    out = []
    for i, doc in chunk:
        try:
            out.append((i, typeset_doc(doc, folder)))
        except UserError as exc:  # its problems would not survive pickling as an exception
            out.append((i, ("UserError", exc.message, exc.problems)))
    return out


def _chunks(docs: list[Doc], jobs: int) -> list[list[tuple[int, Doc]]]:
    size = max(1, min(MAX_CHUNK, len(docs) // (jobs * 4)))
    indexed = list(enumerate(docs))
    return [indexed[i:i + size] for i in range(0, len(indexed), size)]


def typeset_all(docs: list[Doc], folder: Path | None, jobs: int,
                done: Callable[[Doc], None] | None = None) -> Iterator[tuple[Doc, Result]]:
    """(doc, result) in the order of `docs`; `done(doc)` as each document is
    finished, in whatever order the workers finish them."""
    if not docs:
        return
    ctx = multiprocessing.get_context("spawn")  # no fork of a process holding Pango/GLib state or threads
    ready: dict[int, Result] = {}
    following = 0
    with ProcessPoolExecutor(max_workers=min(jobs, len(docs)), mp_context=ctx, initializer=warm) as pool:
        pending = {pool.submit(_typeset_chunk, chunk, folder) for chunk in _chunks(docs, jobs)}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    for i, result in future.result():
                        if isinstance(result, tuple) and result and result[0] == "UserError":
                            raise UserError(result[1], result[2])
                        ready[i] = result
                        if done:
                            done(docs[i])
                while following in ready:
                    yield docs[following], ready.pop(following)
                    following += 1
        except BaseException:
            for future in pending:
                future.cancel()
            raise
