#!/usr/bin/env python3
"""性能基准。

  .venv/bin/python bench.py notices [--repeat N]   在已预热的进程里测每份公文生成 PDF、DOCX 和 OFD 的耗时、每秒页数、每页大小
  .venv/bin/python bench.py scale [--sizes 30,300,1000] [--jobs N]
                                                   合成 30、300、1000 个单位的活动，分别测读取计分、月度通报、
                                                   得分反馈单、整个 build，并与 LibreOffice 转换同一批 DOCX 对比
  .venv/bin/python bench.py edit [--repeat N]      改了再生成：26 个单位、3 个月的合成活动第一次生成、改一个单元格后
                                                   重新生成、输入不变重新生成（排版缓存），演示活动输入不变重新生成
  .venv/bin/python bench.py warm [--builds 200]    同一进程里排版进程常驻，连续生成 200 次小活动，看内存是否增长
  .venv/bin/python bench.py                        以上各项都测

结果写入 JSON（outputs/bench/notices.json、scale.json、edit.json、warm.json）并打印表格；scale、edit、warm 的表格
同时写进 docs/性能.md 的标记之间。
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
from gongwen.writers.ofd import benchmark as ofd_benchmark
from gongwen.writers.ofd import info_of as ofd_info
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


def notices_main(args) -> None:
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
        ofd = ofd_benchmark(pdf_path.read_bytes(), ofd_info(notice), repeat=args.repeat)
        rows.append({
            "notice": name, "pages": pages, "pdf_s": round(pdf_s, 4), "docx_s": round(docx_s, 4),
            "pdf_pages_per_s": round(pages / pdf_s, 1), "pdf_bytes_per_page": pdf_path.stat().st_size // pages,
            "ofd_ms_per_page": round(ofd.ms_per_page, 1), "ofd_kb_per_page": round(ofd.kb_per_page, 1),
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
    print("| 公文 | 页数 | PDF 秒 | DOCX 秒 | PDF 页/秒 | PDF 字节/页 | OFD 毫秒/页 | OFD KB/页 |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['notice']} | {r['pages']} | {r['pdf_s']:.3f} | {r['docx_s']:.3f} | {r['pdf_pages_per_s']} "
              f"| {r['pdf_bytes_per_page']} | {r['ofd_ms_per_page']} | {r['ofd_kb_per_page']} |")
    for key, t in result["targets"].items():
        print(f"目标 {key}: < {t['target']} 秒，实测 {t['measured']:.3f} 秒，{'达到' if t['met'] else '未达到'}")
    print(f"结果已写入 {args.json}")


def main() -> None:
    ap = argparse.ArgumentParser(description="性能基准：notices 测单份公文的排版，scale 测 30/300/1000 个单位的整个活动；默认两项都测")
    ap.add_argument("section", nargs="?", choices=("all", "notices", "scale", "edit", "warm", "_child-build", "_child-intake"),
                    default="all", help="notices：单份公文；scale：合成活动；edit：改了再生成；warm：常驻排版进程的内存；all（默认）：各项")
    ap.add_argument("child", nargs="*", help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=5, help="notices：每项重复次数（取中位数）；edit：输入不变重新生成的次数（取中位数）")
    ap.add_argument("--json", type=Path, default=None,
                    help="结果文件（默认 outputs/bench/notices.json 和 outputs/bench/scale.json）")
    ap.add_argument("--sizes", default="30,300,1000", help="scale：参评单位数，逗号分隔")
    ap.add_argument("--jobs", type=int, default=None, help="scale、edit、warm：排版进程数（默认 CPU 核数）")
    ap.add_argument("--intake-rows", type=int, default=100_000, help="scale：读取计分单测的报表行数（0 表示不测）")
    ap.add_argument("--no-libreoffice", action="store_true", help="scale：不测 LibreOffice 转换")
    ap.add_argument("--no-readme", action="store_true", help="scale、edit、warm：不把表格写进 docs/性能.md")
    ap.add_argument("--builds", type=int, default=200, help="warm：同一进程里连续生成的次数")
    args = ap.parse_args()
    if args.section == "_child-build":
        from gongwen.bench.scale import child_build

        child_build(*args.child)
        return
    if args.section == "_child-intake":
        from gongwen.bench.scale import child_intake

        child_intake(*args.child)
        return
    if args.section in ("all", "notices"):
        notices_args = argparse.Namespace(repeat=args.repeat, json=args.json if args.section == "notices" and args.json
                                          else ROOT / "outputs" / "bench" / "notices.json")
        notices_main(notices_args)
    if args.section in ("all", "scale"):
        from gongwen.bench.scale import scale_main

        scale_main(sizes=[int(x) for x in args.sizes.split(",") if x.strip()], jobs=args.jobs,
                   intake_rows=args.intake_rows, use_libreoffice=not args.no_libreoffice, readme=not args.no_readme,
                   json_path=args.json if args.section == "scale" and args.json else ROOT / "outputs" / "bench" / "scale.json")
    if args.section in ("all", "edit"):
        from gongwen.bench.edit import edit_main

        edit_main(jobs=args.jobs, repeat=min(args.repeat, 3) if args.section == "all" else args.repeat,
                  readme=not args.no_readme,
                  json_path=args.json if args.section == "edit" and args.json else ROOT / "outputs" / "bench" / "edit.json")
    if args.section in ("all", "warm"):
        from gongwen.bench.edit import warm_main
        from gongwen.build.typesetters import default_jobs

        warm_main(builds=args.builds, jobs=args.jobs or default_jobs(), readme=not args.no_readme,
                  json_path=args.json if args.section == "warm" and args.json else ROOT / "outputs" / "bench" / "warm.json")


if __name__ == "__main__":
    main()
