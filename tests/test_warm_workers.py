"""Workers kept between builds (the web server will hold them): two builds on
the same Typesetters give the bytes a one-shot build gives, and reset()
empties this process's caches and starts fresh workers."""

from __future__ import annotations

import hashlib
import shutil

from gongwen import INPUTS_DIR, caches
from gongwen.build import build_campaign
from gongwen.build.typesetters import Typesetters
from gongwen.documents import build as docbuild


def digests(out):
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def test_kept_workers_give_a_one_shot_builds_bytes_and_reset_starts_afresh(tmp_path, monkeypatch):
    monkeypatch.setattr(docbuild, "KINDS", [k for k in docbuild.KINDS if k.name in ("通报", "榜单")])
    camp = tmp_path / "camp"
    shutil.copytree(INPUTS_DIR / "xinfeng-2023", camp, ignore=shutil.ignore_patterns("发文登记.sqlite*"))
    once = build_campaign(camp, tmp_path / "once", register_file=tmp_path / "once.sqlite", jobs=2)
    with Typesetters(2) as workers:
        first = build_campaign(camp, tmp_path / "a", register_file=tmp_path / "a.sqlite", workers=workers)
        before = workers.pids()
        workers.reset()
        assert all(size in (0, None) for size in caches.sizes().values())
        after = workers.pids()
        second = build_campaign(camp, tmp_path / "b", register_file=tmp_path / "b.sqlite", workers=workers)
    assert not set(before) & set(after)  # fresh processes
    assert len(first.documents) == len(second.documents) == len(once.documents) == 6
    assert digests(tmp_path / "a") == digests(tmp_path / "b") == digests(tmp_path / "once")
