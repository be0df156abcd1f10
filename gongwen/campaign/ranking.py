"""Shared ranks within a group: higher total first, equal totals share a rank and
the next rank skips (1, 2, 2, 4); ties keep roster order."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")


def competition_ranks(items: Iterable[T], total: Callable[[T], Decimal], order: Callable[[T], int]) -> list[tuple[int, T]]:
    """(rank, item) sorted by rank, then roster order."""
    ordered = sorted(items, key=lambda it: (-total(it), order(it)))
    out: list[tuple[int, T]] = []
    prev = None
    rank = 0
    for pos, it in enumerate(ordered, start=1):
        t = total(it)
        if t != prev:
            rank, prev = pos, t
        out.append((rank, it))
    return out
