"""The monthly 一马当先榜 / 奋起直追榜 document: per category, the units on
each list with their score, rank and what put them there (a leader's best
qualifying project; a laggard's signed projects, none of which qualified).
The list tables are shared with the campaign-end 通报."""

from __future__ import annotations

from decimal import Decimal

from gongwen.campaign import Computed, Lists, Record
from gongwen.documents import numbers as N
from gongwen.documents.common import Doc, campaign_context, month_end_date
from gongwen.documents.feedback import amount_column, biggest, describe_record, qualifying_context
from gongwen.documents.kinds import Item, Kind, make_docs
from gongwen.documents.templating import Templates
from gongwen.notice.tree import Table

CN_ORDINALS = "一二三四五六七八九十"


def best_qualifying(c: Computed, u) -> Record | None:
    """The record that earned the unit its place: the qualifying record a
    best-rule dimension scored highest (the 比签约速度 project), else the
    largest qualifying record."""
    if not u.qualifying:
        return None
    mine = {r.source for r in u.qualifying}
    for dim in getattr(u, "dimensions", {}).values():
        for part in dim.parts:
            if part.rule == "best" and part.earned and part.earned[0].source in mine:
                return part.earned[0]
    return biggest(c, u.qualifying)[0]


def _basis_columns(c: Computed) -> tuple[str, ...]:
    """The column that tells a qualifying record's kind (签约类型 for projects)."""
    q = c.campaign.config.lists.qualifying
    sheet = c.campaign.sheets.get(q.sheet)
    names = [p.column for d in c.campaign.config.scoring.dimensions for p in d.parts
             if p.rule == "best" and p.sheet == q.sheet and p.column]
    names.append("签约类型")
    for n in names:
        if sheet and sheet.column(n):
            return (n,)
    return ()


def leader_basis(c: Computed, u) -> str:
    rec = best_qualifying(c, u)
    return describe_record(c, rec, extra=_basis_columns(c)) if rec else "—"


def laggard_basis(c: Computed, u, months: list[str]) -> str:
    """What the unit reported on the qualifying sheet in the period: none, or
    how many and their total, none of which met the condition."""
    sheet = c.campaign.config.lists.qualifying.sheet
    rows = [r for m in months if m in c.data for r in c.data[m].rows(sheet, u.name)]
    if not rows:
        return f"无{sheet}"
    word = "个" if sheet.endswith("项目") else "条"
    col = amount_column(c, sheet)
    total = sum((Decimal(str(r[col])) for r in rows if col and r[col] is not None), Decimal(0))
    amount = f"、合计{N.yi(total)}" if col else ""
    return f"{sheet}{len(rows)}{word}{amount}，未达到上榜条件"


def leaders_table(c: Computed, lists: Lists, category: str, rewards: bool = False) -> Table | None:
    cl = lists.category(category)
    if not cl.leaders:
        return None
    header = ["名次", "单位", "总分", "类别排名", "上榜依据"]
    widths = [0.9, 2.6, 1.1, 1.1, 5.0]
    if rewards and lists.rewards:
        header.append("奖励")
        widths = [0.9, 2.4, 1.0, 1.0, 3.8, 1.9]
    rows = []
    for place, u in cl.leaders:
        row = [str(place), u.name, N.score(u.total), str(u.rank), leader_basis(c, u)]
        if len(header) == 6:
            row.append(lists.rewards.get(place, "—"))
        rows.append(row)
    return Table(header=[header], rows=rows, widths=widths, font_size="table_small",
                 align=["center", "left", "center", "center", "left"] + (["left"] if len(header) == 6 else []))


def laggards_table(c: Computed, lists: Lists, category: str, months: list[str]) -> Table | None:
    cl = lists.category(category)
    if not cl.laggards:
        return None
    sheet = c.campaign.config.lists.qualifying.sheet
    header = ["类别排名", "单位", "总分", f"{sheet}情况"]
    rows = [[str(u.rank), u.name, N.score(u.total), laggard_basis(c, u, months)] for u in cl.laggards]
    return Table(header=[header], rows=rows, widths=[1.1, 3.0, 1.1, 4.6], font_size="table_small",
                 align=["center", "left", "center", "left"])


def list_sections(c: Computed, lists: Lists, months: list[str], rewards: bool = False,
                  prefix: str = "") -> tuple[list[dict], dict]:
    """Per category: the names on each list and the keys of their tables in `data`."""
    categories, data = [], {}
    for i, cat in enumerate(c.campaign.categories):
        cl = lists.category(cat)
        lead, lag = leaders_table(c, lists, cat, rewards), laggards_table(c, lists, cat, months)
        entry = {
            "name": cat, "ordinal": CN_ORDINALS[i] if i < len(CN_ORDINALS) else str(i + 1),
            "leaders": [u.name for _, u in cl.leaders], "laggards": [u.name for u in cl.laggards],
            "leaders_table": None, "laggards_table": None,
            "leader_places": [{"place": p, "name": u.name, "reward": lists.rewards.get(p, "")} for p, u in cl.leaders],
        }
        if lead is not None:
            entry["leaders_table"] = f"{prefix}leaders_{i}"
            data[entry["leaders_table"]] = lead
        if lag is not None:
            entry["laggards_table"] = f"{prefix}laggards_{i}"
            data[entry["laggards_table"]] = lag
        categories.append(entry)
    return categories, data


def lists_context(c: Computed) -> dict:
    cfg = c.campaign.config.lists
    return {"places": cfg.leaders.places, "leaders_label": cfg.leaders.label,
            "laggards_label": cfg.laggards.label, **qualifying_context(c)}


def items(c: Computed, month: str, info: dict) -> list[Item]:
    lists = c.lists[month]
    categories, data = list_sections(c, lists, [month])
    context = {
        **campaign_context(c), **lists_context(c),
        "month": month, "month_cn": N.month_cn(month), "month_full": N.month_full(month),
        "issue": info, "categories": categories,
        "leaders_count": sum(len(x["leaders"]) for x in categories),
        "laggards_count": sum(len(x["laggards"]) for x in categories),
    }
    return [Item(f"{N.month_cn(month)}{lists.leaders_name}和{lists.laggards_name}", context, data)]


KIND = Kind("榜单", "榜单", "lists", "榜单.txt.j2", items, date=month_end_date,
            number_key=lambda month: f"{month}-lists")


def build(c: Computed, month: str, templates: Templates, inputs: list[str]) -> Doc:
    """The month's lists document."""
    return make_docs(KIND, c, templates, month, inputs)[0]
