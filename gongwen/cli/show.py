"""What the commands show while they work: one progress line fed by the build
library's events (gongwen.build.progress), and the closing messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from gongwen.build.progress import Event

console = Console(stderr=True)


@contextmanager
def progress() -> Iterator:
    """A callback for the build library: a spinner with the stage's words,
    and a bar once a stage counts its pieces. Gone when the work ends."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("开始", total=None)

        def show(event: Event) -> None:
            bar.update(task, description=f"{event.stage}……" if not event.total else event.stage,
                       completed=event.done, total=event.total or None)

        yield show


def warn(warnings: list[str], title: str = "提示") -> None:
    if warnings:
        console.print(f"[yellow]{title}（{len(warnings)} 条，不影响生成）：[/yellow]")
        for w in warnings:
            console.print(f"  · {w}", markup=False, highlight=False)


def formats_option():
    """--formats for render, build and annual: the registry's formats."""
    import click

    from gongwen.writers import registry

    labels = "、".join(f"{w.ext}（{w.label}{'，默认' if w.default else ''}）" for w in registry.WRITERS)
    return click.option("--formats", "formats", default=None, metavar="格式,…",
                        help=f"输出哪些格式，逗号分隔；可选：{labels}。")


def folder_changes(result, shown: int = 10) -> None:
    """What the build did to files it did not write this time (see campaign.build.remove_stale)."""
    def listed(paths: list[str]) -> str:
        more = f" 等 {len(paths)} 个" if len(paths) > shown else ""
        return "、".join(paths[:shown]) + more

    for line in getattr(result, "recovered", []):
        console.print(f"[yellow]{line}[/yellow]", highlight=False, soft_wrap=True)
    if result.removed:
        console.print(f"已删除上次生成、这次不再生成的 {len(result.removed)} 个文件：{listed(result.removed)}",
                      markup=False, highlight=False, soft_wrap=True)
    if result.edited:
        console.print(f"[yellow]上次生成、这次不再生成的文件已被改动过，保留未删：[/yellow]{listed(result.edited)}",
                      highlight=False, soft_wrap=True)
    if result.foreign:
        console.print(f"[yellow]输出文件夹里有 {len(result.foreign)} 个不是生成的文件，保留未动：[/yellow]{listed(result.foreign)}",
                      highlight=False, soft_wrap=True)
