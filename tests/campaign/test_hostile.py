"""Hostile inputs and bad luck (issue 18): names differing only in width or
spaces, control characters, NUL, huge cells, deep YAML, symlinks under
reports/, problems in several files at once. Each ends in a Chinese message
naming what to fix, never a traceback."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from campaign_helpers import HEADERS, ROSTER, XINFENG, write_roster, write_xlsx  # noqa: E402

from gongwen.campaign import intake, load_campaign
from gongwen.cli import main
from gongwen.errors import UserError

R = "reports/2023-06.xlsx"


def folder(tmp_path: Path, roster=ROSTER) -> Path:
    f = tmp_path / "camp"
    (f / "reports").mkdir(parents=True)
    shutil.copy(XINFENG / "campaign.yaml", f / "campaign.yaml")
    write_roster(f, roster)
    return f


def problems(f: Path) -> list[str]:
    with pytest.raises(UserError) as exc:
        intake(load_campaign(f))
    return exc.value.problems


def cli(*args) -> object:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    return result


# 5. Names equal after width and space folding -------------------------------------------------

def test_roster_names_equal_after_folding_are_an_error(tmp_path):
    f = folder(tmp_path, ROSTER + [("ＡＢＣ镇", "乡镇", ""), ("ABC镇", "乡镇", ""), ("县 甲局", "县直部门", "")])
    with pytest.raises(UserError) as exc:
        load_campaign(f)
    assert exc.value.problems == [
        'units.xlsx 参评单位 第9行 单位: "ABC镇" 与第8行“ＡＢＣ镇”只差全角/半角或空格，会被当成同一个单位：请删去一行，或把名称改得能区分',
        'units.xlsx 参评单位 第10行 单位: "县 甲局" 与第4行“县甲局”只差全角/半角或空格，会被当成同一个单位：请删去一行，或把名称改得能区分',
    ]


def test_report_name_matching_after_folding_is_taken_with_a_note(tmp_path):
    f = folder(tmp_path)
    write_xlsx(f / R, {"信息报送": [["甲 镇", "2023-06-03"], ["县甲局", "2023-06-04"], ["甲镇", "2023-06-05"]]})
    data = intake(load_campaign(f))["2023-06"]
    assert sorted(r.unit for r in data.rows("信息报送")) == ["县甲局", "甲镇", "甲镇"]
    assert "单位“甲 镇”与参评单位名单中的“甲镇”只差全角/半角或空格，按“甲镇”计（2023年6月报表）" in data.warnings
