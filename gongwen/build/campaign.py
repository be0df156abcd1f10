"""A campaign's build: read and check everything, compute, collect the
documents, number them from the register, typeset them in every chosen
format, and write all of it (or nothing) under the register and the output
folder's lock. The command line and the web page both call build_campaign;
they only show its progress and what it returns."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from gongwen.build import typesetters
from gongwen.build.cache import TypesetCache
from gongwen.build.progress import Progress, report
from gongwen.campaign import Computed, compute, load_campaign
from gongwen.campaign.build import Rendered, render
from gongwen.campaign.manifest import MANIFEST_FILE
from gongwen.documents.common import Doc
from gongwen.errors import UserError
from gongwen.writers import registry


# Documents left to typeset after the cache that this process typesets itself
# rather than start workers (spawn, imports, fonts: some 2 s on 2 cores, and
# measured slower for the 5 documents one changed cell of a 26-unit campaign
# touches: 5.1-6.8 s against 6.0-8.7 s for the whole rebuild, a loaded machine).
LOCAL_MAX = 8
# ... of which this many or more are shared with one helper worker started
# then (typesetters.typeset_with_helper): this process never waits for it.
HELPER_MIN = 2


@dataclass
class Typeset:
    """A document of the build and what typesetting it gave."""

    doc: Doc
    pages: int
    formats: tuple[str, ...]  # the formats written for it (a Word template without LibreOffice: no PDF)


@dataclass
class BuildResult:
    out: Path
    computed: Computed
    formats: tuple[str, ...]
    documents: list[Typeset] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    assigned: object | None = None  # gongwen.archive.register.Assigned: numbers given, recorded, reissued
    embedded: int = 0  # PDFs that carry their sources (--embed-sources)
    removed: list[str] = field(default_factory=list)  # an earlier build's files this one did not make again
    edited: list[str] = field(default_factory=list)  # ... of them edited since: kept
    foreign: list[str] = field(default_factory=list)  # files no build wrote: left alone
    recovered: list[str] = field(default_factory=list)  # a write a crash interrupted, finished or undone first
    reused: int = 0  # documents taken from the typesetting cache (gongwen.build.cache), not typeset again

    @property
    def warnings(self) -> list[str]:
        return self.computed.warnings

    @property
    def submissions(self):
        """报送情况: per month and unit, which sheets had rows; who sent nothing."""
        return self.computed.submissions()

    @property
    def missing_months(self) -> list[str]:
        c = self.computed
        return [m for m in c.campaign.months if m not in c.scores]


def build_campaign(folder: str | Path, out: str | Path, *, reissue: bool = False, embed_sources: bool = False,
                   register_file: Path | None = None, jobs: int | None = None,
                   formats: tuple[str, ...] | None = None, progress: Progress | None = None,
                   on_warnings=None, on_numbers=None, strict: bool = False, dry_run: bool = False,
                   workers: typesetters.Typesetters | None = None,
                   cache: bool | TypesetCache | None = True) -> BuildResult:
    """Build every document of the campaign in `folder` into `out`.

    `jobs` typesetting processes (default: one per core; 1: this process
    only); `formats` the registry's extensions (default: its defaults);
    `progress` gets an Event per stage and per typeset document;
    `on_warnings(list)` is called with the intake's warnings before anything
    is typeset or written, `on_numbers(assigned)` with the 发文字号 the
    register gave, before typesetting (they are printed in the documents);
    `workers`: typesetting processes kept warm by the
    caller between builds (a server), used instead of starting `jobs` new
    ones. `strict`: warnings are errors. `dry_run`: read, check and compute
    only (the result's documents and written stay empty). `cache`: the
    typesetting cache (gongwen.build.cache): True for the one the environment
    names (GONGWEN_CACHE_DIR), a TypesetCache, or False/None for none
    (--no-cache); documents whose key is in it are not typeset again. Raises
    UserError, with nothing written, on any problem."""
    out = Path(out)
    formats = tuple(formats or registry.default_formats())
    jobs = (workers.jobs if workers else typesetters.default_jobs()) if jobs is None else max(1, jobs)
    if dry_run:
        jobs = 1  # nothing to typeset: no workers
    store = _cache(cache)
    # The typesetting processes load fonts and stylesheets while the reports
    # are read; for a rebuild into the same folder with a cache most documents
    # come from it, so they start only if some document must be typeset.
    rebuild = store is not None and (out / MANIFEST_FILE).is_file()
    own = typesetters.Typesetters(jobs) if jobs > 1 and workers is None and not rebuild else nullcontext(workers)
    # ... but one helper starts now, for the few documents a rebuild usually
    # has to typeset (typeset_documents); stopped at once if none is left for it.
    helper = typesetters.start_helper() if rebuild and jobs > 1 and workers is None else None
    try:
        return _build(folder, out, formats, jobs, own, store, helper, reissue=reissue, embed_sources=embed_sources,
                      register_file=register_file, progress=progress, on_warnings=on_warnings,
                      on_numbers=on_numbers, strict=strict, dry_run=dry_run)
    finally:
        if helper is not None:
            typesetters.stop_helper(helper)


def _build(folder, out: Path, formats: tuple[str, ...], jobs: int, own, store: TypesetCache | None,
           helper: typesetters.Typesetters | None, *, reissue: bool, embed_sources: bool, register_file: Path | None,
           progress: Progress | None, on_warnings, on_numbers, strict: bool, dry_run: bool) -> BuildResult:
    from gongwen.archive.register import assign, write_registered

    with own as workers:
        report(progress, "读取活动配置和参评单位")
        camp = load_campaign(folder)
        report(progress, "读取并检查各月报表")
        c = compute(camp, strict=strict)
        if on_warnings is not None:
            on_warnings(c.warnings)
        if dry_run:
            return BuildResult(out, c, formats)
        if not c.scores:
            raise UserError("reports/ 里还没有任何月份的报表，没有可生成的内容")
        rendered = render(c, out)
        report(progress, "准备公文")
        docs = collect(c, rendered, store)
        assigned = assign(camp, docs, reissue=reissue, path=register_file)
        if on_numbers is not None:
            on_numbers(assigned)
        result = BuildResult(out, c, formats, assigned=assigned)
        hits = store.stats.hits if store is not None else 0
        result.documents = typeset_documents(c, out, rendered, docs, formats, jobs, workers, progress, store, helper)
        result.reused = store.stats.hits - hits if store is not None else 0
    if embed_sources:
        from gongwen.archive.embed import embed_sources as embed

        report(progress, "把输入文件嵌入 PDF")
        result.embedded = embed(camp, docs, rendered, out)
    report(progress, "写出文件")
    result.written = write_registered(rendered, out, assigned)
    result.removed, result.edited, result.foreign = rendered.removed, rendered.edited, rendered.foreign
    result.recovered = rendered.recovered
    if store is not None:
        store.trim()
    return result


def _cache(cache) -> TypesetCache | None:
    if isinstance(cache, TypesetCache):
        return cache
    return TypesetCache.default() if cache else None


def collect(c: Computed, r: Rendered, cache: TypesetCache | None = None) -> list[Doc]:
    """Every document of the campaign, kind by kind (gongwen.documents.kinds);
    with a typesetting cache, the templates compiled once are kept in it."""
    from gongwen.documents.build import collect as collect_docs

    return collect_docs(c, r, cache.templates_dir if cache is not None else None)


def typeset_documents(c: Computed, out: Path, r: Rendered, docs: list[Doc], formats: tuple[str, ...],
                      jobs: int, workers: typesetters.Typesetters | None = None,
                      progress: Progress | None = None, cache: TypesetCache | None = None,
                      helper: typesetters.Typesetters | None = None) -> list[Typeset]:
    """Typeset every document into `r` (files and manifest), in the documents'
    order whichever process made them. Each result is staged (large files to
    disk, see FileStore) as soon as it arrives, so finished documents waiting
    for their turn take no memory. With a `cache`, a document whose key is in
    it is taken from it byte for byte; the others are typeset (on `workers`,
    else on `jobs` processes started here when more than one document is
    left, but in this process when no more than LOCAL_MAX are left of a
    cached build, shared with one helper worker (`helper` if the caller
    started it, else started here) when HELPER_MIN or more) and stored in it."""
    stage = getattr(r.files, "stage", None)
    count = [0]
    keys: dict[int, str] = {}

    def staged(result: typesetters.Result) -> typesetters.Result:
        if stage is None:
            return result
        return typesetters.Result({ext: (None if data is None else stage(data)) for ext, data in result.files.items()},
                                  result.pages)

    def keep(doc: Doc, result: typesetters.Result) -> typesetters.Result:
        if cache is not None and id(doc) in keys:
            cache.put(keys[id(doc)], result.files, result.pages)
        return staged(result)

    def step(doc: Doc) -> None:
        count[0] += 1
        report(progress, f"排版 {doc.rel}", count[0], len(docs))

    report(progress, "排版公文", 0, len(docs))
    ready: dict[int, typesetters.Result] = {}
    todo = list(range(len(docs)))
    if cache is not None:
        todo = []
        for i, (doc, key) in enumerate(zip(docs, cache.keys(docs, formats, c.campaign.folder))):
            found = cache.get(key)
            if found is None:
                keys[id(doc)] = key
                todo.append(i)
                continue
            ready[i] = staged(typesetters.Result(*found))
            step(doc)
    left = [docs[i] for i in todo]
    use_helper = cache is not None and workers is None and HELPER_MIN <= len(left) <= LOCAL_MAX and jobs > 1
    if helper is not None and not use_helper:
        typesetters.stop_helper(helper)  # not needed: let go of it now, not after writing
    # A rebuild with a few documents to typeset (cache on, no workers started
    # yet): this process typesets them sooner than new workers could start,
    # with one helper worker taking some once it is warm (HELPER_MIN or more).
    local = cache is not None and workers is None and len(left) <= LOCAL_MAX
    if workers is not None or (jobs > 1 and len(left) > 1 and not local):
        results = typesetters.typeset_all(left, c.campaign.folder, jobs, done=step, keep=keep,
                                          typesetters=workers, formats=formats)
    elif use_helper:
        results, _ = typesetters.typeset_with_helper(left, c.campaign.folder, formats, keep, step, helper)
    else:
        results = _one_by_one(left, c.campaign.folder, step, keep, formats)
    for i, (_, result) in zip(todo, results, strict=True):  # to its end: workers started here stop normally
        ready[i] = result
    done = []
    for i, doc in enumerate(docs):
        result = ready.pop(i)
        written = []
        for ext, data in result.files.items():
            if data is None:
                continue
            rel = f"{doc.rel}.{ext}"
            path = Path(out) / rel
            r.files[path] = data
            r.manifest.add(rel, data if isinstance(data, bytes) else r.files[path], doc.inputs,
                           kind=doc.kind, period=doc.period)
            written.append(ext)
        done.append(Typeset(doc, result.pages, tuple(written)))
    return done


def _one_by_one(docs, folder, step, keep, formats):
    for doc in docs:
        result = keep(doc, typesetters.typeset_doc(doc, folder, formats))
        step(doc)
        yield doc, result
