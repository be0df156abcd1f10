"""Every document of a campaign in one build: builders make notice trees,
then each is typeset to DOCX and PDF bytes and joins the build's files and
manifest; nothing is written until everything is ready."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gongwen.campaign import Computed
from gongwen.campaign.build import FINAL_DIR, Rendered, month_inputs
from gongwen.documents import annual, bulletin, pool
from gongwen.documents import plan as plan_doc
from gongwen.documents import feedback, honor, final as final_doc
from gongwen.documents.common import Doc
from gongwen.documents.pool import typeset_doc
from gongwen.documents.templating import Templates

Builder = Callable[[Computed, Templates, Rendered], list[Doc]]


def _bulletins(c: Computed, templates: Templates, r: Rendered) -> list[Doc]:
    return [bulletin.build(c, m, templates, month_inputs(c, r.manifest, m)) for m in c.scores]


def final_inputs(c: Computed, r: Rendered) -> list[str]:
    return sorted({i for m in c.scores for i in month_inputs(c, r.manifest, m)})


# Document kinds in the order a build makes them; each returns its documents.
BUILDERS: list[tuple[str, Builder]] = [
    ("实施方案", plan_doc.builder),
    ("通报", _bulletins),
    ("榜单", honor.builder),
    ("得分反馈单", feedback.builder),
    ("活动总结", final_doc.builder),
    ("年终考评", annual.builder),
]


def collect(c: Computed, r: Rendered) -> list[Doc]:
    templates = Templates(c.campaign.folder)
    docs: list[Doc] = []
    for _, builder in BUILDERS:
        docs.extend(builder(c, templates, r))
    return docs


def add_documents(c: Computed, out: Path, r: Rendered, docs: list[Doc] | None = None,
                  progress: Callable[[Doc], None] | None = None, jobs: int | None = None,
                  typesetters: pool.Typesetters | None = None) -> list[tuple[Doc, int]]:
    """Typeset every document into `r` (files and manifest). Returns (doc, pages).
    `jobs` processes share the typesetting (default: one per core; 1 = this
    process only; `typesetters`: workers started earlier, see pool.Typesetters);
    files and manifest come out in the same order either way.
    Each result is staged (large files to disk, see FileStore) as soon as it
    arrives, so finished documents waiting for their turn take no memory."""
    docs = collect(c, r) if docs is None else docs
    jobs = pool.default_jobs() if jobs is None else max(1, jobs)
    stage = getattr(r.files, "stage", None)

    def keep(doc: Doc, result: tuple) -> tuple:
        docx, pdf, pages = result
        if stage is None:
            return result
        return stage(docx), (None if pdf is None else stage(pdf)), pages

    if typesetters is not None or (jobs > 1 and len(docs) > 1):
        results = pool.typeset_all(docs, c.campaign.folder, jobs, done=progress, keep=keep, typesetters=typesetters)
    else:
        results = _one_by_one(docs, c.campaign.folder, progress, keep)
    done = []
    for doc, (docx, pdf, pages) in results:
        for ext, data in (("docx", docx), ("pdf", pdf)):
            if data is None:
                continue
            rel = f"{doc.rel}.{ext}"
            path = Path(out) / rel
            r.files[path] = data
            r.manifest.add(rel, data if isinstance(data, bytes) else r.files[path], doc.inputs,
                           kind=doc.kind, period=doc.period)
        done.append((doc, pages))
    return done


def _one_by_one(docs: list[Doc], folder: Path, progress: Callable[[Doc], None] | None,
                keep: Callable[[Doc, tuple], tuple]):
    for doc in docs:
        result = keep(doc, typeset_doc(doc, folder))
        if progress:
            progress(doc)
        yield doc, result


__all__ = ["BUILDERS", "FINAL_DIR", "add_documents", "collect", "final_inputs", "typeset_doc"]
