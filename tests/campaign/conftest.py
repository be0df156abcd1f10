"""Fixtures of the campaign tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from campaign_helpers import XINFENG, write_roster


@pytest.fixture
def mini(tmp_path) -> Path:
    """A campaign folder with the reference rules and a six-unit roster, no reports yet."""
    folder = tmp_path / "camp"
    folder.mkdir()
    shutil.copy(XINFENG / "campaign.yaml", folder / "campaign.yaml")
    write_roster(folder)
    (folder / "reports").mkdir()
    return folder
