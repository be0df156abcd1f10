"""A server killed in the middle of a build leaves the campaign's inputs and
the earlier outputs as they were, and starts again."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

import httpx

from gongwen import ROOT
from tests.web.conftest import CID, free_port

LAUNCH = ("import sys; import gongwen.documents.build as b; "
          "b.KINDS[:] = [k for k in b.KINDS if k.name == '通报']; "
          "from gongwen.cli import main; main(sys.argv[1:], prog_name='pipeline.py')")


def start(campaigns, port):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-c", LAUNCH, "serve", "--campaigns", str(campaigns), "--port", str(port),
                          "--jobs", "1"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(base + "/api/session", timeout=1)
            return p, base
        except httpx.HTTPError:
            time.sleep(0.1)
    p.kill()
    raise AssertionError(p.stdout.read().decode())


def tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


def build(c, base, t):
    bid = c.post(base + f"/api/campaigns/{CID}/builds", headers={"X-CSRF-Token": t}).json()["id"]
    return bid


def test_killed_mid_build(campaigns):
    from gongwen.web.bench import corrected_workbook

    port = free_port()
    p, base = start(campaigns, port)
    try:
        with httpx.Client() as c:
            t = c.get(base + "/api/session").json()["csrf"]
            bid = build(c, base, t)
            for _ in range(1200):
                if c.get(base + f"/api/builds/{bid}").json()["state"] in ("done", "failed"):
                    break
                time.sleep(0.1)
            assert c.get(base + f"/api/builds/{bid}").json()["state"] == "done"
            r = c.post(base + f"/api/campaigns/{CID}/reports?month=2023-08", headers={"X-CSRF-Token": t},
                       files=[("files", ("2023-08.xlsx", corrected_workbook(campaigns / CID), "application/octet-stream"))])
            assert r.status_code == 200, r.text
            for f in (campaigns / CID).glob("发文登记.sqlite*"):
                f.unlink()  # so that, had it finished, this build would have replaced the 8月通报
            outputs, inputs = tree(campaigns.parent / "outputs" / CID), tree(campaigns / CID)
            bid = build(c, base, t)
            for _ in range(2000):
                now = c.get(base + f"/api/builds/{bid}").json()
                if now["stage"].startswith("排版"):
                    break
                time.sleep(0.01)
            p.send_signal(signal.SIGKILL)
            assert now["state"] == "running" and now["stage"].startswith("排版"), now
            p.wait(10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(10)
    assert tree(campaigns.parent / "outputs" / CID) == outputs
    assert tree(campaigns / CID) == inputs
    p, base = start(campaigns, port)
    try:
        assert [x["id"] for x in httpx.get(base + "/api/campaigns").json()] == [CID]
    finally:
        p.terminate()
        p.wait(10)
