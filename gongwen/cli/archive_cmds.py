"""Commands for what was issued: verify (an output folder against its manifest)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

console = Console()


def register(group: click.Group) -> None:
    @group.command("verify")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def verify_cmd(folder: Path) -> None:
        """按 manifest.json 重新计算 FOLDER 里每个文件的 SHA-256，列出缺失、被改动和多出的文件。

        全部一致时退出码为 0，否则为 1。"""
        from gongwen.archive.verify import verify

        report = verify(folder)
        for title, items, colour in (("缺失", report.missing, "red"), ("被改动", report.changed, "red"),
                                     ("多出（清单里没有）", report.extra, "yellow")):
            if items:
                console.print(f"[{colour}]{title} {len(items)} 个：[/{colour}]")
                for rel in items:
                    console.print(f"  · {rel}", markup=False, highlight=False)
        if report.ok:
            console.print(f"[green]✓[/green] {report.checked} 个文件与 manifest.json 一致")
        else:
            console.print(f"核对了 {report.checked} 个文件：缺失 {len(report.missing)}，被改动 {len(report.changed)}，"
                          f"多出 {len(report.extra)}")
            sys.exit(1)
