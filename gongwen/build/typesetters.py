"""Typesetting many documents on every core: a process pool whose workers load
the fonts, the PDF stylesheet and the DOCX styles once, take the documents in
chunks and send back bytes. The bytes are the same as the single-process path
gives (tests/test_parallel_build.py); results come back in the documents' order.

Memory: a worker gets only what typesetting needs of a document (Job: the
notice tree, no campaign data), so it never imports pandas and the rest of
intake; after loading the fonts it collects the garbage that leaves behind and
hands the memory back to the system. The few heavy documents (a 1,000-unit
通报, 活动总结 or 年终考评 of 50 to 100 pages with long tables, each taking
100-250 MB while WeasyPrint lays it out) go first, one after another to the
same worker, biggest first, so two of them are never laid out at the same
time. Workers do not grow over hundreds of small documents, so they are not
restarted."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import statistics
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from gongwen.errors import UserError

if TYPE_CHECKING:  # not imported here: a worker must not import the campaign modules (pandas)
    from gongwen.documents.common import Doc
    from gongwen.notice.tree import Notice


class Result(NamedTuple):
    """A typeset document: extension -> bytes (None where a format could not
    be made: a Word template's PDF without LibreOffice), and its pages."""

    files: dict[str, bytes | None]
    pages: int

MAX_CHUNK = 8  # documents per task: few enough that both cores stay busy to the end
# A document's weight, in characters of text: what any document costs (one
# page, its fonts subset, the DOCX package) plus its text, a table row and a
# table cell more (measured: a cell, laid out, bordered and drawn on its own,
# costs what some 25 characters of running text do).
FIXED_WEIGHT = 600
ROW_WEIGHT = 10
CELL_WEIGHT = 25
HEAVY = 8  # a document weighing this many times the median one is heavy
ALONE = 2  # a light document weighing this many times the median one is a chunk of its own


class Job(NamedTuple):
    """What typesetting needs of a Doc (the template context only for a Word template)."""

    rel: str
    notice: Notice
    base_url: str | None
    word_template: str | None
    context: dict | None
    formats: tuple[str, ...]

    @classmethod
    def of(cls, doc: Doc, formats: tuple[str, ...] | None = None) -> Job:
        from gongwen.writers.registry import default_formats

        return cls(doc.rel, doc.notice, doc.base_url, doc.word_template, doc.context if doc.word_template else None,
                   tuple(formats or default_formats()))


def typeset_doc(doc: Doc | Job, campaign_folder: Path | None = None,
                formats: tuple[str, ...] | None = None) -> Result:
    """The document in every chosen format (a Job carries its own; a Doc gets
    `formats`, default the registry's defaults). A document with a Word
    template is filled into it instead (docxtpl), its PDF comes from
    LibreOffice (None without it), and any other format is drawn from those."""
    from gongwen.writers import registry

    formats = getattr(doc, "formats", None) or tuple(formats or registry.default_formats())
    given = None
    if doc.word_template:
        import sys

        from gongwen.documents import wordtpl

        docx, pdf, pages = wordtpl.typeset(doc, campaign_folder)
        if pdf is None:
            print(f"未安装 LibreOffice，{doc.rel}.docx 只生成了 DOCX（按 Word 模板 {doc.word_template} 填写），没有 PDF",
                  file=sys.stderr)
        given = registry.Output(doc.notice, doc.base_url, {"docx": docx, "pdf": pdf}, pages)
    out = registry.write(doc.notice, formats, doc.base_url, given=given)
    return Result(out.files, out.pages)


def default_jobs() -> int:
    return os.cpu_count() or 1


WARM_SOURCE = "---\n标题: 预热\n---\n一、预热\n\n正文文字，数字123。\n\n::: 表格\n甲|乙\n1|2\n:::\n"


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
    # Pango loads each font on the first layout that uses it: a small notice in
    # every role (title, heading, body, table, page number) pays for that here.
    from gongwen.build.notices import typeset
    from gongwen.notice.source import notice_from_source

    typeset(notice_from_source(WARM_SOURCE, None, "预热"))
    _trim(collect=True)  # reading the fonts leaves ~100 MB of cyclic garbage behind
    # What is loaded now stays for the process: the cyclic garbage collector,
    # which runs hundreds of times per document, no longer walks it (3% of a
    # 得分反馈单's instructions under callgrind).
    gc.freeze()


WORKER_NICE = 5  # workers yield the CPU to the main process while both have work


def _start_worker() -> None:
    """A worker's start: a lower priority than the main process, which is
    still reading the reports and filling templates while workers load (and
    should report a mistake in a report at once), then warm()."""
    try:
        os.nice(WORKER_NICE)
    except (OSError, AttributeError):  # pragma: no cover - not allowed here, or no nice (Windows)
        pass
    try:
        signal.signal(signal.SIGTERM, _terminated)
    except (ValueError, AttributeError):  # pragma: no cover - not the main thread, or no SIGTERM
        pass
    warm()  # style.font_config lets go of the fonts at the worker's exit (release_font_config)


def _terminated(signum, _frame) -> None:
    """A worker stopped (Typesetters.__exit__ on an error, a helper not needed
    after all): its fonts' temporary folder removed, then gone at once."""
    style = sys.modules.get("gongwen.writers.pdf.style")
    if style is not None:
        style.release_font_config()
    os._exit(128 + signum)


def _trim(collect: bool) -> None:
    """Hand memory freed by the last documents back to the system (glibc keeps
    it otherwise, and a worker would stay at its largest document's size)."""
    if collect:
        gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _typeset_chunk(chunk: list[tuple[int, Job]], folder: Path | None,
                   heavy: bool = False) -> list[tuple[int, Result | tuple]]:
    out = []
    for i, doc in chunk:
        try:
            out.append((i, typeset_doc(doc, folder)))
        except UserError as exc:  # its problems would not survive pickling as an exception
            out.append((i, ("UserError", exc.message, exc.problems)))
        if heavy:
            _trim(collect=True)
    if not heavy:
        _trim(collect=False)
    return out


def weight(doc: Doc) -> int:
    """How much typesetting a document needs, from its text (no layout)."""
    from gongwen.notice.tree import Paragraph, Table

    total = FIXED_WEIGHT
    blocks = list(doc.notice.body)
    for a in doc.notice.attachments:
        blocks.extend(a.body)
    for b in blocks:
        if isinstance(b, Paragraph):
            total += len(b.text)
        elif isinstance(b, Table):
            rows = b.header + b.rows
            total += ROW_WEIGHT * len(rows) + sum(CELL_WEIGHT + len(cell) for row in rows for cell in row)
    return total


def _chunks(docs: list[Doc], jobs: int,
            formats: tuple[str, ...] | None = None) -> list[tuple[list[tuple[int, Job]], bool]]:
    """(chunk, heavy) in the order to submit them: heavy documents first, all in
    one chunk biggest first if together they are no more than one worker's
    share (else one chunk each); then the rest, the bigger ones (ALONE times the
    median) each alone, biggest first, then the others in chunks in order, so
    no worker is left with a big document while the other has nothing to do."""
    weights = [weight(d) for d in docs]
    median = statistics.median(weights)
    heavy = sorted((i for i, w in enumerate(weights) if w >= HEAVY * median), key=lambda i: (-weights[i], i))
    chosen = set(heavy)
    big = sorted((i for i, w in enumerate(weights) if ALONE * median <= w < HEAVY * median),
                 key=lambda i: (-weights[i], i))
    chosen.update(big)
    light = [(i, Job.of(d, formats)) for i, d in enumerate(docs) if i not in chosen]
    size = max(1, min(MAX_CHUNK, (len(light) + len(big)) // (jobs * 4)))
    chunks = [([(i, Job.of(docs[i], formats))], False) for i in big]
    chunks += [(light[i:i + size], False) for i in range(0, len(light), size)]
    if not heavy:
        return chunks
    if sum(weights[i] for i in heavy) <= sum(weights) / jobs:
        first = [([(i, Job.of(docs[i], formats)) for i in heavy], True)]
    else:
        first = [([(i, Job.of(docs[i], formats))], True) for i in heavy]
    return first + chunks


class Typesetters:
    """The worker processes, started before the documents exist: they load
    fonts and stylesheets (warm) while this process reads the reports and
    fills the templates. Use as a context manager; leaving it on an error
    stops workers still loading instead of waiting for them, so a mistake in
    a report is shown at once."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        ctx = multiprocessing.get_context("spawn")  # no fork of a process holding Pango/GLib state or threads
        executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx, initializer=_start_worker)
        for _ in range(self.jobs):  # a worker is spawned per task waiting while none is idle: all start now
            executor.submit(os.getpid)
        return executor

    def pids(self) -> list[int]:
        """The workers' process ids (each answers once it is warm)."""
        return sorted({f.result() for f in [self.executor.submit(os.getpid) for _ in range(self.jobs * 4)]})

    def processes(self) -> list:
        """The worker processes started so far (multiprocessing.Process)."""
        return list((getattr(self.executor, "_processes", None) or {}).values())  # None once shut down

    def memory_mb(self) -> float:
        """What the workers hold now, summed (Pss, MB; 0 where /proc is missing)."""
        from gongwen.procmem import usage_kb

        used = [usage_kb(p.pid) for p in self.processes()]
        return sum(u[0] for u in used if u) / 1024

    def reset(self) -> None:
        """Let go of everything kept between builds: this process's caches
        (gongwen.caches) and the workers, started afresh (and warm again) with
        empty caches. For an owner that keeps the workers across builds (a
        server) after styles, fonts or templates change on disk, or to hand
        memory back."""
        from gongwen import caches

        caches.clear()
        self.executor.shutdown(wait=True)
        self.executor = self._start()

    def __enter__(self) -> Typesetters:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            for process in self.processes():
                process.terminate()
        self.executor.shutdown(wait=True, cancel_futures=kind is not None)


def typeset_all(docs: list[Doc], folder: Path | None, jobs: int,
                done: Callable[[Doc], None] | None = None,
                keep: Callable[[Doc, Result], object] | None = None,
                typesetters: Typesetters | None = None,
                formats: tuple[str, ...] | None = None) -> Iterator[tuple[Doc, Result]]:
    """(doc, result) in the order of `docs`; `done(doc)` as each document is
    finished, in whatever order the workers finish them. `keep(doc, result)`,
    if given, runs as each result arrives and what it returns is held and
    yielded instead (e.g. the bytes staged to disk while earlier documents are
    still being typeset). The workers are `typesetters`' if given (started
    earlier), else `jobs` started here."""
    if not docs:
        return
    if typesetters is None:
        with Typesetters(min(jobs, len(docs))) as own:
            yield from _typeset_on(own.executor, docs, folder, jobs, done, keep, formats)
    else:
        yield from _typeset_on(typesetters.executor, docs, folder, typesetters.jobs, done, keep, formats)


def _typeset_on(executor: ProcessPoolExecutor, docs: list[Doc], folder: Path | None, jobs: int,
                done: Callable[[Doc], None] | None,
                keep: Callable[[Doc, Result], object] | None,
                formats: tuple[str, ...] | None = None) -> Iterator[tuple[Doc, Result]]:
    ready: dict[int, object] = {}
    following = 0
    # submitted in this order, so the heavy documents are started first
    pending = {executor.submit(_typeset_chunk, chunk, folder, heavy) for chunk, heavy in _chunks(docs, jobs, formats)}
    try:
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                for i, result in future.result():
                    if not isinstance(result, Result) and result and result[0] == "UserError":
                        raise UserError(result[1], result[2])
                    ready[i] = result if keep is None else keep(docs[i], result)
                    if done:
                        done(docs[i])
            while following in ready:
                yield docs[following], ready.pop(following)
                following += 1
    except BaseException:
        for future in pending:
            future.cancel()
        raise


def stop_helper(helper: Typesetters) -> None:
    """A helper (Typesetters(1)) let go of: stopped at once if it is still
    starting or busy (SIGTERM: its temporary font folder removed, _terminated),
    else shut down as usual. Never waits for a worker to warm up."""
    ready = getattr(helper, "ready", None)
    if ready is not None and ready.done() and not helper.executor._pending_work_items:
        helper.executor.shutdown(wait=True)
        return
    for process in helper.processes():
        process.terminate()
    helper.executor.shutdown(wait=True, cancel_futures=True)


def start_helper() -> Typesetters:
    """One worker started now, warming while this process goes on (its .ready
    answers once it is warm), for typeset_with_helper; stop_helper lets go of it."""
    helper = Typesetters(1)
    helper.ready = helper.executor.submit(os.getpid)
    return helper


def typeset_with_helper(docs: list[Doc], folder: Path | None, formats: tuple[str, ...] | None,
                        keep: Callable[[Doc, Result], object], done: Callable[[Doc], None] | None = None,
                        helper: Typesetters | None = None) -> tuple[list[tuple[Doc, object]], int]:
    """The few documents of a rebuild, typeset by this process and one helper
    worker (`helper` from start_helper, started early by the caller, else
    now). This process takes the biggest document left, one after another,
    from the start; the helper, once warm (some 0.9 s after it starts), takes
    the biggest one left each time it is idle. This process never waits for
    the helper to start: when no document is left for it, it is stopped (its
    documents are waited for). Returns ([(doc, keep(doc, result))] in the
    documents' order, how many the helper typeset); the bytes are the same
    whichever process makes them."""
    order = deque(sorted(range(len(docs)), key=lambda i: (-weight(docs[i]), i)))
    lock = threading.Lock()
    taken: dict[int, object] = {}  # index -> the helper's future
    helper = helper or start_helper()
    executor = helper.executor

    def feed(_future=None) -> None:  # in the executor's thread: the helper is idle
        with lock:
            if not order:
                return
            i = order.popleft()
            try:
                future = executor.submit(_typeset_chunk, [(i, Job.of(docs[i], formats))], folder)
            except RuntimeError:  # broken or shut down: this process does it
                order.appendleft(i)
                return
            taken[i] = future
        future.add_done_callback(feed)

    results: dict[int, object] = {}

    def collect(wait_all: bool) -> None:
        with lock:
            mine = list(taken.items())
        for i, future in mine:
            if i in results or not (wait_all or future.done()):
                continue
            try:
                [(_, result)] = future.result()
            except Exception:  # noqa: BLE001 - the helper died (killed, out of memory): this process does it
                result = typeset_doc(docs[i], folder, formats)
            if not isinstance(result, Result):
                raise UserError(result[1], result[2])
            results[i] = keep(docs[i], result)
            if done:
                done(docs[i])

    helper.ready.add_done_callback(feed)  # once warm, it asks for a document
    try:
        while True:
            with lock:
                if not order:
                    break
                i = order.popleft()
            results[i] = keep(docs[i], typeset_doc(docs[i], folder, formats))
            if done:
                done(docs[i])
            collect(wait_all=False)
        collect(wait_all=True)
    finally:
        with lock:
            order.clear()  # nothing more for the helper
            used = len(taken)
        stop_helper(helper)
    return [(docs[i], results[i]) for i in range(len(docs))], used
