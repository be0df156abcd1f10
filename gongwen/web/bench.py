"""Benchmark: after a one-cell correction, how soon is the updated 通报
previewable? Upload the corrected workbook (checked, stored), build on warm
typesetting workers, render the 通报's first page (what the page shows).

    python -m gongwen.web.bench [--kinds 通报] [--jobs N]

Not a timed test: numbers depend on the machine and its load. The build
makes drafts (nothing is issued) and uses a typesetting cache of its own, in
a temporary folder, filled by the first build: the rebuild typesets only the
documents the correction changed. --kinds 通报 builds only the 通报."""

from __future__ import annotations

import argparse
import io
import os
import shutil
import tempfile
import time
from pathlib import Path

from gongwen import ROOT

DEMO = ROOT / "inputs" / "xinfeng-2023"
MONTH = "2023-08"


def corrected_workbook(folder: Path) -> bytes:
    """The month's consolidated workbook with one number changed (拜访企业数 of the first 外出招商 row)."""
    import openpyxl

    wb = openpyxl.load_workbook(folder / "reports" / f"{MONTH}.xlsx")
    ws = wb["外出招商"]
    col = next(c.column for c in ws[1] if str(c.value).strip() == "拜访企业数")
    ws.cell(2, col).value = int(ws.cell(2, col).value or 0) + 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def preview_after_correction(jobs: int | None = None, kinds: list[str] | None = None) -> dict[str, float]:
    """Seconds for each step after a one-cell correction, with workers already warm."""
    from gongwen.documents import build as docbuild
    from gongwen.web import reports
    from gongwen.web.app import _page_png
    from gongwen.web.builds import BuildQueue
    from gongwen.web.settings import Settings

    saved, cache = docbuild.KINDS, os.environ.get("GONGWEN_CACHE_DIR")
    if kinds:
        docbuild.KINDS = [k for k in docbuild.KINDS if k.name in kinds]
    tmp = Path(tempfile.mkdtemp(prefix="gw-bench-"))
    try:
        shutil.copytree(DEMO, tmp / "inputs" / DEMO.name, ignore=shutil.ignore_patterns("发文登记.sqlite*", "*.lock"))
        os.environ["GONGWEN_CACHE_DIR"] = str(tmp / "cache")
        settings = Settings(campaigns=tmp / "inputs", jobs=jobs)
        q = BuildQueue(settings)
        folder = settings.campaign_dir(DEMO.name)

        def build() -> object:
            b = q.submit(DEMO.name, "build", settings.output_dir(DEMO.name))
            while b.state not in ("done", "failed"):
                time.sleep(0.02)
            assert b.state == "done", b.problems
            return b

        t = time.perf_counter()
        q.workers().pids()  # warm
        build()  # the first build of the day
        times = {"first build": time.perf_counter() - t}
        data = corrected_workbook(folder)
        t0 = time.perf_counter()
        checked = reports.check_upload(folder, MONTH, [reports.Upload(f"{MONTH}.xlsx", data)])
        assert checked.ok, checked.problems
        reports.store(folder, checked.targets)
        t1 = time.perf_counter()
        b = build()
        t2 = time.perf_counter()
        pdf = next(f for f in b.files if f.startswith(MONTH) and f.endswith("通报.pdf"))
        _page_png(settings, Path(b.out) / pdf, 1, 96)
        t3 = time.perf_counter()
        times.update({"upload checked and stored": t1 - t0, "build": t2 - t1, "first page image": t3 - t2,
                      "correction to preview": t3 - t0, "documents": len(b.documents)})
        q.close()
        return times
    finally:
        docbuild.KINDS = saved
        if cache is None:
            os.environ.pop("GONGWEN_CACHE_DIR", None)
        else:
            os.environ["GONGWEN_CACHE_DIR"] = cache
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--kinds", nargs="*", default=None, help="only these kinds of document (e.g. 通报)")
    args = ap.parse_args()
    for k, v in preview_after_correction(args.jobs, args.kinds).items():
        print(f"{k:28s} {v:8.2f}" if isinstance(v, float) else f"{k:28s} {v:8d}")


if __name__ == "__main__":
    main()
