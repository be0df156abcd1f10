"""`draft-next`: next year's campaign folder and the plan's 征求意见稿."""

from __future__ import annotations

from pathlib import Path

import click

from gongwen.cli import show
from gongwen.cli.show import console


def _date(ctx, param, value):
    if value is None:
        return None
    from gongwen.notice.source import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("draft-next")
@click.argument("campaign", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--year", required=True, type=int, help="新活动的年份，如 2024。月份、日期按年份差顺延。")
@click.option("--growth", default=None,
              help="目标增长率，如 10%：各项目标按此增长，个数向上取整。不写时目标印作 ** 待定。")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="新活动文件夹；默认是原文件夹名中的年份换成新年份，如 inputs/xinfeng-2024。")
@click.option("--force", is_flag=True, help="新活动文件夹已存在时，覆盖其中的 campaign.yaml、units.xlsx 和征求意见稿。")
@click.option("--deadline", callback=_date, default=None, help="反馈意见的截止日期，如 2023-12-15。")
@click.option("--contact", default=None, help="联系人和电话，如 \"王邦力 18720888958\"。")
@click.option("--date", "date", callback=_date, default=None, help="征求意见通知的成文日期；默认今天。")
@click.option("--fixed", "fixed", multiple=True, help="保持不变的目标名称（可重复使用）。")
@click.option("--docs", "docs", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="征求意见稿 DOCX、PDF 放在哪里；默认是新活动文件夹下的 征求意见稿/。")
@show.formats_option()
def draft_next_cmd(campaign: Path, year: int, growth, out, force, deadline, contact, date, fixed, docs,
                   formats=None) -> None:
    """根据本年活动文件夹生成下一年的活动文件夹和方案征求意见稿。

    月份和权重、目标的期间、方案和各公文的日期顺延到新年份；文号改为“〔年份〕**号”待编。

    目标按 --growth 增长（个数向上取整）；没有增长率的目标印作 ** 并加底纹，在控制台列出。

    不复制 reports/，复制 units.xlsx 和 templates/。反馈期限和联系人也可以写在 campaign.yaml 的 documents.draft 下。"""
    from gongwen.build import draft_next
    from gongwen.writers.registry import parse_formats

    with console.status("生成下一年活动配置和征求意见稿……"):
        r = draft_next(campaign, year, growth=growth, out=out, force=force, deadline=deadline,
                       contact=contact, date=date, fixed=list(fixed) or None, docs=docs,
                       formats=parse_formats(formats))
    console.print(f"[green]✓[/green] 新活动文件夹：{r.folder}（已按新配置载入检查）", soft_wrap=True)
    console.print("  月份：" + "，".join(r.shifted), markup=False, highlight=False)
    if r.changes:
        console.print("目标：", markup=False)
        for ch in r.changes:
            mark = "（待定，方案中印作 **）" if ch.pending else ""
            console.print(f"  · {ch.label}：{ch.old} → {ch.new}{mark}", markup=False, highlight=False)
    pending = [ch for ch in r.changes if ch.pending]
    if pending:
        console.print(f"[yellow]{len(pending)} 项目标待定：定下数值后改 campaign.yaml，并从 documents.draft.pending 删去对应的键。[/yellow]")
    for path in r.files:
        console.print(f"[green]✓[/green] 征求意见稿：{path}", soft_wrap=True)


def register(group: click.Group) -> None:
    group.add_command(draft_next_cmd)
