"""The memory a process holds, from /proc (Linux): what the benchmarks
measure and what a long-running server watches in its typesetting workers."""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):  # gone, or not ours to read
        return None


def _field_kb(text: str, name: str) -> int | None:
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return None


def usage_kb(pid: int) -> tuple[int, int] | None:
    """(Pss or, without smaps_rollup, VmRSS; VmHWM) of one process in KiB,
    None once it has gone (or is a zombie with no memory left), or where
    there is no /proc."""
    status = _read(PROC / str(pid) / "status")
    if status is None:
        return None
    rss = _field_kb(status, "VmRSS")
    if rss is None:  # a zombie or a kernel thread
        return None
    hwm = _field_kb(status, "VmHWM") or rss
    rollup = _read(PROC / str(pid) / "smaps_rollup")
    pss = _field_kb(rollup, "Pss") if rollup else None
    return (rss if pss is None else pss), hwm
