#!/usr/bin/env python3
"""Makes the demo data of the second campaign (宿州市 招商引资“百日竞赛”, 2020-09..11):
units.xlsx and three months of reports, deterministically. Run from the repository root:

    .venv/bin/python inputs/suzhou-2020/make_reports.py

September and November are consolidated workbooks, October a folder of
per-unit workbooks. Dates come in several forms; 投资额（万元）in 项目线索 and
投资额（亿元）elsewhere, with projects on both sides of the 5000万元 and 1亿元 lines."""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from openpyxl import Workbook  # noqa: E402

from gongwen.campaign.xlsxio import workbook_bytes, write_atomic  # noqa: E402

SEED = 20200917
WHEN = dt.datetime(2020, 9, 17)
MONTHS = ["2020-09", "2020-10", "2020-11"]

ROSTER = [
    ("埇桥区", "县区", ""), ("砀山县", "县区", ""), ("萧县", "县区", ""), ("灵璧县", "县区", ""), ("泗县", "县区", ""),
    ("宿州经济技术开发区", "市管园区", "宿州经开区"), ("宿州高新技术产业开发区", "市管园区", "宿州高新区"),
    ("宿州马鞍山现代产业园区", "市管园区", "宿马园区"), ("宿州鞋城", "市管园区", ""),
    ("智能制造招商协作组", "市直招商协作组", ""), ("生物医药招商协作组", "市直招商协作组", ""),
    ("云计算大数据招商协作组", "市直招商协作组", ""), ("绿色食品招商协作组", "市直招商协作组", ""),
    ("纺织鞋服招商协作组", "市直招商协作组", ""), ("现代物流招商协作组", "市直招商协作组", ""),
]
SHEETS = {
    "外出招商": ["单位", "日期", "带队领导", "是否主要负责人", "目的地", "拜访企业数"],
    "签约项目": ["单位", "项目名称", "企业名称", "企业类型", "所属产业", "投资额（亿元）", "签约类型", "签约日期",
                 "投资方所在地", "产业类别"],
    "开工项目": ["单位", "项目名称", "投资额（亿元）", "开工类型", "开工日期"],
    "项目线索": ["单位", "企业名称", "企业类型", "项目名称", "投资额（万元）", "所属产业", "摸排日期"],
    "竣工项目": ["单位", "项目名称", "投资额（亿元）", "竣工日期"],
}
# Monthly pace per category as a share of the campaign target (performance varies by unit).
PACE = {"县区": 1.0, "市管园区": 0.9, "市直招商协作组": 0.8}
TARGET = {  # per unit, whole campaign
    "县区": {"重点线索": 10, "线索": 50, "合同": 30, "沪苏浙": 10, "开工": 30, "竣工": 25},
    "市管园区": {"重点线索": 10, "线索": 50, "合同": 20, "沪苏浙": 6, "开工": 30, "竣工": 25},
    "市直招商协作组": {"重点线索": 2, "线索": 5, "合同": 1, "沪苏浙": 0, "开工": 0, "竣工": 0},
}
INDUSTRIES = ["智能制造", "电子信息", "生物医药", "云计算大数据", "绿色食品", "纺织鞋服", "机械电子", "新型建材", "现代物流"]
SERVICE = {"云计算大数据": "现代服务业", "现代物流": "现代服务业", "绿色食品": "现代农业"}
CITIES = {"上海": ["上海"], "江苏": ["苏州", "南京", "无锡", "常州"], "浙江": ["杭州", "宁波", "温州"],
          "安徽": ["合肥", "芜湖"], "其他省份": ["深圳", "北京", "郑州"], "境外": ["香港", "新加坡"]}
ETYPES = ["境内外500强", "民营500强", "行业龙头企业", "上市公司", "其他", "其他", "其他"]
SYL = ["华", "恒", "锦", "宏", "润", "泰", "安", "科", "联", "鑫", "晨", "源", "达", "博", "瑞", "通"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.n = 0

    def name(self, city):
        self.n += 1
        return f"{city}{self.r.choice(SYL)}{self.r.choice(SYL)}"

    def date(self, month):
        y, m = int(month[:4]), int(month[5:])
        d = dt.date(y, m, self.r.randint(1, 28 if m != 10 else 31))
        form = self.r.choice(["excel", "excel", "iso", "slash", "cn"])
        return {"excel": dt.datetime(d.year, d.month, d.day), "iso": d.isoformat(),
                "slash": f"{d.year}/{d.month}/{d.day}", "cn": f"{d.year}年{d.month}月{d.day}日"}[form]

    def count(self, target, pace):
        """How many this month: about a third of the target, varied."""
        mean = target * pace / 3
        return max(0, int(self.r.gauss(mean, max(0.6, mean * 0.35)) + 0.5))


def unit_month(g: Gen, unit, cat, month, pace) -> dict[str, list[list]]:
    r, t = g.r, TARGET[cat]
    rows = {s: [] for s in SHEETS}
    for _ in range(r.randint(1, 4)):
        principal = r.random() < 0.6
        rows["外出招商"].append([unit, g.date(month), "主要负责同志" if principal else "分管负责同志",
                                "是" if principal else "否", r.choice(["上海", "苏州", "杭州", "南京", "深圳"]), r.randint(2, 9)])
    n_key, n_big = g.count(t["重点线索"], pace), g.count(t["线索"], pace)
    for i in range(max(n_key, n_big)):
        etype = r.choice(ETYPES[:4]) if i < n_key else "其他"
        wan = r.choice([6000, 8000, 10000, 20000, 50000]) if i < n_big else r.choice([2000, 3000, 4500])
        prov = r.choice(list(CITIES))
        comp = g.name(r.choice(CITIES[prov])) + ("集团股份有限公司" if etype != "其他" else "实业有限公司")
        ind = r.choice(INDUSTRIES)
        rows["项目线索"].append([unit, comp, etype, f"{comp[-9:-7]}{ind}项目", wan if r.random() > 0.15 else str(wan), ind, g.date(month)])
    n_sign, n_hsz = g.count(t["合同"], pace), g.count(t["沪苏浙"], pace)
    for i in range(n_sign + r.randint(0, 2)):
        contract = i < n_sign
        hsz = contract and i < n_hsz
        prov = r.choice(["上海", "江苏", "浙江"]) if hsz else r.choice(list(CITIES))
        ind = r.choice(["智能制造", "电子信息", "机械电子", "新型建材"]) if hsz else r.choice(INDUSTRIES)
        kind = "先进制造业" if hsz or (ind in ("智能制造", "电子信息") and r.random() < 0.7) else SERVICE.get(ind, "其他")
        amount = r.choice([1, 1.5, 2, 3, 5, 10]) if hsz else r.choice([0.3, 0.5, 0.8, 1, 1.2, 2, 3, 6])
        comp = g.name(r.choice(CITIES[prov])) + r.choice(["科技有限公司", "股份有限公司", "实业有限公司"])
        rows["签约项目"].append([unit, f"{comp[-8:-6]}{ind}项目", comp, r.choice(["上市公司", "头部企业", "其他", "其他"]), ind,
                                amount, "实质性签约" if contract else "意向性签约", g.date(month), prov, kind])
    n_start, n_big_start = g.count(t["开工"], pace), g.count(t["开工"] / 2, pace)
    for i in range(n_start):
        amount = r.choice([1, 1.5, 2, 5, 8]) if i < n_big_start else r.choice([0.5, 0.6, 0.8])
        rows["开工项目"].append([unit, f"{g.name(unit[:2])}{r.choice(INDUSTRIES)}项目", amount,
                                r.choice(["举行开工仪式", "实质性开工", "实质性开工"]), g.date(month)])
    for i in range(g.count(t["竣工"], pace)):
        rows["竣工项目"].append([unit, f"{g.name(unit[:2])}{r.choice(INDUSTRIES)}项目", r.choice([0.4, 0.5, 0.8, 1, 2, 3]), g.date(month)])
    return rows


def workbook(sheets, skip_empty=False) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for name, cols in SHEETS.items():
        if skip_empty and not sheets.get(name):
            continue
        ws = wb.create_sheet(name)
        ws.append(cols)
        for row in sheets.get(name, []):
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd"
    return wb


def save(wb, path):
    write_atomic(path, workbook_bytes(wb, WHEN))


def main():
    g = Gen(SEED)
    wb = Workbook()
    ws = wb.active
    ws.title = "参评单位"
    ws.append(["单位", "类别", "简称"])
    for row in ROSTER:
        ws.append(list(row))
    save(wb, HERE / "units.xlsx")
    pace = {u: PACE[c] * g.r.uniform(0.6, 1.25) for u, c, _ in ROSTER}
    reports = HERE / "reports"
    for month in MONTHS:
        data = {u: unit_month(g, u, c, month, pace[u]) for u, c, _ in ROSTER}
        if month == "2020-10":
            for unit, sheets in data.items():
                save(workbook(sheets, skip_empty=True), reports / month / f"{unit}.xlsx")
        else:
            merged = {s: [row for d in data.values() for row in d[s]] for s in SHEETS}
            save(workbook(merged), reports / f"{month}.xlsx")


if __name__ == "__main__":
    main()
