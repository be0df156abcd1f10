"""The register cannot be lost or fooled: a damaged register (empty,
truncated, a garbage page, not a register, deleted while its backup is
there) is refused with how to restore it, exit status 2 and no traceback,
and is never recreated; the backup restores it. Document numbers compare
normalised (full-width digits, leading zeros, spaces, brackets). verify
checks issued documents against the register, not only the manifest. The
all-or-nothing writer checks every name first and puts the old files back
on any failure."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from gongwen.archive.register import number_key
from gongwen.campaign import journal
from gongwen.errors import UserError

from archive_helpers import build, hashes, june_rows, main, make_campaign, temporaries, write_xlsx

BULLETIN = "2023-06/6月工作情况通报"
REGISTER = "发文登记.sqlite"


def cli(*args):
    return CliRunner().invoke(main, [*map(str, args)])


def issued_june(root: Path, numbers=None, name="camp", *extra) -> tuple[Path, Path]:
    camp = make_campaign(root, numbers or {"2023-06": "信开放办〔2023〕12号"}, name=name)
    out = root / f"out-{name}"
    build(camp, out, "--jobs", 1, *extra)
    result = cli("issue", camp, "--out", out, *extra)
    assert result.exit_code == 0, result.output
    return camp, out


def records(path: Path) -> list:
    con = sqlite3.connect(path)
    try:
        return [sorted(con.execute(f"SELECT * FROM {t}")) for t in ("issued", "versions", "files")]
    finally:
        con.close()


# -- damaged registers -----------------------------------------------------------------


def _empty(data: bytes) -> bytes:
    return b""


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2 + 100]


def _truncated_at_a_page(data: bytes) -> bytes:
    return data[:4096 * 2]


def _garbage_page(data: bytes) -> bytes:
    page = 4096 * 2
    return data[:page] + bytes((i * 197 + 13) % 256 for i in range(4096)) + data[page + 4096:]


def _garbage_header(data: bytes) -> bytes:
    return os.urandom(100) + data[100:]


def _not_a_register(data: bytes) -> bytes:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (x)")
    return con.serialize()


DAMAGE = {
    "empty": (_empty, "是空的（0 字节）"),
    "truncated": (_truncated, "不完整（文件被截断了）"),
    "truncated at a page": (_truncated_at_a_page, "已损坏"),
    "garbage page": (_garbage_page, "已损坏"),
    "garbage header": (_garbage_header, "不是 SQLite 数据库文件"),
    "another database": (_not_a_register, "不是发文登记文件"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_register_is_refused_and_restored_from_its_backup(tmp_path, fast, damage):
    camp, out = issued_june(tmp_path)
    reg = camp / REGISTER
    good, folder = records(reg), hashes(out)
    assert (camp / f"{REGISTER}.备份").is_file() and records(camp / f"{REGISTER}.备份") == good
    spoil, why = DAMAGE[damage]
    reg.write_bytes(spoil(reg.read_bytes()))
    spoiled = reg.read_bytes()
    for args in (("build", camp, "--out", out, "--jobs", 1), ("issue", camp, "--out", out), ("register", camp),
                 ("verify", out)):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output and why in result.output, (args, result.output)
        assert "无法使用" in result.output and f"请用备份恢复：把 {REGISTER}.备份 复制一份，改名为 {REGISTER}" in result.output
        assert reg.read_bytes() == spoiled  # never recreated, never "repaired"
        assert hashes(out) == folder
    shutil.copyfile(camp / f"{REGISTER}.备份", reg)  # what the message says to do
    build(camp, out, "--jobs", 1)  # the issued June unchanged: no --reissue needed
    assert records(reg) == good and hashes(out) == folder


def test_damaged_register_without_a_backup_says_where_to_look(tmp_path, fast):
    camp, out = issued_june(tmp_path)
    (camp / f"{REGISTER}.备份").unlink()
    (camp / REGISTER).write_bytes(b"")
    result = cli("build", camp, "--out", out)
    assert result.exit_code == 2 and "请从单位的备份（拷贝、网盘等）中找回 发文登记.sqlite" in result.output


def test_deleted_register_with_its_backup_is_not_started_afresh(tmp_path, fast):
    camp, out = issued_june(tmp_path)
    (camp / REGISTER).unlink()
    folder = hashes(out)
    result = cli("build", camp, "--out", out)
    assert result.exit_code == 2 and "不见了，但它的备份 发文登记.sqlite.备份 还在" in result.output
    assert not (camp / REGISTER).exists() and hashes(out) == folder


# -- numbers compared normalised -------------------------------------------------------


@pytest.mark.parametrize("written", [
    "信开放办〔2023〕12号", "信开放办〔2023〕012号", "信开放办〔２０２３〕１２号", "信开放办〔2023〕12号\u3000",
    " 信开放办 〔2023〕 12 号", "信开放办[2023]12号", "信开放办（2023）12号", "信开放办【2023】0012号", "信开放办﹝2023﹞12号",
    "信开放办〔2023〕1\u200b2号",
])
def test_number_key(written):
    assert number_key(written) == "信开放办〔2023〕12号"


def test_different_numbers_stay_different():
    assert len({number_key(n) for n in ("信开放办〔2023〕12号", "信开放办〔2023〕120号", "信开放办〔2022〕12号",
                                        "信开办〔2023〕12号")}) == 4


@pytest.mark.parametrize("disguised", ["信开放办〔2023〕012号", "信开放办〔２０２３〕１２号", "信开放办〔2023〕12号　"])
def test_a_number_in_disguise_is_refused_in_a_shared_register(tmp_path, fast, disguised):
    shared = tmp_path / "开放办.sqlite"
    a = make_campaign(tmp_path, {"2023-06": "信开放办〔2023〕12号"}, name="a")
    build(a, tmp_path / "oa", "--register", shared, "--jobs", 1)
    assert cli("issue", a, "--register", shared).exit_code == 0
    b = make_campaign(tmp_path, {"2023-06": f"'{disguised}'"}, name="b")
    text = (b / "campaign.yaml").read_text(encoding="utf-8")
    (b / "campaign.yaml").write_text(text.replace("id: xinfeng-2023", "id: xinfeng-2023-b", 1), encoding="utf-8")
    before = shared.read_bytes()
    result = build(b, tmp_path / "ob", "--register", shared, "--jobs", 1, code=2)
    assert f"发文字号 {disguised}（登记为 信开放办〔2023〕12号，统一全角半角、空格、括号和前导零后是同一个文号）" in result.stderr
    assert "已于 2023年7月2日 发给《关于全县招大引强“百日攻坚”6月工作情况的通报》" in result.stderr
    assert shared.read_bytes() == before and not (tmp_path / "ob" / "manifest.json").exists()


def test_auto_numbers_skip_a_number_written_full_width(tmp_path, fast):
    camp = make_campaign(tmp_path, {"2023-06": "信开放办〔２０２３〕０１２号", "2023-06-lists": "auto"},
                         "信开放办〔{year}〕{n}号")
    build(camp, tmp_path / "out", "--jobs", 1)
    con = sqlite3.connect(camp / REGISTER)
    assert dict(con.execute("SELECT kind, number FROM issued")) == {"通报": "信开放办〔２０２３〕０１２号",
                                                                      "榜单": "信开放办〔2023〕13号"}


# -- verify against the register -------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _edit_issued_and_manifest(out: Path, rel: str) -> None:
    """Change an issued file, and the manifest to match: the manifest alone cannot tell."""
    path = out / rel
    path.write_bytes(path.read_bytes() + b"\n% edited")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] == rel:
            entry["sha256"], entry["bytes"] = _sha(path.read_bytes()), path.stat().st_size
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_verify_finds_an_issued_document_changed_even_with_the_manifest_edited(tmp_path, fast):
    from gongwen.archive.verify import verify

    camp, out = issued_june(tmp_path)
    assert cli("verify", out).exit_code == 0
    _edit_issued_and_manifest(out, f"{BULLETIN}.pdf")
    assert verify(out).ok  # the manifest alone is fooled
    result = cli("verify", out)
    assert result.exit_code == 1, result.output
    assert "与发文登记不符 1 个：" in result.output
    assert f"  · {BULLETIN}.pdf：与发文登记记下的已印发内容不同（信开放办〔2023〕12号，第 1 版）" in result.output
    assert "与发文登记不符 1" in result.output.splitlines()[-1]


def test_verify_checks_the_kept_first_version(tmp_path, fast):
    camp, out = issued_june(tmp_path)
    rows = june_rows()
    rows["签约项目"].append(["县乙局", "补报项目", "补报企业", "上市公司", "新能源", 3, "实质性签约", "2023-06-20"])
    write_xlsx(camp / "reports" / "2023-06.xlsx", rows)
    build(camp, out, "--reissue", "--jobs", 1)
    assert cli("verify", out).exit_code == 0
    _edit_issued_and_manifest(out, "2023-06/6月工作情况通报（第1版）.docx")
    result = cli("verify", out)
    assert result.exit_code == 1
    assert "6月工作情况通报（第1版）.docx：与发文登记记下的已印发内容不同（信开放办〔2023〕12号，第 1 版）" in result.output


def test_verify_register_option_when_the_note_is_gone_or_wrong(tmp_path, fast):
    camp, out = issued_june(tmp_path)
    _edit_issued_and_manifest(out, f"{BULLETIN}.docx")
    (out / ".gongwen-register").unlink()
    assert cli("verify", out).exit_code == 0  # no register known: the manifest only
    result = cli("verify", out, "--register", camp / REGISTER)
    assert result.exit_code == 1 and f"{BULLETIN}.docx：与发文登记记下的已印发内容不同" in result.output
    (out / ".gongwen-register").write_text('{"register": "../nowhere/发文登记.sqlite"}\n', encoding="utf-8")
    result = cli("verify", out)
    assert result.exit_code == 1 and "无法核对已印发的公文：请用 --register 指定发文登记文件" in result.output


def test_reissue_refuses_to_keep_an_edited_issued_file(tmp_path, fast):
    """The （第1版） copy is made from the file in the folder: it must be the issued bytes."""
    camp, out = issued_june(tmp_path)
    (out / f"{BULLETIN}.pdf").write_bytes(b"%PDF-1.7 not what was issued")
    rows = june_rows()
    rows["签约项目"].append(["县乙局", "补报项目", "补报企业", "上市公司", "新能源", 3, "实质性签约", "2023-06-20"])
    write_xlsx(camp / "reports" / "2023-06.xlsx", rows)
    before = hashes(out)
    result = build(camp, out, "--reissue", code=2)
    assert f"{BULLETIN}.pdf 与发文登记记下的已印发版本（信开放办〔2023〕12号，第 1 版）不同" in result.stderr
    assert hashes(out) == before


# -- the writer on its own -------------------------------------------------------------


def test_names_are_checked_before_anything_is_written(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"old")
    long = "𠮷" * 70  # 280 bytes of UTF-8
    deep = tmp_path.joinpath(*["目录" * 40] * 30)  # 240 bytes a part, 7000 in all
    files = {tmp_path / "a.txt": b"new", tmp_path / f"{long}.pdf": b"x", deep / "b.pdf": b"y"}
    with pytest.raises(UserError) as err:
        journal.write_files(files, tmp_path)
    assert err.value.problems[0].startswith("文件名太长（284 字节，上限 255 字节）")
    assert err.value.problems[1].startswith("路径太长（上限 4096 字节）")
    assert "没有写出任何文件" in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"] and (tmp_path / "a.txt").read_bytes() == b"old"


def test_a_journal_that_cannot_be_read_is_a_clear_error(tmp_path):
    (tmp_path / journal.JOURNAL).write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match="已损坏无法读取"):
        journal.recover(tmp_path)


def _no_links(monkeypatch):
    def link(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")  # FAT, exFAT, some network shares

    monkeypatch.setattr(os, "link", link)


def _folder(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"old a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_bytes(b"old b")
    return {tmp_path / "a.txt": b"new a", tmp_path / "sub" / "b.txt": b"new b", tmp_path / "new" / "c.txt": b"c"}


@pytest.mark.parametrize("links", [True, False], ids=["hard links", "no hard links"])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_a_failed_rename_puts_every_old_file_back_with_or_without_links(tmp_path, monkeypatch, n, links):
    files = _folder(tmp_path)
    before = hashes(tmp_path)
    if not links:
        _no_links(monkeypatch)
    real, calls = os.replace, []

    def replace(src, dst):
        if Path(src).name.startswith(".gw-") and not Path(src).name.endswith("-old.tmp") \
                and Path(dst).name != journal.JOURNAL:
            calls.append(dst)
            if len(calls) == n:
                raise OSError(errno.EIO, "I/O error")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError):
        journal.write_files(files, tmp_path)
    assert hashes(tmp_path) == before and not (tmp_path / "new").exists() and not temporaries(tmp_path)


class Crash(BaseException):
    """The process dying: nothing after it runs (the undo is switched off)."""


@pytest.mark.parametrize("links", [True, False], ids=["hard links", "no hard links"])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_recover_undoes_a_write_crashed_at_each_rename(tmp_path, monkeypatch, n, links):
    """n = 4: every file in place, the journal not yet marked committed."""
    files = _folder(tmp_path)
    before = hashes(tmp_path)
    if not links:
        _no_links(monkeypatch)
    real, calls = os.replace, []

    def replace(src, dst):
        if Path(src).name.startswith(".gw-") and not Path(src).name.endswith("-old.tmp"):
            calls.append(dst)
            if len(calls) == n + 1:  # the journal's own rename comes first
                raise Crash
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    def dead(moves, made):
        raise Crash  # nothing runs after a crash: no undo, no clean-up

    monkeypatch.setattr(journal, "_undo", dead)
    with pytest.raises(Crash):
        journal.write_files(files, tmp_path)
    monkeypatch.undo()
    assert (tmp_path / journal.JOURNAL).is_file()
    notes = journal.recover(tmp_path)
    assert notes and "已恢复为那次之前的文件" in notes[0]
    assert hashes(tmp_path) == before and not (tmp_path / "new").exists()


def test_recover_finishes_a_committed_write(tmp_path, monkeypatch):
    files = _folder(tmp_path)
    monkeypatch.setattr(journal, "_finish", lambda *a: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        journal.write_files(files, tmp_path)
    monkeypatch.undo()
    assert "已把它完成" in journal.recover(tmp_path)[0]
    assert {p: tmp_path.joinpath(p).read_bytes() for p in ("a.txt", "sub/b.txt", "new/c.txt")} == {
        "a.txt": b"new a", "sub/b.txt": b"new b", "new/c.txt": b"c"}
    assert not temporaries(tmp_path) and not (tmp_path / journal.JOURNAL).exists()


def test_register_killed_in_the_middle_of_its_transaction_is_put_right_by_sqlite(tmp_path, fast):
    """kill -9 while the register's transaction has already written pages into
    the file: SQLite's rollback journal (发文登记.sqlite-journal) puts it back
    on the next open; the register is not taken for damaged."""
    import signal
    import subprocess
    import sys

    camp, out = issued_june(tmp_path)
    reg = camp / REGISTER
    good = records(reg)
    code = f"""
import os, signal, sqlite3
con = sqlite3.connect({str(reg)!r}, isolation_level=None)
con.execute("PRAGMA cache_size = 1")
con.execute("BEGIN IMMEDIATE")
for i in range(3000):
    con.execute("INSERT INTO files VALUES (?, 9, ?, ?, 0)", ("x", str(i), "0" * 2000))
con.execute("DELETE FROM issued")
os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert Path(f"{reg}-journal").is_file() and reg.stat().st_size > 100_000  # pages of the dead transaction
    result = cli("register", camp)
    assert result.exit_code == 0, result.output
    assert records(reg) == good
    build(camp, out, "--jobs", 1)


def test_files_already_holding_the_new_bytes_are_left_as_they_are(tmp_path):
    """Only what changes is written: a target holding exactly the new bytes as
    a plain file of mode 644 keeps its inode and modification time; one with
    the same bytes but another mode, or a link, is written as before."""
    from gongwen.campaign.xlsxio import FileStore

    same, other, mode, link = (tmp_path / n for n in ("same.pdf", "other.pdf", "mode.pdf", "link.pdf"))
    big = bytes(range(256)) * 400  # staged to disk by a FileStore
    same.write_bytes(big)
    other.write_bytes(b"old")
    mode.write_bytes(b"m")
    (tmp_path / "elsewhere").write_bytes(b"l")
    link.symlink_to(tmp_path / "elsewhere")
    for p in (same, other, mode):
        p.chmod(0o644)
    mode.chmod(0o600)
    old_same = same.stat()
    files = FileStore(spill_bytes=1024)
    for path, data in ((same, big), (other, b"new"), (mode, b"m"), (link, b"l")):
        files[path] = data
    assert journal.unchanged(same, files.raw()[same]) and not journal.unchanged(mode, b"m")
    journal.write_files(files.raw(), tmp_path)
    now = same.stat()
    assert (now.st_ino, now.st_mtime_ns) == (old_same.st_ino, old_same.st_mtime_ns)
    assert other.read_bytes() == b"new" and mode.read_bytes() == b"m" and (mode.stat().st_mode & 0o777) == 0o644
    assert not link.is_symlink() and link.read_bytes() == b"l" and (tmp_path / "elsewhere").read_bytes() == b"l"
    assert not temporaries(tmp_path) and not (tmp_path / journal.JOURNAL).exists()
    files.close()
