"""`pipeline.py build` on the two demo campaigns: the spec's files and columns,
numbers as numbers, identical bytes on a re-run, a manifest that matches."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from gongwen.campaign import load_campaign
from gongwen.cli import main

from campaign_helpers import SUZHOU, XINFENG


def build(folder, out):
    # The demo folders stay clean: the document-number register goes beside the output.
    register = Path(out).with_name(Path(out).name + "-发文登记.sqlite")
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(out), "--register", str(register)])
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return result


def rows(path, sheet="得分"):
    ws = load_workbook(path)[sheet]
    return [[c.value for c in r] for r in ws.iter_rows()]


@pytest.fixture(scope="module")
def xinfeng(tmp_path_factory):
    out = tmp_path_factory.mktemp("x")
    build(XINFENG, out)
    return out


def test_xinfeng_files_and_columns(xinfeng):
    files = sorted(p.relative_to(xinfeng).as_posix() for p in xinfeng.rglob("*") if p.is_file())
    data = [f for f in files if not f.endswith((".docx", ".pdf")) and f not in (".gongwen.lock", ".gongwen-register")]
    assert data == ["2023-06/得分明细.xlsx", "2023-07/得分明细.xlsx", "2023-08/得分明细.xlsx", "final/得分明细.xlsx",
                    "manifest.json", "报送情况.xlsx"]
    # 报送情况: a row per unit and month; the unit that sent nothing is named, and scored 0 (below)
    sent = rows(xinfeng / "报送情况.xlsx", "报送情况")
    assert len(sent) == 1 + 3 * len(load_campaign(XINFENG).roster)
    assert rows(xinfeng / "报送情况.xlsx", "未报送单位")[1:] == [
        ["2023-06", "县直部门", "县交通运输局"], ["2023-07", "县直部门", "县交通运输局"], ["2023-08", "县直部门", "县交通运输局"]]
    listed = {e["path"] for e in json.loads((xinfeng / "manifest.json").read_text(encoding="utf-8"))["files"]}
    assert {f for f in files if f.endswith((".docx", ".pdf"))} <= listed  # the documents are in the manifest too
    camp = load_campaign(XINFENG)
    month = rows(xinfeng / "2023-06" / "得分明细.xlsx")
    assert month[0] == ["类别", "单位", "比签约速度", "比项目体量", "比项目质量", "比落地见效", "比基础工作", "总分", "排名", "榜单"]
    assert sorted(r[1] for r in month[1:]) == sorted(u.name for u in camp.roster)  # idle units included
    for r in month[1:]:
        assert all(isinstance(v, (int, float)) for v in r[2:9])
        assert r[7] == sum(r[2:7])
        assert r[9] in ("一马当先", "奋起直追", None)
    idle = next(r for r in month if r[1] == "县交通运输局")
    assert idle[2:8] == [0, 0, 0, 0, 0, 0] and idle[9] == "奋起直追"
    final = rows(xinfeng / "final" / "得分明细.xlsx")
    assert final[0] == ["类别", "单位", "2023-06", "2023-07", "2023-08", "总分", "排名", "榜单"]
    for r in final[1:]:
        assert r[5] == pytest.approx(round(0.6 * r[2] + 0.2 * r[3] + 0.2 * r[4], 2))
    ws = load_workbook(xinfeng / "final" / "得分明细.xlsx")["得分"]
    assert ws["F2"].number_format == "0.00"


def test_xinfeng_ranks_within_categories(xinfeng):
    month = rows(xinfeng / "2023-06" / "得分明细.xlsx")[1:]
    for cat in ("专业招商小分队", "县直部门", "乡镇"):
        group = [r for r in month if r[0] == cat]
        for pos, r in enumerate(group, start=1):
            better = sum(1 for o in group if o[7] > r[7])
            assert r[8] == better + 1
    twins = [r for r in month if r[1] in ("大桥镇", "新田镇")]
    assert twins[0][7] == twins[1][7] and twins[0][8] == twins[1][8]  # a tie in the demo data


def test_manifest_lists_every_file_with_hash_and_inputs(xinfeng):
    doc = json.loads((xinfeng / "manifest.json").read_text(encoding="utf-8"))
    assert doc["campaign"] == "xinfeng-2023"
    for entry in doc["files"]:
        data = (xinfeng / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    june = next(e for e in doc["files"] if e["path"] == "2023-06/得分明细.xlsx")
    assert june["inputs"] == ["campaign.yaml", "reports/2023-06.xlsx", "units.xlsx"]
    final = next(e for e in doc["files"] if e["path"] == "final/得分明细.xlsx")
    assert "reports/2023-08/信息报送.csv" in final["inputs"]
    known = {i["path"]: i["sha256"] for i in doc["inputs"]}
    assert known["campaign.yaml"] == hashlib.sha256((XINFENG / "campaign.yaml").read_bytes()).hexdigest()


def test_rebuild_writes_identical_bytes(xinfeng, tmp_path):
    build(XINFENG, tmp_path)
    for p in xinfeng.rglob("*"):
        if p.is_file() and p.name != ".gongwen-register":  # where the register is, seen from the folder
            assert (tmp_path / p.relative_to(xinfeng)).read_bytes() == p.read_bytes(), p


def test_suzhou_builds_with_its_own_dimensions(tmp_path):
    build(SUZHOU, tmp_path)
    month = rows(tmp_path / "2020-11" / "得分明细.xlsx")
    assert month[0] == ["类别", "单位", "项目线索", "合同项目", "沪苏浙先进制造业项目", "开工项目", "竣工项目", "总分", "排名", "榜单"]
    group = next(r for r in month if r[0] == "市直招商协作组")
    assert group[4:7] == [None, None, None]  # not assessed for this category
    assert rows(tmp_path / "final" / "得分明细.xlsx")[0] == ["类别", "单位", "2020-09", "2020-10", "2020-11", "总分", "排名", "榜单"]


def test_month_missing_means_no_final(tmp_path):
    import shutil

    folder = tmp_path / "c"
    shutil.copytree(XINFENG, folder, ignore=shutil.ignore_patterns("2023-08*"))
    result = build(folder, tmp_path / "out")
    assert not (tmp_path / "out" / "final").exists()
    assert (tmp_path / "out" / "2023-07" / "得分明细.xlsx").exists()
    assert "尚缺 2023-08" in result.stderr


def test_forms_command(tmp_path):
    result = CliRunner().invoke(main, ["forms", str(XINFENG), "--month", "2023-07", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert len(list(tmp_path.glob("*.xlsx"))) == len(load_campaign(XINFENG).roster)
    bad = CliRunner().invoke(main, ["forms", str(XINFENG), "--month", "2023-09", "--out", str(tmp_path / "n")])
    assert bad.exit_code == 2 and "月份 2023-09 不在活动月份（2023-06、2023-07、2023-08）之内" in bad.stderr
    assert not (tmp_path / "n").exists()
