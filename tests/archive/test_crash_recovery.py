"""Nothing issued is lost, whatever stops a build: a fault at each step of
writing (before the temporary files, while writing them, at each rename,
just before and just after the register's commit), raised in this process
or a real kill -9 of a build in a subprocess, leaves the output folder and
the register both as before the build or both as after it once the next
run (verify, issue or build) has looked at the folder, never between; the
issued first version stays byte for byte, under its name or as （第1版）.

The build under test is a --reissue of an issued June bulletin and lists
with changed data: it rewrites every file (but the register's note, whose
bytes stay the same), keeps the issued ones as （第1版） and records a new
version, so every step matters."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gongwen.campaign import journal

from archive_helpers import ROOT, build, hashes, june_rows, main, make_campaign, only_kinds, temporaries, write_xlsx

NUMBERS = {"2023-06": "auto", "2023-06-lists": "auto"}
PATTERN = "信开放办〔{year}〕{n}号"
BULLETIN = "2023-06/6月工作情况通报"
# 得分明细, 报送情况, 2 documents x 2 formats, their 4 （第1版）, manifest.json; the register note is
# written with the same bytes, so it is left as it is (journal.unchanged)
RENAMES = 11


def register_rows(camp: Path) -> dict:
    con = sqlite3.connect(camp / "发文登记.sqlite")
    try:
        return {t: sorted(con.execute(f"SELECT * FROM {t}")) for t in ("issued", "versions", "files")}
    finally:
        con.close()


def state(root: Path) -> tuple[dict, dict]:
    """The output folder (every file, temporaries and the journal included) and the register's records."""
    return hashes(root / "out"), register_rows(root / "camp")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """An issued June, then changed data: (folder to copy, state before the
    reissue, state after a reissue nothing stopped, the issued bulletin's bytes)."""
    root = tmp_path_factory.mktemp("crash")
    with pytest.MonkeyPatch.context() as mp:
        only_kinds(mp, "通报", "榜单")
        mp.setenv("GONGWEN_CACHE_DIR", "off")
        camp = make_campaign(root, NUMBERS, PATTERN)
        build(camp, root / "out", "--jobs", 1)
        issued = CliRunner().invoke(main, ["issue", str(camp), "--out", str(root / "out")])
        assert issued.exit_code == 0, issued.output
        rows = june_rows()
        rows["签约项目"].append(["县乙局", "补报项目", "补报企业", "上市公司", "新能源", 3, "实质性签约", "2023-06-20"])
        write_xlsx(camp / "reports" / "2023-06.xlsx", rows)
        first = {ext: (root / "out" / f"{BULLETIN}.{ext}").read_bytes() for ext in ("docx", "pdf")}
        before = state(root)
        done = copy(root, tmp_path_factory.mktemp("done"))
        build(done / "camp", done / "out", "--reissue", "--jobs", 1)
        after = state(done)
    assert before != after and len(after[0]) == len(before[0]) + 4
    return root, before, after, first


def copy(src: Path, dst: Path) -> Path:
    for name in ("camp", "out"):
        shutil.copytree(src / name, dst / name)
    return dst


def issued_kept(root: Path, first: dict) -> None:
    """The first issue's bytes, under its name (before) or as （第1版） (after)."""
    for ext, data in first.items():
        now = root / "out" / f"{BULLETIN}.{ext}"
        kept = root / "out" / f"2023-06/6月工作情况通报（第1版）.{ext}"
        assert now.read_bytes() == data or kept.read_bytes() == data


def verify_cli(root: Path):
    return CliRunner().invoke(main, ["verify", str(root / "out")])


# -- faults raised in this process: the run itself puts everything back -----------------


def _nth(n: int, real, error, count=lambda *a, **k: True):
    calls = [0]

    def fn(*args, **kwargs):
        if count(*args, **kwargs):
            calls[0] += 1
            if calls[0] == n:
                raise error
        return real(*args, **kwargs)

    fn.calls = calls
    return fn


def _into_place(src, dst, *_, **__) -> bool:
    """A rename of a new file into place (not the journal's own)."""
    return Path(src).name.startswith(".gw-") and Path(dst).name != journal.JOURNAL


FAULTS = {
    "before staging": lambda mp: mp.setattr(journal, "check_targets", _nth(1, journal.check_targets, OSError(errno.EIO, "I/O"))),
    **{f"staging file {n}": (lambda n: lambda mp: mp.setattr(
        journal, "temp_beside", _nth(n, journal.temp_beside, OSError(errno.ENOSPC, "full")))) (n) for n in (1, 6, RENAMES)},
    **{f"rename {n}": (lambda n: lambda mp: mp.setattr(
        os, "replace", _nth(n, os.replace, OSError(errno.ENAMETOOLONG, "File name too long"), _into_place)))(n)
       for n in range(1, RENAMES + 1)},
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_in_the_write_leaves_everything_as_before(base, fault, tmp_path, monkeypatch):
    root, before, _, first = base
    copy(root, tmp_path)
    only_kinds(monkeypatch, "通报", "榜单")
    FAULTS[fault](monkeypatch)
    result = build(tmp_path / "camp", tmp_path / "out", "--reissue", "--jobs", 1, code=2)
    assert "没有写出任何文件" in result.stderr and "原有的文件保持不变" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert state(tmp_path) == before  # no temporary file, no journal, the register untouched
    monkeypatch.undo()
    issued_kept(tmp_path, first)
    assert verify_cli(tmp_path).exit_code == 0


def test_register_commit_failing_puts_the_files_back(base, tmp_path, monkeypatch):
    from gongwen.archive import register

    root, before, _, first = base
    copy(root, tmp_path)
    only_kinds(monkeypatch, "通报", "榜单")

    def commit(con):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(register, "_commit", commit)
    result = build(tmp_path / "camp", tmp_path / "out", "--reissue", "--jobs", 1, code=2)
    assert "写入发文登记" in result.stderr and "磁盘读写出错" in result.stderr and "原有的文件保持不变" in result.stderr
    assert state(tmp_path) == before
    issued_kept(tmp_path, first)


def test_fault_after_the_commit_is_finished_by_the_next_run(base, tmp_path, monkeypatch):
    """The register committed, then the clean-up failed: the journal stays and
    the next run (here verify) finishes the write."""
    root, _, after, first = base
    copy(root, tmp_path)
    only_kinds(monkeypatch, "通报", "榜单")
    monkeypatch.setattr(journal, "_finish", _nth(1, journal._finish, OSError(errno.EIO, "I/O")))
    build(tmp_path / "camp", tmp_path / "out", "--reissue", "--jobs", 1)
    assert (tmp_path / "out" / journal.JOURNAL).is_file()  # left for the next run
    monkeypatch.undo()
    result = verify_cli(tmp_path)
    assert "已把它完成" in result.output and result.exit_code == 0, result.output
    assert state(tmp_path) == after
    issued_kept(tmp_path, first)


# -- real kill -9 of a build in a subprocess --------------------------------------------


KILL = "import os as _os, signal as _signal\n"
AT_RENAME = KILL + """
_real, _n = _os.replace, [0]
def _replace(src, dst, *a, **k):
    if _os.path.basename(str(src)).startswith('.gw-') and not str(dst).endswith('.gw-journal.json'):
        _n[0] += 1
        if _n[0] == {n}:
            _os.kill(_os.getpid(), _signal.SIGKILL)
    return _real(src, dst, *a, **k)
_os.replace = _replace
"""
AT_COMMIT = KILL + """
import gongwen.archive.register as _r
_real = _r._commit
def _commit(con):
    if {after}:
        _real(con)
    _os.kill(_os.getpid(), _signal.SIGKILL)
_r._commit = _commit
"""
WHILE_STAGING = KILL + """
import gongwen.campaign.journal as _j
_real, _n = _j.temp_beside, [0]
def _temp(path, data):
    _n[0] += 1
    if _n[0] == 5:
        _os.kill(_os.getpid(), _signal.SIGKILL)
    return _real(path, data)
_j.temp_beside = _temp
"""


def killed_build(root: Path, patch: str) -> subprocess.CompletedProcess:
    code = ("import sys\nimport gongwen.documents.build as b\n"
            "b.KINDS[:] = [k for k in b.KINDS if k.name in ('通报', '榜单')]\n" + patch +
            "\nfrom gongwen.cli import main\nmain(sys.argv[1:], prog_name='pipeline.py')\n")
    env = {**os.environ, "GONGWEN_CACHE_DIR": "off", "TMPDIR": str(root / "tmp")}
    (root / "tmp").mkdir()
    return subprocess.run([sys.executable, "-c", code, "build", str(root / "camp"), "--out", str(root / "out"),
                           "--reissue", "--jobs", "1"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


KILLS = {
    "at the first rename": (AT_RENAME.format(n=1), "before"),
    "at rename 6": (AT_RENAME.format(n=6), "before"),
    "at the last rename": (AT_RENAME.format(n=RENAMES), "before"),
    "just before the register's commit": (AT_COMMIT.format(after=False), "before"),
    "just after the register's commit": (AT_COMMIT.format(after=True), "after"),
}


@pytest.mark.parametrize("point", list(KILLS))
def test_kill_9_then_the_next_run_finds_before_or_after(base, point, tmp_path, monkeypatch):
    root, before, after, first = base
    copy(root, tmp_path)
    patch, expected = KILLS[point]
    proc = killed_build(tmp_path, patch)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (tmp_path / "out" / journal.JOURNAL).is_file()  # the write was under way
    result = verify_cli(tmp_path)  # the next run: verify finishes or undoes it first
    assert result.exit_code == 0, result.output
    assert ("已把它完成" if expected == "after" else "已恢复为那次之前的文件") in result.output
    assert state(tmp_path) == (after if expected == "after" else before)
    issued_kept(tmp_path, first)
    # and a build after that is the one nothing stopped
    only_kinds(monkeypatch, "通报", "榜单")
    build(tmp_path / "camp", tmp_path / "out", "--reissue", "--jobs", 1)
    assert state(tmp_path) == after


def test_kill_9_while_staging_then_build_cleans_up(base, tmp_path, monkeypatch):
    """Killed while the temporary files were written (no journal yet): the
    next build removes them, and the staging folders killed builds left in
    the system's temporary folder, before it does anything else."""
    import tempfile

    root, before, _, first = base
    copy(root, tmp_path)
    proc = killed_build(tmp_path, WHILE_STAGING)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert temporaries(tmp_path / "out") and not (tmp_path / "out" / journal.JOURNAL).exists()
    staging = tmp_path / "tmp"
    killed = list(staging.glob("gongwen-staging-*"))
    assert killed and all(any(d.iterdir()) for d in killed)  # the killed build's, with its documents
    monkeypatch.setenv("TMPDIR", str(staging))
    monkeypatch.setattr(tempfile, "tempdir", None)
    only_kinds(monkeypatch, "通报", "榜单")
    result = build(tmp_path / "camp", tmp_path / "out", "--jobs", 1, code=2)  # without --reissue: refused
    assert "不会覆盖" in result.stderr
    assert state(tmp_path) == before
    assert not [d for d in killed if d.exists()], (os.getpid(), killed)
    issued_kept(tmp_path, first)


def test_staging_folders_of_live_processes_stay(tmp_path):
    from gongwen.campaign.xlsxio import sweep_staging

    mine = tmp_path / f"gongwen-staging-{os.getpid()}-abcd"
    gone = tmp_path / "gongwen-staging-999999999-abcd"
    new_legacy = tmp_path / "gongwen-staging-abcd"  # an older program's name, no process id: kept for a day
    for d in (mine, gone, new_legacy):
        d.mkdir()
    assert sweep_staging(tmp_path) == [gone]
    assert mine.exists() and new_legacy.exists()
