"""Fixtures of the archive tests: builds made faster by typesetting only some
document kinds (the 实施方案 alone takes longer than a month's documents)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from archive_helpers import only_kinds  # noqa: E402


@pytest.fixture
def fast(monkeypatch):
    """Builds make the month's 通报 and 榜单 only."""
    only_kinds(monkeypatch, "通报", "榜单")
