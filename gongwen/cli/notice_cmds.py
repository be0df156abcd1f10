"""Commands for single notices: render, fonts."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from gongwen.cli import show
from gongwen.errors import UserError


def _all_text(notice) -> str:
    from gongwen.notice.tree import Paragraph, Table as TTable

    parts = [notice.title, notice.addressee or "", notice.cc or "", notice.printer or "", notice.note or ""]
    parts += notice.organs + notice.masthead + notice.signatures + notice.signers
    for blocks in [notice.body] + [a.body for a in notice.attachments]:
        for b in blocks:
            if isinstance(b, Paragraph):
                parts.append(b.text)
            elif isinstance(b, TTable):
                parts.extend(c for row in b.header + b.rows for c in row)
    parts += [a.title for a in notice.attachments]
    return "".join(parts)


def register(group: click.Group) -> None:
    @group.command("render")
    @click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
    @click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs/notices"),
                  show_default=True, help="输出文件夹。")
    @show.formats_option()
    def render_cmd(sources: tuple[Path, ...], out_dir: Path, formats: str | None = None) -> None:
        """把公文源文件（文头 + 正文的 .txt）排成 DOCX 和 PDF。

        SOURCES 可以是一个或多个 .txt 文件，也可以是文件夹（处理其中所有 .txt）。
        也可以直接给在 Word/WPS 里打好的 .docx（装有 LibreOffice 时也可以是 .doc）：
        先导入成源文件（同时写出 OUT/<文件名>.txt，拿不准的地方有 # 注释），再排版（一键排版）。
        每个源文件写出 OUT/<文件名>.docx 和 OUT/<文件名>.pdf（--formats 可另选格式）。
        """
        from gongwen.build import render
        from gongwen.writers.registry import by_ext, parse_formats

        chosen = parse_formats(formats)
        with show.progress() as step:
            result = render(sources, out_dir, chosen, progress=step)
        table = Table(title=f"已写出 {len(result.written)} 个文件到 {out_dir}")
        writers = by_ext()
        shown = sorted(chosen)  # docx, ofd, pdf
        for col in ("源文件", *(writers[e].label for e in shown), "页数"):
            table.add_column(col)
        for r in result.rendered:
            table.add_row(r.source.name, *(r.files[e].name if e in r.files else "—" for e in shown), str(r.pages))
        Console().print(table)

    @group.command("fonts")
    @click.argument("sources", nargs=-1, type=click.Path(exists=True, path_type=Path))
    def fonts_cmd(sources: tuple[Path, ...]) -> None:
        """列出每个字体角色实际使用的字体，以及输入文字中它写不出的字。

        不给 SOURCES 时检查 inputs/ 下的全部公文源文件。
        """
        from gongwen import INPUTS_DIR
        from gongwen.build.notices import find_sources
        from gongwen.notice import fonts
        from gongwen.notice.source import read_source

        files = find_sources(sources) if sources else sorted(INPUTS_DIR.rglob("*.txt"))
        text = "".join(_all_text(read_source(f)) for f in files)
        labels = {
            "masthead": "发文机关标志", "title": "标题", "body": "正文", "heading1": "一级标题",
            "heading2": "二级标题", "page_number": "页码", "banji": "版记", "signer_name": "签发人姓名",
            "table_header": "表头", "label": "附件标识/标签",
        }
        table = Table(title=f"字体角色（检查了 {len(files)} 个源文件中的 {len(set(text))} 个不同字符）")
        for col in ("角色", "DOCX 写入的字体", "PDF 实际使用", "文件", "主字体缺的字（由谁补）"):
            table.add_column(col)
        problems = 0
        for role in fonts.roles():
            primary, missing = fonts.coverage_report(role, text)
            if primary is None:
                table.add_row(labels.get(role, role), fonts.office_font(role), "[red]未安装任何候选字体[/red]", "", "")
                problems += 1
                continue
            gaps = "、".join(f"{ch}→{fb or '[red]无字体可写[/red]'}" for ch, fb in missing.items()) or "无"
            problems += sum(1 for fb in missing.values() if fb is None)
            table.add_row(labels.get(role, role), fonts.office_font(role),
                          primary.family + (" 粗体" if primary.bold else ""), Path(primary.file).name, gaps)
        Console().print(table)
        if problems:
            raise UserError(f"有 {problems} 处文字没有字体能写出，请安装相应字体（运行 bash scripts/setup.sh）。")
