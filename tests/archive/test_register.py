"""发文登记: auto numbers, stable across re-runs, refusals (exit 2, nothing
written), --reissue keeping the old files, the register command."""

from __future__ import annotations

import sqlite3

import pdfplumber
import pikepdf
import pytest
from click.testing import CliRunner
from docx import Document

from gongwen.archive.verify import verify

from archive_helpers import build, hashes, main, make_campaign, temporaries, write_xlsx, june_rows

PATTERN = "信开放办〔{year}〕{n}号"
BULLETIN = "2023-06/6月工作情况通报"
LISTS = "2023-06/6月一马当先榜和奋起直追榜"


def rows(folder):
    con = sqlite3.connect(folder / "发文登记.sqlite")
    con.row_factory = sqlite3.Row
    try:
        return {r["kind"]: dict(r) for r in con.execute("SELECT * FROM issued")}
    finally:
        con.close()


def table(folder, name):
    con = sqlite3.connect(folder / "发文登记.sqlite")
    try:
        return con.execute(f"SELECT * FROM {name} ORDER BY 1, 2").fetchall()
    finally:
        con.close()


def printed_number(out, rel):
    """The 发文字号 as printed in the DOCX and PDF, and in the PDF's XMP."""
    docx = [p.text for p in Document(out / f"{rel}.docx").paragraphs]
    with pdfplumber.open(out / f"{rel}.pdf") as pdf:
        first = pdf.pages[0].extract_text()
    with pikepdf.open(out / f"{rel}.pdf") as pdf:
        xmp = pdf.open_metadata()["{https://gongwen.invalid/ns/notice/1.0/}DocumentNumber"]
    return docx, first, xmp


def test_auto_numbers_follow_the_office_numbers_and_are_printed(tmp_path, fast):
    camp = make_campaign(tmp_path, {"2023-06": "信开放办〔2023〕12号", "2023-06-lists": "auto"}, PATTERN)
    out = tmp_path / "out"
    result = build(camp, out)
    assert "自动编号 1 份" in result.stderr and "信开放办〔2023〕13号" in result.stderr
    reg = rows(camp)
    assert reg["通报"]["number"] == "信开放办〔2023〕12号" and reg["通报"]["auto"] == 0
    assert (reg["榜单"]["number"], reg["榜单"]["code"], reg["榜单"]["year"], reg["榜单"]["seq"]) == (
        "信开放办〔2023〕13号", "信开放办", 2023, 13)
    assert reg["榜单"]["date"] == "2023-07-02" and reg["榜单"]["organ"] == "信丰县扩大开放工作领导小组办公室"
    docx, pdf_text, xmp = printed_number(out, LISTS)
    assert "信开放办〔2023〕13号" in docx and "信开放办〔2023〕13号" in pdf_text and xmp == "信开放办〔2023〕13号"
    # the files' hashes are recorded, and they are the written bytes
    files = {r[2]: r[3] for r in table(camp, "files")}
    assert set(files) == {f"{BULLETIN}.docx", f"{BULLETIN}.pdf", f"{LISTS}.docx", f"{LISTS}.pdf"}
    now = hashes(out)
    assert all(now[p] == h for p, h in files.items())
    # a build makes drafts: numbers reserved, nothing issued yet
    assert {r["state"] for r in reg.values()} == {"draft"} and table(camp, "versions") == []
    issued = CliRunner().invoke(main, ["issue", str(camp), "--out", str(out)])
    assert issued.exit_code == 0, issued.output
    assert "已印发 信开放办〔2023〕13号" in issued.output
    assert {r["state"] for r in rows(camp).values()} == {"issued"}
    assert [(v[1], v[7]) for v in table(camp, "versions")] == [(1, "2023-07-02"), (1, "2023-07-02")]  # issued_at = 成文日期
    assert {r[2]: r[3] for r in table(camp, "files")} == files and {r[1] for r in table(camp, "files")} == {1}


def test_auto_numbers_consecutive_in_date_order_and_stable_across_runs(tmp_path, fast):
    camp = make_campaign(tmp_path, {"2023-06": "auto", "2023-06-lists": "auto"}, PATTERN)
    # July's notes give the bulletin an earlier 成文日期 than the lists: numbered first
    (camp / "reports" / "2023-06.yaml").write_text("成文日期: 2023-07-01\n", encoding="utf-8")
    build(camp, tmp_path / "a")
    first = rows(camp)
    assert (first["通报"]["number"], first["榜单"]["number"]) == ("信开放办〔2023〕1号", "信开放办〔2023〕2号")
    before = (camp / "发文登记.sqlite").read_bytes()
    build(camp, tmp_path / "b")  # unchanged inputs, another folder: same numbers, same bytes
    assert rows(camp) == first
    assert hashes(tmp_path / "a") == hashes(tmp_path / "b")
    assert (camp / "发文登记.sqlite").read_bytes() == before
    # July arrives: its documents continue the sequence, June's keep theirs
    text = (camp / "campaign.yaml").read_text(encoding="utf-8")
    (camp / "campaign.yaml").write_text(text.replace("    2023-06-lists: auto\n", "    2023-06-lists: auto\n    2023-07: auto\n"), encoding="utf-8")
    write_xlsx(camp / "reports" / "2023-07.xlsx", {"信息报送": [["甲镇", "2023-07-03"]]})
    build(camp, tmp_path / "a")
    con = sqlite3.connect(camp / "发文登记.sqlite")
    numbers = dict(con.execute("SELECT period || kind, number FROM issued"))
    assert numbers == {"2023-06通报": "信开放办〔2023〕1号", "2023-06榜单": "信开放办〔2023〕2号", "2023-07通报": "信开放办〔2023〕3号"}


def test_auto_without_pattern_is_refused(tmp_path, fast):
    camp = make_campaign(tmp_path, {"2023-06": "auto"})
    result = build(camp, tmp_path / "out", code=2)
    assert "documents.numbers 的 2023-06 写了 auto，但没有 documents.number_pattern" in result.stderr
    assert not (tmp_path / "out").exists() and not (camp / "发文登记.sqlite").exists()


def test_same_number_for_two_documents_is_refused(tmp_path, fast):
    camp = make_campaign(tmp_path, {"2023-06": "信开放办〔2023〕12号", "2023-06-lists": "信开放办〔2023〕12号"})
    result = build(camp, tmp_path / "out", code=2)
    assert "错误：发文字号有 1 处问题，未生成任何文件：" in result.stderr
    assert "发文字号 信开放办〔2023〕12号 同时用于 《关于全县招大引强“百日攻坚”6月工作情况的通报》" in result.stderr
    assert not (tmp_path / "out").exists() and not (camp / "发文登记.sqlite").exists()


def _issue_june(tmp_path, numbers=None):
    camp = make_campaign(tmp_path, numbers or {"2023-06": "信开放办〔2023〕12号"})
    out = tmp_path / "out"
    build(camp, out)
    issued = CliRunner().invoke(main, ["issue", str(camp), "--out", str(out)])
    assert issued.exit_code == 0, issued.output
    return camp, out


def _set_numbers(camp, numbers):
    text = (camp / "campaign.yaml").read_text(encoding="utf-8")
    start = text.index("  numbers:\n")
    end = text.index("\n  plan:")
    block = "  numbers:\n" + "".join(f"    {k}: {v}\n" for k, v in numbers.items())
    (camp / "campaign.yaml").write_text(text[:start] + block.rstrip("\n") + text[end:], encoding="utf-8")


def test_a_number_issued_before_cannot_go_to_another_document(tmp_path, fast):
    camp, out = _issue_june(tmp_path)
    before, reg = hashes(out), (camp / "发文登记.sqlite").read_bytes()
    _set_numbers(camp, {"2023-06": "信开放办〔2023〕12号", "2023-06-lists": "信开放办〔2023〕12号"})
    result = build(camp, out, code=2)
    assert "同时用于" in result.stderr
    _set_numbers(camp, {"2023-06-lists": "信开放办〔2023〕12号"})  # June's bulletin left unnumbered, its number reused
    result = build(camp, out, code=2)
    assert ("发文字号 信开放办〔2023〕12号 已于 2023年7月2日 发给《关于全县招大引强“百日攻坚”6月工作情况的通报》"
            "（通报，2023-06），不能再用于") in result.stderr
    _set_numbers(camp, {"2023-06": "信开放办〔2023〕14号"})  # renumbering an issued document is a reissue
    result = build(camp, out, code=2)
    assert "已以 信开放办〔2023〕12号 印发（2023年7月2日），现在的发文字号是 信开放办〔2023〕14号" in result.stderr
    assert "--reissue" in result.stderr
    assert hashes(out) == before and (camp / "发文登记.sqlite").read_bytes() == reg and not temporaries(out)


def _change_june(camp):
    rows = june_rows()
    rows["签约项目"].append(["县乙局", "补报项目", "补报企业", "上市公司", "新能源", 3, "实质性签约", "2023-06-20"])
    write_xlsx(camp / "reports" / "2023-06.xlsx", rows)


def test_changed_content_is_refused_without_reissue(tmp_path, fast):
    camp, out = _issue_june(tmp_path)
    before, reg = hashes(out), (camp / "发文登记.sqlite").read_bytes()
    _change_june(camp)
    result = build(camp, out, code=2)
    assert "错误：发文登记有 1 处问题，未写出任何文件：" in result.stderr
    assert ("《关于全县招大引强“百日攻坚”6月工作情况的通报》（2023-06/6月工作情况通报）（信开放办〔2023〕12号）"
            "已于 2023年7月2日 印发，这次生成的内容与已印发的不同（6月工作情况通报.docx、6月工作情况通报.pdf）；不会覆盖") in result.stderr
    assert hashes(out) == before  # nothing written: not the 得分明细, not the manifest
    assert (camp / "发文登记.sqlite").read_bytes() == reg
    assert not temporaries(out)
    # into a fresh folder it is the same: the number was issued with other content
    build(camp, tmp_path / "fresh", code=2)
    assert not (tmp_path / "fresh" / "manifest.json").exists()


def test_reissue_keeps_the_old_files_beside_the_new(tmp_path, fast):
    camp, out = _issue_june(tmp_path)
    old = {ext: (out / f"{BULLETIN}.{ext}").read_bytes() for ext in ("docx", "pdf")}
    _change_june(camp)
    result = build(camp, out, "--reissue")
    assert "重新印发 信开放办〔2023〕12号" in result.stderr
    for ext in ("docx", "pdf"):
        kept = out / f"2023-06/6月工作情况通报（第1版）.{ext}"
        assert kept.read_bytes() == old[ext]
        assert (out / f"{BULLETIN}.{ext}").read_bytes() != old[ext]
    assert verify(out).ok  # the kept files are in manifest.json
    reg = rows(camp)
    assert reg["通报"]["version"] == 2 and reg["通报"]["number"] == "信开放办〔2023〕12号"
    versions = [(v[0].split("/")[1], v[1], v[8]) for v in table(camp, "versions")]
    assert ("通报", 1, "2023-06/6月工作情况通报（第1版）") in versions and ("通报", 2, None) in versions
    # a later build with the same inputs: nothing to reissue, the kept files stay listed
    build(camp, out)
    assert verify(out).ok and rows(camp)["通报"]["version"] == 2
    listing = CliRunner().invoke(main, ["register", str(camp)])
    assert listing.exit_code == 0
    text = listing.output
    assert "信开放办〔2023〕12号" in text and "2023-07-02" in text and "信丰县扩大开放工作领导小组办公室" in text
    line = next(ln for ln in text.splitlines() if "信开放办〔2023〕12号" in ln)
    assert line.rstrip().endswith("2")  # two versions


def test_register_command_lists_every_number(tmp_path, fast):
    camp = make_campaign(tmp_path, {"2023-06": "auto", "2023-06-lists": "信开放办〔2023〕7号"}, PATTERN)
    empty = CliRunner().invoke(main, ["register", str(camp)])
    assert empty.exit_code == 0 and "还没有登记任何公文" in empty.output
    assert not (camp / "发文登记.sqlite").exists()  # listing never creates the register
    build(camp, tmp_path / "out")
    result = CliRunner().invoke(main, ["register", str(camp)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "发文登记" in lines[0] and "2 份" in lines[0]
    seven = next(i for i, ln in enumerate(lines) if "信开放办〔2023〕7号" in ln)
    eight = next(i for i, ln in enumerate(lines) if "信开放办〔2023〕8号*" in ln)
    assert seven < eight  # by sequence
    assert "* 自动编号" in result.output


def test_register_option_shares_one_file_between_campaigns(tmp_path, fast):
    shared = tmp_path / "登记" / "开放办.sqlite"
    a = make_campaign(tmp_path, {"2023-06": "auto"}, PATTERN, name="a")
    b = make_campaign(tmp_path, {"2023-06": "auto"}, PATTERN, name="b")
    text = (b / "campaign.yaml").read_text(encoding="utf-8")
    (b / "campaign.yaml").write_text(text.replace("id: xinfeng-2023", "id: xinfeng-2023-b", 1), encoding="utf-8")
    build(a, tmp_path / "oa", "--register", shared)
    build(b, tmp_path / "ob", "--register", shared)
    con = sqlite3.connect(shared)
    assert sorted(con.execute("SELECT campaign, number FROM issued")) == [
        ("xinfeng-2023", "信开放办〔2023〕1号"), ("xinfeng-2023-b", "信开放办〔2023〕2号")]
    assert not (a / "发文登记.sqlite").exists()


def test_corrupt_register_is_a_clear_error(tmp_path, fast):
    camp = make_campaign(tmp_path, {"2023-06": "信开放办〔2023〕12号"})
    (camp / "发文登记.sqlite").write_bytes(b"not a database" * 100)
    result = build(camp, tmp_path / "out", code=2)
    assert "不是 SQLite 数据库文件（或开头已损坏），无法使用" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
