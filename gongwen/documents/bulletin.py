"""The monthly 通报: 总体情况 with the month's figures and targets, one
ranking table per category, the two lists named, 存在问题 and 下步工作 from
the staff's reports/YYYY-MM.yaml (or a marked draft sentence)."""

from __future__ import annotations

from decimal import Decimal

from gongwen.campaign import Computed
from gongwen.documents import numbers as N
from gongwen.documents.common import (
    Doc, campaign_context, month_end_date, ranking_table, settings, sheet_stats,
)
from gongwen.documents.kinds import Item, Kind, make_docs
from gongwen.documents.settings import load_month_notes
from gongwen.documents.templating import Source, Templates

DRAFT = "【待补充：请在 reports/{month}.yaml 的“{key}”下写明本月{what}，重新运行 build】"


def _count(rows, column, value) -> int:
    return sum(1 for r in rows if r.get(column) == value)


def _at_least(rows, amount: Decimal) -> int:
    return sum(1 for r in rows if r.get("投资额（亿元）") is not None and Decimal(str(r.get("投资额（亿元）"))) >= amount)


def figures(c: Computed, month: str) -> dict:
    """The month's figures for 总体情况, for whichever sheets the campaign uses."""
    stats = sheet_stats(c, c.data[month])
    f: dict = {"sheets": stats}
    if "外出招商" in stats:
        rows = stats["外出招商"].rows
        f["trips"] = len(rows)
        f["principal_trips"] = _count(rows, "是否主要负责人", "是")
        f["visits"] = sum(int(r.get("拜访企业数") or 0) for r in rows)
    if "在谈项目" in stats:
        f["talks"] = stats["在谈项目"].count
        f["talks_serious"] = _count(stats["在谈项目"].rows, "阶段", "实质性谈判")
    if "签约项目" in stats:
        rows = stats["签约项目"].rows
        f["signed"] = len(rows)
        f["signed_amount"] = stats["签约项目"].amount or Decimal(0)
        f["signed_1yi"] = _at_least(rows, Decimal(1))
        f["signed_10yi"] = _at_least(rows, Decimal(10))
    if "开工项目" in stats:
        f["starts"] = stats["开工项目"].count
        f["starts_amount"] = stats["开工项目"].amount or Decimal(0)
    for extra in ("项目线索", "竣工项目"):
        if extra in stats:
            f[extra] = stats[extra]
    return f


def unit_names(items) -> list[str]:
    return [u.name for u in items]


def _notes(c: Computed, month: str):
    return load_month_notes(c.campaign.folder / "reports" / f"{month}.yaml")


def _date(c: Computed, month: str):
    notes = _notes(c, month)
    return (notes.date if notes and notes.date else None) or month_end_date(c, month)


def items(c: Computed, month: str, info: dict) -> list[Item]:
    notes = _notes(c, month)
    if notes and notes.number:
        info["number"] = notes.number
    s = settings(c)
    score = c.scores[month]
    lists = c.lists[month]
    categories = []
    data = {}
    for i, cat in enumerate(c.campaign.categories):
        key = f"rank_{i}"
        data[key] = ranking_table(c, month, cat)
        cl = lists.category(cat)
        categories.append({
            "name": cat, "table": key, "count": len(score.category(cat)),
            "leaders": [u.name for _, u in cl.leaders], "laggards": unit_names(cl.laggards),
            "top": score.category(cat)[0].name if score.category(cat) else "",
        })
    period_targets = [t for t in c.targets if t.period == month]
    chart = None
    if s.chart:
        from gongwen.documents.chart import category_totals_chart

        chart = category_totals_chart(c, month)
        data["chart"] = chart
    context = {
        **campaign_context(c),
        "month": month, "month_cn": N.month_cn(month), "month_full": N.month_full(month),
        "issue": info, "figures": figures(c, month), "targets": period_targets,
        "categories": categories, "lists": lists, "chart": chart is not None,
        "problems": notes.problems if notes and notes.problems else [
            Source(DRAFT.format(month=month, key="存在问题", what="存在的主要问题"))],
        "next_steps": notes.next_steps if notes and notes.next_steps else [
            Source(DRAFT.format(month=month, key="下步工作", what="下步工作安排"))],
        "highlights": notes.highlights if notes else [],
        "notes_given": bool(notes and (notes.problems or notes.next_steps)),
    }
    return [Item(f"{N.month_cn(month)}工作情况通报", context, data)]


KIND = Kind("通报", "通报", "bulletin", "通报.txt.j2", items, date=_date, number_key=lambda month: month)


def build(c: Computed, month: str, templates: Templates, inputs: list[str]) -> Doc:
    """The month's 通报."""
    return make_docs(KIND, c, templates, month, inputs)[0]
