"""Monthly scores and the campaign total, each point with the records that earned
it (the 得分反馈单 shows them), computed in Decimal and rounded half-up at 2 places."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from gongwen.campaign import values as V
from gongwen.campaign.config import Dimension, Metric, Part
from gongwen.campaign.filters import describe_where, select
from gongwen.campaign.folder import Campaign, Unit
from gongwen.campaign.intake import MonthData, collector_paused
from gongwen.campaign.ranking import competition_ranks
from gongwen.campaign.tables import Record

if TYPE_CHECKING:  # imported where a frame is asked for: a build never needs pandas
    import pandas as pd

ZERO = Decimal(0)


@dataclass
class PartScore:
    name: str
    rule: str
    assessed: bool = True
    points: Decimal = ZERO  # after max_count and cap
    deduction: Decimal = ZERO
    matched: list[Record] = field(default_factory=list)  # rows passing the filter
    earned: list[Record] = field(default_factory=list)  # rows that earned the points (best: the one)
    required: int | None = None
    missing: int = 0
    target: Decimal | None = None  # completion
    done: Decimal | None = None
    note: str = ""  # Chinese, for the feedback sheet

    @property
    def net(self) -> Decimal:
        return self.points - self.deduction


@dataclass
class DimensionScore:
    name: str
    max: Decimal
    points: Decimal | None  # clamped to 0..max, 2 places; None = not assessed for this category
    raw: Decimal
    parts: list[PartScore]

    @property
    def assessed(self) -> bool:
        return self.points is not None

    @property
    def lacks(self) -> list[str]:
        return [p.note for p in self.parts if p.assessed and (p.net < 0 or not p.earned or p.missing)]


class _OfUnit:
    """A result that belongs to one roster unit: its name and category."""

    unit: Unit

    @property
    def name(self) -> str:
        return self.unit.name

    @property
    def category(self) -> str:
        return self.unit.category


@dataclass
class UnitScore(_OfUnit):
    unit: Unit
    dimensions: dict[str, DimensionScore]
    total: Decimal
    qualifying: list[Record]  # the lists' qualifying records
    rank: int = 0
    label: str = ""  # 一马当先 / 奋起直追 / ""


@dataclass
class MonthScore:
    month: str
    units: list[UnitScore]  # roster order

    def unit(self, name: str) -> UnitScore:
        return _by_name(self, name)

    def category(self, category: str) -> list[UnitScore]:
        """Units of a category in rank order (ties in roster order)."""
        return sorted((u for u in self.units if u.category == category), key=lambda u: (u.rank, u.unit.order))

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = []
        for u in self.units:
            row = {"类别": u.category, "单位": u.name}
            row.update({d: s.points for d, s in u.dimensions.items()})
            row.update({"总分": u.total, "排名": u.rank, "榜单": u.label})
            rows.append(row)
        return pd.DataFrame(rows)


@dataclass
class FinalUnit(_OfUnit):
    unit: Unit
    monthly: dict[str, Decimal]
    total: Decimal
    qualifying: list[Record]
    rank: int = 0
    label: str = ""


@dataclass
class CampaignResult:
    months: list[str]
    weights: dict[str, Decimal]
    units: list[FinalUnit]

    def unit(self, name: str) -> FinalUnit:
        return _by_name(self, name)

    def category(self, category: str) -> list[FinalUnit]:
        return sorted((u for u in self.units if u.category == category), key=lambda u: (u.rank, u.unit.order))

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = []
        for u in self.units:
            row = {"类别": u.category, "单位": u.name, **u.monthly}
            row.update({"总分": u.total, "排名": u.rank, "榜单": u.label})
            rows.append(row)
        return pd.DataFrame(rows)


# --------------------------------------------------------------------- helpers

def _by_name(result, name: str):
    """result.units[name], indexed once per list (documents ask for every unit)."""
    cached = result.__dict__.get("_index")
    if cached is None or cached[0] is not result.units or cached[1] != len(result.units):
        cached = result.__dict__["_index"] = (result.units, len(result.units), {u.name: u for u in result.units})
    unit = cached[2].get(name)
    if unit is None:
        raise StopIteration  # as next() over the units did
    return unit


def record_label(rec: Record) -> str:
    for key in ("项目名称", "企业名称", "目的地"):
        if rec.get(key):
            return str(rec[key])
    for v in rec.values.values():
        if hasattr(v, "strftime"):
            return f"{v.month}月{v.day}日"
    return f"第{rec.source.row}行"


def _fmt(d: Decimal) -> str:
    d = Decimal(d)
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else str(d.normalize())


def _points_of(part: Part, value) -> Decimal:
    if value is not None:
        text = str(value)
        if part.match == "exact":
            if text in part.table:
                return part.table[text]
        else:
            for key, pts in part.table.items():
                if key in text:
                    return pts
    return part.other


_CONTAINS: dict[int, tuple[Part, dict[str, Decimal]]] = {}  # id(part) -> (part, {text: points})


def _table_points(part: Part, rec: Record) -> Decimal:
    value = rec.values.get(part.column)
    if type(value) is not str:
        return _points_of(part, value)
    if part.match == "exact":
        return part.table.get(value, part.other)
    # "contains": rows repeat a few values, each looked for in the table once
    hit = _CONTAINS.get(id(part))
    if hit is None or hit[0] is not part:
        if len(_CONTAINS) >= 1024:
            _CONTAINS.clear()
        hit = _CONTAINS[id(part)] = (part, {})
    pts = hit[1].get(value)
    if pts is None:
        pts = hit[1][value] = _points_of(part, value)
    return pts


def measure(campaign: Campaign, rows: list[Record], metric: Metric | Part) -> Decimal:
    """Count of rows, or the number of distinct values of a column, or the sum of a column."""
    rows = select(campaign.config, rows, metric.where)
    if metric.sum:
        return sum((Decimal(r[metric.sum]) for r in rows if r[metric.sum] is not None), ZERO)
    if metric.distinct:
        return Decimal(len({str(r[metric.distinct]) for r in rows if r[metric.distinct] is not None}))
    return Decimal(len(rows))


def score_part(campaign: Campaign, part: Part, unit: Unit, rows: list[Record]) -> PartScore:
    """rows: the unit's rows of part.sheet for the period scored."""
    cfg = campaign.config
    name = part.name or part.sheet
    ps = PartScore(name, part.rule, required=part.required)
    matched = select(cfg, rows, part.where)
    ps.matched = matched
    cond = describe_where(cfg, part.where)
    if part.rule == "completion":
        target = part.target.get(unit.category)
        if target is None:
            ps.assessed = False
            ps.note = f"{name}：{unit.category}不考核此项"
            return ps
        done = measure(campaign, rows, part)
        ps.target, ps.done = target, done
        ratio = min(Decimal(1), done / target)
        ps.points = V.round2(part.full * ratio)
        ps.earned = matched
        ps.note = f"{name}：完成 {_fmt(done)}，目标 {_fmt(target)}，得 {_fmt(ps.points)} 分"
        return ps
    if part.rule == "best":
        if matched:
            points = [_table_points(part, r) for r in matched]
            i = points.index(max(points))  # the first row with the most points
            ps.points, ps.earned = points[i], [matched[i]]
            ps.note = f"{name}：{record_label(matched[i])}（{part.column}：{matched[i][part.column] or '未填'}）得 {_fmt(points[i])} 分"
        else:
            ps.note = f"{name}：无{('符合“' + cond + '”的') if cond else ''}{part.sheet}记录，得 0 分"
    elif part.rule == "sum":
        scored = sorted(((_table_points(part, r), i, r) for i, r in enumerate(matched)), key=lambda t: (-t[0], t[1]))
        if part.max_count is not None:
            scored = scored[: part.max_count]
        ps.points = sum((t[0] for t in scored), ZERO)
        ps.earned = [t[2] for t in sorted(scored, key=lambda t: t[1])]
        ps.note = f"{name}：{len(matched)} 条，计 {len(scored)} 条，得 {_fmt(ps.points)} 分"
    else:  # count
        counted = matched if part.max_count is None else matched[: part.max_count]
        ps.points = part.each * len(counted)
        ps.earned = counted
        ps.note = f"{name}：{len(matched)} 条，计 {len(counted)} 条，得 {_fmt(ps.points)} 分"
    if part.cap is not None and ps.points > part.cap:
        ps.points = part.cap
        ps.note += f"（封顶 {_fmt(part.cap)} 分）"
    if part.required:
        ps.missing = max(0, part.required - len(matched))
        ps.deduction = part.deduct_per_missing * ps.missing
        if ps.missing:
            ps.note += f"；应有 {part.required} 条，少 {ps.missing} 条，扣 {_fmt(ps.deduction)} 分"
    return ps


def score_dimension(campaign: Campaign, dim: Dimension, unit: Unit, rows_for) -> DimensionScore:
    parts = [score_part(campaign, p, unit, rows_for(p)) for p in dim.parts]
    assessed = [p for p in parts if p.assessed]
    raw = sum((p.net for p in assessed), ZERO)
    points = V.round2(min(dim.max, max(ZERO, raw))) if assessed else None
    return DimensionScore(dim.name, dim.max, points, raw, parts)


def _qualifying(campaign: Campaign, data: list[MonthData], unit: str) -> list[Record]:
    q = campaign.config.lists.qualifying
    rows = [r for md in data for r in md.rows(q.sheet, unit)]
    return select(campaign.config, rows, q.where)


def score_month(campaign: Campaign, data: dict[str, MonthData], month: str) -> MonthScore:
    """Scores, ranks and list labels of one month. `data` holds every month read so
    far (a `to_date` completion rule counts from the first month on)."""
    with collector_paused():
        return _score_month(campaign, data, month)


def _score_month(campaign: Campaign, data: dict[str, MonthData], month: str) -> MonthScore:
    from gongwen.campaign.lists import label_month

    cfg = campaign.config
    md = data[month]
    upto = [data[m] for m in campaign.months if m in data and m <= month]
    units = []
    for unit in campaign.roster:
        def rows_for(part: Part, unit=unit):
            months = upto if part.rule == "completion" and part.period == "to_date" else [md]
            return [r for d in months for r in d.rows(part.sheet, unit.name)]

        dims = {d.name: score_dimension(campaign, d, unit, rows_for) for d in cfg.scoring.dimensions}
        got = sum((d.points for d in dims.values() if d.assessed), ZERO)
        assessed_max = sum((d.max for d in dims.values() if d.assessed), ZERO)
        if cfg.scoring.rescale and assessed_max and assessed_max != cfg.scoring.total:
            got = got * cfg.scoring.total / assessed_max
        units.append(UnitScore(unit, dims, V.round2(got), _qualifying(campaign, [md], unit.name)))
    for cat in campaign.categories:
        for rank, u in competition_ranks([u for u in units if u.category == cat], lambda u: u.total, lambda u: u.unit.order):
            u.rank = rank
    result = MonthScore(month, units)
    label_month(campaign, result)
    return result


def campaign_result(campaign: Campaign, data: dict[str, MonthData], scores: dict[str, MonthScore]) -> CampaignResult | None:
    """The weighted campaign total; None until every month has been scored."""
    with collector_paused():
        return _campaign_result(campaign, data, scores)


def _campaign_result(campaign: Campaign, data: dict[str, MonthData], scores: dict[str, MonthScore]) -> CampaignResult | None:
    from gongwen.campaign.lists import label_final

    if any(m not in scores for m in campaign.months):
        return None
    weights = campaign.weights
    all_months = [data[m] for m in campaign.months]
    units = []
    for unit in campaign.roster:
        monthly = {m: scores[m].unit(unit.name).total for m in campaign.months}
        total = V.round2(sum((weights[m] * monthly[m] for m in campaign.months), ZERO))
        units.append(FinalUnit(unit, monthly, total, _qualifying(campaign, all_months, unit.name)))
    for cat in campaign.categories:
        for rank, u in competition_ranks([u for u in units if u.category == cat], lambda u: u.total, lambda u: u.unit.order):
            u.rank = rank
    result = CampaignResult(list(campaign.months), weights, units)
    label_final(campaign, result)
    return result
