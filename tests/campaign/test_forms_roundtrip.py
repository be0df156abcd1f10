"""Forms generated for a month, filled in by the test, pass intake and score as expected."""

from __future__ import annotations

import datetime as dt
import shutil

from openpyxl import load_workbook

from gongwen.campaign import intake, load_campaign, score_month
from gongwen.campaign.forms import make_forms

from campaign_helpers import SUZHOU


def _validations(ws) -> dict[str, tuple[str, str | None]]:
    """Column letter -> (type, formula1) of each data validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        col = str(dv.sqref).split(":")[0].rstrip("0123456789")
        out[col] = (dv.type, dv.formula1)
    return out


def test_forms_have_sheets_headers_unit_and_validation(mini, tmp_path):
    camp = load_campaign(mini)
    files = make_forms(camp, "2023-06", tmp_path / "forms")
    assert sorted(p.name for p in files) == sorted(f"{u.name}.xlsx" for u in camp.roster)
    wb = load_workbook(tmp_path / "forms" / "甲镇.xlsx")
    assert wb.sheetnames == ["填报说明", "外出招商", "签约项目", "开工项目", "在谈项目", "信息报送", "选项"]
    assert wb["选项"].sheet_state == "hidden"
    ws = wb["签约项目"]
    assert [c.value for c in ws[1]] == ["单位", "项目名称", "企业名称", "企业类型", "所属产业", "投资额（亿元）", "签约类型", "签约日期"]
    assert ws["A2"].value == "甲镇"
    v = _validations(ws)
    assert v["A"] == ("list", '"甲镇"')
    assert v["D"][0] == "list" and v["G"][0] == "list"
    assert v["F"] == ("decimal", "0")
    assert v["H"] == ("date", str((dt.date(2023, 6, 1) - dt.date(1899, 12, 30)).days))
    opts = wb["选项"]
    ref = v["G"][1].split("!")[1].replace("$", "")
    col = ref[0]
    assert [opts[f"{col}{r}"].value for r in range(2, 5)] == ["实质性签约", "意向性签约", "合同文本送签"]
    assert _validations(wb["外出招商"])["F"] == ("whole", "0")


def test_filled_forms_pass_intake_and_score(mini, tmp_path):
    camp = load_campaign(mini)
    make_forms(camp, "2023-06", tmp_path / "forms")
    month_dir = mini / "reports" / "2023-06"
    month_dir.mkdir()
    # 甲镇 fills its form; 乙镇 sends its blank form back (only the prefilled unit names)
    wb = load_workbook(tmp_path / "forms" / "甲镇.xlsx")
    ws = wb["签约项目"]
    for col, v in zip("BCDEFGH", ["年产5万吨新材料项目", "某某新材料股份有限公司", "上市公司", "新材料", 3.5, "实质性签约",
                                  dt.datetime(2023, 6, 18)]):
        ws[f"{col}2"] = v
    ws = wb["外出招商"]
    for r, day in ((2, 3), (3, 21)):
        for col, v in zip("BCDEF", [dt.datetime(2023, 6, day), "党委书记", "是", "深圳", 4]):
            ws[f"{col}{r}"] = v
    ws = wb["信息报送"]
    ws["B2"] = dt.datetime(2023, 6, 15)
    ws["B3"] = "2023年6月30日"
    wb.save(month_dir / "甲镇.xlsx")
    shutil.copy(tmp_path / "forms" / "乙镇.xlsx", month_dir / "乙镇.xlsx")

    camp = load_campaign(mini)
    data = intake(camp)
    assert data["2023-06"].warnings == []
    ms = score_month(camp, data, "2023-06")
    a = ms.unit("甲镇")
    assert {k: v.points for k, v in a.dimensions.items()} == {
        "比签约速度": 20, "比项目体量": 16, "比项目质量": 6, "比落地见效": 0, "比基础工作": 20}
    assert a.total == 62 and a.rank == 1 and a.label == "一马当先"
    assert ms.unit("乙镇").total == 0 and ms.unit("乙镇").label == "奋起直追"


def test_suzhou_forms_carry_the_declared_sheets_and_columns(tmp_path):
    camp = load_campaign(SUZHOU)
    make_forms(camp, "2020-10", tmp_path, units=["宿州高新区"])  # a short name works too
    wb = load_workbook(tmp_path / "宿州高新技术产业开发区.xlsx")
    assert wb.sheetnames == ["填报说明", "外出招商", "签约项目", "开工项目", "项目线索", "竣工项目", "选项"]
    assert [c.value for c in wb["签约项目"][1]][-2:] == ["投资方所在地", "产业类别"]
    assert [c.value for c in wb["项目线索"][1]] == ["单位", "企业名称", "企业类型", "项目名称", "投资额（万元）", "所属产业", "摸排日期"]
    v = _validations(wb["项目线索"])
    assert v["C"][0] == "list" and v["E"] == ("decimal", "0") and v["G"][0] == "date"
    # fill one row of each campaign sheet and read it back
    folder = tmp_path / "camp"
    shutil.copytree(SUZHOU, folder, ignore=shutil.ignore_patterns("reports"))
    ws = wb["项目线索"]
    for col, v in zip("BCDEFG", ["某集团股份有限公司", "民营500强", "智能装备项目", "8000", "智能制造", "2020/10/9"]):
        ws[f"{col}2"] = v
    ws = wb["竣工项目"]
    for col, v in zip("BCD", ["某项目", 0.5, dt.datetime(2020, 10, 20)]):
        ws[f"{col}2"] = v
    (folder / "reports" / "2020-10").mkdir(parents=True)
    wb.save(folder / "reports" / "2020-10" / "高新区.xlsx")
    data = intake(load_campaign(folder))["2020-10"]
    assert len(data.rows("项目线索")) == 1 and len(data.rows("竣工项目")) == 1
    assert data.rows("项目线索")[0].unit == "宿州高新技术产业开发区"
