#!/usr/bin/env python3
"""性能基准：在已预热的进程里测每份公文生成 PDF 和 DOCX 的耗时、每秒页数。

用法：.venv/bin/python bench.py [--repeat N] [--json 输出文件]
结果写入 JSON（默认 outputs/bench/notices.json）并打印表格；README 的“性能”一节引用这些数字。
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from gongwen import INPUTS_DIR, ROOT
from gongwen.notice.source import read_source
from gongwen.notice.tree import Paragraph
from gongwen.writers.docx import write_docx
from gongwen.writers.pdf import write_pdf

TARGET_PAGES = 5
TARGET_PDF_S = 0.3
TARGET_DOCX_S = 0.15


def timed(fn, repeat: int) -> float:
    """Median seconds of `repeat` runs after one warm-up run."""
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def five_page_notice(tmp: Path):
    """The long fixture cut at a paragraph boundary to five pages (without its
    版记, which always makes the page count even)."""
    full = read_source(ROOT / "tests" / "fixtures" / "notices" / "long-body.txt")
    full.cc = full.printer = full.print_date = None
    paragraphs = [i for i, b in enumerate(full.body) if isinstance(b, Paragraph)]
    lo, hi = 1, len(paragraphs)
    best = None
    while lo <= hi:
        mid = (lo + hi) // 2
        n = copy.deepcopy(full)
        n.body = full.body[: paragraphs[mid - 1] + 1]
        pages = write_pdf(n, tmp / "probe.pdf").pages
        if pages <= TARGET_PAGES:
            best, lo = (n, pages), mid + 1
        else:
            hi = mid - 1
    notice, pages = best
    notice.name = "five-page"
    return notice, pages


def main() -> None:
    ap = argparse.ArgumentParser(description="公文排版性能基准")
    ap.add_argument("--repeat", type=int, default=5, help="每项重复次数（取中位数）")
    ap.add_argument("--json", type=Path, default=ROOT / "outputs" / "bench" / "notices.json")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="gw-bench-"))
    sources = sorted((INPUTS_DIR / "examples").glob("*.txt"))
    notices = [(src.stem, read_source(src), str(src.parent)) for src in sources]
    five, five_pages = five_page_notice(tmp)
    notices.append((f"five-page（{five_pages} 页，目标样本）", five, None))

    rows = []
    for name, notice, base in notices:
        pdf_path, docx_path = tmp / "n.pdf", tmp / "n.docx"
        pages = write_pdf(notice, pdf_path, base_url=base).pages
        pdf_s = timed(lambda: write_pdf(notice, pdf_path, base_url=base), args.repeat)
        docx_s = timed(lambda: write_docx(notice, docx_path), args.repeat)
        rows.append({
            "notice": name, "pages": pages, "pdf_s": round(pdf_s, 4), "docx_s": round(docx_s, 4),
            "pdf_pages_per_s": round(pages / pdf_s, 1), "pdf_bytes_per_page": pdf_path.stat().st_size // pages,
        })
    target = rows[-1]
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} 核, Python {platform.python_version()}",
        "repeat": args.repeat,
        "notices": rows,
        "targets": {
            "five_page_pdf_s": {"target": TARGET_PDF_S, "measured": target["pdf_s"], "met": target["pdf_s"] < TARGET_PDF_S},
            "five_page_docx_s": {"target": TARGET_DOCX_S, "measured": target["docx_s"], "met": target["docx_s"] < TARGET_DOCX_S},
        },
        "total_pages_per_s": round(sum(r["pages"] for r in rows) / sum(r["pdf_s"] for r in rows), 1),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")

    print(f"机器：{result['machine']}；每项取 {args.repeat} 次中位数")
    print("| 公文 | 页数 | PDF 秒 | DOCX 秒 | PDF 页/秒 | PDF 字节/页 |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['notice']} | {r['pages']} | {r['pdf_s']:.3f} | {r['docx_s']:.3f} | {r['pdf_pages_per_s']} | {r['pdf_bytes_per_page']} |")
    for key, t in result["targets"].items():
        print(f"目标 {key}: < {t['target']} 秒，实测 {t['measured']:.3f} 秒，{'达到' if t['met'] else '未达到'}")
    print(f"结果已写入 {args.json}")


if __name__ == "__main__":
    main()
