"""The JSON API: uploads checked before anything is stored, builds and their
files, login off loopback, CSRF, host check, path traversal, size caps."""

from __future__ import annotations

import io
import json
import time
import warnings
import zipfile

import pytest
from click.testing import CliRunner
with warnings.catch_warnings():  # starlette's note that its TestClient will move off httpx
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.web.conftest import CID, DEMO, bad_workbook, settings_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def client(campaigns, host="127.0.0.1", **kw):
    from gongwen.web.app import create_app

    return TestClient(create_app(settings_for(campaigns, host)), base_url="http://127.0.0.1:8000", **kw)


def csrf(c) -> str:
    return c.get("/api/session").json()["csrf"]


def files(*paths, names=None):
    names = names or [p.name for p in paths]
    return [("files", (n, p.read_bytes(), XLSX)) for n, p in zip(names, paths)]


def wait(c, bid, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = c.get(f"/api/builds/{bid}").json()
        if d["state"] in ("done", "failed"):
            return d
        time.sleep(0.2)
    raise AssertionError("build did not finish")


def test_campaigns(campaigns):
    with client(campaigns) as c:
        got = c.get("/api/campaigns").json()
    assert [x["id"] for x in got] == [CID]
    assert got[0]["name"] and got[0]["months"][0] == "2023-06"


def test_bad_upload_is_refused_with_the_cell_and_nothing_stored(campaigns, tmp_path):
    target = campaigns / CID / "reports" / "2023-06.xlsx"
    before = target.read_bytes()
    with client(campaigns) as c:
        r = c.post(f"/api/campaigns/{CID}/reports?month=2023-06", files=files(bad_workbook(tmp_path)),
                   headers={"X-CSRF-Token": csrf(c)})
    assert r.status_code == 422
    (p,) = r.json()["problems"]
    assert p == {"file": "reports/2023-06.xlsx", "sheet": "签约项目", "row": 4, "column": "单位",
                 "value": "不存在的单位", "message": p["message"]}
    assert "名单" in p["message"]
    assert target.read_bytes() == before
    assert not (campaigns / CID / "报表历史").exists()


def test_good_upload_is_stored_and_the_replaced_file_kept(campaigns):
    reports = campaigns / CID / "reports"
    old = (reports / "2023-07" / "县商务局.xlsx").read_bytes()
    new = DEMO / "reports" / "2023-07" / "县财政局.xlsx"  # another unit's rows: still a clean month
    with client(campaigns) as c:
        t = csrf(c)
        r = c.post(f"/api/campaigns/{CID}/reports?month=2023-07", headers={"X-CSRF-Token": t},
                   files=files(DEMO / "reports" / "2023-07" / "县商务局.xlsx", DEMO / "reports/2023-07/县农业农村局.xlsx"))
        assert r.status_code == 200, r.json()
        assert r.json()["problems"] == [] and isinstance(r.json()["warnings"], list)
        assert sorted(r.json()["stored"]) == ["reports/2023-07/县农业农村局.xlsx", "reports/2023-07/县商务局.xlsx"]
        history = c.get(f"/api/campaigns/{CID}/history").json()
    kept = [h for h in history if h["file"] == "2023-07/县商务局.xlsx"]
    assert kept and (campaigns / CID / "报表历史" / kept[0]["when"] / "2023-07" / "县商务局.xlsx").read_bytes() == old
    assert new.exists()


@pytest.mark.parametrize("name,data,words", [
    ("2023-07.xlsx", None, "上传到的是 2023-06"),
    ("../campaign.yaml", b"x", "只接受"),  # the path is dropped: campaign.yaml, not a workbook
    ("../../x/2023-06.xlsx", b"PK\x03\x04", "不是有效的 .xlsx"),  # stored (if ever) as reports/2023-06.xlsx
    ("a:b.xlsx", b"PK\x03\x04", "文件名"),
    ("报表.txt", b"hello", "只接受"),
    ("县商务局.xlsx", b"not a zip", "不是 Excel"),
])
def test_upload_names_and_contents_are_checked(campaigns, name, data, words):
    data = data if data is not None else (DEMO / "reports" / "2023-06.xlsx").read_bytes()
    before = sorted(p.relative_to(campaigns) for p in campaigns.rglob("*"))
    with client(campaigns) as c:
        r = c.post(f"/api/campaigns/{CID}/reports?month=2023-06", headers={"X-CSRF-Token": csrf(c)},
                   files=[("files", (name, data, XLSX))])
    assert r.status_code == 422
    assert words in r.json()["problems"][0]["message"]
    assert sorted(p.relative_to(campaigns) for p in campaigns.rglob("*")) == before


def test_upload_size_is_capped(campaigns):
    from gongwen.web.app import create_app

    s = settings_for(campaigns)
    s.max_request_bytes = 1000
    with TestClient(create_app(s), base_url="http://127.0.0.1") as c:
        r = c.post(f"/api/campaigns/{CID}/reports?month=2023-06", headers={"X-CSRF-Token": csrf(c)},
                   files=[("files", ("2023-06.xlsx", b"PK\x03\x04" + b"0" * 5000, XLSX))])
    assert r.status_code == 413


def test_changes_need_the_csrf_token_and_a_same_origin(campaigns):
    with client(campaigns) as c:
        assert c.post(f"/api/campaigns/{CID}/builds").status_code == 403
        assert c.post(f"/api/campaigns/{CID}/builds", headers={"X-CSRF-Token": "guess"}).status_code == 403
        r = c.put(f"/api/campaigns/{CID}/notes?month=2023-06", json={"存在问题": ["x"]},
                  headers={"X-CSRF-Token": csrf(c), "Origin": "http://evil.example"})
        assert r.status_code == 403
    assert "x\n" not in (campaigns / CID / "reports" / "2023-06.yaml").read_text(encoding="utf-8")


def test_loopback_server_refuses_other_host_names(campaigns):
    from gongwen.web.app import create_app

    with TestClient(create_app(settings_for(campaigns)), base_url="http://attacker.example") as c:
        assert c.get("/api/campaigns").status_code == 421


def test_notes_round_trip_keeps_other_keys(campaigns):
    path = campaigns / CID / "reports" / "2023-06.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "成文日期: 2023-07-05\n", encoding="utf-8")
    with client(campaigns) as c:
        t = csrf(c)
        r = c.put(f"/api/campaigns/{CID}/notes?month=2023-06", headers={"X-CSRF-Token": t},
                  json={"存在问题": ["一是新的问题。"], "下步工作": ["（一）新的工作。", ""]})
        assert r.status_code == 200, r.json()
        got = c.get(f"/api/campaigns/{CID}/notes?month=2023-06").json()
    assert got["存在问题"] == ["一是新的问题。"] and got["下步工作"] == ["（一）新的工作。"]
    assert "成文日期: 2023-07-05" in path.read_text(encoding="utf-8")
    assert any((campaigns / CID / "报表历史").rglob("2023-06.yaml"))


def test_submissions_and_forms(campaigns):
    with client(campaigns) as c:
        d = c.get(f"/api/campaigns/{CID}/submissions?month=2023-07").json()
        assert d["sent"] == len([u for u in d["units"] if u["total"]]) > 0
        z = c.get(f"/api/campaigns/{CID}/forms?month=2023-07")
        one = c.get(f"/api/campaigns/{CID}/forms", params={"month": "2023-07", "unit": d["units"][0]["unit"]})
    assert z.status_code == 200 and len(zipfile.ZipFile(io.BytesIO(z.content)).namelist()) == len(d["units"])
    assert one.status_code == 200 and one.content.startswith(b"PK")


def test_build_files_zip_and_traversal(campaigns):
    with client(campaigns) as c:
        r = c.post(f"/api/campaigns/{CID}/builds", headers={"X-CSRF-Token": csrf(c)})
        d = wait(c, r.json()["id"])
        assert d["state"] == "done", d["problems"]
        bid = d["id"]
        pdf = next(f for f in d["files"] if f.endswith("通报.pdf"))
        assert c.get(f"/api/builds/{bid}/files/{pdf}").content.startswith(b"%PDF")
        png = c.get(f"/api/builds/{bid}/pages/{pdf}?page=1")
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        z = zipfile.ZipFile(io.BytesIO(c.get(f"/api/builds/{bid}/archive.zip").content))
        assert sorted(z.namelist()) == sorted(d["files"])
        for bad in ("../../inputs/xinfeng-2023/campaign.yaml", "%2e%2e/%2e%2e/inputs/xinfeng-2023/campaign.yaml",
                    "..%2f..%2finputs%2fxinfeng-2023%2fcampaign.yaml", "/etc/passwd", "manifest.json/../../x"):
            assert c.get(f"/api/builds/{bid}/files/{bad}").status_code == 404, bad
        assert c.get("/api/builds/../../etc/passwd").status_code == 404
        assert c.get("/api/builds/0123456789abcdef").status_code == 404


def test_failed_build_leaves_inputs_and_outputs(campaigns, tmp_path):
    folder = campaigns / CID
    with client(campaigns) as c:
        t = csrf(c)
        first = wait(c, c.post(f"/api/campaigns/{CID}/builds", headers={"X-CSRF-Token": t}).json()["id"])
        out = campaigns.parent / "outputs" / CID
        snapshot = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
        bad_workbook(tmp_path).replace(folder / "reports" / "2023-06.xlsx")  # as if someone edited it by hand
        second = wait(c, c.post(f"/api/campaigns/{CID}/builds", headers={"X-CSRF-Token": t}).json()["id"])
    assert first["state"] == "done" and second["state"] == "failed"
    assert second["problems"][0]["row"] == 4
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == snapshot


# ---------------------------------------------------------------- login


def lan(campaigns, users=("王芳",)):
    from gongwen.web.auth import Users
    from gongwen.web.settings import Settings

    for u in users:
        Users(Settings(campaigns=campaigns).users_file).add(u, "正确的密码123")
    return client(campaigns, host="0.0.0.0")


def test_off_loopback_everything_needs_a_login(campaigns):
    with lan(campaigns) as c:
        assert c.get("/api/campaigns").status_code == 401
        r = c.get("/c/xinfeng-2023", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert c.get(f"/api/builds/0123456789abcdef/archive.zip").status_code == 401
        t = csrf(c)
        assert c.post("/api/login", json={"name": "王芳", "password": "错的"}, headers={"X-CSRF-Token": t}).status_code == 401
        assert c.post("/api/login", json={"name": "王芳", "password": "正确的密码123"}).status_code == 403  # no CSRF
        r = c.post("/api/login", json={"name": "王芳", "password": "正确的密码123"}, headers={"X-CSRF-Token": t})
        assert r.status_code == 200
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert c.get("/api/campaigns").status_code == 200
        assert c.post(f"/api/campaigns/{CID}/builds", headers={"X-CSRF-Token": t}).status_code == 403  # old token
        new = r.json()["csrf"]
        assert c.put(f"/api/campaigns/{CID}/notes?month=2023-06", json={}, headers={"X-CSRF-Token": new}).status_code == 200
        c.post("/api/logout", headers={"X-CSRF-Token": new})
        assert c.get("/api/campaigns").status_code == 401


def test_repeated_wrong_passwords_are_refused_for_a_while(campaigns):
    with lan(campaigns) as c:
        t = csrf(c)
        codes = [c.post("/api/login", json={"name": "王芳", "password": "错"}, headers={"X-CSRF-Token": t}).status_code
                 for _ in range(6)]
        assert codes[:5] == [401] * 5 and codes[5] == 429


def test_users_file_keeps_salted_hashes_only(campaigns):
    from gongwen.cli import main

    r = CliRunner().invoke(main, ["users", "add", "李明", "--campaigns", str(campaigns)],
                           input="一个足够长的密码啊\n一个足够长的密码啊\n")
    assert r.exit_code == 0, r.output
    data = json.loads((campaigns.parent / "网页用户.json").read_text(encoding="utf-8"))
    assert data["users"]["李明"]["hash"].startswith("$argon2id$")
    assert "一个足够长的密码啊" not in json.dumps(data, ensure_ascii=False)


def test_serve_refuses_a_lan_address_without_users(campaigns):
    from gongwen.cli import main

    r = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--campaigns", str(campaigns)])
    assert r.exit_code == 2 and "users add" in r.output


def test_parse_problem():
    from gongwen.web.reports import parse_problem

    assert parse_problem('reports/2023-07/县商务局.xlsx 外出招商 第5行 日期: "2023-13-01" 不是有效日期') == {
        "file": "reports/2023-07/县商务局.xlsx", "sheet": "外出招商", "row": 5, "column": "日期",
        "value": "2023-13-01", "message": "不是有效日期"}
    assert parse_problem("reports/2023-06.xlsx 签约项目 第1行 缺少列“单位”")["row"] == 1
    assert parse_problem("reports/2023-06.xlsx 签约项目 第1行 缺少列“单位”")["message"] == "缺少列“单位”"
    assert parse_problem("reports/2023-07/县商务局.xlsx 外出招商 第5行: 与第2行完全相同，按一条计")["message"].startswith("与第2行")
    assert parse_problem("units.xlsx 参评单位: 类别“乡镇”没有参评单位")["file"] == "units.xlsx"
    free = parse_problem("随便一句话")
    assert free["message"] == "随便一句话" and free["file"] is None


def test_pasted_notice_is_typeset(campaigns):
    from gongwen import ROOT

    text = (ROOT / "inputs" / "examples" / "004-yeji-gongjianji.txt").read_text(encoding="utf-8")
    with client(campaigns) as c:
        t = csrf(c)
        bad = c.post("/api/notices", json={"text": "---\n标题: [\n---\n正文"}, headers={"X-CSRF-Token": t})
        assert bad.status_code == 422 and bad.json()["problems"]
        r = c.post("/api/notices", json={"text": text}, headers={"X-CSRF-Token": t})
        assert r.status_code == 200, r.json()
        d = wait(c, r.json()["id"])
        assert d["state"] == "done", d["problems"]
        assert sorted(f.rsplit(".", 1)[1] for f in d["files"]) == ["docx", "pdf"]
        assert c.get(f"/api/builds/{d['id']}/files/{d['files'][1]}").content.startswith(b"%PDF")


def test_changed_issued_document_needs_reissue(campaigns):
    from gongwen.web.bench import corrected_workbook

    folder = campaigns / CID
    with client(campaigns) as c:
        t = csrf(c)
        assert wait(c, c.post(f"/api/campaigns/{CID}/builds", headers={"X-CSRF-Token": t}).json()["id"])["state"] == "done"
        drafts = c.get(f"/api/campaigns/{CID}/register").json()
        assert drafts and {r["state"] for r in drafts} == {"draft"}
        # one draft issued by its number, then the rest
        first = next(r for r in drafts if r["period"] == "2023-08")
        one = wait(c, c.post(f"/api/campaigns/{CID}/builds", json={"mode": "issue", "chosen": [first["number"]]},
                             headers={"X-CSRF-Token": t}).json()["id"])
        assert one["state"] == "done", one["problems"]
        assert [d["number"] for d in one["documents"] if d["issued_now"]] == [first["number"]]
        assert all(f.startswith(first["rel"]) for f in one["files"]) and one["files"]
        rows = {r["number"]: r["state"] for r in c.get(f"/api/campaigns/{CID}/register").json()}
        assert rows[first["number"]] == "issued" and list(rows.values()).count("draft") == len(drafts) - 1
        rest = wait(c, c.post(f"/api/campaigns/{CID}/builds", json={"mode": "issue"}, headers={"X-CSRF-Token": t}).json()["id"])
        assert rest["state"] == "done" and len([d for d in rest["documents"] if d["issued_now"]]) == len(drafts) - 1
        assert {r["state"] for r in c.get(f"/api/campaigns/{CID}/register").json()} == {"issued"}
        r = c.post(f"/api/campaigns/{CID}/reports?month=2023-08", headers={"X-CSRF-Token": t},
                   files=[("files", ("2023-08.xlsx", corrected_workbook(folder), XLSX))])
        assert r.status_code == 200, r.json()
        refused = wait(c, c.post(f"/api/campaigns/{CID}/builds", headers={"X-CSRF-Token": t}).json()["id"])
        assert refused["state"] == "failed" and refused["reissue"], refused["problems"]
        assert "重新印发" in refused["problems"][0]["message"] and "--reissue" not in refused["problems"][0]["message"]
        again = wait(c, c.post(f"/api/campaigns/{CID}/builds", json={"mode": "reissue"},
                               headers={"X-CSRF-Token": t}).json()["id"])
        assert again["state"] == "done", again["problems"]
        rows = c.get(f"/api/campaigns/{CID}/register").json()
    assert [r["version"] for r in rows if r["period"] == "2023-08"] == [2]
    assert any("（第1版）" in f for f in again["files"]) or any((campaigns.parent / "outputs" / CID).rglob("*（第1版）*"))


def test_malformed_requests_get_a_problem_not_a_crash(campaigns):
    with client(campaigns) as c:
        t = {"X-CSRF-Token": csrf(c)}
        r = c.put(f"/api/campaigns/{CID}/notes?month=2023-06", content=b"{not json", headers={**t, "Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["problems"]
        r = c.post(f"/api/campaigns/{CID}/reports", headers=t, files=[("files", ("a.xlsx", b"PK\x03\x04", XLSX))])
        assert r.status_code == 422 and "月份" in r.json()["problems"][0]["message"]
        assert c.post("/api/campaigns/nope/builds", headers=t).status_code == 404
        assert c.post("/api/campaigns/..%2f..%2fetc/builds", headers=t).status_code == 404
        assert c.post(f"/api/campaigns/{CID}/builds", json={"mode": "rm -rf"}, headers=t).status_code == 400
        assert c.post(f"/api/campaigns/{CID}/builds", json={"mode": "issue", "chosen": "all"}, headers=t).status_code == 400
        assert c.get("/c/nope").status_code == 404


def test_one_build_at_a_time_others_wait(campaigns):
    with client(campaigns) as c:
        t = {"X-CSRF-Token": csrf(c)}
        first = c.post(f"/api/campaigns/{CID}/builds", headers=t).json()["id"]
        second = c.post(f"/api/campaigns/{CID}/builds", headers=t).json()["id"]
        waiting = c.get(f"/api/builds/{second}").json()
        assert waiting["state"] == "queued" and waiting["ahead"] == 1
        assert wait(c, first)["state"] == "done"
        d = wait(c, second)
        assert d["state"] == "done" and d["started_at"] >= c.get(f"/api/builds/{first}").json()["finished_at"]


def test_a_broken_campaign_is_explained(campaigns):
    units = campaigns / CID / "units.xlsx"
    units.write_bytes(b"not a workbook")
    with client(campaigns) as c:
        r = c.get(f"/api/campaigns/{CID}/submissions?month=2023-06")
        assert r.status_code == 422 and "units.xlsx" in json.dumps(r.json(), ensure_ascii=False)
        page = c.get(f"/c/{CID}/m/2023-06")
        assert page.status_code in (200, 422)


from gongwen import ROOT  # noqa: E402

DRAFTS = ROOT / "tests" / "fixtures" / "drafts" / "docx"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_word_draft_imports_into_a_source_that_renders(campaigns):
    """一键排版 on the page: a draft typed with Word's defaults (tests/fixtures/drafts) comes back as a
    notice source keeping every character of its text, and that source typesets."""
    from docx import Document

    draft = DRAFTS / "d06-xinfeng-bairi-gongjian-word.docx"
    long_paragraphs = [p.text.strip() for p in Document(draft).paragraphs if len(p.text.strip()) > 40]
    with client(campaigns) as c:
        t = {"X-CSRF-Token": csrf(c)}
        r = c.post("/api/notices/import", headers=t, files=[("file", (draft.name, draft.read_bytes(), DOCX))])
        assert r.status_code == 200, r.json()
        text = r.json()["text"]
        assert len(long_paragraphs) > 10 and all(p in text for p in long_paragraphs), \
            [p for p in long_paragraphs if p not in text][:3]
        d = wait(c, c.post("/api/notices", json={"text": text}, headers=t).json()["id"])
        assert d["state"] == "done", d["problems"]
        pdf = c.get(f"/api/builds/{d['id']}/files/{next(f for f in d['files'] if f.endswith('.pdf'))}").content
        assert pdf.startswith(b"%PDF")
        # not a Word file: refused with what to send
        bad = c.post("/api/notices/import", headers=t, files=[("file", ("a.xlsx", b"PK\x03\x04", XLSX))])
        assert bad.status_code == 415 and ".docx" in bad.json()["problems"][0]["message"]
        broken = c.post("/api/notices/import", headers=t, files=[("file", ("坏的.docx", b"not a zip", DOCX))])
        assert broken.status_code == 422 and broken.json()["problems"][0]["file"] == "坏的.docx"
        uploads = settings_for(campaigns, "127.0.0.1").state / "uploads"
        assert not any(uploads.glob("*/*"))  # the uploaded draft is not kept


def test_check_page_finds_word_defaults_and_passes_our_own(campaigns, tmp_path):
    """格式检查 on the page: a Word-default draft has findings (margins, fonts); a notice we typeset has none."""
    draft = DRAFTS / "d06-xinfeng-bairi-gongjian-word.docx"
    with client(campaigns) as c:
        t = {"X-CSRF-Token": csrf(c)}
        r = c.post("/api/check", headers=t, files=[("file", (draft.name, draft.read_bytes(), DOCX))])
        assert r.status_code == 200, r.json()
        found = r.json()
        assert found["文件"] == draft.name and found["问题数"] >= 3
        assert {"margins", "body_font"} <= {f["rule"] for f in found["问题"]}, [f["rule"] for f in found["问题"]]
        d = wait(c, c.post("/api/notices", json={"text": (ROOT / "inputs" / "examples" / "004-yeji-gongjianji.txt")
                                                 .read_text(encoding="utf-8")}, headers=t).json()["id"])
        pdf_rel = next(f for f in d["files"] if f.endswith(".pdf"))
        ours = c.get(f"/api/builds/{d['id']}/files/{pdf_rel}").content
        r = c.post("/api/check", headers=t, files=[("file", ("ours.pdf", ours, "application/pdf"))])
        assert r.status_code == 200 and r.json()["问题数"] == 0, r.json()["问题"]


@pytest.mark.parametrize("limit_mb, replaced", [(1, True), (100_000, False)])
def test_warm_workers_are_replaced_when_they_hold_too_much(campaigns, limit_mb, replaced):
    """A server keeps its typesetting workers warm between builds, and starts fresh ones once together they
    hold more than settings.worker_memory_mb (measured from /proc), so months of builds stay bounded."""
    from gongwen.web.builds import BuildQueue
    from gongwen.web.settings import Settings

    settings = Settings(campaigns=campaigns, jobs=2, worker_memory_mb=limit_mb)
    q = BuildQueue(settings)

    def build():
        b = q.submit(CID, "build", settings.output_dir(CID))
        deadline = time.time() + 180
        while b.state not in ("done", "failed") and time.time() < deadline:
            time.sleep(0.1)
        assert b.state == "done", b.problems
        return b

    try:
        q.workers().pids()  # warm
        before = q.workers().processes()
        assert len(before) == 2 and q.workers().memory_mb() > 50  # real processes, fonts and stylesheets loaded
        build()
        build()  # starts after the check that followed the first one
        # the check after the second build runs in the queue's thread once the build reads "done": wait for it
        deadline = time.time() + 60
        while time.time() < deadline and not (q.idle() and all(p.is_alive() for p in q.workers().processes())):
            time.sleep(0.1)
        after = q.workers().processes()
        if replaced:
            assert not any(p.is_alive() for p in before) and all(p.is_alive() for p in after)
            assert {p.pid for p in after}.isdisjoint(p.pid for p in before)
        else:
            assert [p.pid for p in after] == [p.pid for p in before] and all(p.is_alive() for p in after)
    finally:
        q.close()


def test_build_with_ofd_from_the_page(campaigns):
    """The campaign page's 另出 OFD box: the build writes an OFD beside each PDF (a real OFD package)."""
    with client(campaigns) as c:
        t = {"X-CSRF-Token": csrf(c)}
        bad = c.post(f"/api/campaigns/{CID}/builds", json={"formats": ["docx", "odt"]}, headers=t)
        assert bad.status_code == 400 and "不认识的输出格式：odt" in bad.json()["problems"][0]["message"]
        d = wait(c, c.post(f"/api/campaigns/{CID}/builds", json={"formats": ["docx", "pdf", "ofd"]},
                           headers=t).json()["id"])
        assert d["state"] == "done", d["problems"]
        pdfs = [f for f in d["files"] if f.endswith(".pdf")]
        ofds = [f for f in d["files"] if f.endswith(".ofd")]
        assert pdfs and sorted(f[:-4] for f in ofds) == sorted(f[:-4] for f in pdfs)
        assert all(set(doc["formats"]) == {"docx", "pdf", "ofd"} for doc in d["documents"])
        package = zipfile.ZipFile(io.BytesIO(c.get(f"/api/builds/{d['id']}/files/{ofds[0]}").content))
        assert "OFD.xml" in package.namelist()
