"""build --dry-run and --strict on the demo campaign (which has two 提示):
the dry run writes nothing and shows the 报送情况; strict refuses, naming the
提示, and writes nothing."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from gongwen import INPUTS_DIR
from gongwen.cli import main


def copy(tmp_path):
    camp = tmp_path / "xinfeng-2023"
    shutil.copytree(INPUTS_DIR / "xinfeng-2023", camp, ignore=shutil.ignore_patterns("发文登记.sqlite*"))
    return camp


def test_dry_run_writes_nothing_and_shows_who_sent_what(tmp_path):
    camp, out = copy(tmp_path), tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(camp), "--out", str(out), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert not out.exists() and not (camp / "发文登记.sqlite").exists()
    text = result.output.replace("\n", "")
    assert "提示（2 条，不影响生成）" in text
    assert "报送情况" in text and "2023-06 未报送任何内容的单位（1 个）：县交通运输局" in text
    assert "检查完毕（--dry-run）：没有写任何文件。读取报表时有 2 条提示" in text


def test_strict_turns_the_warnings_into_errors(tmp_path):
    camp, out = copy(tmp_path), tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(camp), "--out", str(out), "--strict"])
    assert result.exit_code == 2
    assert "报表有 2 处问题（其中 2 处是提示，严格模式下按错误处理），未生成任何文件" in result.output
    assert "reports/2023-07/县商务局.xlsx 外出招商 第5行: 与第2行完全相同，按一条计" in result.output
    assert not out.exists()
