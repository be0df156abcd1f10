"""pipeline.py check / import / render FILE.docx: reports, JSON, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from gongwen.cli import main
from tests.check.conftest import mutate, para, replace_text, write


def _run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def _bad_number(parts):
    replace_text(para(parts["word/document.xml"], "信商字"), "〔2023〕18号", "[2023]第018号")


def test_clean_file_exits_0(full_notice, tmp_path):
    r = _run("check", "--no-layout", write(tmp_path, "ok.docx", full_notice[0]), write(tmp_path, "ok.pdf", full_notice[1]))
    assert r.exit_code == 0, r.output
    assert "未发现不符合 GB/T 9704-2012 的问题" in r.output
    assert "共检查 2 个文件：2 个未发现问题" in r.output


def test_findings_exit_1_with_rule_clause_place_measured_expected(full_notice, tmp_path):
    path = write(tmp_path, "bad.docx", mutate(full_notice[0], _bad_number))
    r = _run("check", "--no-layout", path)
    assert r.exit_code == 1, r.output
    for part in ("[严重] 发文字号", "位置：第", "「信商字[2023]第018号」", "实测：年份用“[]”括入", "应为：六角括号“〔〕”",
                 "依据：GB/T 9704-2012 7.2.5", "序号前加了“第”", "编了虚位"):
        assert part in r.output


def test_json(full_notice, tmp_path):
    path = write(tmp_path, "bad.docx", mutate(full_notice[0], _bad_number))
    r = _run("check", "--no-layout", "--json", path)
    assert r.exit_code == 1
    data = json.loads(r.output)
    f = data["文件"][0]["问题"][0]
    assert f["rule"] == "number" and f["rule_name"] == "发文字号" and f["clause"].startswith("GB/T 9704-2012 7.2.5")
    assert f["severity"] == "严重" and f["where"] and f["measured"] and f["expected"]


def test_unreadable_file_exits_2(tmp_path, full_notice):
    broken = write(tmp_path, "broken.docx", b"not a zip")
    r = _run("check", "--no-layout", broken, write(tmp_path, "ok.docx", full_notice[0]))
    assert r.exit_code == 2
    assert "无法检查" in r.output and "不是有效的 DOCX 文件" in r.output
    assert _run("check", tmp_path / "missing.pdf").exit_code == 2
    assert _run("check", write(tmp_path, "a.txt", b"x")).exit_code == 2


def test_import_writes_a_source_and_render_docx_is_one_step(tmp_path, full_notice):
    path = write(tmp_path, "稿.docx", full_notice[0])
    r = _run("import", path, "--out", tmp_path / "src")
    assert r.exit_code == 0, r.output
    text = (tmp_path / "src" / "稿.txt").read_text(encoding="utf-8")
    assert text.startswith("---\n# 由 稿.docx 导入") and "标题: 关于开展6月招商引资信息报送工作的通知" in text
    r = _run("render", path, "--out", tmp_path / "out", "--formats", "docx,pdf")
    assert r.exit_code == 0, r.output
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"稿.docx", "稿.pdf", "稿.txt"}
    # rendering into the draft's own folder never overwrites the draft
    r = _run("render", path, "--out", tmp_path, "--formats", "docx")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "稿-排版.docx").is_file() and path.read_bytes() == full_notice[0]


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_old_doc_through_libreoffice(tmp_path, full_notice):
    src = write(tmp_path, "old.docx", mutate(full_notice[0], _bad_number))
    with tempfile.TemporaryDirectory() as prof:
        subprocess.run(["soffice", f"-env:UserInstallation={Path(prof).as_uri()}", "--headless", "--convert-to",
                        "doc:MS Word 97", "--outdir", str(tmp_path / "doc"), str(src)], check=True, capture_output=True,
                       timeout=180)
    doc = tmp_path / "doc" / "old.doc"
    r = _run("check", "--no-layout", doc)
    assert r.exit_code == 1 and "发文字号" in r.output and "LibreOffice 转为 .docx" in r.output
    r = _run("import", doc, "--out", tmp_path / "src")
    assert r.exit_code == 0, r.output
    assert "发文字号: 信商字〔2023〕18号" in (tmp_path / "src" / "old.txt").read_text(encoding="utf-8")


def test_doc_without_libreoffice_says_so(tmp_path, monkeypatch):
    from gongwen.check import convert

    monkeypatch.setattr(convert, "soffice", lambda: None)
    doc = write(tmp_path, "old.doc", b"\xd0\xcf\x11\xe0")
    r = _run("check", doc)
    assert r.exit_code == 2 and "没有安装 LibreOffice" in r.output
