"""Incremental builds (gongwen.build.cache): a rebuild after a change
typesets only the documents whose key changed, and gives the same bytes, file
for file (manifest.json too), as a clean build of the same inputs with no
cache. Changes tried: one unit's workbook, campaign.yaml, a template, styles/
(a copy named by GONGWEN_STYLES_DIR, in a new process). Also: a damaged
entry is typeset again, --no-cache leaves the cache alone, the size bound."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "archive"), str(ROOT / "tests" / "campaign")]
from archive_helpers import ROSTER, build, hashes, june_rows, make_campaign, only_kinds, write_xlsx  # noqa: E402

from gongwen import STYLES_DIR, TEMPLATES_DIR  # noqa: E402
from gongwen.build.cache import SUFFIX, TypesetCache  # noqa: E402

KINDS = ("通报", "榜单", "得分反馈单")
FEEDBACK = "2023-06/得分反馈单"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("GONGWEN_CACHE_DIR", str(folder))
    only_kinds(monkeypatch, *KINDS)
    return folder


def per_unit_reports(camp: Path, rows: dict) -> None:
    """The month's reports as one workbook per unit (reports/2023-06/<单位>.xlsx)."""
    (camp / "reports" / "2023-06.xlsx").unlink(missing_ok=True)
    units = sorted({r[0] for sheet in rows.values() for r in sheet})
    for unit in units:
        write_xlsx(camp / "reports" / "2023-06" / f"{unit}.xlsx",
                   {s: [r for r in sheet if r[0] == unit] for s, sheet in rows.items()})


def reused(result) -> tuple[int, int]:
    """(documents taken from the cache, typeset again), from the build's output."""
    import re

    m = re.search(r"(\d+) 份公文与上次生成时相同，直接取自排版缓存；重新排版 (\d+) 份", result.stderr)
    return (int(m[1]), int(m[2])) if m else (0, -1)


def clean(camp: Path, out: Path) -> dict[str, str]:
    build(camp, out, "--jobs", "1", "--no-cache")
    return hashes(out)


def test_rebuild_after_changes_gives_a_clean_builds_bytes(tmp_path, cache):
    camp = make_campaign(tmp_path)
    rows = june_rows()
    per_unit_reports(camp, rows)
    out = tmp_path / "out"
    first = build(camp, out)  # the pool: entries written by the workers
    assert reused(first) == (0, -1) and list(cache.rglob(f"*{SUFFIX}"))
    again = build(camp, out, "--jobs", "1")
    total = reused(again)[0]
    assert reused(again) == (total, 0) and total == 2 + len(ROSTER)  # 通报, 榜单, a 反馈单 for every unit

    # 1. one unit's workbook: its 反馈单 and the month's 通报/榜单 again, the other units' 反馈单 reused
    rows["信息报送"].append(["乙镇", "2023-06-25"])
    write_xlsx(camp / "reports" / "2023-06" / "乙镇.xlsx", {s: [r for r in sheet if r[0] == "乙镇"] for s, sheet in rows.items()})
    hit, typeset = reused(build(camp, out, "--jobs", "1"))
    assert 0 < typeset <= 3 and hit == total - typeset
    assert hashes(out) == clean(camp, tmp_path / "clean1")

    # 2. campaign.yaml: the 上榜条件 wording is in the 榜单 and the 反馈单, not the 通报
    text = (camp / "campaign.yaml").read_text(encoding="utf-8")
    (camp / "campaign.yaml").write_text(text.replace("qualifying: 重大项目（投资额1亿元及以上）签约",
                                                     "qualifying: 重大项目（投资额2亿元及以上）签约"), encoding="utf-8")
    hit, typeset = reused(build(camp, out, "--jobs", "1"))
    assert hit >= 1 and typeset >= 1
    assert hashes(out) == clean(camp, tmp_path / "clean2")

    # 3. a template of the campaign's own: only the 通报 is typeset again
    (camp / "templates").mkdir()
    words = (TEMPLATES_DIR / "通报.txt.j2").read_text(encoding="utf-8")
    (camp / "templates" / "通报.txt.j2").write_text(words.rstrip("\n") + "\n\n请各单位认真对照。\n", encoding="utf-8")
    assert reused(build(camp, out, "--jobs", "1")) == (total - 1, 1)
    assert hashes(out) == clean(camp, tmp_path / "clean3")


def _cli(camp: Path, out: Path, env: dict, *args) -> subprocess.CompletedProcess:
    """pipeline.py build in a new process making only KINDS."""
    code = ("import sys; sys.path[:0] = [sys.argv[1]]; from gongwen.documents import build as b; "
            f"b.KINDS = [k for k in b.KINDS if k.name in {KINDS!r}]; "
            "from gongwen.cli import main; main(sys.argv[2:])")
    return subprocess.run([sys.executable, "-c", code, str(ROOT), "build", str(camp), "--out", str(out), "--jobs", "1", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=True)


def test_changed_styles_typeset_everything_again_with_a_clean_builds_bytes(tmp_path, cache):
    camp = make_campaign(tmp_path)
    out = tmp_path / "out"
    styles = tmp_path / "styles"
    shutil.copytree(STYLES_DIR, styles)
    env = {**os.environ, "GONGWEN_STYLES_DIR": str(styles)}
    _cli(camp, out, env)
    assert reused(_cli(camp, out, env))[1] == 0
    layout = (styles / "layout.yaml").read_text(encoding="utf-8")
    assert "  thickness_pt: 1.0\n" in layout
    (styles / "layout.yaml").write_text(layout.replace("  thickness_pt: 1.0\n", "  thickness_pt: 1.5\n", 1),
                                        encoding="utf-8")  # the red rule under the 发文字号
    before = hashes(out)
    result = _cli(camp, out, env)
    assert reused(result) == (0, -1)  # no document reused: styles decide every document's bytes
    _cli(camp, tmp_path / "clean", env, "--no-cache")
    assert hashes(out) == hashes(tmp_path / "clean")
    assert hashes(out)["2023-06/6月工作情况通报.pdf"] != before["2023-06/6月工作情况通报.pdf"]


def test_a_damaged_entry_is_typeset_again(tmp_path, cache):
    camp = make_campaign(tmp_path)
    out = tmp_path / "out"
    build(camp, out, "--jobs", "1")
    want = hashes(out)
    entries = sorted(cache.rglob(f"*{SUFFIX}"))
    data = bytearray(entries[0].read_bytes())
    data[-100] ^= 0xFF  # a flipped byte in the last format's bytes
    entries[0].write_bytes(bytes(data))
    result = build(camp, out, "--jobs", "1")
    assert reused(result) == (len(entries) - 1, 1)
    assert hashes(out) == want
    assert TypesetCache(cache).get(entries[0].stem) is not None  # stored again, whole


def test_no_cache_leaves_the_cache_alone_and_the_bound_holds(tmp_path, cache):
    camp = make_campaign(tmp_path)
    build(camp, tmp_path / "a", "--jobs", "1", "--no-cache")
    assert not cache.exists()
    build(camp, tmp_path / "b", "--jobs", "1")
    store = TypesetCache(cache)
    entries = sorted(store.entries())
    assert len(entries) == 2 + len(ROSTER) and not list(cache.rglob("*.part"))
    # the least recently used go first until the total fits
    oldest = min(entries)[2]
    for i, (_, _, path) in enumerate(entries):
        os.utime(path, (1_000_000 + i, 1_000_000 + i if path != oldest else 1))
    store.limit = store.size() - 1
    assert store.trim() == 1 and not oldest.exists()
    store.limit = 0
    store.trim()
    assert store.entries() == []


def test_two_builds_at_once_share_the_cache(tmp_path, cache):
    """Two processes building at once into one cache (each its own folder):
    both succeed, with a clean build's bytes, and every entry is whole."""
    camp = make_campaign(tmp_path)
    env = {**os.environ, "GONGWEN_CACHE_DIR": str(cache)}
    procs = [subprocess.Popen([sys.executable, "-c",
                               "import sys; sys.path[:0] = [sys.argv[1]]; from gongwen.documents import build as b; "
                               f"b.KINDS = [k for k in b.KINDS if k.name in {KINDS!r}]; "
                               "from gongwen.cli import main; main(sys.argv[2:])",
                               str(ROOT), "build", str(camp), "--out", str(tmp_path / f"out{i}"), "--jobs", "1"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert hashes(tmp_path / "out0") == hashes(tmp_path / "out1") == clean(camp, tmp_path / "clean")
    store = TypesetCache(cache)
    assert not list(cache.rglob("*.part"))
    assert all(store.get(path.stem) is not None for _, _, path in store.entries()) and store.stats.damaged == 0


def _stats(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file -> (inode, modification time in ns)."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def test_a_rebuild_leaves_files_with_the_same_bytes_in_place(tmp_path, cache):
    """Files whose bytes a rebuild gives again are not written again (inode and
    modification time as before); the folder ends as a clean build's."""
    camp = make_campaign(tmp_path)
    rows = june_rows()
    per_unit_reports(camp, rows)
    out = tmp_path / "out"
    build(camp, out, "--jobs", "1")
    before, stats = hashes(out), _stats(out)
    rows["信息报送"].append(["乙镇", "2023-06-25"])
    write_xlsx(camp / "reports" / "2023-06" / "乙镇.xlsx", {s: [r for r in sheet if r[0] == "乙镇"] for s, sheet in rows.items()})
    build(camp, out, "--jobs", "1")
    after, now = hashes(out), _stats(out)
    assert after == clean(camp, tmp_path / "clean")
    same = {p for p in after if before.get(p) == after[p]}
    changed = set(after) - same
    assert "manifest.json" in changed and any(p.endswith(".pdf") for p in changed)
    assert len(same) > len(changed)  # the other units' 反馈单 and more
    assert all(now[p] == stats[p] for p in same)
    assert all(now[p][0] != stats[p][0] for p in changed)  # written anew: a new file renamed into place
    assert not [p for p in out.rglob("*") if p.name.startswith(".gw-")]


def test_no_font_copies_left_in_the_temporary_folder(tmp_path, cache):
    """WeasyPrint copies the @font-face files (some 30 MB) into a temporary
    folder per process; every process lets go of it at exit: a first build
    (workers), a rebuild typesetting a few documents here, one typesetting
    them all on workers started late."""
    from gongwen.bench.edit import edit_one_cell
    from gongwen.bench.synthetic import make_campaign as synthetic, months_of

    camp, out = tmp_path / "camp", tmp_path / "out"
    synthetic(camp, 4, months=3)  # 通报, 榜单 and 4 反馈单 a month: 18 documents
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "GONGWEN_CACHE_DIR": str(cache)}
    _cli(camp, out, env, "--jobs", "2")  # the first build: workers from the start
    edit_one_cell(camp, months_of(3)[1])
    assert 0 < reused(_cli(camp, out, env))[1] <= 8  # a few documents, typeset in this process
    shutil.rmtree(cache)
    assert reused(_cli(camp, out, env, "--jobs", "2")) == (0, -1)  # all again, workers started once that is known
    assert not list(tmp.glob("weasyprint-*"))
