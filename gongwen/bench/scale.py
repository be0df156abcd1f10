"""`bench.py scale`: a synthetic campaign at several sizes, timed part by part
(intake and scoring, the monthly 通报, the 得分反馈单 batch, the whole build
as an office runs it), against LibreOffice converting the same DOCX files."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gongwen import ROOT
from gongwen.bench.memory import TreeSampler
from gongwen.bench.synthetic import MONTH, make_campaign

README = ROOT / "docs" / "性能.md"  # the benchmark history page; the table goes between the markers
BEGIN, END = "<!-- bench:scale -->", "<!-- /bench:scale -->"

# The targets on a 2-core machine.
FEEDBACK_PDF_PER_S = 20  # 1,000-unit 得分反馈单 batch
BULLETIN_S = 10  # 1,000-unit monthly 通报, DOCX + PDF
INTAKE_S = 5  # 100,000 report rows
PEAK_MB = 1024  # 1,000-unit build
PDF_BYTES_PER_PAGE = 60 * 1024
LO_FACTOR = 3  # whole build at least 3 times faster than LibreOffice's conversion alone


def _pages(pdf: bytes) -> int:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as p:
        return len(p.pages)


def machine() -> str:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu or platform.machine()}，{os.cpu_count()} 核，内存 {mem:.0f} GB，Python {platform.python_version()}"


# Compiled modules of the benchmarks' child processes, outside the source tree
# and the shared environment (PYTHONPYCACHEPREFIX): an installed program's
# modules are compiled once and loaded from bytecode after that, so a timed
# child does not compile them, whatever PYTHONDONTWRITEBYTECODE the shell has.
PYCACHE = ROOT / "outputs" / "bench" / "pycache"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a timed child process: modules from cached bytecode (PYCACHE)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.update(extra)
    return env


def compile_modules() -> None:
    """Before timing: every module a build uses, in its own process and in
    its typesetting workers (pandas for a CSV report too), compiled into
    PYCACHE by an untimed build of the demo campaign."""
    from gongwen import INPUTS_DIR

    PYCACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gw-bench-compile-") as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(INPUTS_DIR / "xinfeng-2023", demo, ignore=shutil.ignore_patterns("发文登记.sqlite*"))
        subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "build", str(demo), "--out", str(Path(tmp) / "out")],
                       cwd=ROOT, env=child_env(GONGWEN_CACHE_DIR="off"), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def intake_scoring(folder: Path) -> float:
    from gongwen.campaign.build import compute
    from gongwen.campaign.folder import load_campaign

    t = time.perf_counter()
    compute(load_campaign(folder))
    return time.perf_counter() - t


def _docs(folder: Path, scratch: Path):
    from gongwen.campaign.build import compute, render
    from gongwen.campaign.folder import load_campaign
    from gongwen.documents import bulletin, feedback
    from gongwen.campaign.build import month_inputs
    from gongwen.documents.templating import Templates

    c = compute(load_campaign(folder))
    r = render(c, scratch)
    templates = Templates(c.campaign.folder)
    inputs = month_inputs(c, r.manifest, MONTH)
    return c, bulletin.build(c, MONTH, templates, inputs), feedback.build(c, MONTH, templates, inputs)


def time_bulletin(doc) -> dict:
    from gongwen.writers.docx import docx_bytes
    from gongwen.writers.pdf import pdf_bytes

    t = time.perf_counter()
    pdf, result = pdf_bytes(doc.notice, base_url=doc.base_url)
    pdf_s = time.perf_counter() - t
    t = time.perf_counter()
    docx_bytes(doc.notice, banji_own_page=result.banji_own_page, closing_fit=result.closing_fit)
    docx_s = time.perf_counter() - t
    return {"pages": result.pages, "pdf_s": round(pdf_s, 2), "docx_s": round(docx_s, 2),
            "total_s": round(pdf_s + docx_s, 2), "pdf_bytes_per_page": len(pdf) // result.pages}


def _pdf_part(chunk) -> list[tuple[int, int]]:
    from gongwen.writers.pdf import pdf_bytes

    out = []
    for doc in chunk:
        data, result = pdf_bytes(doc.notice, base_url=doc.base_url)
        out.append((len(data), result.pages))
    return out


def _docx_part(chunk) -> list[tuple[int, int]]:
    from gongwen.writers.docx import docx_bytes

    return [(len(docx_bytes(doc.notice)), 0) for doc in chunk]


def _both_parts(chunk) -> list[tuple[int, int]]:
    from gongwen.build.typesetters import typeset_doc  # as a build's workers: without the campaign modules

    out = []
    for doc in chunk:
        result = typeset_doc(doc)
        out.append((len(result.files.get("pdf") or b""), result.pages))
    return out


def _ready(_: int) -> int:
    return os.getpid()


def time_feedback(docs, jobs: int) -> dict:
    """The 得分反馈单 batch on `jobs` warm workers, the build's own
    (pool.Typesetters: fonts, stylesheets and the DOCX base loaded once per
    worker): the PDFs alone, the DOCX alone, then both as a build makes them.
    Worker start-up is timed apart."""
    from gongwen.build import typesetters as pool

    chunks = [docs[i:i + pool.MAX_CHUNK] for i in range(0, len(docs), pool.MAX_CHUNK)]
    t = time.perf_counter()
    with pool.Typesetters(jobs) as workers:
        ex = workers.executor
        list(ex.map(_ready, range(jobs * 4)))
        startup_s = time.perf_counter() - t
        out = {"docs": len(docs), "jobs": jobs, "startup_s": round(startup_s, 2)}
        for name, fn in (("pdf", _pdf_part), ("docx", _docx_part), ("both", _both_parts)):
            t = time.perf_counter()
            results = [r for part in ex.map(fn, chunks) for r in part]
            s = time.perf_counter() - t
            out[name] = {"s": round(s, 2), "docs_per_s": round(len(docs) / s, 1)}
            if name != "docx":
                pages = sum(p for _, p in results)
                out[name].update(pages=pages, pages_per_s=round(pages / s, 1),
                                 pdf_bytes_per_page=sum(b for b, _ in results) // max(pages, 1))
    return out


def child_build(folder: str, out: str, jobs: str) -> None:
    """Run in a child process: the build command as an office runs it (a first
    build: nothing from the typesetting cache), ending as pipeline.py does
    (cli.quick_exit)."""
    from gongwen.cli import main as cli, quick_exit

    cli(args=["build", folder, "--out", out, "--jobs", jobs, "--no-cache"], prog_name="pipeline.py", standalone_mode=False)
    quick_exit(0)


def child_intake(folder: str) -> None:
    """Run in a fresh child process: read and score the campaign, print the seconds."""
    from gongwen.campaign.build import compute
    from gongwen.campaign.folder import load_campaign

    t = time.perf_counter()
    compute(load_campaign(Path(folder)))
    print("\nBENCH " + json.dumps({"s": time.perf_counter() - t}), flush=True)


def _child(args: list[str], log: Path, sample: bool = False) -> tuple[float, str, TreeSampler | None]:
    """Run `bench.py <args>` in a child; (seconds, its stdout, the memory of
    its process tree if `sample`)."""
    t = time.perf_counter()
    with open(log, "w", encoding="utf-8") as err:
        proc = subprocess.Popen([sys.executable, str(ROOT / "bench.py"), *args],
                                stdout=subprocess.PIPE, stderr=err, text=True, cwd=ROOT, env=child_env())
        if sample:
            with TreeSampler(proc.pid) as mem:
                stdout, _ = proc.communicate()
        else:
            mem = None
            stdout, _ = proc.communicate()
    s = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{args[0]} 失败（{proc.returncode}），见 {log}")
    return s, stdout, mem


def intake_fresh(folder: Path, log: Path) -> float:
    """Intake and scoring in a fresh process (imports not counted), as an office's run starts."""
    _, stdout, _ = _child(["_child-intake", str(folder)], log)
    return json.loads(re.findall(r"^BENCH (.*)$", stdout, re.M)[-1])["s"]


def whole_build(folder: Path, out: Path, jobs: int) -> dict:
    """The build command in a child process, timed with nothing watching it;
    then run again (into another folder) for its peak memory: the largest sum
    over the build process and its workers seen at one moment (Pss, sampled
    every 50 ms by gongwen/bench/memory.py). The sampler reads each process's
    smaps_rollup 20 times a second, which slowed a timed 1,000-unit build by
    about 7%, so the two are not measured in one run."""
    def build(into: Path, sample: bool):
        return _child(["_child-build", str(folder), str(into), str(jobs)], into.with_suffix(".log"), sample)

    s, _, _ = build(out, sample=False)
    again = out.with_name(out.name + "-memory")
    _, _, mem = build(again, sample=True)
    shutil.rmtree(again, ignore_errors=True)
    pdfs = sorted(out.rglob("*.pdf"))
    pages = sum(_pages(p.read_bytes()) for p in pdfs)
    pdf_bytes = sum(p.stat().st_size for p in pdfs)
    docx = sorted(out.rglob("*.docx"))
    hwm = mem.hwm_by_role
    return {"s": round(s, 2), "pdfs": len(pdfs), "docx": len(docx), "pages": pages,
            "docs_per_s": round(len(pdfs) / s, 1), "pages_per_s": round(pages / s, 1),
            "pdf_bytes_per_page": pdf_bytes // max(pages, 1),
            "peak_mb": round(mem.peak_mb), "peak_measure": mem.measure,
            "peak_parts_mb": {k: round(v / 1024) for k, v in sorted(mem.peak_parts.items())},
            "main_hwm_mb": round(hwm.get("main", 0)), "worker_hwm_mb": round(hwm.get("worker", 0))}


LO_BATCH = 200  # files per soffice call: one call with more stops after 247 files (LibreOffice 7.4, returns 0)


def libreoffice(docx: list[Path], tmp: Path) -> dict:
    """LibreOffice converting the DOCX files to PDF, LO_BATCH files per call
    (one profile, calls one after another), timed over all the calls."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return {"available": False, "note": "未安装 LibreOffice（soffice），未测"}
    outdir, profile = tmp / "lo-pdf", tmp / "lo-profile"
    outdir.mkdir(parents=True, exist_ok=True)
    # Same-named DOCX files (得分反馈单 of different months) would overwrite each other: one month here.
    base = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
            "--outdir", str(outdir)]
    subprocess.run([*base, str(docx[0])], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # the profile, once
    calls = [docx[i:i + LO_BATCH] for i in range(0, len(docx), LO_BATCH)]
    t = time.perf_counter()
    codes = [subprocess.run([*base, *map(str, batch)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
             for batch in calls]
    s = time.perf_counter() - t
    made = len(list(outdir.glob("*.pdf")))
    return {"available": True, "s": round(s, 2), "files": len(docx), "converted": made, "calls": len(calls),
            "returncodes": sorted(set(codes)), "docs_per_s": round(len(docx) / s, 1)}


def _mark(ok: bool) -> str:
    return "达到" if ok else "未达到"


def targets(result: dict) -> list[dict]:
    sizes = {r["units"]: r for r in result["sizes"]}
    big = sizes.get(1000)
    out = []
    if big:
        f = big["feedback"]
        out.append({"target": f"1,000 个单位的得分反馈单 ≥ {FEEDBACK_PDF_PER_S} 份 PDF/秒（{result['jobs']} 个进程）",
                    "measured": f"{f['pdf']['docs_per_s']} 份/秒（{f['docs']} 份 PDF，{f['pdf']['s']} 秒；"
                                f"连同 DOCX {f['both']['docs_per_s']} 份/秒）",
                    "met": f["pdf"]["docs_per_s"] >= FEEDBACK_PDF_PER_S})
        b = big["bulletin"]
        out.append({"target": f"1,000 个单位的月度通报 DOCX+PDF < {BULLETIN_S} 秒",
                    "measured": f"{b['total_s']} 秒（{b['pages']} 页；PDF {b['pdf_s']} 秒，DOCX {b['docx_s']} 秒）",
                    "met": b["total_s"] < BULLETIN_S})
        w = big["build"]
        parts = "，".join(f"{k} {v} MB" for k, v in w["peak_parts_mb"].items())
        out.append({"target": "1,000 个单位整个 build 峰值内存 < 1 GB",
                    "measured": f"{w['peak_mb']} MB（同一时刻各进程 {w['peak_measure']} 之和：{parts}）",
                    "met": w["peak_mb"] < PEAK_MB})
    if result.get("intake") and result["intake"]["rows"] >= 100_000:
        i = result["intake"]
        out.append({"target": f"读取并计分 100,000 行报表 < {INTAKE_S} 秒",
                    "measured": f"{i['s']} 秒（{i['rows']} 行，{i['files']} 个工作簿，新进程）", "met": i["s"] < INTAKE_S})
    all_pages = sum(r["build"]["pages"] for r in result["sizes"])
    all_bytes = sum(r["build"]["pdf_bytes_per_page"] * r["build"]["pages"] for r in result["sizes"])
    per_page = all_bytes // max(all_pages, 1)
    out.append({"target": "PDF 平均每页 < 60 KB", "measured": f"{per_page / 1024:.1f} KB（{all_pages} 页）",
                "met": per_page < PDF_BYTES_PER_PAGE})
    with_lo = [r for r in result["sizes"] if r.get("libreoffice", {}).get("available")]
    if with_lo:
        worst = min(with_lo, key=lambda r: r["libreoffice"]["s"] / r["build"]["s"])
        factor = worst["libreoffice"]["s"] / worst["build"]["s"]
        out.append({"target": f"整个 build 至少比 LibreOffice 单是转换同一批 DOCX 快 {LO_FACTOR} 倍",
                    "measured": f"最差 {factor:.1f} 倍（{worst['units']} 个单位：build {worst['build']['s']} 秒，"
                                f"LibreOffice {worst['libreoffice']['s']} 秒）",
                    "met": factor >= LO_FACTOR})
    else:
        out.append({"target": f"整个 build 至少比 LibreOffice 快 {LO_FACTOR} 倍", "measured": "未安装 LibreOffice，未测",
                    "met": False})
    return out


def table(result: dict) -> str:
    lines = [f"机器：{result['machine']}；排版进程 {result['jobs']} 个；{result['date']}", "",
             "| 单位数 | 报表行 | 读取+计分 秒 | 月度通报 页 | 通报 PDF 秒 | 通报 DOCX 秒 | 反馈单 PDF 份/秒 "
             "| 反馈单 DOCX 份/秒 | 反馈单 DOCX+PDF 份/秒 | 整个 build 秒 | build 份/秒 | build 页/秒 | PDF 字节/页 "
             "| 峰值内存 MB | LibreOffice 秒 | LibreOffice/build |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["sizes"]:
        b, f, w, lo = r["bulletin"], r["feedback"], r["build"], r.get("libreoffice", {})
        lo_s = f"{lo['s']}" if lo.get("available") else "—"
        ratio = f"{lo['s'] / w['s']:.2f}" if lo.get("available") else "—"
        lines.append(f"| {r['units']} | {r['rows']} | {r['intake_s']} | {b['pages']} | {b['pdf_s']} | {b['docx_s']} "
                     f"| {f['pdf']['docs_per_s']} | {f['docx']['docs_per_s']} | {f['both']['docs_per_s']} "
                     f"| {w['s']} | {w['docs_per_s']} | {w['pages_per_s']} "
                     f"| {w['pdf_bytes_per_page']} | {w['peak_mb']} | {lo_s} | {ratio} |")
    if result.get("intake"):
        i = result["intake"]
        lines += ["", f"读取+计分（单独的大报表，新进程）：{i['units']} 个单位各一个工作簿，共 {i['rows']} 行，{i['s']} 秒。"]
    lines += ["", "| 目标 | 实测 | 结果 |", "|---|---|---|"]
    for t in result["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {_mark(t['met'])} |")
    return "\n".join(lines)


def save(result: dict, json_path: Path, text: str, readme: bool, begin: str = BEGIN, end: str = END) -> None:
    """Write a benchmark's result as JSON, print its table and, with readme, put the table in docs/性能.md."""
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(text)
    print(f"结果已写入 {json_path}")
    if readme and write_readme(text, begin, end):
        print("表格已写入 docs/性能.md")


def write_readme(text: str, begin: str = BEGIN, end: str = END) -> bool:
    """`text` between the markers `begin` and `end` of the performance page; False without them."""
    page = README.read_text(encoding="utf-8")
    if begin not in page or end not in page:
        return False
    head, rest = page.split(begin, 1)
    _, tail = rest.split(end, 1)
    README.write_text(f"{head}{begin}\n{text}\n{end}{tail}", encoding="utf-8")
    return True


def scale_main(sizes: list[int], jobs: int | None, intake_rows: int, use_libreoffice: bool, readme: bool,
               json_path: Path) -> dict:
    from gongwen.build.typesetters import default_jobs

    jobs = jobs or default_jobs()
    compile_modules()
    tmp = Path(tempfile.mkdtemp(prefix="gw-bench-scale-"))
    result = {"machine": machine(), "jobs": jobs, "date": time.strftime("%Y-%m-%d"), "sizes": []}
    try:
        for units in sizes:
            folder = tmp / f"campaign-{units}"
            info = make_campaign(folder, units)
            print(f"[{units} 个单位] 已生成合成活动：{info['rows']} 行报表，{info['categories']} 个类别", flush=True)
            row = {"units": units, "rows": info["rows"], "categories": info["categories"]}
            row["intake_s"] = round(intake_fresh(folder, tmp / f"intake-{units}.log"), 2)
            c, bulletins, feedbacks = _docs(folder, tmp / f"scratch-{units}")
            if not result["sizes"]:  # the first document of a process loads the fonts: not part of any figure
                from gongwen.build.typesetters import typeset_doc

                typeset_doc(feedbacks[0], c.campaign.folder)
            row["bulletin"] = time_bulletin(bulletins)
            print(f"  读取+计分 {row['intake_s']} 秒；月度通报 {row['bulletin']}", flush=True)
            row["feedback"] = time_feedback(feedbacks, jobs)
            print(f"  得分反馈单 {row['feedback']}", flush=True)
            del c, bulletins, feedbacks
            out = tmp / f"out-{units}"
            row["build"] = whole_build(folder, out, jobs)
            print(f"  整个 build {row['build']}", flush=True)
            if use_libreoffice:
                docx = sorted(p for p in out.rglob("*.docx"))
                row["libreoffice"] = libreoffice(docx, tmp / f"lo-{units}")
                print(f"  LibreOffice {row['libreoffice']}", flush=True)
            else:
                row["libreoffice"] = {"available": False, "note": "未测（--no-libreoffice）"}
            result["sizes"].append(row)
            shutil.rmtree(out, ignore_errors=True)
        if intake_rows:
            units = max(1, intake_rows // 100)
            folder = tmp / f"intake-{units}"
            info = make_campaign(folder, units, heavy=True)
            s = intake_fresh(folder, tmp / "intake-heavy.log")
            result["intake"] = {"units": units, "rows": info["rows"], "files": info["files"], "s": round(s, 2)}
            print(f"[读取+计分] {result['intake']}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result["targets"] = targets(result)
    text = table(result)
    save(result, json_path, text, readme)
    return result
