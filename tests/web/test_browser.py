"""The main flow in a real browser (Playwright driving Debian's Chromium):
open the page, upload a bad workbook and see the problem cell, upload the
good ones, build and watch progress, preview, download, issue.

GW_SCREENSHOTS=1 saves the README's screenshots into docs/img/."""

from __future__ import annotations

import base64
import os
import re
import zipfile

from gongwen import ROOT
from tests.web.conftest import CID, DEMO, bad_workbook

SHOTS = ROOT / "docs" / "img" if os.environ.get("GW_SCREENSHOTS") else None


def shot(page, name: str, tmp_path, **kw) -> None:
    page.screenshot(path=str((SHOTS or tmp_path) / name), **kw)


def wait_until(page, js: str, timeout_s: float = 60) -> None:
    """page.wait_for_function needs eval, which the page's Content-Security-Policy forbids: poll instead."""
    for _ in range(int(timeout_s * 10)):
        if page.evaluate(js):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"not true in {timeout_s} s: {js}")


def drop(page, target: str, paths) -> None:
    """Drag files onto `target`: a drop event carrying them, as the browser sends when files are dropped."""
    files = [[p.name, base64.b64encode(p.read_bytes()).decode()] for p in paths]
    page.evaluate("""([sel, files]) => {
        const dt = new DataTransfer();
        for (const [name, b64] of files) {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            dt.items.add(new File([bytes], name));
        }
        const box = document.querySelector(sel);
        for (const type of ["dragenter", "dragover", "drop"])
            box.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }""", [target, files])


def test_main_flow(server, browser_page, tmp_path, campaigns):
    page = browser_page
    page.goto(server + "/")
    page.get_by_role("link", name="全县招大引强“百日攻坚”").click()
    page.get_by_role("row", name=re.compile("2023-06")).get_by_role("link").click()
    page.wait_for_selector("#subs table")
    assert "已报送" in page.text_content("#subs")

    # a bad workbook: refused, the cell shown, nothing stored
    before = (campaigns / CID / "reports" / "2023-06.xlsx").read_bytes()
    page.set_input_files("#files", str(bad_workbook(tmp_path)))
    row = page.wait_for_selector("#upload-result table.problems tbody tr")
    cells = [c.text_content() for c in row.query_selector_all("td")]
    assert cells[:5] == ["reports/2023-06.xlsx", "签约项目", "4", "单位", "不存在的单位"]
    assert "没有保存任何文件" in page.text_content("#upload-result")
    assert (campaigns / CID / "reports" / "2023-06.xlsx").read_bytes() == before
    shot(page, "网页-上传有误.png", tmp_path, full_page=False)

    # the good ones: the consolidated workbook, then several per-unit files
    page.set_input_files("#files", str(DEMO / "reports" / "2023-06.xlsx"))
    page.wait_for_selector("#upload-result .good")
    assert "已检查无误并保存 1 个文件" in page.text_content("#upload-result")
    page.goto(server + f"/c/{CID}/m/2023-07")
    drop(page, "#drop", sorted((DEMO / "reports" / "2023-07").glob("*.xlsx"))[:3])
    page.wait_for_selector("#upload-result .good")
    assert "保存 3 个文件" in page.text_content("#upload-result")

    # the month's paragraphs
    page.fill("textarea[name=存在问题]", "一是网页上写的问题。\n二是第二个问题。")
    page.click("#notes button[type=submit]")
    page.wait_for_selector("#notes-result.good")
    assert "网页上写的问题" in (campaigns / CID / "reports" / "2023-07.yaml").read_text(encoding="utf-8")

    # build, watching progress
    page.goto(server + f"/c/{CID}")
    page.click("#build")
    page.wait_for_url(re.compile(r"/builds/[0-9a-f]{16}$"))
    seen = set()
    for _ in range(600):
        seen.add(page.text_content("#stage"))
        if page.is_visible("#docs li"):
            break
        page.wait_for_timeout(100)
    assert any("完成" in s for s in seen | {page.text_content("#stage")})
    assert any(s and "完成" not in s for s in seen), seen  # a stage was shown before the end
    wait_until(page, "() => { const i = document.querySelector('#docs img.thumb'); return !!i && i.naturalWidth > 0; }")

    # preview
    page.click("#docs img.thumb >> nth=1")
    wait_until(page, "() => { const i = document.querySelector('#preview-pages img'); return !!i && i.naturalWidth > 300; }")
    assert "通报" in page.text_content("#preview-title")
    shot(page, "网页-预览.png", tmp_path)

    # download one file and the zip
    with page.expect_download() as d:
        page.click("#docs li >> nth=0 >> a.fmt:text('PDF')")
    assert open(d.value.path(), "rb").read(5) == b"%PDF-"
    with page.expect_download() as d:
        page.click("#zip")
    assert any(n.endswith(".docx") for n in zipfile.ZipFile(d.value.path()).namelist())

    # issue: the register lists the numbered documents as drafts; issue one row, then all
    page.goto(server + f"/c/{CID}/register")
    rows = page.locator("table.grid tbody tr")
    assert rows.count() >= 2 and "〔2023〕" in page.text_content("table.grid")
    assert rows.locator("text=草稿").count() == rows.count()
    rows.nth(0).locator("button.act[data-mode=issue]").click()
    page.wait_for_url(re.compile(r"/builds/"))
    page.wait_for_selector("#docs li")
    assert "印发了 1 份" in page.text_content("#stage")
    page.goto(server + f"/c/{CID}/register")
    assert "已印发" in page.text_content("table.grid tbody tr >> nth=0")
    assert rows.locator("text=草稿").count() == rows.count() - 1
    page.click("p > button.act[data-mode=issue]")
    page.wait_for_url(re.compile(r"/builds/"))
    page.wait_for_selector("#docs li")
    page.goto(server + f"/c/{CID}/register")
    assert rows.locator("text=草稿").count() == 0
    shot(page, "网页-发文登记.png", tmp_path)

    # a notice from pasted text (the page comes with an example)
    page.goto(server + "/paste")
    page.fill("textarea[name=text]", (ROOT / "inputs" / "examples" / "004-yeji-gongjianji.txt").read_text(encoding="utf-8"))
    page.click("#paste button[type=submit]")
    page.wait_for_url(re.compile(r"/builds/"))
    page.wait_for_selector("#docs li img.thumb")
    assert "完成" in page.text_content("#stage")

    # 一键排版: a Word draft (typed with Word's defaults) imported into the box, then typeset
    draft = ROOT / "tests" / "fixtures" / "drafts" / "docx" / "d07-qiaocheng-ruogan-yijian-word.docx"
    page.goto(server + "/paste")
    page.set_input_files("#import-file", str(draft))
    page.wait_for_selector("#import-result p.good")
    assert "进一步完善招商引资工作机制" in page.input_value("textarea[name=text]")
    page.click("#paste button[type=submit]")
    page.wait_for_url(re.compile(r"/builds/"))
    page.wait_for_selector("#docs li img.thumb")

    # 格式检查: the same draft has findings, listed with rule, place, measured and expected
    page.goto(server + "/check")
    page.set_input_files("#check input[type=file]", str(draft))
    page.click("#check button[type=submit]")
    page.wait_for_selector("#check-result table.findings tbody tr", timeout=120_000)
    assert "GB/T 9704" in page.text_content("#check-result") and "页边与版心" in page.text_content("#check-result")
    shot(page, "网页-格式检查.png", tmp_path)

    if SHOTS:
        page.goto(server + f"/c/{CID}/m/2023-06")
        page.wait_for_selector("#subs table")
        shot(page, "网页-报送情况.png", tmp_path, full_page=False)
