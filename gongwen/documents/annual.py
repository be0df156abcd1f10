"""The 年终考评 summary: from the year's campaign(s), each unit's annual figures
(all months of the year, every campaign), its result in each campaign (the
final total and rank, or the average of the scored months while a campaign is
not complete), an annual score and rank per category, the 等次 by the rules in
campaign.yaml documents.annual.levels and the reward each 等次 carries.

The computation (compute_annual, assign_levels) is separate from the document
(build), so it can be checked by hand.

等次 rules, per category, levels listed best first; a unit gets the first
level it qualifies for:
  top: N        rank within the category (shared ranks: 1, 2, 2, 4) is N or better;
                N is counted from the top, so 一等 top 1, 二等 top 3, 三等 top 6
                give 1, 2 and 3 units when nobody ties;
  min_score: S  annual score at least S;
  both          both must hold; neither: every unit left (e.g. 较差);
  categories    the level applies only in these categories.
Tied units have the same rank and score, so they always share a level (a tie
at the boundary of top N puts every tied unit in)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from gongwen.campaign import Computed, compute, load_campaign
from gongwen.campaign.ranking import competition_ranks
from gongwen.campaign.sheets import AMOUNT
from gongwen.documents import numbers as N
from gongwen.documents.common import Doc, campaign_context, settings
from gongwen.documents.kinds import Item, Kind, make_docs, no_meta
from gongwen.documents.settings import Annual, Level
from gongwen.documents.templating import Templates
from gongwen.errors import UserError
from gongwen.notice.tree import Table

CENT = Decimal("0.01")
PERIOD = "annual"
ANNUAL_DIR = "annual"

# The annual figures: (key, sheet, what, table header). `amount` sums the
# sheet's 亿元 column. Only sheets some campaign of the year uses are shown.
FIGURES = [
    ("trips", "外出招商", "count", "外出招商（批次）"),
    ("principal_trips", "外出招商", "principal", "主要负责人带队（批次）"),
    ("leads", "项目线索", "count", "项目线索（条）"),
    ("signed", "签约项目", "count", "签约项目（个）"),
    ("signed_amount", "签约项目", "amount", "签约额（亿元）"),
    ("starts", "开工项目", "count", "开工项目（个）"),
    ("starts_amount", "开工项目", "amount", "开工额（亿元）"),
    ("completed", "竣工项目", "count", "竣工项目（个）"),
]


@dataclass(frozen=True)
class FigureColumn:
    key: str
    sheet: str
    what: str  # count / principal / amount
    header: str


@dataclass
class Run:
    """One campaign of the year."""

    id: str
    name: str
    months: list[str]  # the campaign's months that fall in the year
    scored: list[str]  # of those, the months with reports
    complete: bool  # every month reported: the final result is used
    computed: Computed


@dataclass(frozen=True)
class RunResult:
    """A unit's result in one campaign."""

    score: Decimal  # final total, or the average monthly total while incomplete
    rank: int  # within the category of that campaign
    label: str  # 一马当先 / 奋起直追 at the campaign end ("" while incomplete)


@dataclass
class AnnualUnit:
    name: str
    category: str
    order: int
    figures: dict[str, Decimal] = field(default_factory=dict)
    results: dict[int, RunResult] = field(default_factory=dict)  # run index -> result
    score: Decimal = Decimal(0)  # mean of the unit's campaign results, 2 places half up
    rank: int = 0
    level: Level | None = None


@dataclass
class AnnualResult:
    year: int
    runs: list[Run]
    categories: list[str]
    columns: list[FigureColumn]
    levels: list[Level]
    units: list[AnnualUnit]

    def category(self, category: str) -> list[AnnualUnit]:
        """Units of a category in annual rank order (ties in roster order)."""
        return sorted((u for u in self.units if u.category == category), key=lambda u: (u.rank, u.order))

    def unit(self, name: str) -> AnnualUnit:
        return next(u for u in self.units if u.name == name)

    def levels_for(self, category: str) -> list[Level]:
        return [lv for lv in self.levels if lv.categories is None or category in lv.categories]

    def level_groups(self, category: str) -> list[tuple[Level, list[AnnualUnit]]]:
        """Each level of the category with its units (rank order), empty levels included."""
        units = self.category(category)
        return [(lv, [u for u in units if u.level is lv]) for lv in self.levels_for(category)]

    def totals(self, category: str | None = None) -> dict[str, Decimal]:
        units = self.units if category is None else [u for u in self.units if u.category == category]
        return {col.key: sum((u.figures.get(col.key, Decimal(0)) for u in units), Decimal(0)) for col in self.columns}


# ------------------------------------------------------------------ computing

def assign_levels(ranked: list[tuple[int, Decimal]], levels: list[Level]) -> list[Level | None]:
    """The level of each (rank, score) entry: the first level (best first) whose
    conditions hold; None when none does."""
    out: list[Level | None] = []
    for rank, score in ranked:
        chosen = None
        for lv in levels:
            if lv.top is not None and rank > lv.top:
                continue
            if lv.min_score is not None and score < Decimal(str(lv.min_score)):
                continue
            chosen = lv
            break
        out.append(chosen)
    return out


def _amount_column(c: Computed, sheet_name: str) -> str | None:
    for sheet in c.campaign.sheets:
        if sheet.name == sheet_name:
            return next((col.name for col in sheet.columns if col.kind == AMOUNT and "亿元" in col.name), None)
    return None


def _sheet_names(c: Computed) -> set[str]:
    return {s.name for s in c.campaign.sheets}


def figure_columns(runs: list[Run]) -> list[FigureColumn]:
    present = set().union(*(_sheet_names(r.computed) for r in runs)) if runs else set()
    cols = []
    for key, sheet, what, header in FIGURES:
        if sheet not in present:
            continue
        if what == "amount" and not any(_amount_column(r.computed, sheet) for r in runs):
            continue
        cols.append(FigureColumn(key, sheet, what, header))
    return cols


def unit_figures(runs: list[Run], columns: list[FigureColumn]) -> dict[str, dict[str, Decimal]]:
    """unit name -> figure key -> value, over every month of the year in every campaign."""
    out: dict[str, dict[str, Decimal]] = {}
    for run in runs:
        c = run.computed
        for month in run.scored:
            md = c.data[month]
            for col in columns:
                if col.sheet not in _sheet_names(c):
                    continue
                amount_col = _amount_column(c, col.sheet)
                for rec in md.rows(col.sheet):
                    figs = out.setdefault(rec.unit, {})
                    if col.what == "count":
                        add = Decimal(1)
                    elif col.what == "principal":
                        add = Decimal(1) if rec.get("是否主要负责人") == "是" else Decimal(0)
                    else:
                        value = rec.get(amount_col) if amount_col else None
                        add = Decimal(str(value)) if value is not None else Decimal(0)
                    figs[col.key] = figs.get(col.key, Decimal(0)) + add
    return out


def run_results(run: Run) -> dict[str, RunResult]:
    """unit name -> its result in the campaign."""
    c = run.computed
    if c.final is not None:
        return {u.name: RunResult(u.total, u.rank, u.label) for u in c.final.units}
    averages = {}
    for u in c.campaign.roster:
        totals = [c.scores[m].unit(u.name).total for m in run.scored]
        averages[u.name] = (sum(totals, Decimal(0)) / len(totals)).quantize(CENT, ROUND_HALF_UP)
    out = {}
    for cat in c.campaign.categories:
        ranked = competition_ranks(c.campaign.roster.in_category(cat), lambda u: averages[u.name], lambda u: u.order)
        for rank, u in ranked:
            out[u.name] = RunResult(averages[u.name], rank, "")
    return out


def year_runs(computed: list[Computed], year: int) -> list[Run]:
    runs = []
    for c in computed:
        months = [m for m in c.campaign.months if int(m[:4]) == year]
        if not months:
            raise UserError(f"{c.campaign.folder}（{c.campaign.name}）的活动月份"
                            f"（{'、'.join(c.campaign.months)}）不在{year}年内")
        scored = [m for m in months if m in c.scores]
        if not scored:
            raise UserError(f"{c.campaign.folder}（{c.campaign.name}）{year}年的月份还没有任何报表，无法考评")
        runs.append(Run(c.campaign.id, c.campaign.name, months, scored, c.final is not None, c))
    return runs


def _check_levels(levels: list[Level], categories: list[str]) -> None:
    problems = []
    for i, lv in enumerate(levels):
        where = f"documents.annual.levels[{i}]（{lv.name}）"
        mine = set(lv.categories or categories)
        if any(other.name == lv.name and mine & set(other.categories or categories) for other in levels[:i]):
            problems.append(f"{where}: 等次“{lv.name}”在同一类别里重复出现")
        if lv.top is not None and lv.top < 1:
            problems.append(f"{where}.top: 应为 1 以上的名次")
        for cat in lv.categories or []:
            if cat not in categories:
                problems.append(f"{where}.categories: 没有类别“{cat}”（类别：{'、'.join(categories)}）")
    if problems:
        raise UserError("campaign.yaml 的年终考评等次规则有误：", problems)


def compute_annual(computed: list[Computed], year: int, levels: list[Level]) -> AnnualResult:
    """The year's figures, campaign results, annual scores, ranks and levels.
    Units are taken from every campaign (first campaign's roster order and
    category first); the annual score is the mean of the unit's campaign results."""
    runs = year_runs(computed, year)
    categories: list[str] = []
    units: dict[str, AnnualUnit] = {}
    for run in runs:
        for cat in run.computed.campaign.categories:
            if cat not in categories:
                categories.append(cat)
        for u in run.computed.campaign.roster:
            if u.name not in units:
                units[u.name] = AnnualUnit(u.name, u.category, len(units))
    _check_levels(levels, categories)
    columns = figure_columns(runs)
    figures = unit_figures(runs, columns)
    for i, run in enumerate(runs):
        for name, result in run_results(run).items():
            units[name].results[i] = result
    for u in units.values():
        u.figures = {col.key: figures.get(u.name, {}).get(col.key, Decimal(0)) for col in columns}
        scores = [r.score for r in u.results.values()]
        u.score = (sum(scores, Decimal(0)) / len(scores)).quantize(CENT, ROUND_HALF_UP)
    result = AnnualResult(year, runs, categories, columns, list(levels), list(units.values()))
    for cat in categories:
        members = [u for u in result.units if u.category == cat]
        ranked = competition_ranks(members, lambda u: u.score, lambda u: u.order)
        for rank, u in ranked:
            u.rank = rank
        applicable = result.levels_for(cat)
        for (rank, u), lv in zip(ranked, assign_levels([(r, u.score) for r, u in ranked], applicable)):
            u.level = lv
    return result


# ------------------------------------------------------------------ the document

def _figure_cell(col: FigureColumn, value: Decimal) -> str:
    return N.score(value) if col.what == "amount" else N.count(value)


def result_table(a: AnnualResult, category: str) -> Table:
    """排名, 单位, each campaign's result (and 考评得分 when several), 等次."""
    several = len(a.runs) > 1
    header = ["排名", "单位"]
    for run in a.runs:
        header.append(f"{run.name}得分" if several else "活动总分" if run.complete else "月均得分")
    if several:
        header.append("考评得分")
    header.append("等次")
    rows = []
    for u in a.category(category):
        cells = [str(u.rank), u.name]
        for i in range(len(a.runs)):
            r = u.results.get(i)
            cells.append(N.score(r.score) if r else "—")
        if several:
            cells.append(N.score(u.score))
        cells.append(u.level.name if u.level else "—")
        rows.append(cells)
    widths = [0.8, 3.2] + [1.3] * (len(header) - 3) + [0.9]
    return Table(header=[header], rows=rows, widths=widths, font_size="table",
                 align=["center", "left"] + ["right"] * (len(header) - 3) + ["center"])


def figures_table(a: AnnualResult, category: str) -> Table:
    """单位 and each annual figure, roster order, with a 合计 row."""
    header = ["单位", *[col.header for col in a.columns]]
    units = sorted((u for u in a.units if u.category == category), key=lambda u: u.order)
    rows = [[u.name, *[_figure_cell(col, u.figures[col.key]) for col in a.columns]] for u in units]
    totals = a.totals(category)
    rows.append(["合计", *[_figure_cell(col, totals[col.key]) for col in a.columns]])
    return Table(header=[header], rows=rows, widths=[3.0] + [1.2] * len(a.columns), font_size="table_small",
                 align=["left"] + ["right"] * len(a.columns))


def _month_span(months: list[str]) -> str:
    first, last = months[0], months[-1]
    if first == last:
        return N.month_cn(first)
    return f"{N.month_cn(first)}至{N.month_cn(last)}"


def context(primary: Computed, a: AnnualResult, info: dict, annual: Annual) -> tuple[dict, dict]:
    """The template context and the table data blocks."""
    data: dict = {}
    categories = []
    for i, cat in enumerate(a.categories):
        data[f"result_{i}"] = result_table(a, cat)
        data[f"figures_{i}"] = figures_table(a, cat)
        ranked = a.category(cat)
        categories.append({
            "name": cat, "count": len(ranked), "result_table": f"result_{i}", "figures_table": f"figures_{i}",
            "first": [u.name for u in ranked if u.rank == 1],
            "levels": [{"name": lv.name, "reward": lv.reward, "units": [u.name for u in us]}
                       for lv, us in a.level_groups(cat)],
            "unlevelled": [u.name for u in ranked if u.level is None],
            "totals": a.totals(cat),
        })
    levels = []
    previous_top = 0
    for lv in a.levels:
        levels.append({"name": lv.name, "top": lv.top, "from": previous_top + 1 if lv.top else None,
                       "min_score": N.count(Decimal(str(lv.min_score))) if lv.min_score is not None else None,
                       "reward": lv.reward, "categories": lv.categories})
        if lv.top:
            previous_top = lv.top
    rewards = []
    for lv in a.levels:
        names = [u.name for cat in a.categories for l2, us in a.level_groups(cat) if l2 is lv for u in us]
        if lv.reward and names:
            rewards.append({"name": lv.name, "reward": lv.reward, "units": names})
    runs = [{"id": r.id, "name": r.name, "months": _month_span(r.months), "complete": r.complete,
             "scored": len(r.scored), "month_count": len(r.months),
             "plan_document": r.computed.campaign.config.plan_document} for r in a.runs]
    ctx = {
        **campaign_context(primary),
        "year": a.year, "title": annual.title, "issue": info, "runs": runs,
        "several": len(a.runs) > 1, "incomplete": [r for r in runs if not r["complete"]],
        "categories": categories, "levels": levels, "columns": [c.key for c in a.columns],
        "totals": a.totals(), "rewards": rewards, "closing": annual.closing,
    }
    return ctx, data


def default_date(primary: Computed, year: int) -> dt.date:
    """成文日期 when documents.annual.date is not given: the bulletin day of January next year."""
    return dt.date(year + 1, 1, settings(primary).bulletin_day)


def build_annual(computed: list[Computed], templates: Templates, inputs: list[str], year: int | None = None) -> Doc:
    """The 年终考评 通报 of the year for these campaigns; the first one's
    documents.annual gives the rules and issuing details."""
    return annual_document(computed, templates, inputs, year)[0]


def annual_document(computed: list[Computed], templates: Templates, inputs: list[str],
                    year: int | None = None) -> tuple[Doc, AnnualResult]:
    """The document and the result it was made from."""
    primary = computed[0]
    annual = settings(primary).annual
    if not annual.levels:
        raise UserError(f"{primary.campaign.folder / 'campaign.yaml'} 的 documents.annual.levels 还没有写等次规则"
                        "（如 一等/二等/三等 及各自的名次或分数线），无法生成年终考评")
    year = year or annual.year or int(primary.campaign.months[0][:4])
    a = compute_annual(computed, year, annual.levels)

    def items(c: Computed, period: str, info: dict) -> list[Item]:
        ctx, data = context(primary, a, info, annual)
        return [Item(None, ctx, data, {"活动": "、".join(r.name for r in a.runs), "年度": str(year)})]

    kind = replace(KIND, items=items, date=lambda c, period: annual.date or default_date(primary, year))
    return make_docs(kind, primary, templates, PERIOD, inputs)[0], a


def load_others(primary: Computed) -> list[Computed]:
    """The other campaigns of the year named in documents.annual.campaigns
    (folders relative to this campaign's folder)."""
    out = []
    for rel in settings(primary).annual.campaigns:
        folder = (primary.campaign.folder / rel).resolve()
        if not folder.is_dir():
            raise UserError(f"documents.annual.campaigns: 找不到活动文件夹 {rel}（相对于 {primary.campaign.folder}）")
        out.append(compute(load_campaign(folder)))
    return out


def campaign_inputs(base: Path, c: Computed, add) -> list[str]:
    """Every input file of campaign `c` (add(shown, path) records it), shown relative to `base`."""
    files = list(c.campaign.inputs) + [p for m in c.scores for p in c.data[m].files]
    return [add(os.path.relpath(p, base).replace(os.sep, "/"), p) for p in files]


def collect(kind: Kind, c: Computed, templates: Templates, manifest) -> list[Doc]:
    """The build's 年终考评: once the campaign is complete and documents.annual
    has levels, with the other campaigns of the year it names."""
    if c.final is None or not settings(c).annual.levels:
        return []
    computed = [c, *load_others(c)]
    inputs = sorted({i for cc in computed for i in campaign_inputs(c.campaign.folder, cc, manifest.add_input)})
    return [build_annual(computed, templates, inputs)]


# Its items and 成文日期 depend on the year's result over several campaigns: annual_document sets them.
KIND = Kind("年终考评", "年终考评", "annual", "年终考评.txt.j2", items=None, date=None,
            number_key=lambda period: PERIOD, periods=lambda c: [PERIOD], folder=lambda period: ANNUAL_DIR,
            meta=no_meta, collect=collect)


__all__ = [
    "AnnualResult", "AnnualUnit", "FigureColumn", "Run", "RunResult", "annual_document", "assign_levels", "build_annual",
    "KIND", "collect", "compute_annual", "figures_table", "result_table",
]
