"""The campaign-end 通报 (DIR/final/): what the campaign achieved, every
target's completion, the weighted totals per category, the final lists, and
the commendation and criticism the plan's 结果运用 calls for (paragraphs from
campaign.yaml documents.commend / documents.criticise, or the template's
default naming the units on each list). Made only once every month is scored."""

from __future__ import annotations

from decimal import Decimal

from gongwen.campaign import Computed
from gongwen.campaign.build import FINAL_DIR, month_inputs
from gongwen.documents import numbers as N
from gongwen.documents.bulletin import figures
from gongwen.documents.common import Doc, campaign_context, final_table, month_end_date, settings
from gongwen.documents.honor import CN_ORDINALS, list_sections, lists_context
from gongwen.documents.kinds import Item, Kind, make_docs
from gongwen.documents.templating import Templates
from gongwen.notice.tree import Table

# Figures that add up over the months (在谈项目 carry over from month to month, so they do not).
SUMMED = ("trips", "principal_trips", "visits", "signed", "signed_amount", "signed_1yi", "signed_10yi",
          "starts", "starts_amount")


def campaign_figures(c: Computed) -> dict:
    """The monthly 通报's figures added up over every month of the campaign."""
    out: dict = {}
    for m in c.campaign.months:
        f = figures(c, m)
        for key in SUMMED:
            if key in f:
                out[key] = out.get(key, 0) + f[key]
        for extra in ("项目线索", "竣工项目"):
            if extra in f:
                prev = out.get(extra, {"count": 0, "amount": Decimal(0)})
                out[extra] = {"count": prev["count"] + f[extra].count,
                              "amount": prev["amount"] + (f[extra].amount or Decimal(0))}
    return out


def period_label(period: str) -> str:
    return "活动期间" if period == "campaign" else N.month_cn(period)


def targets_table(c: Computed) -> Table | None:
    """目标任务, 时段, 目标, 完成, 完成率 (and 达标单位 when a target is per unit)."""
    if not c.targets:
        return None
    per_unit = any(t.units for t in c.targets)
    header = ["序号", "目标任务", "时段", "目标", "完成", "完成率"] + (["达标单位"] if per_unit else [])
    rows = []
    for i, t in enumerate(c.targets, start=1):
        row = [str(i), t.name, period_label(t.period), f"{N.count(t.target)}{t.measure_word}",
               f"{N.count(t.done)}{t.measure_word}", N.pct(t.rate)]
        if per_unit:
            row.append(f"{t.units_met}/{len(t.units)}" if t.units else "—")
        rows.append(row)
    widths = [0.7, 4.0, 1.3, 1.2, 1.2, 1.2] + ([1.2] if per_unit else [])
    return Table(header=[header], rows=rows, widths=widths, font_size="table_small",
                 align=["center", "left", "center", "right", "right", "right"] + (["center"] if per_unit else []))


def items(c: Computed, period: str, info: dict) -> list[Item]:
    s = settings(c)
    months = c.campaign.months
    lists = c.lists[FINAL_DIR]
    data: dict = {}
    categories, list_data = list_sections(c, lists, months, rewards=True, prefix="final_")
    data.update(list_data)
    for i, (cat, entry) in enumerate(zip(c.campaign.categories, categories)):
        key = f"total_{i}"
        data[key] = final_table(c, cat)
        units = c.final.category(cat)
        entry.update({"total_table": key, "count": len(units), "top": units[0].name if units else ""})
    tt = targets_table(c)
    if tt is not None:
        data["targets"] = tt
    met = [t for t in c.targets if t.met]
    context = {
        **campaign_context(c), **lists_context(c),
        "issue": info, "categories": categories, "figures": campaign_figures(c),
        "weights": [{"month": m, "month_cn": N.month_cn(m), "percent": c.final.weights[m] * 100} for m in months],
        "first_month_full": N.month_full(months[0]), "last_month_cn": N.month_cn(months[-1]),
        "targets": c.targets, "targets_table": tt is not None, "targets_met": met,
        "targets_unmet": [t for t in c.targets if not t.met],
        "leaders": [name for cat in categories for name in cat["leaders"]],
        "laggards": [name for cat in categories for name in cat["laggards"]],
        "rewards": bool(lists.rewards),
        "commend": list(s.commend), "criticise": list(s.criticise),
        "ordinals": CN_ORDINALS,
    }
    return [Item("活动总结通报", context, data)]


def all_months_inputs(c: Computed, manifest, period: str) -> list[str]:
    """The campaign-end documents are made from every month's reports."""
    return sorted({i for m in c.scores for i in month_inputs(c, manifest, m)})


KIND = Kind("活动总结", "活动总结通报", "final", "活动总结通报.txt.j2", items,
            date=lambda c, period: month_end_date(c, c.campaign.months[-1]), number_key=lambda period: "final",
            periods=lambda c: [FINAL_DIR] if c.final is not None else [], folder=lambda period: FINAL_DIR,
            inputs=all_months_inputs)


def build(c: Computed, templates: Templates, inputs: list[str]) -> Doc | None:
    """The campaign-end 通报, once every month is scored."""
    if c.final is None:
        return None
    return make_docs(KIND, c, templates, FINAL_DIR, inputs)[0]
