"""The foundation refactor (issue 11) changed no output but where a writer
disagreement was fixed: the demo builds, the examples and the notice fixtures
give the bytes recorded before it started (tests/fixtures/baseline/hashes.json),
except the files named in CHANGED, each with the reason.

The hashes hold for this project's pinned packages and Debian's fonts
(scripts/setup.sh); a new pin or font package changes them on purpose:
record them again then (python -m tests.test_same_bytes OUT-FOLDER)."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest

from gongwen import INPUTS_DIR

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tests/fixtures/baseline/hashes.json"

# Files allowed to differ from the baseline, as glob patterns, with why.
CHANGED: dict[str, str] = {
    # The layout model (gongwen/layout/model.py): both writers now take the page from one set of decisions.
    "examples/*.docx": "版头 heights from the layout model: the 发文字号 two lines under the masthead's em box "
                       "and the red rule under it, title and 主送 at the PDF's heights (the DOCX was 2-4 mm lower)",
    "examples/*.pdf": "masthead size floored to the 0.5 pt step a DOCX font size can take (24.57 -> 24.5 pt and the "
                      "like); 001 also shades its placeholders; 002's joint rows at the DOCX's row pitch",
    "fixtures/draft.*": "附件说明 names start at one x in both (4 mm apart before); placeholders shaded in the PDF",
    "fixtures/letter.docx": "主送 one line under the title, as in the PDF (4.8 mm higher before)",
    "fixtures/long-body.docx": "版头 heights from the layout model (as examples/*.docx)",
    "fixtures/minutes.*": "纪要 printed once in the mark (\u2026纪要纪要 before); unsigned in both, as the standard's 纪要格式",
    "fixtures/tables*": "附件说明 names at one x; masthead size floored to 0.5 pt",
    "fixtures/upward.*": "签发人 two to a row with the 发文字号 on the last row, as GB/T 9704 7.2.4 (the PDF had one a "
                         "row); the gap between stacked organs and 文件 is one 字 in both (0.5 字 in the DOCX)",
    "*-20*/*.docx": "no invented red 文件 masthead on documents that name no organ (every 得分反馈单); 版头 "
                    "heights from the layout model",
    "*-20*/*.pdf": "masthead size floored to 0.5 pt; the 得分反馈单 title where the DOCX can set it (2.44 pt lower)",
    "*-20*/manifest.json": "lists the new 报送情况.xlsx (issue 12) and the demo campaign.yaml, whose comments "
                           "now point at docs/活动配置.md instead of a page users do not have (issue 11)",
    "*.pdf": "issue 13: numbers stay with their units, document numbers and ranges stay whole, long runs split "
             "at their seams instead of loosening a line past body.max_stretch_em; titles keep organ names and "
             "dates whole; long numbered items are body text; the blank line under a title without 主送",
    "*.docx": "issue 13: title lines (organ names, dates, 书名号 phrases kept whole), long numbered items set as "
              "body text, the blank line under a title without 主送",
}
# Files the baseline does not have, with why.
NEW: dict[str, str] = {
    "*-20*/报送情况.xlsx": "every build writes who sent what (issue 12)",
}


def hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def produce(out: Path, work: Path) -> dict[str, str]:
    """Everything the baseline covers, made now into `out`."""
    from gongwen.build import build_campaign, render

    names = ("xinfeng-2023", "suzhou-2020")
    for name in names:  # copied side by side first: a campaign may name another (documents.annual.campaigns)
        shutil.copytree(INPUTS_DIR / name, work / name, ignore=shutil.ignore_patterns("发文登记.sqlite*"))
    for name in names:
        build_campaign(work / name, out / name, register_file=work / f"{name}.sqlite", jobs=1)
    render([INPUTS_DIR / "examples"], out / "examples")
    render([ROOT / "tests/fixtures/notices"], out / "fixtures")
    return hashes(out)


def allowed(path: str) -> str | None:
    return next((why for pattern, why in CHANGED.items() if fnmatch.fnmatch(path, pattern)), None)


@pytest.fixture(scope="module")
def now(tmp_path_factory):
    return produce(tmp_path_factory.mktemp("now"), tmp_path_factory.mktemp("work"))


def test_same_files_as_before(now):
    before = json.loads(BASELINE.read_text(encoding="utf-8"))
    before = {k: v for k, v in before.items() if not Path(k).name.startswith(".")}
    added = sorted(p for p in set(now) - set(before) if not any(fnmatch.fnmatch(p, n) for n in NEW))
    assert not added and not set(before) - set(now)


def test_same_bytes_except_the_fixed_disagreements(now):
    before = json.loads(BASELINE.read_text(encoding="utf-8"))
    differ = sorted(p for p in now if p in before and now[p] != before[p] and allowed(p) is None)
    assert not differ, f"{len(differ)} files changed without a reason in CHANGED: {differ[:10]}"


def test_every_allowed_change_happened(now):
    """A pattern in CHANGED that matches no changed file is stale: remove it."""
    before = json.loads(BASELINE.read_text(encoding="utf-8"))
    changed = [p for p in now if p in before and now[p] != before[p]]
    stale = [pattern for pattern in CHANGED if not any(fnmatch.fnmatch(p, pattern) for p in changed)]
    assert not stale


if __name__ == "__main__":  # record the baseline again: python -m tests.test_same_bytes OUT
    import tempfile

    out = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as work:
        BASELINE.write_text(json.dumps(produce(out, Path(work)), ensure_ascii=False, indent=0, sort_keys=True),
                            encoding="utf-8")
