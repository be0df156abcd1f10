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
