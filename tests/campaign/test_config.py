"""campaign.yaml: errors name the key; sum/cap/completion/rescale rules; a campaign's own sheets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from gongwen.campaign import intake, load_campaign, score_month
from gongwen.errors import UserError

from campaign_helpers import SUZHOU, XINFENG, write_roster, write_xlsx


def load_with(folder, edit):
    data = yaml.safe_load((XINFENG / "campaign.yaml").read_text(encoding="utf-8"))
    edit(data)
    (folder / "campaign.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_campaign(folder)


def problems(folder, edit) -> list[str]:
    with pytest.raises(UserError) as exc:
        load_with(folder, edit)
    return exc.value.problems


def test_both_demo_campaigns_load():
    x = load_campaign(XINFENG)
    assert x.categories == ["专业招商小分队", "县直部门", "乡镇"]
    assert x.weights == {"2023-06": Decimal("0.6"), "2023-07": Decimal("0.2"), "2023-08": Decimal("0.2")}
    assert x.dimensions == ["比签约速度", "比项目体量", "比项目质量", "比落地见效", "比基础工作"]
    assert 25 <= len(x.roster) <= 35
    s = load_campaign(SUZHOU)
    assert s.categories == ["县区", "市管园区", "市直招商协作组"]
    assert {"项目线索", "竣工项目", "签约项目"} <= set(s.sheets.names())
    assert s.sheets["签约项目"].column("投资方所在地").values[:3] == ("上海", "江苏", "浙江")


def test_unknown_key_is_named_with_a_suggestion(mini):
    lines = problems(mini, lambda d: d.update(catagories=d.pop("categories")))
    assert "键 catagories：不认识这个键，是否想写“categories”？" in lines
    assert "键 categories：缺少必填项" in lines


def test_rule_keys_are_named(mini):
    def edit(d):
        d["scoring"]["dimensions"][0]["parts"] = [{"sheet": "签约项目", "rule": "best", "column": "签约类型"}]
        for k in ("sheet", "where", "rule", "column", "table"):
            d["scoring"]["dimensions"][0].pop(k)
    lines = problems(mini, edit)
    assert lines == ["键 scoring.dimensions[1].parts[1]：rule 为 best 时须写 table（取值: 分数）"]


def test_cross_key_checks(mini):
    def edit(d):
        d["months"]["2023-08"] = 0.3
        d["filters"]["重大项目"][0]["column"] = "投资金额"
        d["scoring"]["dimensions"][0]["table"]["实质签约"] = 20
        d["scoring"]["dimensions"][1]["sheet"] = "签约项"
        d["targets"][0]["period"] = "2023-09"
    lines = problems(mini, edit)
    assert "键 months：各月权重之和应为 1，现为 1.1" in lines
    assert ("键 filters.重大项目[1].column：工作表 签约项目 没有列“投资金额”，是否想写“投资额（亿元）”？"
            "（用于 scoring.dimensions[1].parts[1].where[1]）") in lines
    assert sum("投资金额" in line for line in lines) == 1  # once per filter and sheet, not per use
    assert "键 scoring.dimensions[1].parts[1].table.实质签约：不是列“签约类型”的可选值（实质性签约、意向性签约、合同文本送签）" in lines
    assert "键 scoring.dimensions[2].parts[1].sheet：没有工作表“签约项”，是否想写“签约项目”？" in lines
    assert "键 targets[1].period：应为 campaign 或活动月份之一（2023-06、2023-07、2023-08）" in lines
    assert "键 scoring.total：应等于各维度 max 之和 100" not in lines


def test_yaml_syntax_error_names_the_line(mini):
    (mini / "campaign.yaml").write_text("id: x\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"campaign.yaml 第\d+行第\d+列 不是合法的 YAML"):
        load_campaign(mini)


SYNTHETIC = """
id: t
name: 测试
months: {2023-06: 0.5, 2023-07: 0.5}
categories: [甲类, 乙类]
sheets:
  use: [签约项目]
  columns:
    签约项目: [{name: 投资方所在地, kind: enum, values: [上海, 江苏, 其他]}]
  new:
    - name: 竣工项目
      columns:
        - {name: 单位, kind: unit}
        - {name: 项目名称}
        - {name: 投资额（亿元）, kind: amount}
        - {name: 竣工日期, kind: date}
scoring:
  rescale: true
  total: 100
  dimensions:
    - {name: 累计签约, max: 30, sheet: 签约项目, rule: sum, column: 签约类型,
       table: {实质性签约: 10, 意向性签约: 4}, max_count: 2, cap: 15}
    - {name: 沪苏, max: 30, sheet: 签约项目, where: [{column: 投资方所在地, in: [上海, 江苏]}],
       rule: completion, period: to_date, full: 30, target: {甲类: 3}}
    - {name: 竣工, max: 40, sheet: 竣工项目, where: [{column: 投资额（亿元）, below: 0.5}], rule: completion,
       full: 40, target: {甲类: 2, 乙类: 4}, sum: 投资额（亿元）}
lists:
  qualifying: {sheet: 签约项目}
  leaders: {name: 先进, label: 先进}
  laggards: {name: 后进, label: 后进}
"""


def test_sum_cap_completion_to_date_and_rescale(tmp_path):
    f = tmp_path / "c"
    (f / "reports").mkdir(parents=True)
    (f / "campaign.yaml").write_text(SYNTHETIC, encoding="utf-8")
    write_roster(f, [("A", "甲类", ""), ("B", "乙类", "")])
    head = {"签约项目": ["单位", "项目名称", "企业名称", "企业类型", "所属产业", "投资额（亿元）", "签约类型", "签约日期", "投资方所在地"],
            "竣工项目": ["单位", "项目名称", "投资额（亿元）", "竣工日期"]}
    def s(u, kind, place, m=6):
        return [u, "p", "e", "其他", "", 1, kind, dt.date(2023, m, 3), place]
    write_xlsx(f / "reports" / "2023-06.xlsx", {
        "签约项目": [s("A", "意向性签约", "上海"), s("A", "实质性签约", "江苏"), s("A", "意向性签约", "其他"),
                     s("B", "意向性签约", "上海")],
        "竣工项目": [["A", "q", "0.3", "2023-06-09"], ["A", "r", 0.1, "2023-06-09"], ["B", "q", 0.6, "2023年6月9日"]],
    }, head)
    write_xlsx(f / "reports" / "2023-07.xlsx", {"签约项目": [s("A", "意向性签约", "上海", 7)]}, head)
    camp = load_campaign(f)
    data = intake(camp)
    june, july = score_month(camp, data, "2023-06"), score_month(camp, data, "2023-07")
    a = {k: v.points for k, v in june.unit("A").dimensions.items()}
    # sum: best two rows 10 + 4 = 14 (cap 15); completion 2 of 3 -> 20; 竣工 sum 0.4 of 2 -> 8
    assert a == {"累计签约": 14, "沪苏": 20, "竣工": 8}
    assert june.unit("A").total == 42
    b = june.unit("B")
    assert b.dimensions["沪苏"].points is None  # 乙类 has no target: not assessed
    assert b.dimensions["竣工"].points == 0  # 0.6 is not below 0.5
    assert b.total == Decimal("5.71")  # (4 + 0) * 100 / 70 = 5.714...
    # July counts from June on (to_date): 3 of 3 -> full 30; 竣工 counts the month only
    ja = {k: v.points for k, v in july.unit("A").dimensions.items()}
    assert ja == {"累计签约": 4, "沪苏": 30, "竣工": 0}
    assert july.unit("A").dimensions["沪苏"].parts[0].note == "沪苏：完成 3，目标 3，得 30 分"
