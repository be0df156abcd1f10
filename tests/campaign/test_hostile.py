"""Hostile inputs and bad luck (issue 18): names differing only in width or
spaces, control characters, NUL, huge cells, deep YAML, symlinks under
reports/, problems in several files at once. Each ends in a Chinese message
naming what to fix, never a traceback."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from campaign_helpers import HEADERS, ROSTER, XINFENG, write_roster, write_xlsx  # noqa: E402

from gongwen.campaign import intake, load_campaign
from gongwen.cli import main
from gongwen.errors import UserError

R = "reports/2023-06.xlsx"


def folder(tmp_path: Path, roster=ROSTER) -> Path:
    f = tmp_path / "camp"
    (f / "reports").mkdir(parents=True)
    shutil.copy(XINFENG / "campaign.yaml", f / "campaign.yaml")
    write_roster(f, roster)
    return f


def problems(f: Path) -> list[str]:
    with pytest.raises(UserError) as exc:
        intake(load_campaign(f))
    return exc.value.problems


def cli(*args) -> object:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    return result


# 5. Names equal after width and space folding -------------------------------------------------

def test_roster_names_equal_after_folding_are_an_error(tmp_path):
    f = folder(tmp_path, ROSTER + [("ＡＢＣ镇", "乡镇", ""), ("ABC镇", "乡镇", ""), ("县 甲局", "县直部门", "")])
    with pytest.raises(UserError) as exc:
        load_campaign(f)
    assert exc.value.problems == [
        'units.xlsx 参评单位 第9行 单位: "ABC镇" 与第8行“ＡＢＣ镇”只差全角/半角或空格，会被当成同一个单位：请删去一行，或把名称改得能区分',
        'units.xlsx 参评单位 第10行 单位: "县 甲局" 与第4行“县甲局”只差全角/半角或空格，会被当成同一个单位：请删去一行，或把名称改得能区分',
    ]


def test_report_name_matching_after_folding_is_taken_with_a_note(tmp_path):
    f = folder(tmp_path)
    write_xlsx(f / R, {"信息报送": [["甲 镇", "2023-06-03"], ["县甲局", "2023-06-04"], ["甲镇", "2023-06-05"]]})
    data = intake(load_campaign(f))["2023-06"]
    assert sorted(r.unit for r in data.rows("信息报送")) == ["县甲局", "甲镇", "甲镇"]
    assert "单位“甲 镇”与参评单位名单中的“甲镇”只差全角/半角或空格，按“甲镇”计（2023年6月报表）" in data.warnings


# 8. One bad cell: a Chinese message naming it, never a traceback ---------------------------------

def test_control_character_in_a_report_cell(tmp_path):
    from campaign_helpers import sign

    f = folder(tmp_path)
    write_xlsx(f / R, {"签约项目": [sign("甲镇", 2, name="项目_x000B_名")]})  # how Excel stores U+000B
    assert problems(f) == [
        f'{R} 签约项目 第2行 项目名称: "项目\\x0B名" 含不可见的控制字符（U+000B，在第3个字处），请在 Excel 中删去后重新输入这一格']


def test_control_character_in_a_csv_unit(tmp_path):
    f = folder(tmp_path)
    (f / "reports" / "2023-06").mkdir()
    (f / "reports" / "2023-06" / "信息报送.csv").write_text("单位,报送日期\n甲\x01镇,2023-06-03\n", encoding="utf-8")
    assert problems(f) == [
        'reports/2023-06/信息报送.csv 信息报送 第2行 单位: "甲\\x01镇" 含不可见的控制字符（U+0001，在第2个字处），请在 Excel 中删去后重新输入这一格']


def test_nul_in_a_roster_name(tmp_path):
    f = folder(tmp_path)
    (f / "units.xlsx").unlink()
    rows = "".join(f"{n},{c},{s}\n" for n, c, s in ROSTER)
    (f / "units.csv").write_text("单位,类别,简称\n" + rows + "丙\x00镇,乡镇,\n", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_campaign(f)
    assert exc.value.problems == [
        'units.csv 参评单位 第8行 单位: "丙\\x00镇" 含不可见的控制字符（U+0000，在第2个字处），请在 Excel 中删去后重新输入这一格']


def test_overlong_campaign_name(tmp_path):
    f = folder(tmp_path)
    text = (f / "campaign.yaml").read_text(encoding="utf-8").replace("name: 全县招大引强“百日攻坚”", "name: " + "长" * 300)
    (f / "campaign.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_campaign(f)
    assert exc.value.problems == [
        "键 name：活动名称有 300 字，超过 60 字的上限，请缩短（公文标题由它组成）（当前值：'" + "长" * 39 + "…（共 302 字））"]


@pytest.mark.parametrize("where", ["campaign.yaml", "reports/2023-06.yaml"])
def test_deeply_nested_yaml(tmp_path, where):
    from campaign_helpers import sign

    f = folder(tmp_path)
    write_xlsx(f / R, {"签约项目": [sign("甲镇", 2)]})
    deep = "[" * 5000 + "]" * 5000
    path = f / where
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(text + f"\n存在问题: {deep}\n", encoding="utf-8")
    result = cli("build", f, "--out", tmp_path / "out", "--formats", "docx")
    assert result.exit_code == 2
    assert f"{where} 第" in result.stderr and "嵌套太深，已拒绝读取：列表和键值最多套 40 层" in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.docx"))


def test_yaml_problems_are_in_chinese(tmp_path):
    f = folder(tmp_path)
    (f / "campaign.yaml").write_text("id: x\nmonths: [2023-06, 2023-07\n", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_campaign(f)
    assert str(exc.value) == "campaign.yaml 第3行第1列 不是合法的 YAML：方括号 [ ] 里的列表缺少逗号或右方括号 ]"


def test_ragged_csv_is_explained_in_chinese(tmp_path):
    f = folder(tmp_path)
    (f / "reports" / "2023-06").mkdir()
    (f / "reports" / "2023-06" / "信息报送.csv").write_text("单位,报送日期\n甲镇,2023-06-03,多,余\n", encoding="utf-8")
    assert problems(f) == ["reports/2023-06/信息报送.csv: 不是规整的 CSV 表格：第2行有 4 列，前面的行只有 2 列"
                           "（多了逗号？含逗号的文字请用英文双引号括起来）"]


# 11. Symlinks under reports/ are refused and never walked ------------------------------------------

LINK = "是符号链接（快捷方式），已拒绝读取：报表只从 reports/ 里真正的文件读，请把要用的文件复制进来，并删去这个链接"


def test_symlinked_month_folder_to_root_is_not_walked(tmp_path):
    f = folder(tmp_path)
    (f / "reports" / "2023-06").symlink_to("/")
    assert problems(f) == [f"reports/2023-06: {LINK}"]


def test_symlinked_csv_and_notes_are_refused(tmp_path):
    f = folder(tmp_path)
    (f / "reports" / "2023-06").mkdir()
    (f / "reports" / "2023-06" / "信息报送.csv").symlink_to("/etc/passwd")
    (f / "reports" / "2023-06" / "sub").mkdir()
    (f / "reports" / "2023-06" / "sub" / "usr").symlink_to("/usr")
    (f / "reports" / "2023-07.yaml").symlink_to("/etc/hostname")
    assert problems(f) == [f"reports/2023-06/sub/usr: {LINK}", f"reports/2023-06/信息报送.csv: {LINK}",
                           f"reports/2023-07.yaml: {LINK}"]


def test_symlinked_reports_folder_is_refused(tmp_path):
    f = folder(tmp_path)
    (f / "reports").rmdir()
    (f / "reports").symlink_to("/usr")
    assert problems(f) == [f"reports/: {LINK}"]


# 9. Size limits, checked before the work; messages quote a short excerpt ---------------------------

def test_huge_cell_refused_before_parsing(tmp_path):
    from campaign_helpers import sign

    f = folder(tmp_path)
    write_xlsx(f / R, {"签约项目": [sign("甲镇", 2, name="".join(chr(0x4E00 + i % 20000) for i in range(100_000)))]})
    assert problems(f) == [f"{R}: 有单元格的文字超过 2000 字的上限，已拒绝读取；请检查是否把大段内容粘贴进了一格，删去后另存"]


def test_total_text_limit(tmp_path, monkeypatch):
    from campaign_helpers import sign
    from gongwen.campaign import workbook

    monkeypatch.setattr(workbook, "MAX_TEXT_BYTES", 1024 * 1024)
    f = folder(tmp_path)
    write_xlsx(f / R, {"签约项目": [sign("甲镇", 2, name=f"{i:05d}" + "项" * 1000) for i in range(400)]})
    assert problems(f) == [f"{R}: 文字总量超过 1 MB 的上限；月报表不应有这么多文字，请检查是否粘贴了大段内容"]


def test_long_cell_in_a_csv_is_quoted_short(tmp_path):
    f = folder(tmp_path)
    (f / "reports" / "2023-06").mkdir()
    (f / "reports" / "2023-06" / "信息报送.csv").write_text("单位,报送日期\n" + "甲" * 300_000 + ",2023-06-03\n",
                                                           encoding="utf-8")
    assert problems(f) == [
        'reports/2023-06/信息报送.csv 信息报送 第2行 单位: "' + "甲" * 40 + '…（共 300000 字）" '
        "有 300000 字，超过每格 2000 字的上限，请精简"]


# No traceback reaches a user ----------------------------------------------------------------------

@pytest.mark.parametrize("exc, what", [
    (RuntimeError("boom"), "程序内部出错（RuntimeError）"),
    (MemoryError(), "内存不足（输入可能过大）"),
    (RecursionError(), "输入嵌套太深"),
])
def test_unexpected_error_is_a_chinese_message_and_a_log(tmp_path, monkeypatch, exc, what):
    import tempfile

    from gongwen.campaign import config

    def broken(folder):
        raise exc

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(config, "read_config", broken)
    import gongwen.campaign.folder as folder_mod
    monkeypatch.setattr(folder_mod, "read_config", broken)
    f = folder(tmp_path)
    result = cli("build", f, "--out", tmp_path / "out")
    assert result.exit_code == 1
    logs = list((tmp_path / "tmp" / "gongwen-错误记录").glob("*.log"))
    assert len(logs) == 1
    assert result.stderr.strip() == f"错误：{what}，已停止。详细记录已写到 {logs[0]}，请把这个文件发给维护程序的同事。"
    assert "Traceback" in logs[0].read_text(encoding="utf-8")


# 12. Problems of several files in one run, in Chinese -----------------------------------------------

def test_campaign_roster_and_notes_problems_in_one_run(tmp_path):
    f = folder(tmp_path, ROSTER + [("甲镇", "乡镇", "")])
    (f / "campaign.yaml").write_text((f / "campaign.yaml").read_text(encoding="utf-8") + "extra: [1, 2\n",
                                     encoding="utf-8")
    (f / "reports" / "2023-06.yaml").write_text("存在问题:\n\t- 用了 Tab\n", encoding="utf-8")
    (f / "reports" / "2023-07").symlink_to("/")
    result = cli("build", f, "--out", tmp_path / "out")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "错误：活动文件夹有几处问题（改好后再运行，其余报表才会逐项检查），未生成任何文件："
    text = "\n".join(lines)
    assert "campaign.yaml 第" in text and "方括号 [ ] 里的列表缺少逗号或右方括号 ]" in text
    assert 'units.xlsx 参评单位 第8行 单位: "甲镇" 与第6行重复' in text
    assert "reports/2023-06.yaml 第2行第1列 不是合法的 YAML：用了 Tab 缩进，请改用空格" in text
    assert f"reports/2023-07: {LINK}" in text
    for english in ("expected", "found", "while", "Error", "but got"):
        assert english not in text


def test_notes_and_report_problems_in_one_run(tmp_path):
    from campaign_helpers import sign

    f = folder(tmp_path)
    write_xlsx(f / R, {"签约项目": [sign("甲镇", "十亿")]})
    (f / "reports" / "2023-06.yaml").write_text("存在问题: [一段话\n", encoding="utf-8")
    assert problems(f) == [
        "reports/2023-06.yaml 第2行第1列 不是合法的 YAML：方括号 [ ] 里的列表缺少逗号或右方括号 ]",
        f'{R} 签约项目 第2行 投资额（亿元）: "十亿" 不是数字（请填以亿元为单位的数字，如 7.2；5000万元 请写 0.5）',
    ]
