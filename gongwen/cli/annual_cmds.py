"""The `annual` command: the 年终考评 通报 of one year from one or several campaigns."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from gongwen.cli import show
from gongwen.cli.show import console



@click.command("annual")
@click.argument("campaigns", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--year", type=int, default=None,
              help="考评年度，如 2023；不写时用第一个活动 documents.annual.year，再不写用其月份的年份。")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹：写出 annual/<标题>.docx、.pdf 和 annual/manifest.json（用 verify 输出文件夹/annual 核对）。")
@click.option("--register", "register_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="发文登记文件（SQLite），默认为第一个活动文件夹里的 发文登记.sqlite。")
@click.option("--reissue", is_flag=True, help="允许重新印发：已登记的考评通报内容有变化时照样生成，旧文件以“（第N版）”保留。")
@show.formats_option()
def annual_cmd(campaigns: tuple[Path, ...], year: int | None, out: Path, register_file: Path | None = None,
               reissue: bool = False, formats: str | None = None) -> None:
    """汇总同一年度一个或几个活动（活动文件夹依次列出）的报表，算出各单位全年主要指标、
    各活动成绩、考评得分和排名，按第一个活动 campaign.yaml 里 documents.annual 的规则
    评定等次、写明奖励，生成年终考评通报（DOCX 和 PDF）。

    已结束的活动用活动总分；尚未结束的活动按已报送月份的平均分计算，并在通报中注明。"""
    from gongwen.build import build_annual
    from gongwen.writers.registry import parse_formats

    chosen = parse_formats(formats)
    with show.progress() as step:
        r = build_annual(list(campaigns), out, year, formats=chosen, register_file=register_file,
                         reissue=reissue, progress=step)
    show.folder_changes(r)
    for folder, warnings in r.warnings.items():
        console.print(f"[yellow]{folder}：提示 {len(warnings)} 条，不影响考评（运行 build 可查看）[/yellow]")
    for run in r.result.runs:
        if run.complete:
            console.print(f"[green]✓[/green] {run.name}：活动已结束，用活动总分")
        else:
            console.print(f"[yellow]![/yellow] {run.name}：{r.year}年已报送 {len(run.scored)}/{len(run.months)} 个月，"
                          "活动尚未结束，按已报月份平均分计算")
    t = Table(title=f"{r.year}年度考评等次")
    t.add_column("类别")
    t.add_column("等次")
    t.add_column("单位", overflow="fold")
    for cat in r.result.categories:
        for level, units in r.result.level_groups(cat):
            t.add_row(cat, level.name, "、".join(u.name for u in units) or "—")
        rest = [u.name for u in r.result.category(cat) if u.level is None]
        if rest:
            t.add_row(cat, "未评等次", "、".join(rest))
    console.print(t)
    lacking = [e for e in chosen if e not in r.formats]  # a Word template's PDF needs LibreOffice
    shown = f"{r.pages} 页" + (f"，没有 {'、'.join(lacking)}（未安装 LibreOffice）" if lacking else "")
    console.print(f"共写出 {len(r.written)} 个文件到 {out / 'annual'}：{Path(r.doc.rel).name}"
                  f"（{' / '.join('.' + e for e in sorted(r.formats))}，{shown}）")


def register(group: click.Group) -> None:
    group.add_command(annual_cmd)
