"""The tree sampler of gongwen/bench/memory.py against processes that hold a
known amount of memory: a child and its grandchild, driven step by step so the
figures do not depend on timing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from gongwen.bench.memory import TreeSampler, children, children_by_scan, tree, usage_kb

MB = 2**20

# The grandchild holds 100 MB, then on "more" 300 MB; prints "ok" after each.
GRANDCHILD = textwrap.dedent("""
    import sys
    held = b"g" * (100 * 2**20)
    print("ok", flush=True)
    sys.stdin.readline()
    more = b"h" * (200 * 2**20)
    print("ok", flush=True)
    sys.stdin.readline()
""")

# The child holds 200 MB beside the grandchild's 100 MB (sum 300), then frees
# its 200 MB and has the grandchild take 200 MB more (sum 300 again; the sum
# of the two processes' own peaks is 200 + 300 = 500).
CHILD = textwrap.dedent("""
    import subprocess, sys
    g = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    held = b"c" * (200 * 2**20)
    assert g.stdout.readline().strip() == "ok"
    print("phase1", g.pid, flush=True)
    sys.stdin.readline()
    del held
    g.stdin.write("more\\n"); g.stdin.flush()
    assert g.stdout.readline().strip() == "ok"
    print("phase2", flush=True)
    sys.stdin.readline()
    g.stdin.write("end\\n"); g.stdin.flush()
    g.wait()
""")


def _baseline_kb() -> int:
    """What an idle interpreter counts (Pss), to bound the expected figures."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; print('ok', flush=True); sys.stdin.readline()"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        proc.stdout.readline()
        return usage_kb(proc.pid)[0]
    finally:
        proc.communicate("\n")


@pytest.fixture
def family():
    proc = subprocess.Popen([sys.executable, "-c", CHILD, GRANDCHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc (Linux)")
def test_peak_of_the_sum_not_sum_of_peaks(family):
    base_mb = _baseline_kb() / 1024
    with TreeSampler(family.pid, interval=0.02) as s:
        words = family.stdout.readline().split()
        assert words[0] == "phase1"
        grandchild = int(words[1])
        assert tree(family.pid) == [family.pid, grandchild]
        phase1 = s.sample() / 1024
        family.stdin.write("go\n")
        family.stdin.flush()
        assert family.stdout.readline().strip() == "phase2"
        phase2 = s.sample() / 1024
        family.stdin.write("end\n")
        family.stdin.flush()
        assert family.wait() == 0
    slack = 2 * base_mb + 30  # two interpreters, the subprocess module, pipes
    # Each phase the tree holds 300 MB of data and two interpreters.
    for held in (phase1, phase2):
        assert 300 <= held <= 300 + slack, held
    assert 300 <= s.peak_mb <= 300 + slack, s.report()
    # Per process: the child peaked at 200 MB, the grandchild at 300 MB; the
    # sum of those peaks (500 MB) is what the old upper bound would report.
    peaks = {p.pid: p.peak_kb / 1024 for p in s.procs.values()}
    assert 200 <= peaks[family.pid] <= 200 + slack
    assert 300 <= peaks[grandchild] <= 300 + slack
    assert sum(peaks.values()) >= 500
    # The kernel's own peak RSS of each process agrees.
    hwm = {p.pid: p.hwm_kb / 1024 for p in s.procs.values()}
    assert hwm[family.pid] >= 200 and hwm[grandchild] >= 300
    assert s.peaks_by_role["main"] == peaks[family.pid]
    assert s.measure in ("Pss", "VmRSS")
    assert s.samples >= 3


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc (Linux)")
def test_children_found_both_ways():
    procs = [subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
             for _ in range(2)]
    try:
        kids = sorted(p.pid for p in procs)
        assert set(kids) <= set(children(os.getpid()))
        assert set(kids) <= set(children_by_scan(os.getpid()))
        assert children(procs[0].pid) == [] == children_by_scan(procs[0].pid)
    finally:
        for p in procs:
            p.communicate(b"")


def test_gone_process_counts_nothing():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert usage_kb(proc.pid) is None
    s = TreeSampler(proc.pid)
    assert s.sample() == 0 and s.peak_kb == 0


def test_a_process_vanishing_while_listed_does_not_stop_the_sampler(monkeypatch):
    """A child that exits while its tasks are being listed (the compiler ctypes runs
    to find a library lives milliseconds) makes the listing fail: the sampler goes
    on and still sees this process."""
    from pathlib import Path

    real_glob = Path.glob

    def vanishing(self, pattern):
        if pattern == "*/children" and self.parent.name != str(os.getpid()):
            raise FileNotFoundError(self)
        return real_glob(self, pattern)

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        monkeypatch.setattr(Path, "glob", vanishing)
        assert children(child.pid) == []
        s = TreeSampler(os.getpid())
        assert s.sample() > 0 and os.getpid() in s.procs
    finally:
        child.kill()
        child.wait()
