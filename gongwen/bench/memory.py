"""Peak memory of a process tree, measured while it runs: a thread samples a
process and all its descendants every ~50 ms and keeps the peak of their SUM
(what the machine actually had to hold at one moment), not the sum of each
process's own peak (an upper bound: the peaks need not coincide).

Each process counts its proportional set size (Pss from
/proc/<pid>/smaps_rollup: a page shared by n processes counts 1/n in each, so
the libraries that spawned workers all map are not counted n times); where
that file is missing, its resident set (VmRSS). Per process, the exact peak
resident set the kernel kept (VmHWM) is recorded as well.

    with TreeSampler(proc.pid) as s:
        proc.wait()
    s.peak_mb, s.peaks_by_role

Linux only (/proc). A spike shorter than the interval can be missed; the
per-process VmHWM figures cannot miss one."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gongwen.procmem import PROC, _field_kb, _read, usage_kb  # noqa: F401  (usage_kb: re-exported)
INTERVAL_S = 0.05


def children(pid: int) -> list[int]:
    """Direct children of `pid`: from /proc/<pid>/task/*/children where the
    kernel has it, else by scanning every /proc/<n>/stat for its parent."""
    tasks = PROC / str(pid) / "task"
    try:  # a short-lived child (a compiler ctypes runs) can vanish while its tasks are listed
        listed = list(tasks.glob("*/children")) if tasks.is_dir() else []
    except OSError:
        return []
    if not listed:
        return children_by_scan(pid)
    kids: set[int] = set()
    for f in listed:
        text = _read(f)
        if text:
            kids.update(int(x) for x in text.split())
    return sorted(kids)


def children_by_scan(pid: int) -> list[int]:
    """Direct children of `pid` from each process's parent in /proc/<n>/stat."""
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _read(entry / "stat")
            # "pid (comm) state ppid ...": comm may hold spaces and parentheses
            if stat and ")" in stat and int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants that are alive now."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children(p))
    return out


def default_role(pid: int, root: int) -> str:
    """"main" for the root process; a multiprocessing worker is "worker", its
    resource tracker "resource_tracker"; anything else its command name."""
    if pid == root:
        return "main"
    cmd = (_read(PROC / str(pid) / "cmdline") or "").replace("\0", " ")
    if "resource_tracker" in cmd:
        return "resource_tracker"
    if "multiprocessing" in cmd:  # spawn: "python -c from multiprocessing.spawn import spawn_main; ..."
        return "worker"
    return (_read(PROC / str(pid) / "comm") or "?").strip()


@dataclass
class Proc:
    pid: int
    role: str
    peak_kb: int = 0  # largest sampled Pss (or RSS)
    hwm_kb: int = 0  # the kernel's peak RSS of this process (VmHWM), last seen


@dataclass
class TreeSampler:
    """Samples the tree under `pid` (default: this process) in a thread between
    __enter__ and __exit__ (or start() and stop())."""

    pid: int = field(default_factory=os.getpid)
    interval: float = INTERVAL_S
    role: Callable[[int, int], str] = default_role
    peak_kb: int = 0  # peak of the sum over the tree at one sample
    peak_at_s: float = 0.0  # seconds after start when it was seen
    peak_parts: dict[str, int] = field(default_factory=dict)  # role -> KiB summed at that sample
    samples: int = 0
    procs: dict[int, Proc] = field(default_factory=dict)
    measure: str = "Pss"  # "VmRSS" where smaps_rollup is not readable
    keep_timeline: bool = False
    timeline: list[tuple[float, int, dict[str, int]]] = field(default_factory=list)  # (s, KiB, role -> KiB)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0 = 0.0
        self._lock = threading.Lock()

    def sample(self) -> int:
        """One sample of the tree now; returns its sum in KiB."""
        total, parts = 0, {}
        for p in tree(self.pid):
            use = usage_kb(p)
            if use is None:
                continue
            kb, hwm = use
            if p == self.pid and not (PROC / str(p) / "smaps_rollup").exists():
                self.measure = "VmRSS"
            role = self.role(p, self.pid)  # each time: a child seen between fork and exec changes its name
            with self._lock:
                proc = self.procs.get(p)
                if proc is None:
                    proc = self.procs[p] = Proc(p, role)
                proc.role = role
                proc.peak_kb = max(proc.peak_kb, kb)
                proc.hwm_kb = max(proc.hwm_kb, hwm)
            total += kb
            parts[proc.role] = parts.get(proc.role, 0) + kb
        with self._lock:
            self.samples += 1
            if self.keep_timeline:
                self.timeline.append((time.monotonic() - self._t0, total, parts))
            if total > self.peak_kb:
                self.peak_kb, self.peak_parts = total, parts
                self.peak_at_s = time.monotonic() - self._t0
        return total

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def start(self) -> TreeSampler:
        self._t0 = time.monotonic()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> TreeSampler:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    def _largest_by_role(self, kb_of: Callable[[Proc], int]) -> dict[str, float]:
        out: dict[str, float] = {}
        for p in self.procs.values():
            out[p.role] = max(out.get(p.role, 0.0), kb_of(p) / 1024)
        return out

    @property
    def peaks_by_role(self) -> dict[str, float]:
        """Role -> the largest sampled peak (MiB) of any one process in that role."""
        return self._largest_by_role(lambda p: p.peak_kb)

    @property
    def hwm_by_role(self) -> dict[str, float]:
        """Role -> the largest kernel-recorded peak RSS (MiB) of one process in that role."""
        return self._largest_by_role(lambda p: p.hwm_kb)

    def report(self) -> dict:
        """The figures as plain data (for a benchmark's JSON)."""
        return {
            "measure": self.measure,
            "interval_s": self.interval,
            "samples": self.samples,
            "peak_mb": round(self.peak_mb),
            "peak_at_s": round(self.peak_at_s, 1),
            "peak_parts_mb": {r: round(kb / 1024) for r, kb in sorted(self.peak_parts.items())},
            "peaks_by_role_mb": {r: round(v) for r, v in sorted(self.peaks_by_role.items())},
            "hwm_by_role_mb": {r: round(v) for r, v in sorted(self.hwm_by_role.items())},
            "processes": len(self.procs),
        }


def sample_command(argv: list[str], interval: float = INTERVAL_S, **popen) -> tuple[int, TreeSampler]:
    """Run a command to its end under a sampler: (return code, sampler)."""
    import subprocess

    proc = subprocess.Popen(argv, **popen)
    with TreeSampler(proc.pid, interval=interval) as s:
        code = proc.wait()
    return code, s


def main(argv: list[str] | None = None) -> int:
    """`python -m gongwen.bench.memory CMD ...`: run CMD, then print its tree's peak memory."""
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("用法：python -m gongwen.bench.memory 命令 [参数……]", file=sys.stderr)
        return 2
    code, s = sample_command(args)
    print("MEMORY " + json.dumps(s.report(), ensure_ascii=False), file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
