"""Broken inputs: the exact messages, a non-zero exit, nothing written, earlier outputs untouched."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from gongwen.campaign import intake, load_campaign
from gongwen.cli import main
from gongwen.errors import UserError

import bad_inputs
from campaign_helpers import write_xlsx


def _errors(folder) -> list[str]:
    with pytest.raises(UserError) as exc:
        intake(load_campaign(folder))
    return exc.value.problems


@pytest.mark.parametrize("case", bad_inputs.CASES, ids=lambda c: c.__name__)
def test_exact_messages(tmp_path, case):
    folder, expected = bad_inputs.make_case(tmp_path, case)
    assert _errors(folder) == expected


@pytest.mark.parametrize("case", bad_inputs.CASES, ids=lambda c: c.__name__)
def test_build_writes_nothing_and_keeps_earlier_outputs(tmp_path, case):
    folder, expected = bad_inputs.make_case(tmp_path, case)
    out = tmp_path / "out"
    (out / "2023-06").mkdir(parents=True)
    earlier = {out / "manifest.json": b'{"earlier": true}\n', out / "2023-06" / "得分明细.xlsx": b"earlier run"}
    for p, b in earlier.items():
        p.write_bytes(b)
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(out)])
    assert result.exit_code == 2
    assert expected[0] in result.stderr
    assert sorted(p for p in out.rglob("*")) == sorted([out / "2023-06", *earlier])
    for p, b in earlier.items():
        assert p.read_bytes() == b


def test_empty_sheets_are_a_month_with_nothing_of_that_kind(mini):
    write_xlsx(mini / "reports" / "2023-06.xlsx", {"签约项目": [], "信息报送": [["甲镇", "2023-06-03"]]})  # header only
    from openpyxl import load_workbook

    wb = load_workbook(mini / "reports" / "2023-06.xlsx")
    wb.create_sheet("开工项目")  # not even a header
    wb.save(mini / "reports" / "2023-06.xlsx")
    data = intake(load_campaign(mini))["2023-06"]
    assert data.rows("签约项目") == [] and data.rows("开工项目") == []
    assert len(data.rows("信息报送")) == 1


def test_duplicate_row_is_a_warning_and_counts_once(mini):
    row = ["甲镇", dt.datetime(2023, 6, 2), "书记", "是", "深圳", 3]
    write_xlsx(mini / "reports" / "2023-06.xlsx", {"外出招商": [row, ["甲镇", "2023-06-09", "书记", "是", "厦门", 2], row]})
    data = intake(load_campaign(mini))["2023-06"]
    assert data.warnings == ["reports/2023-06.xlsx 外出招商 第4行: 与第2行完全相同，按一条计"]
    assert len(data.rows("外出招商")) == 2


def test_headers_forgive_brackets_and_spaces_and_every_date_form(mini):
    head = {"签约项目": [" 单位", "项目名称 ", "企业名称", "企业类型", "所属产业", "投资额(亿元)", "签约类型", "签约日期", "备注"],
            "信息报送": ["单 位", "报送日期"]}
    dates = [dt.datetime(2023, 6, 1), "2023-06-02", "2023/6/3", "2023年6月4日", "2023.6.5", "20230606", 45084, "2023-06-08 00:00:00"]
    write_xlsx(mini / "reports" / "2023-06.xlsx", {
        "签约项目": [["甲镇", "p", "e", "上市公司", "文旅", "1.10", "实质性签约", "2023/6/7", "x"]],
        "信息报送": [["甲镇", d] for d in dates],
    }, head)
    data = intake(load_campaign(mini))["2023-06"]
    assert [r["报送日期"].day for r in data.rows("信息报送")] == [1, 2, 3, 4, 5, 6, 7, 8]
    from decimal import Decimal

    assert data.rows("签约项目")[0]["投资额（亿元）"] == Decimal("1.10")
    assert data.warnings == ["reports/2023-06.xlsx 签约项目 第1行 列“备注”不是本表的列，已忽略"]
