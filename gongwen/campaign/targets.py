"""Targets (完成数 / 目标 / 完成率): a metric over a sheet, for the whole campaign
or for each unit of some categories, over one month or the whole campaign."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from gongwen.campaign import values as V
from gongwen.campaign.config import Target
from gongwen.campaign.folder import Campaign, Unit
from gongwen.campaign.intake import MonthData, collector_paused
from gongwen.campaign.scoring import measure


def _rate(done: Decimal, target: Decimal) -> Decimal:
    """Completion rate in percent, half-up at 2 places."""
    return V.round2(done * 100 / target) if target else Decimal(0)


class _Progress:
    """完成数 against 目标: the rate in percent and whether it is met."""

    target: Decimal
    done: Decimal

    @property
    def rate(self) -> Decimal:
        return _rate(self.done, self.target)

    @property
    def met(self) -> bool:
        return self.done >= self.target


@dataclass
class UnitTarget(_Progress):
    unit: Unit
    target: Decimal
    done: Decimal


@dataclass
class TargetResult(_Progress):
    name: str
    period: str  # YYYY-MM or "campaign"
    scope: str  # campaign | unit
    measure_word: str
    target: Decimal  # for scope unit: the sum of the units' targets
    done: Decimal
    complete: bool  # every month of the period has reports
    units: list[UnitTarget] = field(default_factory=list)

    @property
    def units_met(self) -> int:
        return sum(1 for u in self.units if u.met)


def evaluate(campaign: Campaign, data: dict[str, MonthData], t: Target) -> TargetResult:
    months = campaign.months if t.period == "campaign" else [t.period]
    present = [data[m] for m in months if m in data]
    rows = [r for md in present for r in md.rows(t.metric.sheet)]
    complete = len(present) == len(months)
    if t.scope == "campaign":
        goal = t.target if not isinstance(t.target, dict) else sum(t.target.values(), Decimal(0))
        return TargetResult(t.name, t.period, t.scope, t.measure_word, goal, measure(campaign, rows, t.metric), complete)
    cats = t.categories or (list(t.target) if isinstance(t.target, dict) else campaign.categories)
    units = []
    by_unit: dict[str, list] = {}
    for r in rows:
        by_unit.setdefault(r.unit, []).append(r)
    for unit in campaign.roster:
        if unit.category not in cats:
            continue
        goal = t.target.get(unit.category) if isinstance(t.target, dict) else t.target
        if goal is None:
            continue
        mine = by_unit.get(unit.name, [])
        units.append(UnitTarget(unit, goal, measure(campaign, mine, t.metric)))
    return TargetResult(
        t.name, t.period, t.scope, t.measure_word,
        sum((u.target for u in units), Decimal(0)), sum((u.done for u in units), Decimal(0)), complete, units,
    )


def targets(campaign: Campaign, data: dict[str, MonthData], period: str | None = None) -> list[TargetResult]:
    """Every target of campaign.yaml, or only those of one period (a month or "campaign")."""
    with collector_paused():
        return [evaluate(campaign, data, t) for t in campaign.config.targets if period is None or t.period == period]
