"""Commands for what was issued: verify (an output folder against its manifest),
register (the 发文登记 of a campaign), issue (drafts -> issued)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

console = Console()


def register(group: click.Group) -> None:
    @group.command("verify")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--register", "register_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="发文登记文件：默认用生成时记在输出文件夹里的那个（.gongwen-register）；"
                       "活动文件夹或登记移动过时用这个选项指定。")
    def verify_cmd(folder: Path, register_file: Path | None) -> None:
        """按 manifest.json 重新计算 FOLDER 里每个文件的 SHA-256，列出缺失、被改动和多出的文件；
        有发文字号、已印发的公文还要与发文登记记下的 SHA-256 一致（清单被改过也查得出）。

        上次写出时中断（停电、程序被强行结束）留下的记录先按发文登记完成或恢复。
        全部一致时退出码为 0，否则为 1。"""
        from gongwen.archive.register import find_register, issued_check
        from gongwen.archive.verify import verify
        from gongwen.campaign.build import recover_locked

        for line in recover_locked(folder, sweep=False):
            console.print(f"[yellow]{line}[/yellow]", highlight=False, soft_wrap=True)
        path = register_file or find_register(folder)
        report = verify(folder, numbered=issued_check(path) if path else None)
        for title, items, colour in (("缺失", report.missing, "red"), ("被改动", report.changed, "red"),
                                     ("多出（清单里没有）", report.extra, "yellow"),
                                     ("清单里指向文件夹以外、已拒绝核对", report.refused, "red"),
                                     ("与发文登记不符", report.numbered, "red")):
            if items:
                console.print(f"[{colour}]{title} {len(items)} 个：[/{colour}]")
                for rel in items:
                    console.print(f"  · {rel}", markup=False, highlight=False, soft_wrap=True)
        checked = f"，已印发的公文与发文登记 {path} 一致" if path else ""
        if report.ok:
            console.print(f"[green]✓[/green] {report.checked} 个文件与 manifest.json 一致{checked}", highlight=False,
                          soft_wrap=True)
        else:
            console.print(f"核对了 {report.checked} 个文件：缺失 {len(report.missing)}，被改动 {len(report.changed)}，"
                          f"多出 {len(report.extra)}" + (f"，拒绝 {len(report.refused)}" if report.refused else "")
                          + (f"，与发文登记不符 {len(report.numbered)}" if report.numbered else ""))
            sys.exit(1)

    @group.command("register")
    @click.argument("campaign", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--register", "register_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="发文登记文件，默认为活动文件夹里的 发文登记.sqlite。")
    def register_cmd(campaign: Path, register_file: Path | None) -> None:
        """列出活动的发文登记：每个发文机关按年份、序号排列的发文字号、标题、成文日期、
        公文类型、期间、首次印发日期和版本数（重新印发过的大于 1）。"""
        from rich import box
        from rich.table import Table

        from gongwen.archive.register import Register, register_path

        path = register_path(campaign, register_file)
        rows = Register(path).listing()
        if not rows:
            console.print(f"{path} 里还没有登记任何公文（build 生成有发文字号的公文时自动登记）", highlight=False, soft_wrap=True)
            return
        shown = {"final": "活动结束", "plan": "方案", "annual": "年终"}
        organs: dict[str, list[dict]] = {}
        for r in rows:
            organs.setdefault(r["organ"], []).append(r)
        console.print(f"发文登记 {path}：{len(rows)} 份", highlight=False, soft_wrap=True)
        for organ, items in organs.items():
            t = Table(title=organ, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
            t.add_column("发文字号", no_wrap=True)
            t.add_column("标题", overflow="fold", min_width=10, ratio=1)
            t.add_column("成文日期", no_wrap=True)
            t.add_column("类型", overflow="fold")
            t.add_column("状态", no_wrap=True)
            t.add_column("首次印发", no_wrap=True)
            t.add_column("版本", no_wrap=True, justify="right")
            for r in items:
                t.add_row(r["number"] + ("*" if r["auto"] else ""), r["title"], r["date"] or "—",
                          f"{r['kind']} {shown.get(r['period'], r['period'])}",
                          "草稿" if r["state"] == "draft" else "已印发", r["first_issued"] or "—", str(r["version"]))
            console.print(t)
        if any(r["auto"] for r in rows):
            console.print("* 自动编号")

    @group.command("issue")
    @click.argument("campaign", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.argument("chosen", nargs=-1)
    @click.option("--out", "out", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
                  help="输出文件夹：给出时先核对其中的文件就是最近一次生成的，不一致则不印发。")
    @click.option("--register", "register_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="发文登记文件，默认为活动文件夹里的 发文登记.sqlite。")
    def issue_cmd(campaign: Path, chosen: tuple[str, ...], out: Path | None, register_file: Path | None) -> None:
        """印发：把 build 生成的草稿记为已印发。CHOSEN 可以是期间（如 2023-06、final、plan）、
        发文字号、文件名或文件路径（可不带扩展名）；不写则印发全部草稿。

        build 生成的有发文字号的公文先是草稿：文号已预留，重新生成时可随意改动，不需要 --reissue，
        也不留“（第N版）”。印发后内容就锁定了，再有改动须加 --reissue 重新印发。"""
        from gongwen.build import issue_documents

        result = issue_documents(campaign, out, chosen, register_file)
        for d in result.issued:
            console.print(f"[green]✓[/green] 已印发 {d.number}《{d.title}》（{d.rel}）", highlight=False, soft_wrap=True)
        for d in result.already:
            console.print(f"  {d.number}《{d.title}》（{d.rel}）早已印发（第 {d.version} 版），未改变",
                          markup=False, highlight=False, soft_wrap=True)
        if not result.issued and not result.already:
            console.print(f"{result.path} 里没有待印发的草稿", highlight=False, soft_wrap=True)
        elif result.issued:
            console.print(f"共印发 {len(result.issued)} 份；此后内容再有改动，build 须加 --reissue", highlight=False)
