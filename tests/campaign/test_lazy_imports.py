"""Reading and scoring a campaign whose reports are workbooks does not import
pandas (some 0.12 s of every `pipeline.py build`); a CSV report still does,
and blank cells read as before either way."""

from __future__ import annotations

import subprocess
import sys

from gongwen import INPUTS_DIR, ROOT

CHILD = """
import sys
from gongwen.campaign import compute, load_campaign
from gongwen.campaign.build import render
c = compute(load_campaign(sys.argv[1]))
render(c, sys.argv[2])
print("pandas" in sys.modules, len(c.scores))
"""


def _read(folder, out) -> tuple[str, int]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(folder), str(out)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    loaded, months = done.stdout.split()
    return loaded, int(months)


def test_workbook_reports_are_read_without_pandas(tmp_path):
    from gongwen.bench.synthetic import make_campaign

    make_campaign(tmp_path / "camp", 4, months=3)
    assert _read(tmp_path / "camp", tmp_path / "out") == ("False", 3)


def test_a_csv_report_is_read_with_pandas(tmp_path):
    """The demo campaign has a CSV report (reports/2023-08/信息报送.csv)."""
    assert list((INPUTS_DIR / "xinfeng-2023" / "reports").rglob("*.csv"))
    assert _read(INPUTS_DIR / "xinfeng-2023", tmp_path / "out") == ("True", 3)


def test_blank_values_with_and_without_pandas():
    from gongwen.campaign.values import is_blank

    assert is_blank(None) and is_blank(float("nan")) and is_blank("  ") and not is_blank(0) and not is_blank("0")
    import pandas as pd  # loaded now: its missing values are blank too

    assert is_blank(pd.NaT) and is_blank(pd.NA) and not is_blank(pd.Timestamp("2023-06-01"))
