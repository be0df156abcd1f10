"""A synthetic campaign for the scale benchmark: the reference campaign's
scoring (inputs/xinfeng-2023/campaign.yaml) over N units in one month, with
realistic rows per unit, written as an office would send it. Deterministic:
the same size and seed give the same rows."""

from __future__ import annotations

import datetime as dt
import functools
import random
from pathlib import Path

import yaml
from openpyxl import Workbook

from gongwen.campaign.sheets import BUILTIN_SHEETS
from gongwen import INPUTS_DIR

SEED = 20230601
MONTH = "2023-06"
REFERENCE = INPUTS_DIR / "xinfeng-2023" / "campaign.yaml"

SHEETS = {name: list(sheet.column_names) for name, sheet in BUILTIN_SHEETS.items()}
# Mean rows per unit and month (realistic: ~3 trips, ~1 signing, ~0.5 starts, ~1 talks, 2 reports).
REALISTIC = {"外出招商": 3, "签约项目": 1, "开工项目": 0.5, "在谈项目": 1, "信息报送": 2}
# The intake variant: 100 rows per unit spread over the sheets.
HEAVY = {"外出招商": 40, "签约项目": 20, "开工项目": 10, "在谈项目": 20, "信息报送": 10}

COUNTIES = ["章贡区", "南康区", "赣县区", "信丰县", "大余县", "上犹县", "崇义县", "安远县", "龙南市", "定南县",
            "全南县", "宁都县", "于都县", "兴国县", "会昌县", "寻乌县", "石城县", "瑞金市"]
SYLLABLES = ["嘉", "定", "大", "塘", "埠", "古", "陂", "新", "田", "安", "西", "小", "江", "铁", "石", "口", "阿",
             "油", "山", "河", "牛", "虎", "龙", "凤", "桥", "梅", "林", "城", "沙", "溪", "坪", "岭", "水", "东"]
INDUSTRIES = ["电子信息", "绿色PCB（电子信息）", "新能源", "高端装备制造", "农业深加工", "文旅", "新材料", "现代物流"]
PRODUCTS = ["高多层印制电路板", "柔性线路板", "储能电池系统", "光伏组件", "数控机床", "精密模具", "脐橙精深加工",
            "预制菜", "乡村旅游度假区", "高性能铜箔", "冷链物流园", "智能终端模组"]
PLACES = ["深圳", "东莞", "广州", "惠州", "珠海", "厦门", "上海", "苏州", "杭州", "宁波", "北京", "长沙"]
NAME_A = ["鼎", "华", "瑞", "信", "弘", "嘉", "博", "盛", "恒", "佳", "宏", "达", "源", "科", "晟", "锦"]
NAME_B = ["科技", "电子", "新能源", "智能", "实业", "材料", "电路", "精密"]
ETYPES = ["世界500强", "中国500强", "上市公司", "上市公司", "头部企业", "头部企业", "其他", "其他", "其他"]
AMOUNTS = ["0.5", "0.8", "1", "1.2", "1.5", "2", "3", "5", "6.8", "8", "10", "12", "15", "20", "30"]


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # campaign files may not use anchors
        return True


def categories_for(units: int) -> list[str]:
    """Three categories for a county (30 units), then one per county of a city."""
    extra = max(0, round(units / 100) - 2)
    return ["专业招商小分队", "市直部门", "乡镇", *(f"{c}乡镇" for c in COUNTIES[:extra])][: max(3, extra + 2)]


def roster(units: int, rnd: random.Random) -> list[tuple[str, str, str]]:
    cats = categories_for(units)
    out, used = [], set()
    for i in range(units):
        cat = cats[i * len(cats) // units]
        while True:
            stem = "".join(rnd.sample(SYLLABLES, 2))
            if cat == "专业招商小分队":
                name = f"{stem}{rnd.choice(INDUSTRIES[:6]).replace('（电子信息）', '')}招商小分队"
            elif cat == "市直部门":
                name = f"市{stem}局"
            else:
                name = f"{cat.removesuffix('乡镇')}{stem}镇"
            if name not in used:
                used.add(name)
                break
        out.append((name, cat, ""))
    return out


def _count(rnd: random.Random, mean: float) -> int:
    """A small count with the given mean; the heavy variant's counts exactly."""
    if mean >= 10:
        return int(mean)
    lo = int(mean)
    return lo + (rnd.random() < mean - lo) + (rnd.randint(-lo // 2, lo // 2) if lo >= 2 else 0)


def _month_date(rnd: random.Random, lo: int = 1, hi: int = 30, month: int = 6):
    d = dt.date(2023, month, rnd.randint(lo, hi))
    form = rnd.choice(["excel", "excel", "excel", "iso", "slash", "cn"])
    return {"excel": dt.datetime(d.year, d.month, d.day), "iso": d.isoformat(),
            "slash": f"{d.year}/{d.month}/{d.day}", "cn": f"{d.year}年{d.month}月{d.day}日"}[form]


def _amount(rnd: random.Random):
    a = rnd.choice(AMOUNTS)
    return a if rnd.random() < 0.2 else (float(a) if "." in a else int(a))  # some typed as text


def unit_rows(rnd: random.Random, unit: str, mix: dict[str, float], month: int = 6) -> dict[str, list[list]]:
    rows: dict[str, list[list]] = {s: [] for s in SHEETS}
    _date = functools.partial(_month_date, month=month)
    n = {s: _count(rnd, m) for s, m in mix.items()}
    for i in range(n["外出招商"]):
        principal = i < 2 or rnd.random() < 0.2
        rows["外出招商"].append([unit, _date(rnd), "主要负责人" if principal else "分管负责人",
                                 "是" if principal else "否", rnd.choice(PLACES), rnd.randint(2, 8)])
    for i in range(n["信息报送"]):
        rows["信息报送"].append([unit, _date(rnd, 1, 15) if i % 2 == 0 else _date(rnd, 16, 30)])
    for _ in range(n["签约项目"]):
        comp = f"{rnd.choice(PLACES)}{rnd.choice(NAME_A)}{rnd.choice(NAME_A)}{rnd.choice(NAME_B)}有限公司"
        rows["签约项目"].append([unit, f"{comp[2:4]}{rnd.choice(PRODUCTS)}项目", comp, rnd.choice(ETYPES),
                                 rnd.choice(INDUSTRIES), _amount(rnd),
                                 rnd.choice(["实质性签约", "意向性签约", "合同文本送签"]), _date(rnd)])
    for _ in range(n["开工项目"]):
        rows["开工项目"].append([unit, f"{rnd.choice(PLACES)}{rnd.choice(NAME_A)}{rnd.choice(PRODUCTS)}项目",
                                 _amount(rnd), rnd.choice(["举行开工仪式", "实质性开工", "稳步推进"]), _date(rnd)])
    for _ in range(n["在谈项目"]):
        comp = f"{rnd.choice(PLACES)}{rnd.choice(NAME_A)}{rnd.choice(NAME_A)}{rnd.choice(NAME_B)}有限公司"
        rows["在谈项目"].append([unit, f"{comp[2:4]}{rnd.choice(PRODUCTS)}项目", comp, rnd.choice(ETYPES),
                                 _amount(rnd), rnd.choice(["初步接洽", "实质性谈判", "待签约"])])
    return rows


def _save(path: Path, sheets: dict[str, list[list]]) -> int:
    """A workbook of the sheets (write-only: fast for many rows); returns its data rows."""
    wb = Workbook(write_only=True)
    total = 0
    for name, head in SHEETS.items():
        ws = wb.create_sheet(name)
        ws.append(head)
        for row in sheets.get(name, []):
            ws.append(row)
            total += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return total


def months_of(count: int) -> list[str]:
    """The first `count` months of the reference campaign (2023-06, -07, -08)."""
    ref = list(yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))["months"])
    return [str(m) for m in ref[:max(1, count)]]


def config(units: int, months: int = 1) -> dict:
    """The reference campaign.yaml for one month (or the first `months` of
    its three, with their weights) and the scaled categories."""
    cfg = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    cfg["id"] = f"bench-{units}" + (f"-{months}m" if months > 1 else "")
    chosen = months_of(months)
    if months > 1:
        cfg["months"] = {str(m): w for m, w in cfg["months"].items() if str(m) in chosen}
    else:
        cfg["months"] = {MONTH: 1}
    cfg["categories"] = categories_for(units)
    scale = units / 30
    cfg["targets"] = [dict(t, target=max(1, round(t["target"] * scale)) if t.get("scope") != "unit" else t["target"])
                      for t in cfg["targets"] if str(t["period"]) in chosen]
    docs = cfg["documents"]
    docs.pop("plan", None)  # the plan does not grow with the units
    docs["numbers"] = {MONTH: "信开放办〔2023〕12号", "final": "信开放办〔2023〕22号"}
    for i, m in enumerate(chosen[1:]):
        docs["numbers"][m] = f"信开放办〔2023〕{13 + i}号"
    return cfg


def make_campaign(folder: Path, units: int, heavy: bool = False, seed: int = SEED, months: int = 1) -> dict:
    """Write campaign.yaml, units.xlsx and the month's reports: one consolidated
    workbook (realistic rows), or with `heavy` one workbook per unit in
    reports/YYYY-MM/ (100 rows each; no sheet over the 50,000-row limit).
    `months` > 1: the first months of the reference campaign, a consolidated
    workbook each (not with `heavy`). Returns the counts written."""
    folder = Path(folder)
    rnd = random.Random(f"{seed}-{units}-{heavy}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "campaign.yaml").write_text(
        yaml.dump(config(units, months), Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    people = roster(units, rnd)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("参评单位")
    ws.append(["单位", "类别", "简称"])
    for row in people:
        ws.append(list(row))
    wb.save(folder / "units.xlsx")
    mix = HEAVY if heavy else REALISTIC
    reports = folder / "reports"
    if months > 1:
        rows = 0
        for month in months_of(months):
            per_unit = {name: unit_rows(rnd, name, mix, int(month[5:])) for name, _, _ in people}
            rows += _save(reports / f"{month}.xlsx", {s: [r for u in per_unit.values() for r in u[s]] for s in SHEETS})
        return {"units": units, "categories": len(categories_for(units)), "rows": rows, "files": months, "months": months}
    per_unit = {name: unit_rows(rnd, name, mix) for name, _, _ in people}
    if heavy:
        rows = sum(_save(reports / MONTH / f"{name}.xlsx", sheets) for name, sheets in per_unit.items())
        files = len(per_unit)
    else:
        merged = {s: [r for u in per_unit.values() for r in u[s]] for s in SHEETS}
        rows = _save(reports / f"{MONTH}.xlsx", merged)
        files = 1
    return {"units": units, "categories": len(categories_for(units)), "rows": rows, "files": files}
