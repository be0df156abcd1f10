"""The plain-text body as staff write it: one paragraph per line, heading
level read from the numbering, tables in a small block syntax."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from gongwen.errors import UserError
from gongwen.notice.spans import placeholder_spans
from gongwen.notice.tree import Block, Image, PageBreak, Paragraph, Table

CN_NUM = "一二三四五六七八九十百零〇"
HEADING_PATTERNS = [
    ("h1", re.compile(rf"^[{CN_NUM}]+、")),
    ("h2", re.compile(rf"^[（(][{CN_NUM}]+[）)]")),
    ("h4", re.compile(r"^[（(]\d+[）)]")),
    ("h3", re.compile(r"^\d+[.．、](?!\d)")),
]
# Headings whose font differs from the body's; their run-in part ends at the first full stop.
RUNIN_STOP = "。"
# A heading is a phrase: a numbered paragraph (or its run-in part) longer than
# this many characters is an item of body text, not a heading. A reading rule,
# not a layout number: it decides what the text is, not where it goes.
HEADING_MAX_CHARS = 30
# A numbered line with no sentence in it (一、关于……有关问题) is a heading up to this long.
HEADING_PHRASE_MAX_CHARS = 60
SENTENCE_MARKS = "。；！？;!?"

TABLE_OPEN = re.compile(r"^:::\s*表格(?P<opts>.*)$")
BLOCK_CLOSE = re.compile(r"^:::\s*$")
PAGE_BREAK = re.compile(r"^:::\s*分页\s*(:::)?\s*$")
# One line set centred, or flush left without indent: ::: 居中 文字 / ::: 顶格 文字
ALIGNED_LINE = re.compile(r"^:::\s*(?P<how>居中|顶格|居右)\s+(?P<text>.+?)\s*(:::)?\s*$")
# A numbered paragraph the source says is not a heading: ::: 正文 一、……
PLAIN_LINE = re.compile(r"^:::\s*正文\s+(?P<text>.+?)\s*(:::)?\s*$")
IMAGE_LINE = re.compile(r"^:::\s*图片\s+(?P<opts>.+?)\s*(:::)?\s*$")
OPTION = re.compile(r"(?P<key>[^\s=]+)(?:=(?P<val>\"[^\"]*\"|\S+))?")
CELL_SPLIT = re.compile(r"\s*[|｜]\s*")
# Characters staff put in front of a paragraph to indent it by hand.
LEADING_SPACE = " \t\u3000\u00a0"


def heading_kind(text: str) -> str:
    for kind, pattern in HEADING_PATTERNS:
        if pattern.match(text):
            return kind
    return "body"


def make_paragraph(text: str, plain: bool = False) -> Paragraph:
    """A paragraph; numbered ones are headings when short. A heading is a
    phrase: the whole paragraph, or its run-in part up to the first 。,
    at most HEADING_MAX_CHARS long (HEADING_PHRASE_MAX_CHARS for a line
    without any sentence mark: 一、关于……有关问题). A numbered item
    longer than that (一、请有关单位……申报。) is body text. `plain`: the
    source said so (::: 正文 …)."""
    kind = "body" if plain else heading_kind(text)
    spans = placeholder_spans(text)
    if kind == "body":
        return Paragraph(text=text, placeholders=spans)
    stop = text.find(RUNIN_STOP)
    runin = len(text) if stop < 0 or stop == len(text) - 1 else stop + 1
    phrase = runin == len(text) and not any(c in SENTENCE_MARKS for c in text)
    if runin > (HEADING_PHRASE_MAX_CHARS if phrase else HEADING_MAX_CHARS):
        return Paragraph(text=text, placeholders=spans)
    return Paragraph(text=text, kind=kind, runin=runin, placeholders=spans)


def _options(raw: str) -> dict[str, str]:
    opts = {}
    for m in OPTION.finditer(raw.strip()):
        val = m.group("val")
        if val and val.startswith('"'):
            val = val[1:-1]
        opts[m.group("key")] = val if val is not None else ""
    return opts


def _table(opts: dict[str, str], lines: list[str], base: Path | None, where: str,
           data: dict | None = None) -> Table:
    rows: list[list[str]]
    if "数据" in opts:
        # A table the program supplies by name (document builders): its cells are data,
        # never parsed as syntax, so a | or a newline in a unit name stays literal.
        key = opts["数据"]
        if not data or key not in data:
            raise UserError(f"{where}：模板引用了不存在的表格数据“{key}”")
        table = data[key]
        if not isinstance(table, Table):
            raise UserError(f"{where}：“{key}”不是表格数据")
        table = Table(**{**{k: v for k, v in table.__dict__.items() if k != "_cells"}, "placeholders": None})
        if opts.get("标题"):
            table.title = opts["标题"]
        if "横排" in opts:
            table.landscape = True
        return table
    if "文件" in opts:
        path = Path(opts["文件"])
        if base is not None and not path.is_absolute():
            path = base / path
        if not path.exists():
            raise UserError(f"{where}：表格文件 {opts['文件']} 不存在")
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = [[c.strip() for c in r] for r in csv.reader(fh) if any(c.strip() for c in r)]
    else:
        rows = []
        written = [ln.strip() for ln in lines if ln.strip()]
        # A bar opening every row is decoration; a bar opening only some rows
        # stands after an empty first cell ("| 2023年 | 2024年" under "项目 | 2023年 | 2024年").
        opening = bool(written) and all(ln[0] in "|｜" for ln in written)
        for line in written:
            if opening:
                line = line[1:]
            # A closing bar is decoration; an empty last cell is "… | 备注 | |".
            if line and line[-1] in "|｜":
                line = line[:-1]
            rows.append([c.strip() for c in re.split(r"[|｜]", line)])
    nhead = int(opts.get("表头", "1") or 1)
    widths = None
    if opts.get("列宽"):
        try:
            widths = [float(w) for w in re.split(r"[,，]", opts["列宽"])]
        except ValueError as exc:
            raise UserError(f"{where}：列宽应为逗号分隔的数字，例如 列宽=1,3,1") from exc
    landscape = True if "横排" in opts else (False if "竖排" in opts else None)
    size = {"小": "table_small", "小号": "table_small", "正文": "body", "四号": "table"}.get(opts.get("字号", ""))
    align = None
    if opts.get("对齐"):
        names = {"左": "left", "中": "center", "右": "right", "两端": "justify"}
        align = [names.get(a, "center") for a in re.split(r"[,，]", opts["对齐"])]
    header, body_rows = rows[:nhead], rows[nhead:]
    table = Table(
        header=header,
        rows=body_rows,
        placeholders={(r, c): spans for r, row in enumerate(header + body_rows)
                      for c, cell in enumerate(row) if (spans := placeholder_spans(cell))},
        title=opts.get("标题") or None,
        widths=widths,
        landscape=landscape,
        font_size=size,
        align=align,
        note=opts.get("注") or None,
    )
    if widths and len(widths) != table.ncols:
        raise UserError(f"{where}：列宽给了 {len(widths)} 个数，表格有 {table.ncols} 列")
    return table


def parse_body(text: str, base: Path | None = None, where: str = "正文", first_line: int = 1,
               data: dict | None = None) -> list[Block]:
    """Parse body text into blocks. `where` and `first_line` locate errors;
    `data` holds tables and pictures a template refers to by name (数据=名称)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        raw = lines[i].rstrip()
        stripped = raw.strip(LEADING_SPACE)
        lineno = first_line + i
        i += 1
        if not stripped:
            continue
        if PAGE_BREAK.match(stripped):
            blocks.append(PageBreak())
            continue
        m = ALIGNED_LINE.match(stripped)
        if m:
            align = {"居中": "center", "顶格": "left", "居右": "right"}[m.group("how")]
            text = m.group("text")
            blocks.append(Paragraph(text=text, align=align, indent_chars=0.0, placeholders=placeholder_spans(text)))
            continue
        m = PLAIN_LINE.match(stripped)
        if m:
            blocks.append(make_paragraph(m.group("text"), plain=True))
            continue
        m = IMAGE_LINE.match(stripped)
        if m:
            opts = _options(m.group("opts"))
            if "数据" in opts:
                img = (data or {}).get(opts["数据"])
                if not isinstance(img, Image):
                    raise UserError(f"{where} 第{lineno}行：模板引用了不存在的图片数据“{opts['数据']}”")
                blocks.append(Image(path=img.path, title=opts.get("标题") or img.title, width_ratio=img.width_ratio))
                continue
            path = opts.get("文件") or next(iter(opts), "")
            if base is not None and path and not Path(path).is_absolute():
                path = str((base / path).resolve())
            if not path or not Path(path).exists():
                raise UserError(f"{where} 第{lineno}行：图片文件 {path or '（未给出）'} 不存在")
            blocks.append(Image(path=path, title=opts.get("标题") or None))
            continue
        m = TABLE_OPEN.match(stripped)
        if m:
            opts = _options(m.group("opts"))
            cells: list[str] = []
            if "文件" not in opts and "数据" not in opts:
                while i < len(lines) and not BLOCK_CLOSE.match(lines[i].strip()):
                    cells.append(lines[i])
                    i += 1
                if i >= len(lines):
                    raise UserError(f"{where} 第{lineno}行：表格没有以单独一行的 ::: 结束")
                i += 1  # the closing :::
            elif i < len(lines) and BLOCK_CLOSE.match(lines[i].strip()):
                i += 1
            blocks.append(_table(opts, cells, base, f"{where} 第{lineno}行", data))
            continue
        blocks.append(make_paragraph(stripped))
    return blocks
