"""Commands for documents from outside: check (格式检查) and import (Word draft -> notice source)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


def format_report(report) -> str:
    """A report as plain Chinese text (also used by docs and tests)."""
    lines = [f"【{Path(report.file).name}】"]
    if report.error:
        lines.append(f"  无法检查：{report.error}")
        return "\n".join(lines)
    for note in report.notes:
        lines.append(f"  说明：{note}")
    if not report.findings:
        lines.append("  未发现不符合 GB/T 9704-2012 的问题。")
        return "\n".join(lines)
    order = {"严重": 0, "一般": 1, "轻微": 2}
    for n, f in enumerate(sorted(report.findings, key=lambda f: order.get(f.severity, 3)), start=1):
        where = f"{f.where}" + (f"「{f.snippet}」" if f.snippet else "")
        lines.append(f"  {n}. [{f.severity}] {f.rule_name}（{f.source}）  位置：{where}")
        lines.append(f"     实测：{f.measured}")
        lines.append(f"     应为：{f.expected}")
        lines.append(f"     依据：{f.clause}")
    return "\n".join(lines)


def summary(reports) -> str:
    bad = [r for r in reports if r.error]
    found = [r for r in reports if not r.error and r.findings]
    counts: dict[str, int] = {}
    for r in reports:
        for f in r.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
    parts = [f"共检查 {len(reports)} 个文件：{len(reports) - len(bad) - len(found)} 个未发现问题，"
             f"{len(found)} 个有问题，{len(bad)} 个无法读取。"]
    if counts:
        parts.append("问题合计 " + "，".join(f"{k} {counts[k]} 处" for k in ("严重", "一般", "轻微") if k in counts) + "。")
    return "".join(parts)


def register(group: click.Group) -> None:
    @group.command("check")
    @click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查结果。")
    @click.option("--no-layout", is_flag=True, help="DOCX 只检查格式设置，不用 LibreOffice 排出版面再测量（更快）。")
    def check_cmd(files: tuple[Path, ...], as_json: bool, no_layout: bool) -> None:
        """按 GB/T 9704-2012 检查 DOCX 或 PDF 的格式（任何软件生成的都可以）。

        每个问题列出：规则及标准条款、位置（页或段落，附原文片段）、实测值、应为、严重程度。
        退出码：0 未发现问题；1 发现问题；2 有文件无法读取。
        """
        from gongwen.check import check_files

        paths: list[Path] = []
        for f in files:
            if f.is_dir():
                paths.extend(sorted(p for p in f.iterdir() if p.suffix.lower() in (".docx", ".pdf", ".doc")))
            else:
                paths.append(f)
        reports = check_files(paths, layout=not no_layout)
        if as_json:
            click.echo(json.dumps({"文件": [r.as_dict() for r in reports], "汇总": summary(reports)},
                                  ensure_ascii=False, indent=2))
        else:
            for r in reports:
                click.echo(format_report(r))
                click.echo("")
            click.echo(summary(reports))
        if any(r.error for r in reports):
            sys.exit(2)
        sys.exit(1 if any(r.findings for r in reports) else 0)

    @group.command("import")
    @click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
    @click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="源文件写到这个文件夹（默认与 DOCX 同一文件夹）。")
    def import_cmd(files: tuple[Path, ...], out_dir: Path | None) -> None:
        """把在 Word/WPS 里打好的公文（.docx；装有 LibreOffice 时也可以是 .doc）转成公文源文件（.txt）。

        FILES 可以是文件，也可以是文件夹（处理其中所有 .docx、.doc）。

        识别版头、标题、主送、层次标题、正文、表格、附件说明、附件、署名、日期、附注、抄送和印发；
        拿不准的地方在文头里用 # 注释标出，请核对后再用 render 排版。
        """
        from gongwen.importer import import_file

        paths: list[Path] = []
        for f in files:
            if f.is_dir():
                paths.extend(sorted(p for p in f.iterdir() if p.suffix.lower() in (".docx", ".doc")))
            else:
                paths.append(f)
        for f in paths:
            target = (out_dir or f.parent) / (f.stem + ".txt")
            result = import_file(f)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(result.source, encoding="utf-8")
            click.echo(f"已写出 {target}" + (f"（{len(result.doubts)} 处需要核对，见文头 # 注释）" if result.doubts else ""))
