#!/usr/bin/env python3
"""Makes the demo data of the reference campaign (信丰县 招大引强“百日攻坚”):
units.xlsx and three months of reports, deterministically (fixed seed, fixed
workbook dates). Run from the repository root:

    .venv/bin/python inputs/xinfeng-2023/make_reports.py

The data is messy on purpose, like what offices send: dates in several forms,
half-width brackets and stray spaces in headers, amounts typed as text, short
unit names, a unit that reports nothing, projects under 1亿元 and exactly 1亿元,
ties, a repeated row, an extra column. June is one consolidated workbook, July a
folder of per-unit workbooks, August a workbook plus 信息报送 as a CSV file."""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from openpyxl import Workbook  # noqa: E402

from gongwen.campaign.sheets import BUILTIN_SHEETS  # noqa: E402
from gongwen.campaign.xlsxio import workbook_bytes, write_atomic  # noqa: E402

SEED = 20230530
WHEN = dt.datetime(2023, 5, 30)
MONTHS = ["2023-06", "2023-07", "2023-08"]

ROSTER = [
    ("电子信息产业招商小分队", "专业招商小分队", "电子信息小分队"),
    ("新能源产业招商小分队", "专业招商小分队", "新能源小分队"),
    ("高端装备制造产业招商小分队", "专业招商小分队", "装备制造小分队"),
    ("农业深加工产业招商小分队", "专业招商小分队", "农业深加工小分队"),
    ("文旅产业招商小分队", "专业招商小分队", "文旅小分队"),
    ("粤港澳大湾区驻点招商小分队", "专业招商小分队", "大湾区小分队"),
    ("长三角驻点招商小分队", "专业招商小分队", "长三角小分队"),
    ("县发展和改革委员会", "县直部门", "县发改委"),
    ("县工业和信息化局", "县直部门", "县工信局"),
    ("县商务局", "县直部门", ""),
    ("县财政局", "县直部门", ""),
    ("县自然资源局", "县直部门", ""),
    ("县住房和城乡建设局", "县直部门", "县住建局"),
    ("县农业农村局", "县直部门", ""),
    ("县文化广电新闻出版旅游局", "县直部门", "县文广新旅局"),
    ("县市场监督管理局", "县直部门", "县市场监管局"),
    ("县交通运输局", "县直部门", ""),
    ("嘉定镇", "乡镇", ""),
    ("大塘埠镇", "乡镇", ""),
    ("古陂镇", "乡镇", ""),
    ("大桥镇", "乡镇", ""),
    ("新田镇", "乡镇", ""),
    ("安西镇", "乡镇", ""),
    ("小江镇", "乡镇", ""),
    ("铁石口镇", "乡镇", ""),
    ("大阿镇", "乡镇", ""),
    ("油山镇", "乡镇", ""),
    ("小河镇", "乡镇", ""),
    ("西牛镇", "乡镇", ""),
    ("虎山乡", "乡镇", ""),
]
IDLE = "县交通运输局"  # reports nothing at all
TWINS = ("大桥镇", "新田镇")  # identical June reports: a tie

SHEETS = {name: list(sheet.column_names) for name, sheet in BUILTIN_SHEETS.items()}
INDUSTRIES = ["电子信息", "绿色PCB（电子信息）", "新能源", "高端装备制造", "农业深加工", "文旅", "新材料", "现代物流", "纺织服装"]
PRODUCTS = {
    "电子信息": ["高多层印制电路板", "柔性线路板", "智能终端模组", "电子元器件"],
    "绿色PCB（电子信息）": ["HDI线路板", "覆铜板"],
    "新能源": ["锂电池正极材料", "储能电池系统", "光伏组件"],
    "高端装备制造": ["数控机床", "智能装备", "精密模具"],
    "农业深加工": ["脐橙精深加工", "预制菜", "生猪屠宰及冷链"],
    "文旅": ["油山文旅综合体", "乡村旅游度假区"],
    "新材料": ["电子级玻纤布", "高性能铜箔"],
    "现代物流": ["冷链物流园", "电商物流中心"],
    "纺织服装": ["智能制衣", "针织面料"],
}
PLACES = ["深圳", "东莞", "广州", "惠州", "珠海", "厦门", "上海", "苏州", "杭州", "宁波", "北京", "长沙"]
NAME_A = ["鼎", "华", "瑞", "信", "弘", "嘉", "博", "盛", "恒", "佳", "宏", "达", "源", "科", "晟", "锦"]
NAME_B = ["科技", "电子", "新能源", "智能", "实业", "材料", "电路", "精密"]
ETYPES = ["世界500强", "中国500强", "上市公司", "上市公司", "头部企业", "头部企业", "其他", "其他", "其他"]
AMOUNTS = ["0.3", "0.5", "0.8", "1", "1", "1.2", "1.5", "2", "3", "5", "5", "6.8", "8", "10", "12", "15", "20", "30"]
LEADERS = {"专业招商小分队": ["队长", "副队长"], "县直部门": ["局长", "主任", "副局长"], "乡镇": ["党委书记", "镇长", "副镇长"]}


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.used: set[str] = set()

    def company(self, etype: str) -> str:
        while True:
            name = f"{self.r.choice(PLACES)}{self.r.choice(NAME_A)}{self.r.choice(NAME_A)}{self.r.choice(NAME_B)}"
            if name not in self.used:
                self.used.add(name)
                break
        return name + ("股份有限公司" if etype in ("上市公司", "世界500强", "中国500强") else "有限公司")

    def date(self, month: str, lo: int = 1, hi: int = 28):
        """A date in one of the forms staff type."""
        y, m = int(month[:4]), int(month[5:])
        d = dt.date(y, m, self.r.randint(lo, hi))
        form = self.r.choice(["excel", "excel", "excel", "iso", "slash", "cn", "dot"])
        return {
            "excel": dt.datetime(d.year, d.month, d.day),
            "iso": d.isoformat(),
            "slash": f"{d.year}/{d.month}/{d.day}",
            "cn": f"{d.year}年{d.month}月{d.day}日",
            "dot": f"{d.year}.{d.month}.{d.day}",
        }[form]

    def amount(self, pool=AMOUNTS):
        a = self.r.choice(pool)
        return a if self.r.random() < 0.2 else (float(a) if "." in a else int(a))  # some typed as text


def unit_month(g: Gen, unit: str, cat: str, month: str, short: str) -> dict[str, list[list]]:
    """One unit's rows for one month."""
    r = g.r
    rows: dict[str, list[list]] = {s: [] for s in SHEETS}
    if unit == IDLE:
        return rows
    written = short if short and r.random() < 0.3 else unit  # some type the short name
    eager = {"专业招商小分队": 0.55, "县直部门": 0.35, "乡镇": 0.4}[cat]
    principal_trips = r.choices([0, 1, 2, 2, 3], k=1)[0]
    for i in range(principal_trips + r.randint(0, 2)):
        principal = i < principal_trips
        rows["外出招商"].append([
            written, g.date(month), r.choice(LEADERS[cat]) if not principal else LEADERS[cat][0],
            "是" if principal else "否", r.choice(PLACES), r.randint(2, 8),
        ])
    if r.random() < 0.85:
        rows["信息报送"].append([written, g.date(month, 1, 15)])
    if r.random() < 0.8:
        rows["信息报送"].append([written, g.date(month, 16, 30)])
    for _ in range(r.choices([0, 1, 2], weights=[1 - eager, eager * 0.75, eager * 0.25])[0]):
        ind = r.choice(INDUSTRIES)
        etype = r.choice(ETYPES)
        comp = g.company(etype)
        rows["签约项目"].append([
            written, f"{comp[2:5]}{r.choice(PRODUCTS[ind])}项目", comp, etype, ind, g.amount(),
            r.choice(["实质性签约", "意向性签约", "意向性签约", "合同文本送签"]), g.date(month),
        ])
    if r.random() < eager * 0.6:
        ind = r.choice(INDUSTRIES)
        rows["开工项目"].append([
            written, f"{r.choice(PLACES)}{r.choice(NAME_A)}{r.choice(NAME_B)}{r.choice(PRODUCTS[ind])}项目",
            g.amount(), r.choice(["举行开工仪式", "实质性开工", "稳步推进", "稳步推进"]), g.date(month),
        ])
    for _ in range(r.randint(0, 2)):
        etype = r.choice(ETYPES)
        comp = g.company(etype)
        rows["在谈项目"].append([
            written, f"{comp[2:5]}{r.choice(PRODUCTS[r.choice(INDUSTRIES)])}项目", comp, etype, g.amount(),
            r.choice(["初步接洽", "实质性谈判", "实质性谈判", "待签约"]),
        ])
    return rows


def save(wb: Workbook, path: Path) -> None:
    write_atomic(path, workbook_bytes(wb, WHEN))


def workbook(sheets: dict[str, list[list]], headers: dict[str, list[str]] | None = None, skip_empty=False) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for name, cols in SHEETS.items():
        rows = sheets.get(name, [])
        if skip_empty and not rows:
            continue
        ws = wb.create_sheet(name)
        ws.append((headers or {}).get(name, cols))
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd"
    return wb


def main() -> None:
    g = Gen(SEED)
    wb = Workbook()
    ws = wb.active
    ws.title = "参评单位"
    ws.append(["单位", "类别", "简称"])
    for row in ROSTER:
        ws.append(list(row))
    save(wb, HERE / "units.xlsx")

    reports = HERE / "reports"
    data = {m: {u: unit_month(g, u, c, m, s) for u, c, s in ROSTER} for m in MONTHS}
    june = data["2023-06"]
    june[TWINS[1]] = {k: [[TWINS[1], *row[1:]] for row in v] for k, v in june[TWINS[0]].items()}
    # Fixed cases the tests and demo rely on: exactly 1亿元 qualifies, 0.99 does not.
    june["嘉定镇"]["签约项目"].append(["嘉定镇", "赣州恒瑞精密模具项目", "赣州恒瑞精密科技有限公司", "头部企业",
                                      "高端装备制造", 1, "实质性签约", "2023年6月8日"])
    june["古陂镇"]["签约项目"] = [["古陂镇", "古陂脐橙预制菜项目", "信丰佳源食品有限公司", "其他",
                                  "农业深加工", "0.99", "实质性签约", dt.datetime(2023, 6, 12)]]

    # June: one consolidated workbook, headers as typed by hand.
    merged = {s: [row for u in june.values() for row in u[s]] for s in SHEETS}
    headers = {k: list(v) for k, v in SHEETS.items()}
    headers["签约项目"][5] = "投资额(亿元)"
    headers["开工项目"][0] = " 单位 "
    headers["在谈项目"] = headers["在谈项目"] + ["备注"]
    save(workbook(merged, headers), reports / "2023-06.xlsx")

    # July: a folder of per-unit workbooks (units with nothing to report send nothing).
    july_dir = reports / "2023-07"
    for unit, sheets in data["2023-07"].items():
        if not any(sheets.values()):
            continue
        if unit == "县商务局" and sheets["外出招商"]:
            sheets["外出招商"].append(list(sheets["外出招商"][0]))  # sent twice: a warning
        save(workbook(sheets, skip_empty=True), july_dir / f"{unit}.xlsx")

    # August: a consolidated workbook without 信息报送, which comes as a CSV.
    aug = data["2023-08"]
    merged = {s: [row for u in aug.values() for row in u[s]] for s in SHEETS if s != "信息报送"}
    save(workbook(merged, skip_empty=True), reports / "2023-08.xlsx")
    out = reports / "2023-08" / "信息报送.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SHEETS["信息报送"])
        for u in aug.values():
            for unit, d in u["信息报送"]:
                w.writerow([unit, d.strftime("%Y-%m-%d") if isinstance(d, dt.datetime) else d])


if __name__ == "__main__":
    main()
