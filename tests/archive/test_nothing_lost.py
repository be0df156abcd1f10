"""A build that fails late (bad data found late, the disk full, Ctrl-C while
typesetting) leaves the previous outputs byte-identical, no temporary files,
the register untouched, and says what happened in Chinese. Two builds of the
same campaign at once both succeed and leave a folder that verifies."""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from gongwen.errors import UserError

from archive_helpers import only_kinds, ROOT, build, hashes, june_rows, make_campaign, temporaries, write_xlsx

NUMBERS = {"2023-06": "auto", "2023-06-lists": "auto"}
PATTERN = "信开放办〔{year}〕{n}号"


@pytest.fixture
def built(tmp_path, fast):
    """A campaign built once; then its June report changes (a new 签约项目, so
    a rebuild would rewrite every file but the register's note, whose bytes
    stay the same and which the write leaves as it is). Returns (campaign,
    out, hashes before)."""
    camp = make_campaign(tmp_path, NUMBERS, PATTERN)
    out = tmp_path / "out"
    build(camp, out)
    rows = june_rows()
    rows["信息报送"].append(["乙小分队", "2023-06-28"])
    rows["签约项目"].append(["县乙局", "补报项目", "补报企业", "上市公司", "新能源", 3, "实质性签约", "2023-06-20"])
    write_xlsx(camp / "reports" / "2023-06.xlsx", rows)
    return camp, out, hashes(out), (camp / "发文登记.sqlite").read_bytes()


def unchanged(camp, out, before, register):
    assert hashes(out) == before
    assert not temporaries(out)
    assert (camp / "发文登记.sqlite").read_bytes() == register


def test_bad_data_found_late(built, monkeypatch):
    camp, out, before, register = built
    from gongwen.documents import build as docbuild

    from gongwen.documents.kinds import Kind

    def late(kind, c, templates, manifest):
        raise UserError("榜单数据有误：甲镇的上榜依据找不到对应的签约记录")

    kind = Kind("late", "late", "bulletin", "通报.txt.j2", None, None, lambda p: p, collect=late)
    monkeypatch.setattr(docbuild, "KINDS", docbuild.KINDS + [kind])
    result = build(camp, out, "--reissue", code=2)
    assert "错误：榜单数据有误：甲镇的上榜依据找不到对应的签约记录" in result.stderr
    unchanged(camp, out, before, register)


def test_disk_full_on_the_fifth_file(built, monkeypatch):
    camp, out, before, register = built
    real, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    result = build(camp, out, "--reissue", code=2)
    assert len(calls) == 5
    assert (f"错误：写出文件失败：磁盘空间已满，请腾出空间后重新运行。本次没有写出任何文件，{out} 里原有的文件保持不变，"
            "也没有留下临时文件") in result.stderr.replace("\n", "")
    unchanged(camp, out, before, register)


def test_ctrl_c_while_typesetting(built, monkeypatch):
    camp, out, before, register = built
    from gongwen.build import campaign as buildlib

    real = buildlib.typeset_documents

    def interrupted(c, out_, r, docs, *args, **options):
        real(c, out_, r, docs[:1], *args, **options)  # one document typeset, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(buildlib, "typeset_documents", interrupted)
    result = build(camp, out, "--reissue", code=130)
    assert "已中止：已写出的旧文件保持不变。" in result.stderr
    unchanged(camp, out, before, register)


def _cli(*args, **kw):
    """pipeline.py with only the month's 通报 and 榜单 (as the `fast` fixture)."""
    code = ("import sys; import gongwen.documents.build as b;"
            "b.KINDS[:] = [k for k in b.KINDS if k.name in ('通报', '榜单')];"
            "from gongwen.cli import main; main(sys.argv[1:], prog_name='pipeline.py')")
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def test_real_sigint_during_a_build(built):
    camp, out, before, register = built
    proc = _cli("build", camp, "--out", out, "--reissue")
    # the numbers are printed just before typesetting begins: Ctrl-C then
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "自动编号" in line:
            break
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    err = "".join(seen) + err
    if proc.returncode == 0:
        pytest.skip("the build finished before the signal arrived")
    assert proc.returncode == 130, err
    assert "已中止：已写出的旧文件保持不变。" in err
    unchanged(camp, out, before, register)


def test_two_builds_at_once(tmp_path):
    camp = make_campaign(tmp_path, NUMBERS, PATTERN)
    out = tmp_path / "out"
    procs = [_cli("build", camp, "--out", out) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, results):
        assert p.returncode == 0, err
    check = subprocess.run([sys.executable, "pipeline.py", "verify", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert not temporaries(out)
    con = sqlite3.connect(camp / "发文登记.sqlite")
    issued = con.execute("SELECT kind, number, version, state FROM issued ORDER BY number").fetchall()
    assert issued == [("通报", "信开放办〔2023〕1号", 0, "draft"), ("榜单", "信开放办〔2023〕2号", 0, "draft")]
    files = dict(con.execute("SELECT path, sha256 FROM files"))
    now = hashes(out)
    assert files and all(now[p] == h for p, h in files.items())


def test_build_twice_same_bytes(tmp_path, monkeypatch):
    """Deterministic builds: two builds into different folders hash alike (every
    DOCX, PDF, XLSX and manifest.json; the full demo campaign is rebuilt the same
    way in tests/campaign/test_build.py)."""
    only_kinds(monkeypatch, "通报", "榜单", "得分反馈单")
    camp = make_campaign(tmp_path, NUMBERS, PATTERN)
    build(camp, tmp_path / "a")
    build(camp, tmp_path / "b")
    a, b = hashes(tmp_path / "a"), hashes(tmp_path / "b")
    assert a == b and any(p.endswith(".pdf") for p in a) and any(p.endswith(".docx") for p in a)
