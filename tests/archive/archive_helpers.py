"""Small campaign folders for the archive tests: the reference rules with a
six-unit roster and one month of reports, so a whole build takes seconds."""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "campaign")]
from campaign_helpers import HEADERS, ROSTER, XINFENG, report, sign, trip, write_roster, write_xlsx  # noqa: E402

from gongwen.cli import main  # noqa: E402

LOCK = ".gongwen.lock"


def only_kinds(monkeypatch, *kinds: str) -> None:
    """Builds make only these kinds of document (KINDS names, e.g. 通报, 榜单)."""
    from gongwen.documents import build as docbuild

    monkeypatch.setattr(docbuild, "KINDS", [k for k in docbuild.KINDS if k.name in kinds])


def june_rows(units=("甲镇", "乙镇", "县甲局", "甲小分队")) -> dict:
    return {
        "签约项目": [sign(units[0], 2, name="电子信息项目"), sign(units[1], "0.5", kind="意向性签约", name="文旅项目")],
        "外出招商": [trip(units[0]), trip(units[0], day=12), trip(units[2])],
        "信息报送": [report(u, 10) for u in units],
    }


def make_campaign(root: Path, numbers: dict[str, str] | None = None, pattern: str | None = None,
                  roster=ROSTER, rows: dict | None = None, name: str = "camp") -> Path:
    """A campaign folder: xinfeng's campaign.yaml (documents.numbers replaced by
    `numbers`), `roster`, reports/2023-06.xlsx."""
    folder = Path(root) / name
    (folder / "reports").mkdir(parents=True, exist_ok=True)
    text = (XINFENG / "campaign.yaml").read_text(encoding="utf-8")
    block = re.search(r"^  numbers:.*?\n(?=  \S)", text, flags=re.M | re.S)
    lines = "  numbers:\n" + "".join(f"    {k}: {v}\n" for k, v in (numbers or {}).items()) if numbers else "  numbers: {}\n"
    if pattern:
        lines += f"  number_pattern: {pattern}\n"
    text = text[:block.start()] + lines + text[block.end():]
    (folder / "campaign.yaml").write_text(text, encoding="utf-8")
    write_roster(folder, roster)
    write_xlsx(folder / "reports" / "2023-06.xlsx", rows if rows is not None else june_rows())
    return folder


def build(folder: Path, out: Path, *args, code: int = 0):
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(out), *map(str, args)])
    assert result.exit_code == code, (result.exit_code, result.output, result.stderr, result.exception)
    return result


def hashes(folder: Path) -> dict[str, str]:
    """Every file under folder (but the lock file) -> SHA-256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file() and p.name != LOCK}


def temporaries(folder: Path) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if p.name.endswith((".tmp", ".part"))]


__all__ = ["only_kinds", "HEADERS", "june_rows", "write_text_xlsx", "ROSTER", "XINFENG", "build", "hashes", "make_campaign", "main", "temporaries", "write_roster", "write_xlsx"]


def write_text_xlsx(path: Path, sheets: dict[str, list[list]], headers: dict[str, list]) -> Path:
    """Like write_xlsx, but text that looks like a formula (=1+1, @cmd) is stored
    as text, the way Excel stores '=1+1 typed with a leading quote."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(headers[name])
        for row in rows:
            ws.append(row)
        for line in ws.iter_rows():
            for cell in line:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
