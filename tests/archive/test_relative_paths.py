"""The README's own command gives the campaign and the output folder as relative paths
(`build inputs/xinfeng-2023 --out outputs/xinfeng-2023`); every test elsewhere uses absolute
temporary paths. Build, rebuild over an earlier build, issue, rebuild with --reissue and
verify, all with relative paths from the working folder."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from archive_helpers import build, hashes, make_campaign, only_kinds, temporaries
from gongwen.cli import main


def test_relative_campaign_and_output_folders(tmp_path, monkeypatch):
    make_campaign(tmp_path, numbers={"2023-06": "信开放办〔2023〕12号"})
    monkeypatch.chdir(tmp_path)
    only_kinds(monkeypatch, "通报", "得分反馈单")
    build("camp", "out")
    first = hashes(tmp_path / "out")
    assert any(p.endswith("通报.pdf") for p in first)
    build("camp", "out")  # over the earlier build: every file replaced by the same bytes
    assert hashes(tmp_path / "out") == first

    runner = CliRunner()
    issued = runner.invoke(main, ["issue", "camp", "--out", "out"])
    assert issued.exit_code == 0, issued.output
    # a corrected workbook: the issued 通报 changes, so only --reissue may replace it
    book = tmp_path / "camp" / "reports" / "2023-06.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb["外出招商"]
    ws.cell(2, [c.value for c in ws[1]].index("拜访企业数") + 1).value = 99
    wb.save(book)
    build("camp", "out", code=2)
    build("camp", "out", "--reissue")
    after = hashes(tmp_path / "out")
    assert any("（第1版）" in p for p in after) and after != first
    assert not temporaries(tmp_path / "out")
    verified = runner.invoke(main, ["verify", "out"])
    assert verified.exit_code == 0, verified.output


def test_verify_points_to_the_folder_that_has_the_manifest(tmp_path, monkeypatch):
    """annual writes into <out>/annual/; verify <out> says where the manifest is instead of only refusing."""
    (tmp_path / "out" / "annual").mkdir(parents=True)
    (tmp_path / "out" / "annual" / "manifest.json").write_text("{}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["verify", "out"])
    assert result.exit_code == 2 and "annual 里有，请核对那里" in result.output, result.output
