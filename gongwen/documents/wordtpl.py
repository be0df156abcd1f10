"""Offices' own Word templates: any document can be filled into a .docx that
staff designed in Word or WPS with Jinja tags (docxtpl), from the same context
the built-in templates get, instead of the built-in GB/T 9704 layout. Its PDF
comes from LibreOffice when it is installed; without it only the DOCX is made,
and the build says so.

In a Word template:
  {{ month_cn }} {{ issue.date }} {{ figures.signed_amount|yi }}   values and the same filters
                                                                   (yi pct score count date month month_full join_cn)
  {%p if … %} / {%p for … %} … {%p endfor %}                      paragraph-level conditions and loops
  {%tr for row in tables[0].rows %} … {%tr endfor %}              one table row per data row
  {%tc for v in row[2:] %} {{ v }} {%tc endfor %}                 a cell per value (variable columns)
`tables` lists the document's data tables in the order the built-in layout
places them (for the monthly 通报: one ranking table per category, in category
order), each with .title, .header (the column names), .rows (lists of cell
texts) and .note. Decimal numbers print without trailing zeros, dates as
2023年6月30日, missing values as nothing."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from gongwen import TEMPLATES_DIR
from gongwen.documents import numbers as N
from gongwen.documents import templating
from gongwen.errors import UserError
from gongwen.stablezip import stable_zip
from gongwen.notice.tree import Notice, Table

FILTERS = ("yi", "pct", "score", "count", "date", "month", "month_full", "join_cn")


def _finalize(value):
    """What a Word template prints for a value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return N.count(value)
    if isinstance(value, dt.date):
        return N.cn_date(value)
    if isinstance(value, str):
        return templating.CONTROL.sub("", value)
    return value


def environment() -> SandboxedEnvironment:
    """Jinja for Word templates: sandboxed, XML-escaped, strict about unknown names,
    with the filters of the text templates."""
    env = templating.sandbox(autoescape=True, undefined=jinja2.StrictUndefined, finalize=_finalize)
    base = templating.environment([TEMPLATES_DIR]).filters
    env.filters.update({name: base[name] for name in FILTERS})
    return env


def _table(t: Table) -> dict:
    return {"title": t.title or "", "header": list(t.header[-1]) if t.header else [],
            "rows": [list(r) for r in t.rows], "note": t.note or ""}


def notice_tables(notice: Notice) -> list[dict]:
    """The notice's tables, body first then attachments, as plain lists for {%tr %} loops."""
    blocks = list(notice.body) + [b for a in notice.attachments for b in a.body]
    return [_table(b) for b in blocks if isinstance(b, Table)]


def word_context(context: dict | None, notice: Notice | None = None) -> dict:
    """The built-in template's context plus the document's tables and title."""
    ctx = dict(context or {})
    if notice is not None:
        ctx.setdefault("tables", notice_tables(notice))
        ctx.setdefault("title", notice.title.replace("\n", ""))
    else:
        ctx.setdefault("tables", [])
    return ctx


def resolve(name: str | Path, campaign_folder: Path | None = None) -> Path:
    """A Word template named in campaign.yaml: an absolute path, or relative to the
    campaign folder, its templates/, the project's templates/ or the current folder."""
    p = Path(name)
    if p.is_absolute():
        candidates = [p]
    else:
        roots = ([campaign_folder, campaign_folder / "templates"] if campaign_folder else []) + [TEMPLATES_DIR, Path.cwd()]
        candidates = [r / p for r in roots]
    for c in candidates:
        if c.is_file():
            return c
    raise UserError(f"找不到 Word 模板 {name}（查找位置：{'、'.join(str(c.parent) for c in candidates)}）")


def _fit_tables(document) -> None:
    """After {%tc %} loops, make the column grid follow the cells' own widths
    (docxtpl spreads the table width evenly over all columns), scaled to the
    table's width: a wide 单位 column stays wide, repeated cells share the rest."""
    from docx.oxml.ns import qn

    for table in document.tables:
        tbl = table._tbl
        grid = tbl.find(qn("w:tblGrid"))
        first = tbl.find(qn("w:tr"))
        if grid is None or first is None:
            continue
        cols = grid.findall(qn("w:gridCol"))
        widths = []
        for tc in first.findall(qn("w:tc")):
            w = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
            span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
            if w is None or w.get(qn("w:type")) not in (None, "dxa") or span is not None:
                widths = []
                break
            widths.append(int(w.get(qn("w:w"))))
        total = sum(int(float(c.get(qn("w:w"), 0))) for c in cols)
        if not widths or len(widths) != len(cols) or not total or widths == [int(float(c.get(qn("w:w"), 0))) for c in cols]:
            continue
        scaled = [round(w * total / sum(widths)) for w in widths]
        for c, w in zip(cols, scaled):
            c.set(qn("w:w"), str(w))
        for tr in tbl.findall(qn("w:tr")):
            cells = tr.findall(qn("w:tc"))
            if len(cells) != len(scaled):
                continue
            for tc, w in zip(cells, scaled):
                tcw = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
                if tcw is not None:
                    tcw.set(qn("w:w"), str(w))
                    tcw.set(qn("w:type"), "dxa")


def fill(template_path: str | Path, context: dict) -> bytes:
    """The DOCX bytes of a Word template filled with `context`."""
    from docxtpl import DocxTemplate

    path = Path(template_path)
    try:
        tpl = DocxTemplate(str(path))
        with templating.time_limit(path.name):
            tpl.render(context, jinja_env=environment(), autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        raise UserError(f"Word 模板 {path.name} 里的标签有语法错误：{exc.message}"
                        "（检查 {{ }}、{% %} 是否成对，{%tr %}、{%p %} 的开始和结束是否在同一表格或同一层）") from None
    except jinja2.UndefinedError as exc:
        raise UserError(f"Word 模板 {path.name} 用到了不存在的数据：{exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise UserError(f"Word 模板 {path.name} 试图访问程序内部，已拒绝（{exc}）") from None
    except zipfile.BadZipFile:
        raise UserError(f"{path} 不是 .docx 文件（旧的 .doc 请在 Word/WPS 里另存为 .docx）") from None
    _fit_tables(tpl.docx)
    buf = io.BytesIO()
    tpl.save(buf)
    return stable_zip(buf.getvalue())


def soffice() -> str | None:
    from gongwen.check.convert import soffice as find

    return find()


def _stable_pdf(data: bytes) -> bytes:
    """LibreOffice's PDF without its creation time and random ID."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        info = pdf.docinfo
        for key in ("/CreationDate", "/ModDate"):
            if key in info:
                del info[key]
        if "/Metadata" in pdf.Root:
            del pdf.Root["/Metadata"]
        for key in ("/ID", "/DocChecksum"):  # the ID is made again from the content
            if key in pdf.trailer:
                del pdf.trailer[key]
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


def pdf_via_libreoffice(docx: bytes) -> bytes | None:
    """PDF bytes converted by LibreOffice (gongwen.check.convert, the one
    LibreOffice client), or None when it is not installed."""
    from gongwen.check.convert import convert

    if soffice() is None:
        return None
    with tempfile.TemporaryDirectory(prefix="gongwen-lo-") as tmp:
        src = Path(tmp) / "document.docx"
        src.write_bytes(docx)
        return _stable_pdf(convert(src, "pdf", Path(tmp) / "out").read_bytes())


def pdf_pages(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as p:
        return len(p.pages)


def typeset(doc, campaign_folder: Path | None = None) -> tuple[bytes, bytes | None, int]:
    """A Doc with a word_template: DOCX bytes, PDF bytes (None without LibreOffice), pages (0 without PDF)."""
    path = resolve(doc.word_template, campaign_folder)
    docx = fill(path, word_context(doc.context, doc.notice))
    pdf = pdf_via_libreoffice(docx)
    return docx, pdf, pdf_pages(pdf) if pdf is not None else 0


__all__ = ["environment", "fill", "notice_tables", "pdf_via_libreoffice", "resolve", "soffice", "typeset", "word_context"]
