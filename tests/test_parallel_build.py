"""The process-pool build and the single-process build give the same files,
byte for byte, in the same order (manifest included)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from gongwen.bench.synthetic import make_campaign
from gongwen.campaign.build import compute, render
from gongwen.campaign.folder import load_campaign
from gongwen.build.campaign import collect
from tests.build_helpers import add_documents


def _build(folder: Path, out: Path, jobs: int) -> tuple[list[tuple[str, str]], list[str], bytes]:
    c = compute(load_campaign(folder))
    r = render(c, out)
    docs = collect(c, r)
    seen: list[str] = []
    done = add_documents(c, out, r, docs, progress=lambda d: seen.append(d.rel), jobs=jobs)
    assert [d.rel for d, _ in done] == [d.rel for d in docs]
    hashes = [(p.relative_to(out).as_posix(), hashlib.sha256(data).hexdigest()) for p, data in r.files.items()]
    return hashes, sorted(seen), r.manifest.to_bytes()


def test_pool_and_single_process_give_identical_files(tmp_path):
    folder = tmp_path / "campaign"
    make_campaign(folder, units=9)
    out = tmp_path / "out"
    single, seen_single, manifest_single = _build(folder, out, jobs=1)
    pooled, seen_pooled, manifest_pooled = _build(folder, out, jobs=2)
    kinds = {Path(p).suffix for p, _ in single}
    assert {".pdf", ".docx", ".xlsx"} <= kinds
    assert sum(1 for p, _ in single if "/得分反馈单/" in p) == 2 * 9  # DOCX and PDF per unit
    assert pooled == single  # same paths, same order, same bytes
    assert manifest_pooled == manifest_single
    assert seen_pooled == seen_single  # the progress callback saw every document once


def test_this_process_and_a_helper_give_the_same_bytes(tmp_path):
    """A rebuild's few documents shared between this process and one helper
    worker (typesetters.typeset_with_helper): the helper takes documents once
    warm (here this process waits for that after its first document), the
    results come back in the documents' order with the bytes this process
    alone gives."""
    import time

    from gongwen.build import typesetters

    folder = tmp_path / "campaign"
    make_campaign(folder, units=4)
    c = compute(load_campaign(folder))
    docs = collect(c, render(c, tmp_path / "out"))[:6]
    alone = [typesetters.typeset_doc(d, c.campaign.folder) for d in docs]
    helper = typesetters.start_helper()
    processes = helper.processes()
    seen: list[str] = []

    def keep(doc, result):
        if not seen:  # the first document of this process: wait until the helper is warm
            helper.ready.result(timeout=120)
            time.sleep(0.2)
        return result

    done, used = typesetters.typeset_with_helper(docs, c.campaign.folder, None, keep, lambda d: seen.append(d.rel),
                                                 helper=helper)
    assert 1 <= used < len(docs)
    assert [d.rel for d, _ in done] == [d.rel for d in docs] and sorted(seen) == sorted(d.rel for d in docs)
    assert [r.files for _, r in done] == [r.files for r in alone]
    assert [r.pages for _, r in done] == [r.pages for r in alone]
    assert processes and not any(p.is_alive() for p in processes)


def test_a_helper_not_needed_is_stopped_at_once(tmp_path):
    """Every document done before the helper is warm: it is stopped, not waited for."""
    import time

    from gongwen.build import typesetters

    folder = tmp_path / "campaign"
    make_campaign(folder, units=4)
    c = compute(load_campaign(folder))
    docs = [d for d in collect(c, render(c, tmp_path / "out")) if d.kind == "得分反馈单"][:2]
    typesetters.typeset_doc(docs[0], c.campaign.folder)  # this process warm already
    t = time.perf_counter()
    done, used = typesetters.typeset_with_helper(docs, c.campaign.folder, None, lambda d, r: r)
    assert used == 0 and len(done) == 2
    assert time.perf_counter() - t < 0.9  # a worker's start and warm-up take longer
