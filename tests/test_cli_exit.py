"""pipeline.py ends through gongwen.cli.quick_exit (no interpreter teardown):
the exit status and all output as before, the atexit handlers run (nothing
left in the temporary folder: staging, WeasyPrint's font folder, also of a
rebuild's helper worker stopped while it was starting), and a thread still
running gets the ordinary exit."""

from __future__ import annotations

import os
import subprocess
import sys

from gongwen import ROOT


def _pipeline(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=600)


def test_a_build_and_a_rebuild_leave_nothing_behind(tmp_path):
    from gongwen.bench.edit import edit_one_cell
    from gongwen.bench.synthetic import make_campaign, months_of

    camp, out, tmp = tmp_path / "camp", tmp_path / "out", tmp_path / "tmp"
    make_campaign(camp, 4, months=3)
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "GONGWEN_CACHE_DIR": str(tmp_path / "cache")}
    first = _pipeline("build", camp, "--out", out, "--jobs", 2, env=env)
    assert first.returncode == 0, first.stderr
    assert "共写出" in first.stderr + first.stdout and (out / "manifest.json").is_file()
    edit_one_cell(camp, months_of(3)[1])
    again = _pipeline("build", camp, "--out", out, env=env)  # a few documents, typeset in this process
    assert again.returncode == 0, again.stderr
    assert "重新排版" in again.stderr and "共写出" in again.stderr + again.stdout
    same = _pipeline("build", camp, "--out", out, env=env)  # nothing to typeset: the helper started early is stopped
    assert same.returncode == 0 and "重新排版 0 份" in same.stderr, same.stderr
    assert sorted(p.name for p in tmp.iterdir()) == []


def test_exit_status_and_messages():
    missing = _pipeline("build", "/no/such/campaign")
    assert missing.returncode == 2 and "不存在" in missing.stderr
    assert _pipeline("--version").stdout.strip() == "公文流水线 0.1.0"


CHILD = """
import atexit, sys, threading, time
from gongwen.cli import quick_exit
atexit.register(lambda: print("atexit ran"))
if sys.argv[1] == "thread":
    def late():
        time.sleep(0.3)
        print("thread finished", flush=True)
    threading.Thread(target=late).start()
print("before", end="")
quick_exit(int(sys.argv[2]))
"""


def test_quick_exit_runs_atexit_and_waits_for_threads():
    plain = subprocess.run([sys.executable, "-c", CHILD, "plain", "3"], cwd=ROOT, capture_output=True, text=True)
    assert plain.returncode == 3 and plain.stdout == "beforeatexit ran\n"
    threaded = subprocess.run([sys.executable, "-c", CHILD, "thread", "0"], cwd=ROOT, capture_output=True, text=True)
    assert threaded.returncode == 0 and "thread finished" in threaded.stdout and "atexit ran" in threaded.stdout


def test_a_profiler_still_gets_its_numbers(tmp_path):
    stats = tmp_path / "cli.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats), str(ROOT / "pipeline.py"), "--version"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and stats.stat().st_size > 0
