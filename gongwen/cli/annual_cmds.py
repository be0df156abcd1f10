"""The `annual` command: the 年终考评 通报 of one year from one or several campaigns."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

console = Console(stderr=True)


@click.command("annual")
@click.argument("campaigns", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--year", type=int, default=None,
              help="考评年度，如 2023；不写时用第一个活动 documents.annual.year，再不写用其月份的年份。")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹：写出 annual/<标题>.docx、.pdf 和 annual/manifest.json。")
def annual_cmd(campaigns: tuple[Path, ...], year: int | None, out: Path) -> None:
    """汇总同一年度一个或几个活动（活动文件夹依次列出）的报表，算出各单位全年主要指标、
    各活动成绩、考评得分和排名，按第一个活动 campaign.yaml 里 documents.annual 的规则
    评定等次、写明奖励，生成年终考评通报（DOCX 和 PDF）。

    已结束的活动用活动总分；尚未结束的活动按已报送月份的平均分计算，并在通报中注明。"""
    from gongwen.campaign import compute, load_campaign
    from gongwen.campaign.manifest import MANIFEST_FILE, Manifest
    from gongwen.campaign.xlsxio import write_all
    from gongwen.documents import annual
    from gongwen.documents.build import typeset_doc
    from gongwen.documents.settings import load_documents

    def settings_of(camp):
        return load_documents(camp.config.documents)
    from gongwen.documents.templating import Templates

    from gongwen.errors import UserError

    loaded = [load_campaign(folder) for folder in campaigns]
    if year is None:
        year = settings_of(loaded[0]).annual.year or int(loaded[0].months[0][:4])
    outside = [f"{camp.folder}（{'、'.join(camp.months)}）" for camp in loaded
               if not any(int(m[:4]) == year for m in camp.months)]
    if outside:
        raise UserError(f"这些活动的月份不在{year}年内，不能参加{year}年度考评：", outside)
    computed = []
    for folder, camp in zip(campaigns, loaded):
        with console.status(f"读取并检查 {folder} 的报表……"):
            c = compute(camp)
        if c.warnings:
            console.print(f"[yellow]{folder}：提示 {len(c.warnings)} 条，不影响考评（运行 build 可查看）[/yellow]")
        computed.append(c)
    primary = computed[0]
    manifest = Manifest(campaign="+".join(c.campaign.id for c in computed))
    base = Path.cwd()
    inputs = sorted({i for c in computed for i in annual.campaign_inputs(base, c, manifest.add_input)})
    with console.status("计算考评结果……"):
        doc, result = annual.annual_document(computed, Templates(primary.campaign.folder), inputs, year)
    with console.status(f"排版 {doc.rel} ……"):
        docx, pdf, pages = typeset_doc(doc, primary.campaign.folder)
    files: dict[Path, bytes] = {}
    for ext, data in (("docx", docx), ("pdf", pdf)):
        if data is None:
            continue
        rel = f"{doc.rel}.{ext}"
        files[out / rel] = data
        manifest.add(rel, data, doc.inputs, kind=doc.kind, period=doc.period)
    files[out / annual.ANNUAL_DIR / MANIFEST_FILE] = manifest.to_bytes()
    write_all(files)

    for run in result.runs:
        if run.complete:
            console.print(f"[green]✓[/green] {run.name}：活动已结束，用活动总分")
        else:
            console.print(f"[yellow]![/yellow] {run.name}：{year}年已报送 {len(run.scored)}/{len(run.months)} 个月，"
                          "活动尚未结束，按已报月份平均分计算")
    t = Table(title=f"{year}年度考评等次")
    t.add_column("类别")
    t.add_column("等次")
    t.add_column("单位", overflow="fold")
    for cat in result.categories:
        for level, units in result.level_groups(cat):
            t.add_row(cat, level.name, "、".join(u.name for u in units) or "—")
        rest = [u.name for u in result.category(cat) if u.level is None]
        if rest:
            t.add_row(cat, "未评等次", "、".join(rest))
    console.print(t)
    shown = f"{pages} 页" if pdf is not None else "只有 DOCX"
    console.print(f"共写出 {len(files)} 个文件到 {out / annual.ANNUAL_DIR}：{Path(doc.rel).name}（{shown}）")


def register(group: click.Group) -> None:
    group.add_command(annual_cmd)
