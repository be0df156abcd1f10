"""The output folder belongs to the build (issue 12, items 11 and 12): files
an earlier build wrote that this one does not make again are removed in the
same step, unless edited since; files no build wrote are left alone and
listed; an issued document is never removed; verify passes after every
build and after `annual`."""

from __future__ import annotations

from click.testing import CliRunner

import shutil

from archive_helpers import build, main, make_campaign, write_xlsx
from campaign_helpers import report, sign, trip

from gongwen.archive.verify import verify


def july(folder):
    write_xlsx(folder / "reports" / "2023-07.xlsx", {
        "签约项目": [sign("甲镇", 3, month=7, name="新材料项目")],
        "外出招商": [trip("乙镇", month=7)],
        "信息报送": [report(u, 10, month=7) for u in ("甲镇", "乙镇", "县甲局")],
    })


def test_a_month_taken_out_leaves_no_documents_behind(tmp_path, fast):
    camp = make_campaign(tmp_path)
    july(camp)
    out = tmp_path / "out"
    build(camp, out)
    assert (out / "2023-07" / "7月工作情况通报.pdf").is_file()
    (camp / "reports" / "2023-07.xlsx").unlink()
    result = build(camp, out)
    assert not (out / "2023-07").exists()  # its files removed, the empty folder too
    assert "已删除上次生成、这次不再生成的" in result.stderr
    assert "2023-07/7月工作情况通报.pdf" in result.stderr
    report = verify(out)
    assert report.ok and report.checked > 0


def test_edited_and_foreign_files_are_kept_and_named(tmp_path, fast):
    camp = make_campaign(tmp_path)
    july(camp)
    out = tmp_path / "out"
    build(camp, out)
    edited = out / "2023-07" / "7月工作情况通报.docx"
    edited.write_bytes(edited.read_bytes() + b"edited")
    (out / "我的说明.txt").write_text("办公室自己放的文件", encoding="utf-8")
    (camp / "reports" / "2023-07.xlsx").unlink()
    result = build(camp, out)
    assert edited.is_file() and not (out / "2023-07" / "7月工作情况通报.pdf").exists()
    assert "已被改动过，保留未删" in result.stderr and "2023-07/7月工作情况通报.docx" in result.stderr
    assert "不是生成的文件，保留未动" in result.stderr and "我的说明.txt" in result.stderr
    assert (out / "我的说明.txt").read_text(encoding="utf-8") == "办公室自己放的文件"
    assert sorted(verify(out).extra) == ["2023-07/7月工作情况通报.docx", "我的说明.txt"]


def test_an_issued_document_is_never_removed(tmp_path, fast):
    camp = make_campaign(tmp_path, {"2023-07": "auto"}, "信开放办〔{year}〕{n}号")
    july(camp)
    out = tmp_path / "out"
    build(camp, out)
    assert CliRunner().invoke(main, ["issue", str(camp), "2023-07"]).exit_code == 0
    issued = out / "2023-07" / "7月工作情况通报.pdf"
    before = issued.read_bytes()
    (camp / "reports" / "2023-07.xlsx").unlink()
    build(camp, out)
    assert issued.read_bytes() == before  # registered as issued: kept, and still in manifest.json
    assert not (out / "2023-07" / "7月一马当先榜和奋起直追榜.pdf").exists()  # not numbered: removed
    assert verify(out).ok


def test_annual_manifest_verifies_and_a_build_folder_with_annual_verifies(tmp_path):
    from click.testing import CliRunner

    from gongwen import INPUTS_DIR
    from gongwen.cli import main

    camp = tmp_path / "xinfeng-2023"
    shutil.copytree(INPUTS_DIR / "xinfeng-2023", camp, ignore=shutil.ignore_patterns("发文登记.sqlite*"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["annual", str(camp), "--year", "2023", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert verify(out / "annual").ok
    again = CliRunner().invoke(main, ["annual", str(camp), "--year", "2023", "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert verify(out / "annual").ok and not list((out / "annual").glob("*（第*"))
