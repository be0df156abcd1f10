"""Builds queued and run one at a time, with their progress for the page.

The one interface the page uses is BuildQueue.submit(campaign, mode) and
BuildQueue.get(id); the work itself is run_build(). Here a single thread
runs the queue in this process, with one set of typesetting processes kept
warm between builds (gongwen.build.typesetters.Typesetters) -- so one build
per campaign at a time, and builds of other campaigns wait their turn (two
cores could not typeset two builds faster anyway). docs/网页.md says how the
same run_build() would run on a job queue (RQ or Celery on Redis).

A build's record is kept in memory while it runs and written to
outputs/.web/builds/<id>.json when it ends, so its documents stay reachable after
a restart. A build that fails, or a server killed mid-build, leaves the
campaign's inputs and earlier outputs as they were: build_campaign writes all
or nothing."""

from __future__ import annotations

import json
import logging
import queue
import secrets
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gongwen.errors import UserError
from gongwen.web.settings import Settings

log = logging.getLogger("gongwen.web")
MODES = ("build", "issue", "reissue", "notice")
ID_CHARS = set("0123456789abcdef")


@dataclass
class Build:
    id: str
    campaign: str
    mode: str = "build"
    state: str = "queued"  # queued | running | done | failed
    stage: str = ""
    done: int = 0
    total: int = 0
    files: list[str] = field(default_factory=list)  # relative to out
    documents: list[dict] = field(default_factory=list)  # rel, kind, period, pages, formats
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    message: str = ""
    out: str = ""
    queued_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    params: dict = field(default_factory=dict)

    def public(self) -> dict:
        d = asdict(self)
        d.pop("out")
        d.pop("params")
        return d


def new_id() -> str:
    return secrets.token_hex(8)


def valid_id(bid: str) -> bool:
    return len(bid) == 16 and set(bid) <= ID_CHARS


class BuildQueue:
    def __init__(self, settings: Settings, start_workers: bool = True):
        self.settings = settings
        self._builds: dict[str, Build] = {}
        self._queue: queue.Queue[Build | None] = queue.Queue()
        self._lock = threading.Lock()
        self._workers = None
        self._workers_lock = threading.Lock()
        self._pending = 0  # builds submitted and not yet through, housekeeping after them included
        self._thread = threading.Thread(target=self._loop, name="gongwen-builds", daemon=True)
        self._start_workers = start_workers
        self._reading: dict[str, threading.Lock] = {}
        self._thread.start()

    def reading(self, campaign: str) -> threading.Lock:
        """Held while a build reads the campaign's inputs, and while an upload or
        the paragraphs form writes them: a build never reads half an upload."""
        with self._lock:
            return self._reading.setdefault(campaign, threading.Lock())

    # -- the interface -------------------------------------------------
    def submit(self, campaign: str, mode: str, out: Path, params: dict | None = None) -> Build:
        assert mode in MODES
        b = Build(new_id(), campaign, mode, out=str(out), params=params or {})
        with self._lock:
            self._builds[b.id] = b
            self._pending += 1
        self._queue.put(b)
        return b

    def get(self, bid: str) -> Build | None:
        if not valid_id(bid):
            return None
        with self._lock:
            b = self._builds.get(bid)
        if b is None:
            path = self._record(bid)
            if path.is_file():
                try:
                    b = Build(**json.loads(path.read_text(encoding="utf-8")))
                except (ValueError, TypeError):
                    return None
        return b

    def recent(self, campaign: str | None = None, limit: int = 20) -> list[Build]:
        with self._lock:
            items = list(self._builds.values())
        folder = self.settings.state / "builds"
        known = {b.id for b in items}
        if folder.is_dir():
            for p in folder.glob("*.json"):
                if p.stem not in known and (b := self.get(p.stem)):
                    items.append(b)
        items = [b for b in items if campaign is None or b.campaign == campaign]
        return sorted(items, key=lambda b: b.queued_at, reverse=True)[:limit]

    def idle(self) -> bool:
        """No build queued or running, and the queue's housekeeping after the last one done."""
        with self._lock:
            return self._pending == 0

    def position(self, b: Build) -> int:
        """Builds ahead of a queued one."""
        with self._lock:
            return sum(1 for x in self._builds.values() if x.state in ("queued", "running") and x.queued_at < b.queued_at)

    def workers(self):
        """The typesetting processes kept warm between builds (started on first use)."""
        with self._workers_lock:  # the queue's thread starts them too, at once
            if self._workers is None:
                from gongwen.build.typesetters import Typesetters, default_jobs

                self._workers = Typesetters(self.settings.jobs or default_jobs())
            return self._workers

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)
        if self._workers is not None:
            self._workers.__exit__(None, None, None)
            self._workers = None

    def _bound_memory(self) -> None:
        """Between builds: fresh workers once the warm ones hold more than settings.worker_memory_mb."""
        if self._workers is None:
            return
        held = self._workers.memory_mb()
        if held > self.settings.worker_memory_mb:
            log.info("typesetting workers hold %.0f MB (limit %d MB): starting fresh ones", held,
                     self.settings.worker_memory_mb)
            try:
                self._workers.reset()
            except Exception:  # the next build starts them again
                log.exception("typesetting workers could not be replaced")
                self._workers = None

    # -- running -------------------------------------------------------
    def _record(self, bid: str) -> Path:
        return self.settings.state / "builds" / f"{bid}.json"

    def _loop(self) -> None:
        if self._start_workers and self.settings.jobs != 1:
            try:
                self.workers()
            except Exception:  # typesetting then starts with the first build
                log.exception("typesetting workers did not start")
        while True:
            b = self._queue.get()
            if b is None:
                return
            b.state, b.started_at = "running", time.time()
            try:
                run_build(self.settings, b, self)
                b.state = "done"
            except UserError as exc:
                b.state, b.message, b.problems = "failed", exc.message, list(exc.problems) or [exc.message]
            except Exception as exc:
                log.error("build %s failed:\n%s", b.id, traceback.format_exc())
                b.state, b.message = "failed", f"程序出错：{exc.__class__.__name__}: {exc}"
                b.problems = [b.message]
            b.finished_at = time.time()
            try:
                path = self._record(b.id)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(asdict(b), ensure_ascii=False), encoding="utf-8")
            except OSError:
                log.exception("could not keep the record of build %s", b.id)
            self._bound_memory()
            with self._lock:
                self._pending -= 1


def run_build(settings: Settings, b: Build, q: BuildQueue) -> None:
    """The work of one build, whatever runs it (this process's queue, or a job queue's worker)."""
    from gongwen.build.progress import Event

    lock = q.reading(b.campaign)
    lock.acquire()
    held = [True]

    def progress(e: Event) -> None:
        b.stage, b.done, b.total = e.stage, e.done, e.total
        if held[0] and e.stage not in READING_STAGES:  # the inputs are read: uploads may go on
            held[0] = False
            lock.release()

    try:
        _run(settings, b, q, progress)
    finally:
        if held[0]:
            lock.release()


# the stages of build_campaign that read the campaign folder (gongwen/build/campaign.py)
READING_STAGES = ("读取活动配置和参评单位", "读取并检查各月报表")


def _run(settings: Settings, b: Build, q: BuildQueue, progress) -> None:
    """Call the build library for the build's mode; keep what it wrote on the record."""

    def warned(ws: list[str]) -> None:
        b.warnings = list(ws)

    out = Path(b.out)
    if b.mode == "notice":
        from gongwen.build import render

        result = render([Path(b.params["source"])], out, progress=progress)
        b.files = sorted(p.relative_to(out).as_posix() for p in result.written)
        b.documents = [{"rel": Path(next(iter(r.files.values()))).relative_to(out).with_suffix("").as_posix(),
                        "kind": "公文", "period": "", "pages": r.pages, "formats": sorted(r.files)}
                       for r in result.rendered if r.files]
        return
    folder = settings.campaign_dir(b.campaign)
    if folder is None:
        raise UserError(f"没有活动 {b.campaign}")
    # jobs=1: typeset in this process (tests); else on the warm workers
    workers = None if settings.jobs == 1 else q.workers()
    jobs = 1 if workers is None else None
    if b.mode == "issue":
        _issue(folder, out, b)
        return
    from gongwen.build import build_campaign

    # reissue: a build that may change issued documents (their new version is issued at once)
    result = build_campaign(folder, out, reissue=b.mode == "reissue", progress=progress, on_warnings=warned,
                            workers=workers, jobs=jobs, formats=tuple(b.params.get("formats") or ()) or None)
    b.files = sorted(p.relative_to(out).as_posix() for p in result.written)
    b.documents = [{"rel": t.doc.rel, "kind": t.doc.kind, "period": t.doc.period, "pages": t.pages,
                    "formats": list(t.formats)} for t in result.documents]
    b.stage = "完成"


def _issue(folder: Path, out: Path, b: Build) -> None:
    """Issue the drafts the last build wrote into `out` (those in
    b.params["chosen"]: periods, 发文字号 or files; all when none): the same
    call as the `issue` command. Nothing is typeset; the record lists the
    files of the documents issued now."""
    from gongwen.build import issue_documents

    b.stage, b.total = "印发", 1
    result = issue_documents(folder, out, tuple(b.params.get("chosen") or ()))
    b.files = sorted(p for d in result.issued for p in d.files)
    b.documents = [_issued(d, True) for d in result.issued] + [_issued(d, False) for d in result.already]
    b.done, b.stage = 1, "完成"


def _issued(d, now: bool) -> dict:
    formats = sorted({p.rsplit(".", 1)[-1] for p in d.files if p.rsplit(".", 1)[0] == d.rel})
    return {"rel": d.rel, "kind": d.kind, "period": d.period, "pages": None, "formats": formats,
            "number": d.number, "title": d.title, "issued_now": now}
