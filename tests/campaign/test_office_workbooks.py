"""Workbooks as offices really make them (issue 12, items 1-10): each case is
written here with openpyxl and gives exact messages, notes or scores."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from gongwen.campaign import check, compute, intake, load_campaign
from gongwen.campaign.submissions import submissions, submissions_workbook
from gongwen.errors import UserError

from campaign_helpers import HEADERS, report, sign, start, trip, write_xlsx

R = "reports/2023-06.xlsx"
SAVE_AS = "请在 Excel 或 WPS 中打开，另存为 .xlsx（Excel 工作簿）格式后重试"
SHEETS = "外出招商、签约项目、开工项目、在谈项目、信息报送"


def _errors(folder) -> list[str]:
    with pytest.raises(UserError) as exc:
        intake(load_campaign(folder))
    return exc.value.problems


def _scores(folder, month="2023-06") -> dict[str, dict[str, Decimal]]:
    c = compute(load_campaign(folder))
    return {u.unit.name: {**{n: d.points for n, d in u.dimensions.items()}, "总分": u.total}
            for u in c.scores[month].units}


def _add_to_yaml(folder, text: str) -> None:
    path = folder / "campaign.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


# 1. a sheet named 签约项目表 ------------------------------------------------------------

def test_an_undeclared_sheet_name_is_an_error_with_the_nearest_sheet(mini):
    write_xlsx(mini / R, {"签约项目表": [sign("甲镇", 2)], "信息报送": [report("甲镇", 3)]},
               {"签约项目表": HEADERS["签约项目"]})
    assert _errors(mini) == [
        f"{R} 工作表“签约项目表”不是本活动的报表（是否应为“签约项目”？）：请把工作表改名为 {SHEETS} 之一，"
        "或在 campaign.yaml 的 sheets.aliases 里声明这个名称"]


def test_a_sheet_alias_declared_in_campaign_yaml_is_read(mini):
    _add_to_yaml(mini, "sheets:\n  aliases:\n    签约项目: [签约项目表]\n")
    write_xlsx(mini / R, {"签约项目表": [sign("甲镇", 2)]}, {"签约项目表": HEADERS["签约项目"]})
    s = _scores(mini)
    assert (s["甲镇"]["比签约速度"], s["甲镇"]["比项目体量"], s["甲镇"]["比项目质量"]) == (20, 16, 20)


def test_empty_undeclared_sheets_are_no_error(mini):
    wb = Workbook()
    wb.active.title = "Sheet1"  # WPS and Excel's default, left empty
    ws = wb.create_sheet("信息报送")
    ws.append(HEADERS["信息报送"])
    ws.append(report("甲镇", 3))
    wb.save(mini / R)
    assert len(intake(load_campaign(mini))["2023-06"].rows("信息报送")) == 1


# 2. and 3. a unit's workbook saved by WPS as .et; a real .xls -------------------------------

def test_a_wps_et_file_is_read_by_its_bytes(mini):
    month = mini / "reports" / "2023-06"
    write_xlsx(month / "甲镇.et", {"签约项目": [sign("甲镇", 2)], "信息报送": [report("甲镇", 3)]})
    write_xlsx(month / "乙镇.xlsx", {"信息报送": [report("乙镇", 3)]})
    s = _scores(mini)
    # 实质性签约 20 + 上市公司 16 + 电子信息 20; 基础工作 5 - 20 for two missing trips, clamped to 0
    assert s["甲镇"]["总分"] == Decimal("56.00") and s["乙镇"]["总分"] == Decimal("0.00")


def _xls_rows(unit):
    """甲镇's month as .xls cells (dates as text: the BIFF8 writer has no date formats)."""
    signed = [v.strftime("%Y-%m-%d") if isinstance(v, dt.datetime) else v for v in sign(unit, 2)]
    return {"签约项目": [HEADERS["签约项目"], signed], "信息报送": [HEADERS["信息报送"], [unit, "2023-06-03"]]}


@pytest.mark.parametrize("name", ["甲镇.xls", "甲镇.et", "甲镇.ett"])
def test_xls_bytes_are_read_whatever_the_name(mini, name):
    from biff8 import biff8

    month = mini / "reports" / "2023-06"
    month.mkdir()
    (month / name).write_bytes(biff8(_xls_rows("甲镇")))
    s = _scores(mini)
    assert s["甲镇"]["总分"] == Decimal("56.00") and s["乙镇"]["总分"] == Decimal("0.00")


def test_a_hidden_sheet_of_an_xls_is_named(mini):
    from biff8 import biff8

    (mini / "reports" / "2023-06.xls").write_bytes(biff8(_xls_rows("甲镇"), hidden={"信息报送"}))
    data = intake(load_campaign(mini))["2023-06"]
    assert len(data.rows("信息报送")) == 1
    assert data.warnings == ["reports/2023-06.xls 工作表“信息报送”是隐藏的工作表，其中的数据已照常读取"]


def test_a_file_that_is_no_workbook_names_itself_and_how_to_save_it(mini):
    month = mini / "reports" / "2023-06"
    month.mkdir()
    (month / "甲镇.et").write_bytes(b"not a workbook at all")
    (month / "乙镇.docx").write_bytes(b"PK\x03\x04")
    (month / "~$甲镇.xlsx").write_bytes(b"lock")  # known junk: not a word
    (month / "Thumbs.db").write_bytes(b"junk")
    (month / ".~lock.乙镇.xlsx#").write_bytes(b"junk")
    (month / ".DS_Store").write_bytes(b"junk")
    (mini / "reports" / "说明.txt").write_text("报表说明", encoding="utf-8")
    assert _errors(mini) == [
        "reports/2023-06/乙镇.docx: 不是 Excel 工作簿或 CSV，无法使用；"
        f"报表{SAVE_AS}，与本活动无关的文件请移出 reports/",
        f"reports/说明.txt: 不是 Excel 工作簿，无法使用；月报表{SAVE_AS}，与本活动无关的文件请移出 reports/",
        f"reports/2023-06/甲镇.et: 不是有效的 Excel 工作簿（文件已损坏，或并非 Excel/WPS 表格）；{SAVE_AS}",
    ]


def test_an_xlsx_saved_with_an_xls_name_is_read(mini):
    path = write_xlsx(mini / "reports" / "2023-06" / "甲镇.xlsx", {"信息报送": [report("甲镇", 3)]})
    path.rename(path.with_suffix(".xls"))
    assert len(intake(load_campaign(mini))["2023-06"].rows("信息报送")) == 1


def test_a_csv_in_gbk_is_read(mini):
    month = mini / "reports" / "2023-06"
    month.mkdir()
    (month / "信息报送.csv").write_bytes("单位,报送日期\n甲镇,2023-06-03\n".encode("gbk"))
    rows = intake(load_campaign(mini))["2023-06"].rows("信息报送")
    assert [(r.unit, r["报送日期"]) for r in rows] == [("甲镇", dt.date(2023, 6, 3))]


# 4. a title row above the header --------------------------------------------------------

@pytest.mark.parametrize("merged", [True, False])
def test_title_rows_above_the_header_are_skipped_with_a_note(mini, merged):
    wb = Workbook()
    ws = wb.active
    ws.title = "签约项目"
    ws.append(["信丰县2023年6月签约项目表"])
    ws.append(HEADERS["签约项目"])
    ws.append(sign("甲镇", 2))
    ws.append(sign("乙镇", "十亿"))
    if merged:
        ws.merge_cells("A1:H1")
    wb.save(mini / R)
    assert _errors(mini) == [
        f'{R} 签约项目 第4行 投资额（亿元）: "十亿" 不是数字（请填以亿元为单位的数字，如 7.2；5000万元 请写 0.5）']
    ws.delete_rows(4)
    wb.save(mini / R)
    data = intake(load_campaign(mini))["2023-06"]
    assert [r.source.row for r in data.rows("签约项目")] == [3]
    assert data.warnings == [f"{R} 签约项目 第1行 在表头之上（“信丰县2023年6月签约项目表”），按标题跳过；表头在第2行"]


def test_a_merged_header_is_still_an_error_on_its_own_row(mini):
    wb = Workbook()
    ws = wb.active
    ws.title = "签约项目"
    ws.append(["签约项目表"])
    ws.append(HEADERS["签约项目"])
    ws.append(sign("甲镇", 2))
    ws.merge_cells("A2:B2")
    wb.save(mini / R)
    assert _errors(mini) == [f"{R} 签约项目 第2行 表头有合并单元格 A2:B2：请取消合并，每列一个表头"]


# 5. a totals row ------------------------------------------------------------------------

def test_a_totals_row_is_skipped_with_a_note_naming_it(mini):
    rows = [sign("甲镇", 2), sign("乙镇", 3), ["合计", None, None, None, None, 5, None, None],
            [None, "小 计", None, None, None, 5, None, None]]
    write_xlsx(mini / R, {"签约项目": rows})
    data = intake(load_campaign(mini))["2023-06"]
    assert len(data.rows("签约项目")) == 2
    assert data.warnings == [f"{R} 签约项目 第4行 是合计行（“合计”），不计入",
                             f"{R} 签约项目 第5行 是合计行（“小 计”），不计入"]


# 6. amounts -----------------------------------------------------------------------------

def test_amounts_with_units_and_separators(mini):
    rows = [sign("甲镇", "7.2亿元", name="a"), sign("乙镇", "5000万元", name="b"), sign("甲镇", "1,200", name="c"),
            sign("乙镇", "1,5", name="d"), sign("甲镇", 1500, name="e"), sign("乙镇", "12,5亿", name="f")]
    write_xlsx(mini / R, {"签约项目": rows})
    hint = "（请填以亿元为单位的数字，如 7.2；5000万元 请写 0.5）"
    ceiling = "超过每行 1000亿元 的合理上限，请核对数额和单位（本列以亿元为单位）"
    assert _errors(mini) == [
        f'{R} 签约项目 第4行 投资额（亿元）: "1,200" {ceiling}',
        f'{R} 签约项目 第5行 投资额（亿元）: "1,5" 不是数字{hint}',
        f'{R} 签约项目 第6行 投资额（亿元）: "1500" {ceiling}',
        f'{R} 签约项目 第7行 投资额（亿元）: "12,5亿" 不是数字{hint}',
    ]
    write_xlsx(mini / R, {"签约项目": rows[:2] + [sign("甲镇", "1,000.5万", name="g")]})
    data = intake(load_campaign(mini))["2023-06"]
    assert [r["投资额（亿元）"] for r in data.rows("签约项目")] == [Decimal("7.2"), Decimal("0.5"),
                                                                 Decimal("0.10005")]
    assert data.warnings == [
        f'{R} 签约项目 第2行 投资额（亿元）: "7.2亿元" 按 7.2亿元 计（去掉了单位）',
        f'{R} 签约项目 第3行 投资额（亿元）: "5000万元" 按 0.5亿元 计（已换算）',
        f'{R} 签约项目 第4行 投资额（亿元）: "1,000.5万" 按 0.10005亿元 计（已换算）',
    ]
    n = data.warnings[1]
    assert (n.file, n.sheet, n.row, n.column, n.value, n.message) == (
        R, "签约项目", 3, "投资额（亿元）", "5000万元", "按 0.5亿元 计（已换算）")


def test_the_amount_ceiling_is_a_campaign_setting(mini):
    _add_to_yaml(mini, "sheets:\n  amount_max: 5000\n")
    write_xlsx(mini / R, {"签约项目": [sign("甲镇", "1,200")]})
    data = intake(load_campaign(mini))["2023-06"]
    assert data.rows("签约项目")[0]["投资额（亿元）"] == 1200
    assert data.warnings == [f'{R} 签约项目 第2行 投资额（亿元）: "1,200" 按 1200亿元 计（逗号作千位分隔）']


# 7. error values and formulas without a value --------------------------------------------

def _with_cells(path, sheet_xml_edit):
    """Rewrite the first worksheet's XML of a saved workbook."""
    z = zipfile.ZipFile(path)
    items = {n: z.read(n) for n in z.namelist()}
    z.close()
    items["xl/worksheets/sheet1.xml"] = sheet_xml_edit(items["xl/worksheets/sheet1.xml"].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for n, d in items.items():
            out.writestr(n, d)


def test_error_values_and_formulas_without_a_value_say_so(mini):
    rows = [sign("甲镇", 2, name="a"), sign("乙镇", "=B1*2", name="b"), sign("甲镇", 3, name="c")]
    write_xlsx(mini / R, {"签约项目": rows})
    # what Excel saves for a formula that divides by zero: the error as the cached value
    _with_cells(mini / R, lambda x: x.replace('<c r="F4" t="n"><v>3</v></c>',
                                              '<c r="F4" t="e"><f>F2/0</f><v>#DIV/0!</v></c>'))
    assert _errors(mini) == [
        f"{R} 签约项目 第3行 投资额（亿元）: 公式“=B1*2”没有保存计算结果（文件不是在 Excel 或 WPS 里保存的），"
        "请在 Excel 或 WPS 中打开后保存，或直接填写数值",
        f'{R} 签约项目 第4行 投资额（亿元）: "#DIV/0!" 是错误值（公式出错），请改正公式或直接填写',
    ]


# 8. hidden rows and sheets ---------------------------------------------------------------

def test_hidden_rows_and_sheets_are_read_and_named(mini):
    wb = Workbook()
    ws = wb.active
    ws.title = "签约项目"
    ws.append(HEADERS["签约项目"])
    for i in range(4):
        ws.append(sign("甲镇", 2, name=f"p{i}"))
    ws.row_dimensions[3].hidden = True
    ws.row_dimensions[4].hidden = True
    ws.column_dimensions["C"].hidden = True  # 企业名称
    ws.column_dimensions["I"].hidden = True  # nothing there
    hidden = wb.create_sheet("信息报送")
    hidden.sheet_state = "hidden"
    hidden.append(HEADERS["信息报送"])
    hidden.append(report("甲镇", 3))
    wb.save(mini / R)
    data = intake(load_campaign(mini))["2023-06"]
    assert len(data.rows("签约项目")) == 4 and len(data.rows("信息报送")) == 1
    assert data.warnings == [f"{R} 签约项目 C列“企业名称” 是隐藏列，已照常读取",
                             f"{R} 签约项目 第3、4行 是隐藏行，已照常读取",
                             f"{R} 工作表“信息报送”是隐藏的工作表，其中的数据已照常读取"]


# 9. a unit's own workbook with 单位 left blank -------------------------------------------

def test_a_blank_unit_column_takes_the_unit_from_the_file_name(mini):
    month = mini / "reports" / "2023-06"
    write_xlsx(month / "甲镇.xlsx", {"签约项目": [sign(None, 2, name="a"), sign(None, 3, name="b")],
                                    "信息报送": [report(None, 3), report(None, 20)]})
    write_xlsx(month / "其他.xlsx", {"信息报送": [report(None, 3)]})
    assert _errors(mini) == ["reports/2023-06/其他.xlsx 信息报送 第2行 单位: 不能为空"]
    (month / "其他.xlsx").unlink()
    data = intake(load_campaign(mini))["2023-06"]
    assert {r.unit for s in ("签约项目", "信息报送") for r in data.rows(s)} == {"甲镇"}
    assert data.warnings == ["reports/2023-06/甲镇.xlsx: 4 行的“单位”为空，按文件名记为“甲镇”（签约项目 第2、3行；信息报送 第2、3行）"]
    assert _scores(mini)["甲镇"]["总分"] == Decimal("56.00")  # as if 单位 were filled in


# 10. campaign.yaml ------------------------------------------------------------------------

def test_rules_for_rule_never_suggests_itself_and_an_unknown_key_hides_nothing(mini):
    from gongwen.campaign.config import read_config

    text = (mini / "campaign.yaml").read_text(encoding="utf-8")
    (mini / "campaign.yaml").write_text(text.replace("rule: best", "rules: best", 1) + "\nfoo: 1\n", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        read_config(mini)
    assert exc.value.problems == [
        "键 scoring.dimensions[1].rule：缺少必填项",
        "键 scoring.dimensions[1].rules：不认识这个键，是否想写“rule”？（当前值：'best'）",
        "键 foo：不认识这个键（这里可写：id、name、issuer、plan_document、plan_text、months、categories、sheets、"
        "filters、scoring、lists、targets、documents）（当前值：1）",
    ]
    (mini / "campaign.yaml").write_text(text.replace("months:\n", "rule: 1\nmonths:\n", 1).replace(
        "2023-06: 0.6", "2023-06: 0.5"), encoding="utf-8")
    with pytest.raises(UserError) as exc:
        read_config(mini)
    assert exc.value.problems == [
        "键 rule：不认识这个键（这里可写：id、name、issuer、plan_document、plan_text、months、categories、sheets、"
        "filters、scoring、lists、targets、documents）（当前值：1）",
        "键 months：各月权重之和应为 1，现为 0.9",
    ]


def test_sheet_aliases_are_checked(mini):
    _add_to_yaml(mini, "sheets:\n  aliases:\n    签约: [x]\n    开工项目: [在谈项目]\n")
    from gongwen.campaign.config import read_config

    with pytest.raises(UserError) as exc:
        read_config(mini)
    assert exc.value.problems == ["键 sheets.aliases.签约：不是本活动的工作表，是否想写“签约项目”？",
                                  "键 sheets.aliases.开工项目：“在谈项目”已是工作表“在谈项目”的名称或别名"]


# strict, check-only, 报送情况 --------------------------------------------------------------

def test_strict_turns_warnings_into_errors_and_check_writes_nothing(mini):
    row = trip("甲镇")
    write_xlsx(mini / R, {"外出招商": [row, row]})
    c = check(mini)
    assert [n.as_dict() for n in c.notices] == [{
        "file": R, "sheet": "外出招商", "row": 3, "column": "", "value": "", "message": "与第2行完全相同，按一条计",
        "text": f"{R} 外出招商 第3行: 与第2行完全相同，按一条计"}]
    with pytest.raises(UserError) as exc:
        check(mini, strict=True)
    assert exc.value.problems == [f"{R} 外出招商 第3行: 与第2行完全相同，按一条计"]
    assert sorted(p.name for p in mini.rglob("*")) == ["2023-06.xlsx", "campaign.yaml", "reports", "units.xlsx"]


def test_submissions_say_who_sent_what_and_who_sent_nothing(mini):
    month = mini / "reports" / "2023-06"
    write_xlsx(month / "甲镇.xlsx", {"签约项目": [sign("甲镇", 2)], "信息报送": [report("甲镇", 3)]})
    write_xlsx(month / "乙镇.xlsx", {"信息报送": []})  # sent, but empty
    write_xlsx(month / "县甲局.xlsx", {"开工项目": [start("县甲局")], "外出招商": [trip("甲镇")]})
    campaign = load_campaign(mini)
    subs = submissions(campaign, intake(campaign))
    assert subs.missing_months == ["2023-07", "2023-08"]
    assert subs.nothing("2023-06") == ["甲小分队", "乙小分队", "县乙局", "乙镇"]
    rows = {u.unit: (u.rows, u.files) for u in subs.reported["2023-06"]}
    assert rows["甲镇"] == ({"外出招商": 1, "签约项目": 1, "开工项目": 0, "在谈项目": 0, "信息报送": 1},
                           ["reports/2023-06/县甲局.xlsx", "reports/2023-06/甲镇.xlsx"])
    assert rows["乙镇"][1] == ["reports/2023-06/乙镇.xlsx"] and rows["县乙局"][1] == []
    data = submissions_workbook(campaign, subs)
    assert data == submissions_workbook(campaign, subs)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["报送情况", "未报送单位"]
    table = [list(r) for r in wb["报送情况"].iter_rows(values_only=True)]
    assert table[0] == ["月份", "类别", "单位", "外出招商", "签约项目", "开工项目", "在谈项目", "信息报送", "合计", "情况", "文件"]
    assert table[5] == ["2023-06", "乡镇", "甲镇", 1, 1, 0, 0, 1, 3, None,
                        "reports/2023-06/县甲局.xlsx、reports/2023-06/甲镇.xlsx"]
    assert table[6][:3] + table[6][-3:] == ["2023-06", "乡镇", "乙镇", 0, "未报送", "reports/2023-06/乙镇.xlsx"]
    assert table[-1][0] == "2023-08" and table[-1][-2] == "本月尚无报表"
    assert [list(r) for r in wb["未报送单位"].iter_rows(values_only=True)][1:3] == [
        ["2023-06", "专业招商小分队", "甲小分队"], ["2023-06", "专业招商小分队", "乙小分队"]]


# cells merged down over several rows -------------------------------------------------------

def test_a_unit_merged_down_counts_on_every_row_and_a_merged_amount_is_an_error(mini):
    wb = Workbook()
    ws = wb.active
    ws.title = "签约项目"
    ws.append(HEADERS["签约项目"])
    for i in range(3):
        ws.append(sign("甲镇" if i == 0 else None, 2, name=f"p{i}"))
    ws.append(sign("乙镇", 2, name="q"))
    ws.merge_cells("A2:A4")
    wb.save(mini / R)
    data = intake(load_campaign(mini))["2023-06"]
    assert [r.unit for r in data.rows("签约项目")] == ["甲镇", "甲镇", "甲镇", "乙镇"]
    assert data.warnings == [f"{R} 签约项目 第2-4行 单位: 合并单元格 A2:A4（“甲镇”），每行都按“甲镇”计"]
    ws["F3"] = None
    ws.merge_cells("F2:F3")
    wb.save(mini / R)
    assert _errors(mini) == [f"{R} 签约项目 第3行 投资额（亿元）: 是合并单元格 F2:F3 的一部分：数额请取消合并，逐行填写"]


def test_text_read_as_a_blank_cell_is_noted(mini):
    rows = [["甲镇", "2023-06-02", "NA", "是", "N/A", 3], ["乙镇", "2023-06-03", "NA", "是", "深圳", 3]]
    write_xlsx(mini / R, {"外出招商": rows})
    data = intake(load_campaign(mini))["2023-06"]
    assert [r["带队领导"] for r in data.rows("外出招商")] == [None, None]
    assert data.warnings == [f'{R} 外出招商 第2、3行 带队领导: "NA" 按空白处理',
                             f'{R} 外出招商 第2行 目的地: "N/A" 按空白处理']


def test_a_file_named_unit_and_sheet_gives_the_unit(mini):
    write_xlsx(mini / "reports" / "2023-06" / "县甲局-信息报送.xlsx", {"信息报送": [report(None, 3)]})
    data = intake(load_campaign(mini))["2023-06"]
    assert [r.unit for r in data.rows("信息报送")] == ["县甲局"]
    assert data.warnings == ["reports/2023-06/县甲局-信息报送.xlsx: 1 行的“单位”为空，按文件名记为“县甲局”（信息报送 第2行）"]


def test_error_values_and_hidden_rows_of_an_xls_say_so(mini):
    from biff8 import Error, FormulaError, biff8

    rows = _xls_rows("甲镇")
    signed = rows["签约项目"]
    second = list(signed[1])
    second[1] = "p2"
    second[5] = Error("#DIV/0!")
    third = list(signed[1])
    third[1] = "p3"
    third[5] = FormulaError("#REF!")
    signed += [second, third]
    (mini / "reports" / "2023-06.xls").write_bytes(biff8(rows, hidden_rows={"信息报送": [1]}))
    assert _errors(mini) == [
        'reports/2023-06.xls 签约项目 第3行 投资额（亿元）: "#DIV/0!" 是错误值（公式出错），请改正公式或直接填写',
        'reports/2023-06.xls 签约项目 第4行 投资额（亿元）: "#REF!" 是错误值（公式出错），请改正公式或直接填写',
    ]
    del signed[2:]
    (mini / "reports" / "2023-06.xls").write_bytes(biff8(rows, hidden_rows={"信息报送": [1]},
                                                         hidden_columns={"签约项目": [5]}))
    assert intake(load_campaign(mini))["2023-06"].warnings == [
        "reports/2023-06.xls 签约项目 F列“投资额（亿元）” 是隐藏列，已照常读取",
        "reports/2023-06.xls 信息报送 第2行 是隐藏行，已照常读取"]


def test_a_repeated_header_is_skipped_with_a_note(mini):
    write_xlsx(mini / R, {"信息报送": [report("甲镇", 3), ["单位", "报送日期"], report("乙镇", 4)]})
    data = intake(load_campaign(mini))["2023-06"]
    assert [r.unit for r in data.rows("信息报送")] == ["甲镇", "乙镇"]
    assert data.warnings == [f"{R} 信息报送 第3行 是重复的表头，已跳过"]


def test_an_unknown_key_on_an_inline_dimension_hides_nothing(mini):
    from gongwen.campaign.config import read_config

    text = (mini / "campaign.yaml").read_text(encoding="utf-8")
    text = text.replace("rule: best", "rule: best\n      colour: red", 1).replace("2023-06: 0.6", "2023-06: 0.5")
    (mini / "campaign.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        read_config(mini)
    assert exc.value.problems == ["键 scoring.dimensions[1].colour：不认识这个键，是否想写“column”？（当前值：'red'）",
                                  "键 months：各月权重之和应为 1，现为 0.9"]


def test_amounts_follow_the_unit_their_column_names():
    from gongwen.campaign.values import amount_note, amount_unit, parse_amount

    assert (amount_unit("投资额（亿元）"), amount_unit("投资额（万元）"), amount_unit("金额")) == ("亿", "万", None)
    ceiling = Decimal(1000)
    assert parse_amount("7.2亿元", "万", ceiling) == Decimal("72000")
    assert parse_amount("5000万", "万", ceiling) == Decimal("5000")
    assert parse_amount("300万元", "亿", ceiling) == Decimal("0.03")
    assert amount_note("7.2亿元", "万", Decimal("72000")) == "按 72000万元 计（已换算）"
    assert parse_amount("10,000,000", "万", ceiling) == Decimal("10000000")  # 1000亿元
    with pytest.raises(ValueError, match="超过每行 10000000万元 的合理上限"):
        parse_amount("10,000,001", "万", ceiling)
    with pytest.raises(ValueError, match="^不是数字（本列只填数字，不写单位）$"):
        parse_amount("5万", None, ceiling)
    assert parse_amount("1,200", None, ceiling) == 1200  # a column without a unit has no ceiling


def test_reader_processes_bring_back_hidden_rows_and_cell_issues(mini, monkeypatch):
    from test_reading_paths import _intake_both_ways

    month = mini / "reports" / "2023-06"
    month.mkdir()
    units = ("甲镇", "乙镇", "县甲局", "县乙局")
    for unit in units:
        wb = Workbook()
        ws = wb.active
        ws.title = "信息报送"
        ws.append(HEADERS["信息报送"])
        ws.append(report(unit, 3))
        ws.append(report(unit, 20))
        ws.row_dimensions[3].hidden = True
        wb.save(month / f"{unit}.xlsx")
    write_xlsx(month / "甲小分队.xlsx", {"开工项目": [start("甲小分队", amount="=1+1")]})
    (here, readers), started = _intake_both_ways(mini, monkeypatch)
    assert started == 2
    assert readers == here == [
        "reports/2023-06/甲小分队.xlsx 开工项目 第2行 投资额（亿元）: 公式“=1+1”没有保存计算结果（文件不是在 Excel 或 WPS 里保存的），"
        "请在 Excel 或 WPS 中打开后保存，或直接填写数值"]
    (month / "甲小分队.xlsx").unlink()
    (here, readers), started = _intake_both_ways(mini, monkeypatch)
    assert readers == here
    assert here["warnings"] == [f"reports/2023-06/{u}.xlsx 信息报送 第3行 是隐藏行，已照常读取" for u in sorted(units)]
