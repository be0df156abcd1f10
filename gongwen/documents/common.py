"""What every document builder shares: the issuing details with defaults,
the month's figures per sheet, ranking tables, the template context."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from gongwen.campaign import Computed, MonthData
from gongwen.campaign.sheets import AMOUNT
from gongwen.documents import numbers as N
from gongwen.documents.settings import Documents, Issue, load_documents
from gongwen.errors import UserError
from gongwen.notice.tree import Notice, Table


@dataclass
class Doc:
    """A document a builder produced: where it goes (relative path without
    extension), the notice, and the inputs it was made from."""

    rel: str
    notice: Notice
    kind: str
    period: str
    inputs: list[str] = field(default_factory=list)
    base_url: str | None = None
    word_template: str | None = None  # a docxtpl template to fill instead of the built-in DOCX
    context: dict | None = None  # the template context (for docxtpl)


def settings(c: Computed) -> Documents:
    return load_documents(c.campaign.config.documents)


def issue(c: Computed, which: Issue, date: dt.date | None, number_key: str) -> dict:
    """The issuing details of one document: its own keys, else the section's defaults."""
    s = settings(c)
    organ = s.organ or c.campaign.config.issuer or c.campaign.name
    organs = which.organs or [organ]
    number = auto_number(s, which.number or s.numbers.get(number_key), number_key)
    return {
        "organs": organs,
        "number": number,
        "date": which.date or date,
        "addressee": which.addressee or s.addressee,
        "cc": which.cc if which.cc is not None else s.cc,
        "printer": which.printer or s.printer or organs[0],
        "seal": s.seal if which.seal is None else which.seal,
    }


def auto_number(s: Documents, number: str | None, where: str) -> str | None:
    """`auto` becomes documents.number_pattern (信开放办〔{year}〕{n}号); a number
    with {n} is a pattern itself. The register (gongwen.archive.register.assign)
    fills it in before typesetting; a number left unset stays unset."""
    if number is None or number.strip().lower() != "auto":
        return number
    if not s.number_pattern:
        raise UserError(f"documents.numbers 的 {where} 写了 auto，但没有 documents.number_pattern："
                        "请写明文号格式，如 number_pattern: 信开放办〔{year}〕{n}号")
    return s.number_pattern


def month_end_date(c: Computed, month: str) -> dt.date:
    """Default 成文日期 of a month's documents: the configured day of the next month."""
    y, m = int(month[:4]), int(month[5:7])
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return dt.date(y, m, settings(c).bulletin_day)


@dataclass
class SheetStats:
    count: int
    amount: Decimal | None  # the sum of the sheet's first amount column (亿元)
    units: int  # how many units reported rows
    rows: list


def sheet_stats(c: Computed, data: MonthData | list[MonthData]) -> dict[str, SheetStats]:
    """Per sheet of the campaign: rows, amount total, reporting units."""
    months = data if isinstance(data, list) else [data]
    out = {}
    for sheet in c.campaign.sheets:
        rows = [r for md in months for r in md.rows(sheet.name)]
        amount_col = next((col.name for col in sheet.columns if col.kind == AMOUNT), None)
        amount = sum((Decimal(str(r.get(amount_col))) for r in rows if r.get(amount_col) is not None), Decimal(0)) if amount_col else None
        out[sheet.name] = SheetStats(len(rows), amount, len({r.unit for r in rows}), rows)
    return out


def ranking_table(c: Computed, month: str, category: str) -> Table:
    """排名, 单位, one column per assessed dimension, 总分 — the rows of 得分明细.xlsx."""
    score = c.scores[month]
    units = score.category(category)
    dims = [d for d in c.campaign.dimensions if any(u.dimensions[d].points is not None for u in units)]
    header = ["排名", "单位", *dims, "总分"]
    rows = []
    for u in units:
        cells = [str(u.rank), u.name]
        for d in dims:
            p = u.dimensions[d].points
            cells.append("—" if p is None else N.count(p))
        cells.append(N.score(u.total))
        rows.append(cells)
    widths = [0.8, 3.2] + [1.0] * len(dims) + [1.1]
    return Table(header=[header], rows=rows, widths=widths, font_size="table_small" if len(dims) > 4 else "table")


def final_table(c: Computed, category: str) -> Table:
    """排名, 单位, the monthly totals, 总分 (weighted)."""
    units = c.final.category(category)
    months = c.final.months
    header = ["排名", "单位", *[f"{N.month_cn(m)}（{N.pct(c.final.weights[m] * 100)}）" for m in months], "总分"]
    rows = [[str(u.rank), u.name, *[N.score(u.monthly[m]) for m in months], N.score(u.total)] for u in units]
    return Table(header=[header], rows=rows, widths=[0.8, 3.2] + [1.2] * len(months) + [1.1], font_size="table")


def campaign_context(c: Computed) -> dict:
    """What any template may use about the campaign."""
    cfg = c.campaign.config
    s = settings(c)
    months = c.campaign.months
    return {
        "campaign": {
            "id": cfg.id, "name": cfg.name, "issuer": cfg.issuer or s.organ,
            "plan_document": cfg.plan_document, "plan_title": s.plan.title,
            "months": months, "first_month": months[0], "last_month": months[-1],
            "year": int(months[0][:4]), "categories": c.campaign.categories,
            "dimensions": c.campaign.dimensions,
            "leaders_name": cfg.lists.leaders.name if cfg.lists and cfg.lists.leaders else "一马当先榜",
            "laggards_name": cfg.lists.laggards.name if cfg.lists and cfg.lists.laggards else "奋起直追榜",
        },
        "office": s.organ or cfg.issuer,
    }
