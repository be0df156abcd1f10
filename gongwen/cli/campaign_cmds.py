"""Commands for campaign data: build (scores, ranks, lists) and forms (blank report workbooks)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from gongwen.campaign.submissions import SUBMISSIONS_FILE
from gongwen.cli import show
from gongwen.cli.show import console
from gongwen.documents.numbers import pct



def _targets_table(c) -> None:
    if not c.targets:
        return
    t = Table(title="目标完成情况", show_lines=False)
    for h in ("期间", "目标", "完成数", "目标数", "完成率"):
        t.add_column(h)
    for r in c.targets:
        period = "全程" if r.period == "campaign" else r.period
        extra = f"（{r.units_met}/{len(r.units)} 个单位达标）" if r.units else ""
        t.add_row(period, r.name + extra, f"{r.done.normalize():f}{r.measure_word}",
                  f"{r.target.normalize():f}{r.measure_word}", pct(r.rate) + ("" if r.complete else "（月份未齐）"))
    console.print(t)


@click.command("build")
@click.argument("campaign", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹：每月一个子文件夹 YYYY-MM/，活动结束汇总在 final/，实施方案在 plan/。")
@click.option("--reissue", is_flag=True,
              help="允许重新印发：已登记的公文内容有变化时照样生成，旧文件改名为“……（第N版）”留在旁边，并记入发文登记。")
@click.option("--embed-sources", "embed_sources", is_flag=True,
              help="PDF 存为 PDF/A-3b，把这份公文所依据的输入文件和当期得分明细.xlsx 原样嵌入（关联文件）。")
@click.option("--register", "register_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="发文登记文件（SQLite），默认为活动文件夹里的 发文登记.sqlite；几个活动共用一个时指定同一个文件。")
@click.option("--jobs", "jobs", type=click.IntRange(min=1), default=None,
              help="同时排版的进程数，默认等于本机 CPU 核数；1 表示只用当前进程。")
@click.option("--strict", is_flag=True, help="严格模式：提示（标题行、合计行、换算过的金额、隐藏的行等）也按错误处理，不生成任何文件。")
@click.option("--dry-run", "dry_run", is_flag=True, help="只读取、检查报表并计分，列出提示和报送情况，不写任何文件。")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="不用排版缓存：每份公文都重新排版（默认只重排内容有变化的公文，其余直接取上次排好的，见 docs/性能.md）。")
@show.formats_option()
def build_cmd(campaign: Path, out: Path, reissue: bool = False, embed_sources: bool = False,
              register_file: Path | None = None, jobs: int | None = None, formats: str | None = None,
              strict: bool = False, dry_run: bool = False, no_cache: bool = False) -> None:
    """读取活动文件夹（campaign.yaml、units.xlsx、reports/），检查报表、计分、排名、
    列榜，生成各月及活动结束的得分明细和全部公文（DOCX 和 PDF），最后写 manifest.json。

    任何一处报表有误都会全部列出并停止，不写任何文件，之前生成的文件保持不变。"""
    from gongwen.build import build_campaign
    from gongwen.writers.registry import parse_formats

    chosen = parse_formats(formats)
    with show.progress() as step:
        result = build_campaign(campaign, out, reissue=reissue, embed_sources=embed_sources,
                                register_file=register_file, jobs=jobs, formats=chosen, progress=step,
                                on_warnings=show.warn, on_numbers=_auto_numbers, strict=strict, dry_run=dry_run,
                                cache=not no_cache)
    _submissions_table(result.submissions)
    if dry_run:
        for m, s in result.computed.scores.items():
            console.print(f"[green]✓[/green] {m}：{len(s.units)} 个单位可以计分")
        console.print(f"检查完毕（--dry-run）：没有写任何文件。{_warnings_line(result.warnings)}")
        return
    _registered(result.assigned)
    if result.reused:
        console.print(f"[green]✓[/green] {result.reused} 份公文与上次生成时相同，直接取自排版缓存；"
                      f"重新排版 {len(result.documents) - result.reused} 份", highlight=False)
    if embed_sources:
        console.print(f"[green]✓[/green] {result.embedded} 份 PDF 存为 PDF/A-3b，嵌入了所依据的输入文件和得分明细")
    for m, s in result.computed.scores.items():
        console.print(f"[green]✓[/green] {m}：{len(s.units)} 个单位已计分")
    if result.missing_months:
        console.print(f"[yellow]尚缺 {'、'.join(result.missing_months)} 的报表，暂不生成活动结束汇总（final/）[/yellow]")
    else:
        console.print("[green]✓[/green] 活动结束汇总（final/）已生成")
    show.folder_changes(result)
    _targets_table(result.computed)
    _written_table(result)
    console.print(f"共写出 {len(result.written)} 个文件到 {out}（报送情况见 {out / SUBMISSIONS_FILE}）。"
                  f"{_warnings_line(result.warnings)}", highlight=False, soft_wrap=True)


def _warnings_line(warnings: list[str]) -> str:
    """The warnings once more, at the end, where the eye lands."""
    return f"读取报表时有 {len(warnings)} 条提示（见开头），印发前请核对。" if warnings else "读取报表没有提示。"


def _submissions_table(subs) -> None:
    """报送情况: per unit and month, the rows each sheet got; who sent nothing."""
    if not subs.reported:
        return
    months = list(subs.reported)
    short = {sheet: sheet[:2] for sheet in subs.sheets}  # 外出招商 -> 外出: the table stays narrow
    t = Table(title="报送情况（每月各表行数；" + "、".join(f"{v}={k}" for k, v in short.items()) + "）")
    t.add_column("单位", overflow="fold")
    for m in months:
        t.add_column(m, overflow="fold")
    units = [u.unit for u in subs.reported[months[0]]]
    for i, unit in enumerate(units):
        cells = []
        for m in months:
            um = subs.reported[m][i]
            cells.append("[yellow]未报送[/yellow]" if um.sent_nothing else
                         " ".join(f"{short.get(sheet, sheet)}{n}" for sheet, n in um.rows.items() if n))
        t.add_row(unit, *cells)
    console.print(t)
    for m in months:
        nothing = subs.nothing(m)
        if nothing:
            console.print(f"[yellow]{m} 未报送任何内容的单位（{len(nothing)} 个）：[/yellow]{'、'.join(nothing)}",
                          highlight=False, soft_wrap=True)
    if subs.missing_months:
        console.print(f"尚无报表的月份：{'、'.join(subs.missing_months)}", highlight=False)


def _auto_numbers(assigned) -> None:
    """Numbers the register gave, shown before typesetting."""
    auto = [it for it in assigned.items if it.auto]
    if auto:
        console.print(f"自动编号 {len(auto)} 份：" + "、".join(f"{it.doc.rel} {it.number}" for it in auto),
                      markup=False, highlight=False, soft_wrap=True)


def _registered(assigned) -> None:
    """What the register recorded."""
    if assigned is not None and assigned.items:
        news = f"新登记草稿 {len(assigned.recorded)} 份" if assigned.recorded else "没有新登记的公文"
        drafts = f"，重新生成草稿 {len(assigned.redrafted)} 份（文号不变）" if assigned.redrafted else ""
        again = f"，重新印发 {'、'.join(assigned.reissued)}（旧文件以“（第N版）”保留）" if assigned.reissued else ""
        console.print(f"[green]✓[/green] 发文登记 {assigned.path}：{news}{drafts}{again}，共 {len(assigned.items)} 份有文号的公文",
                      highlight=False, soft_wrap=True)
        if assigned.recorded or assigned.redrafted:
            console.print("草稿确认无误后用 python pipeline.py issue 活动文件夹 --out 输出文件夹 印发（印发后再改须加 --reissue）",
                          highlight=False, soft_wrap=True)


def _written_table(result) -> None:
    """What the build wrote, grouped: documents with their pages, then the data files."""
    t = Table(title="本次生成的公文")
    for h in ("期间", "类型", "文件", "页数"):
        t.add_column(h)
    groups: dict[tuple[str, str], list] = {}
    for item in result.documents:
        groups.setdefault((item.doc.period, item.doc.kind), []).append(item)
    for (period, kind), items in groups.items():
        shown = {"final": "活动结束", "plan": "方案", "annual": "年终"}.get(period, period)
        if len(items) > 3:
            t.add_row(shown, kind, f"{len(items)} 份（{Path(items[0].doc.rel).parent}/）", str(sum(i.pages for i in items)))
        else:
            for item in items:
                exts = " / ".join(f".{e}" for e in sorted(item.formats))
                t.add_row(shown, kind, f"{item.doc.rel}{exts}", str(item.pages))
    console.print(t)


@click.command("forms")
@click.argument("campaign", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--month", required=True, help="报表月份，格式 YYYY-MM，如 2023-06。")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹：每个参评单位一个 <单位>.xlsx。")
@click.option("--unit", "units", multiple=True, help="只为这个单位生成（可重复使用）；默认全部参评单位。")
def forms_cmd(campaign: Path, month: str, out: Path, units: tuple[str, ...]) -> None:
    """为每个参评单位生成当月空白报表：工作表和表头齐全，已填好单位名称，
    下拉选项、日期和数字校验齐备；填好后放进 reports/YYYY-MM/ 即可参与计分。"""
    from gongwen.campaign.folder import load_campaign
    from gongwen.campaign.forms import make_forms

    camp = load_campaign(campaign)
    with console.status("生成空白报表……"):
        written = make_forms(camp, month, out, list(units) or None)
    console.print(f"[green]✓[/green] 已为 {len(written)} 个单位生成 {month} 空白报表，放在 {out}")


def register(group: click.Group) -> None:
    group.add_command(build_cmd)
    group.add_command(forms_cmd)
