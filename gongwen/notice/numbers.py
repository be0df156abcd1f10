"""Dates and numbers written the way offices write them (GB/T 15835)."""

from __future__ import annotations

import datetime as dt


def cn_date(day: dt.date) -> str:
    """2023年6月30日: Arabic digits, full year, no zero padding."""
    return f"{day.year}年{day.month}月{day.day}日"
