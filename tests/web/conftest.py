"""Fixtures for the web page: a copy of the demo campaign that builds only
the 通报 (fast), the app, and a real server on 127.0.0.1 for the browser."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import openpyxl
import pytest

from gongwen import ROOT

DEMO = ROOT / "inputs" / "xinfeng-2023"
CID = "xinfeng-2023"


@pytest.fixture
def campaigns(tmp_path, monkeypatch) -> Path:
    """tmp/inputs/xinfeng-2023, building only the 通报."""
    from gongwen.documents import build as docbuild

    monkeypatch.setattr(docbuild, "KINDS", [k for k in docbuild.KINDS if k.name == "通报"])
    folder = tmp_path / "inputs"
    shutil.copytree(DEMO, folder / CID, ignore=shutil.ignore_patterns("发文登记.sqlite*", "*.lock"))
    return folder


def bad_workbook(tmp_path: Path, name: str = "2023-06.xlsx") -> Path:
    """The June consolidated workbook with an unknown unit in 签约项目 row 4."""
    wb = openpyxl.load_workbook(DEMO / "reports" / "2023-06.xlsx")
    wb["签约项目"].cell(4, 1).value = "不存在的单位"
    out = tmp_path / "bad" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def settings_for(campaigns: Path, host: str = "127.0.0.1"):
    from gongwen.web.settings import Settings

    return Settings(campaigns=campaigns, host=host, jobs=1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(campaigns):
    """The app served by uvicorn on 127.0.0.1:<free port>, in this process (KINDS patched)."""
    import uvicorn

    from gongwen.web.app import create_app

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(settings_for(campaigns)), host="127.0.0.1", port=port,
                                        log_level="warning", lifespan="on"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(timeout=10)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser_page():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh installs it)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 860}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(60_000)
        yield page
        context.close()
        browser.close()
