"""Row filters of campaign.yaml (`where`): column values, amount thresholds, day windows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable

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


def _test(c: Condition) -> Callable[[Record], bool]:
    """holds(c, rec) as one function of rec, written out for the usual filters:
    a single equals or in, a single threshold (a Decimal compared as it is:
    Decimal(d) == d); anything else asks holds()."""
    col = c.column
    keys = {k for k in ("equals", "in_", "not_in", "min", "max", "below", "day_from", "day_to") if getattr(c, k) is not None}
    if keys == {"equals"}:
        equals = c.equals
        return lambda rec: not rec.values.get(col) != equals
    if keys == {"in_"}:
        within = c.in_
        return lambda rec: rec.values.get(col) in within
    if len(keys) == 1 and keys <= {"min", "max", "below"}:
        (key,) = keys
        bound = getattr(c, key)
        fails = {"min": bound.__gt__, "max": bound.__lt__, "below": bound.__le__}[key]  # d < min, d > max, d >= below

        def test(rec: Record) -> bool:
            v = rec.values.get(col)
            if v is None:
                return False
            return not fails(v if type(v) is Decimal else Decimal(v))

        return test
    return lambda rec: holds(c, rec)


_TESTS: dict[tuple[int, ...], tuple[tuple[Condition, ...], Callable[[Record], bool]]] = {}


def predicate(conds: list[Condition]) -> Callable[[Record], bool]:
    """One function testing every condition, made once per list of conditions
    (the cache holds the conditions, so their ids stay theirs)."""
    key = tuple(map(id, conds))
    hit = _TESTS.get(key)
    if hit is not None:
        return hit[1]
    tests = [_test(c) for c in conds]
    if len(tests) == 1:
        test = tests[0]
    else:
        def test(rec: Record) -> bool:
            for t in tests:
                if not t(rec):
                    return False
            return True
    if len(_TESTS) >= 1024:
        _TESTS.clear()
    _TESTS[key] = (tuple(conds), test)
    return test


def select(cfg: CampaignConfig, rows: list[Record], where) -> list[Record]:
    conds = conditions(cfg, where)
    if not conds:
        return list(rows)
    return list(filter(predicate(conds), rows))


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
