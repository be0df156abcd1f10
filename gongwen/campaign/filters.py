"""Row filters of campaign.yaml (`where`): column values, amount thresholds, day windows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongwen.campaign.config import CampaignConfig, Condition
from gongwen.campaign.tables import Record


def conditions(cfg: CampaignConfig, where) -> list[Condition]:
    out: list[Condition] = []
    for item in where:
        out.extend(cfg.filters[item] if isinstance(item, str) else [item])
    return out


def holds(c: Condition, rec: Record) -> bool:
    v = rec[c.column]
    if c.equals is not None and v != c.equals:
        return False
    if c.in_ is not None and v not in c.in_:
        return False
    if c.not_in is not None and v in c.not_in:
        return False
    if c.min is not None or c.max is not None or c.below is not None:
        if v is None:
            return False
        d = Decimal(v)
        if c.min is not None and d < c.min:
            return False
        if c.max is not None and d > c.max:
            return False
        if c.below is not None and d >= c.below:
            return False
    if c.day_from is not None or c.day_to is not None:
        if not isinstance(v, dt.date):
            return False
        if c.day_from is not None and v.day < c.day_from:
            return False
        if c.day_to is not None and v.day > c.day_to:
            return False
    return True


def select(cfg: CampaignConfig, rows: list[Record], where) -> list[Record]:
    conds = conditions(cfg, where)
    return [r for r in rows if all(holds(c, r) for c in conds)]


def describe_where(cfg: CampaignConfig, where) -> str:
    """Chinese for a filter, for evidence notes: 投资额（亿元）≥1."""
    parts = []
    for c in conditions(cfg, where):
        if c.equals is not None:
            parts.append(f"{c.column}为{c.equals}")
        if c.in_ is not None:
            parts.append(f"{c.column}为{'/'.join(c.in_)}")
        if c.not_in is not None:
            parts.append(f"{c.column}不为{'/'.join(c.not_in)}")
        if c.min is not None:
            parts.append(f"{c.column}≥{c.min}")
        if c.max is not None:
            parts.append(f"{c.column}≤{c.max}")
        if c.below is not None:
            parts.append(f"{c.column}<{c.below}")
        if c.day_from is not None:
            parts.append(f"{c.column}在{c.day_from}日及以后")
        if c.day_to is not None:
            parts.append(f"{c.column}在{c.day_to}日及以前")
    return "，".join(parts)
