"""Typesetting a computed campaign's documents the way build_campaign does,
for tests that look at the staged files and the manifest before any write."""

from __future__ import annotations

from pathlib import Path

from gongwen.build import typesetters
from gongwen.build.campaign import collect, typeset_documents
from gongwen.writers.registry import default_formats


def add_documents(c, out: Path, r, docs=None, progress=None, jobs: int | None = None, formats=None):
    """(doc, pages) for every document, typeset into `r` (files and manifest);
    `progress(doc)` as each one is finished."""
    docs = collect(c, r) if docs is None else docs
    jobs = typesetters.default_jobs() if jobs is None else jobs
    names = {d.rel: d for d in docs}

    def step(event):
        if progress is not None and event.stage.startswith("排版 "):
            progress(names[event.stage[3:]])

    done = typeset_documents(c, Path(out), r, docs, tuple(formats or default_formats()), jobs, progress=step)
    return [(t.doc, t.pages) for t in done]
