"""Drafts until issued: a build reserves numbers and writes drafts that
rebuild freely (no --reissue, no （第N版） copy, the number kept); `issue`
locks them; an issued document refuses to change without --reissue; an
older register (no state column) is migrated, its rows counting as issued."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from gongwen.archive.register import SCHEMA_VERSION
from gongwen.archive.verify import verify

from archive_helpers import build, hashes, june_rows, main, make_campaign, write_xlsx

PATTERN = "信开放办〔{year}〕{n}号"
BULLETIN = "2023-06/6月工作情况通报"
LISTS = "2023-06/6月一马当先榜和奋起直追榜"


def state(camp) -> dict[str, tuple]:
    con = sqlite3.connect(camp / "发文登记.sqlite")
    try:
        return {r[0]: r[1:] for r in con.execute("SELECT rel, number, state, version FROM issued")}
    finally:
        con.close()


def issue(*args, code=0):
    result = CliRunner().invoke(main, ["issue", *map(str, args)])
    assert result.exit_code == code, (result.output, result.exception)
    return result


def change_june(camp):
    rows = june_rows()
    rows["签约项目"].append(["县乙局", "补报项目", "补报企业", "上市公司", "新能源", 3, "实质性签约", "2023-06-20"])
    write_xlsx(camp / "reports" / "2023-06.xlsx", rows)


def kept_versions(out):
    return sorted(p.name for p in out.rglob("*（第*版）*"))


def test_a_draft_rebuilds_with_changed_data_keeping_its_number(tmp_path, fast):
    camp = make_campaign(tmp_path, {"2023-06": "auto", "2023-06-lists": "auto"}, PATTERN)
    out = tmp_path / "out"
    build(camp, out)
    first, before = state(camp), hashes(out)
    assert first[BULLETIN] == ("信开放办〔2023〕1号", "draft", 0)
    change_june(camp)
    result = build(camp, out)  # no --reissue needed
    assert "重新生成草稿" in result.stderr and "份（文号不变）" in result.stderr, result.stderr
    assert state(camp) == first  # the reserved numbers stay
    assert hashes(out)[f"{BULLETIN}.pdf"] != before[f"{BULLETIN}.pdf"]
    assert not kept_versions(out) and verify(out).ok
    con = sqlite3.connect(camp / "发文登记.sqlite")
    files = dict(con.execute("SELECT path, sha256 FROM files WHERE version = 0"))
    assert con.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 0
    con.close()
    now = hashes(out)
    assert files and all(now[p] == h for p, h in files.items())  # the latest build's files


def test_issue_locks_the_chosen_drafts(tmp_path, fast):
    camp = make_campaign(tmp_path, {"2023-06": "auto", "2023-06-lists": "auto"}, PATTERN)
    out = tmp_path / "out"
    build(camp, out)
    wrong = issue(camp, "2023-13", code=2)
    assert "没有找到要印发的公文：2023-13" in wrong.output and "2023-06/6月工作情况通报（信开放办〔2023〕1号）" in wrong.output
    (out / f"{LISTS}.pdf").write_bytes(b"edited")
    edited = issue(camp, "--out", out, code=2)  # the files on disk are not what the build wrote
    assert "与最近一次生成的不同" in edited.output and state(camp)[BULLETIN][1] == "draft"
    build(camp, out)
    done = issue(camp, "--out", out, out / f"{BULLETIN}.pdf")  # a file of the output folder
    assert "已印发 信开放办〔2023〕1号" in done.output
    assert state(camp)[BULLETIN] == ("信开放办〔2023〕1号", "issued", 1)
    assert state(camp)[LISTS] == ("信开放办〔2023〕2号", "draft", 0)
    # changed data: the draft list rebuilds, the issued bulletin refuses to change
    change_june(camp)
    before = hashes(out)
    refused = build(camp, out, code=2)
    assert "（信开放办〔2023〕1号）已于 2023年7月2日 印发，这次生成的内容与已印发的不同" in refused.stderr
    assert "6月一马当先榜" not in refused.stderr.split("未写出任何文件")[1]
    assert hashes(out) == before
    build(camp, out, "--reissue")
    assert kept_versions(out) == ["6月工作情况通报（第1版）.docx", "6月工作情况通报（第1版）.pdf"]
    assert state(camp)[BULLETIN] == ("信开放办〔2023〕1号", "issued", 2)
    assert state(camp)[LISTS] == ("信开放办〔2023〕2号", "draft", 0) and verify(out).ok
    again = issue(camp, "2023-06")  # by period: the list now, the bulletin was issued before
    assert "已印发 信开放办〔2023〕2号" in again.output and "早已印发（第 2 版）" in again.output
    assert issue(camp).output.strip().endswith("没有待印发的草稿")


def test_issue_documents_library_function(tmp_path, fast):
    from gongwen.build import issue_documents

    camp = make_campaign(tmp_path, {"2023-06": "auto"}, PATTERN)
    build(camp, tmp_path / "out")
    result = issue_documents(camp, tmp_path / "out", ["信开放办〔2023〕1号"])
    assert [(d.rel, d.number, d.version) for d in result.issued] == [(BULLETIN, "信开放办〔2023〕1号", 1)]
    assert set(result.issued[0].files) == {f"{BULLETIN}.docx", f"{BULLETIN}.pdf"}


def test_an_older_register_is_migrated_and_its_rows_count_as_issued(tmp_path, fast):
    camp = make_campaign(tmp_path, {"2023-06": "auto"}, PATTERN)
    out = tmp_path / "out"
    build(camp, out)
    # what schema 1 wrote for this build: every row issued, version 1, no state column
    con = sqlite3.connect(camp / "发文登记.sqlite")
    con.execute("INSERT INTO versions (identity, version, organ, number, title, date, rel, issued_at) "
                "SELECT identity, 1, organ, number, title, date, rel, date FROM issued")
    con.execute("UPDATE files SET version = 1")
    con.execute("UPDATE issued SET version = 1")
    con.execute("ALTER TABLE issued DROP COLUMN state")
    con.execute("PRAGMA user_version = 0")
    con.commit()
    con.close()
    before = hashes(out)
    build(camp, out)  # unchanged: nothing to do
    assert state(camp)[BULLETIN] == ("信开放办〔2023〕1号", "issued", 1) and hashes(out) == before
    con = sqlite3.connect(camp / "发文登记.sqlite")
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()
    change_june(camp)
    refused = build(camp, out, code=2)
    assert "已于 2023年7月2日 印发" in refused.stderr and "--reissue" in refused.stderr
    listing = CliRunner().invoke(main, ["register", str(camp)])
    assert "已印发" in listing.output and "草稿" not in listing.output
