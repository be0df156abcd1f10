"""The 得分反馈单: one page per unit per month showing the points of each
dimension, the report rows that earned them (with their sheet and Excel row),
what the unit lacked, and its rank in its category. Also the record
descriptions the lists documents reuse, and safe file names for unit names."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial
from decimal import Decimal
from pathlib import PurePosixPath

from gongwen.campaign import Computed, DimensionScore, PartScore, Record, UnitScore, record_label
from gongwen.campaign.sheets import AMOUNT, DATE
from gongwen.documents import numbers as N
from gongwen.documents.common import Doc, campaign_context, month_end_date, settings
from gongwen.documents.kinds import Item, Kind, make_docs
from gongwen.documents.templating import Templates
from gongwen.filenames import unique_stems
from gongwen.notice.tree import Table

FOLDER = "得分反馈单"
EVIDENCE_RECORDS = 3  # records listed per part before "等N条"


# ------------------------------------------------------------------ file names

# ------------------------------------------------------------ record wording

def _tidy(note: str) -> str:
    """Scoring notes put spaces round numbers ("得 0 分"); documents do not."""
    return re.sub(r"(?<=[^\x00-\x7f]) +(?=[\d.])|(?<=[\d.]) +(?=[^\x00-\x7f])", "", note)


def amount_text(column: str, value) -> str:
    if "万元" in column:  # written as offices write amounts: 1亿元 and more in 亿元
        return N.yi(Decimal(str(value)) / 10000)
    if "亿元" in column:
        return N.yi(value)
    return N.count(value)


def describe_record(c: Computed, rec: Record, extra: tuple[str, ...] = (), short_dates: bool = False) -> str:
    """项目名称（企业名称，12.50亿元，签约类型，2023年6月12日）: the record's label, then
    its enterprise, amounts, the `extra` columns and its dates."""
    label = record_label(rec)
    sheet = c.campaign.sheets.get(rec.sheet)
    details: list[str] = []
    if rec.get("项目名称") and rec.get("企业名称") and label != rec.get("企业名称"):
        details.append(str(rec["企业名称"]))
    columns = sheet.columns if sheet else ()
    for col in columns:
        if col.kind == AMOUNT and rec.get(col.name) is not None:
            details.append(amount_text(col.name, rec[col.name]))
    for name in extra:
        if rec.get(name) is not None:
            details.append(str(rec[name]))
    for col in columns:
        v = rec.get(col.name)
        if col.kind == DATE and v is not None and hasattr(v, "strftime"):
            text = f"{v.month}月{v.day}日" if short_dates else N.cn_date(v)
            if not label.startswith(f"{v.month}月{v.day}日"):
                details.append(text)
            else:  # the label is the date itself (e.g. 信息报送): write it in full
                label = text
    return f"{label}（{'，'.join(details)}）" if details else label


def locations(recs: list[Record], several_files: bool) -> str:
    """〔签约项目第2、5行〕: where the records are in the reports."""
    groups: dict[tuple[str, str], list[int]] = {}
    for r in recs:
        groups.setdefault((r.source.file, r.source.sheet), []).append(r.source.row)
    parts = []
    for (file, sheet), rows in groups.items():
        prefix = f"{PurePosixPath(file).name} " if several_files else ""
        parts.append(f"{prefix}{sheet}第{'、'.join(str(x) for x in sorted(rows))}行")
    return f"〔{'；'.join(parts)}〕" if parts else ""


def qualifying_context(c: Computed) -> dict:
    """How templates name the lists' condition: documents.qualifying, else the
    sheet and its filter (the template words the default)."""
    from gongwen.campaign.filters import describe_where

    q = c.campaign.config.lists.qualifying
    return {"qualifying": settings(c).qualifying or "", "qualifying_sheet": q.sheet,
            "qualifying_condition": describe_where(c.campaign.config, q.where)}


def by_month(c: Computed, recs: list[Record]) -> dict[str, int]:
    """How many of the records each month's reports hold (campaign order)."""
    out = {}
    for m, md in c.data.items():
        mine = {r.source for r in recs} & {r.source for r in md.rows(recs[0].sheet)} if recs else set()
        if mine:
            out[m] = len(mine)
    return out


def amount_column(c: Computed, sheet: str) -> str | None:
    s = c.campaign.sheets.get(sheet)
    return next((col.name for col in s.columns if col.kind == AMOUNT), None) if s else None


def biggest(c: Computed, recs: list[Record]) -> list[Record]:
    """Records by amount, largest first (report order among equals)."""
    def key(ir):
        i, r = ir
        col = amount_column(c, r.sheet)
        v = r.get(col) if col else None
        return (-(Decimal(str(v)) if v is not None else Decimal(-1)), i)
    return [r for _, r in sorted(enumerate(recs), key=key)]


# ------------------------------------------------------------ one unit's rows

def _config_parts(c: Computed, dim: str):
    d = next(d for d in c.campaign.config.scoring.dimensions if d.name == dim)
    return d.parts


def part_evidence(c: Computed, part: PartScore, cfg_part, several_files: bool, seen: set | None = None) -> str:
    """What earned the part's points, with the rows' places in the reports.
    A record already described on the sheet (`seen`) is named by its label only."""
    seen = set() if seen is None else seen

    def desc(rec: Record) -> str:
        if rec.source in seen:
            return record_label(rec)
        seen.add(rec.source)
        return describe_record(c, rec, short_dates=True)

    if not part.assessed:
        return ""
    if part.rule == "completion":
        done = N.count(part.done or 0)
        text = f"{'累计' if cfg_part.period == 'to_date' else ''}完成{done}，目标{N.count(part.target or 0)}"
        months = by_month(c, part.earned) if not (cfg_part.sum or cfg_part.distinct) else {}
        if len(months) > 1:
            text += f"（{'、'.join(f'{N.month_cn(m)}{n}' for m, n in months.items())}）"
        return text
    if not part.earned:
        return ""
    if part.rule == "best":
        rec = part.earned[0]
        value = rec.get(cfg_part.column)
        head = f"{value}：" if value is not None else ""
        return f"{head}{desc(rec)}{locations([rec], several_files)}"
    recs = part.earned
    shown = recs[:EVIDENCE_RECORDS]
    text = "、".join(desc(r) for r in shown)
    if len(recs) > len(shown):
        text += f"等{len(recs)}条"
    return f"{text}{locations(recs, several_files)}"


def part_shortfall(part: PartScore, cfg_part) -> str:
    """Why the part did not earn its most: the scoring's own note when nothing
    counted or something is missing, else the gap to the part's best."""
    if not part.assessed:
        return ""
    if part.deduction or part.missing or not part.earned:
        note = _tidy(part.note)
        note = note.split("：", 1)[1] if note.startswith(f"{part.name}：") else note
        main, *rest = note.split("；")
        if part.missing:
            return "；".join(rest)  # 应有2条，少2条，扣20分
        if not part.matched and part.rule in ("count", "sum"):
            return "无记录"
        return re.sub(r"，得0(\.0+)?分$", "", main)
    if part.rule == "best":
        top = max(cfg_part.table.values(), default=Decimal(0))
        if part.points < top:
            return f"最高档为{N.count(top)}分"
    if part.rule == "completion" and part.target and part.done is not None and part.done < part.target:
        return f"完成率{N.pct(part.done * 100 / part.target)}，距目标差{N.count(part.target - part.done)}"
    if part.rule in ("count", "sum") and cfg_part.max_count and len(part.earned) < cfg_part.max_count:
        return f"{len(part.matched)}条，最多计{cfg_part.max_count}条"
    return ""


def dimension_row(c: Computed, dim: DimensionScore, several_files: bool, seen: set) -> list[str]:
    cfg_parts = _config_parts(c, dim.name)
    if not dim.assessed:
        return [dim.name, "不考核", "本类别不考核此项", "—"]
    prefix = len(dim.parts) > 1
    evidence, lacks = [], []
    for part, cp in zip(dim.parts, cfg_parts):
        if not part.assessed:
            continue
        e = part_evidence(c, part, cp, several_files, seen)
        if e:
            evidence.append(f"{part.name}：{e}" if prefix else e)
        s = part_shortfall(part, cp)
        if s and dim.points < dim.max:
            lacks.append(f"{part.name}：{s}" if prefix else s)
        elif part.deduction:
            lacks.append(f"{part.name}：{s}" if prefix else s)
    if dim.points < dim.max and not lacks:
        lacks.append(f"少{N.count(dim.max - dim.points)}分")
    return [dim.name, f"{N.count(dim.points)}/{N.count(dim.max)}", "；".join(evidence) or "—", "；".join(lacks) or "—"]


HEADER = ["维度", "得分/满分", "得分依据", "未得分原因"]


def cited_files(u: UnitScore) -> list[str]:
    """The report files of the rows the sheet points at (completion parts give counts, not rows)."""
    return sorted({r.source.file for d in u.dimensions.values() for p in d.parts
                   if p.assessed and p.rule != "completion" for r in p.earned})


def unit_table(c: Computed, u: UnitScore) -> Table:
    several = len(cited_files(u)) > 1
    seen: set = set()
    rows = [dimension_row(c, d, several, seen) for d in u.dimensions.values()]
    reasons = [r[3] for r in rows]
    for i in range(1, len(rows)):  # the same shortfall as the row above: 同上
        if reasons[i] == reasons[i - 1] and reasons[i] != "—":
            rows[i][3] = "同上"
    # The two text columns share the width by how much each has to say.
    ev = sum(len(r[2]) for r in rows) + 20
    lack = sum(len(r[3]) for r in rows) + 20
    left = min(4.6, max(1.9, 6.5 * ev / (ev + lack)))
    return Table(header=[list(HEADER)], rows=rows, widths=[1.5, 1.3, round(left, 2), round(6.5 - left, 2)],
                 font_size="table_small", align=["center", "center", "left", "left"])


def unit_context(c: Computed, month: str, u: UnitScore) -> dict:
    score = c.scores[month]
    cfg = c.campaign.config
    names = {cfg.lists.leaders.label: cfg.lists.leaders.name, cfg.lists.laggards.label: cfg.lists.laggards.name}
    files = cited_files(u)
    unassessed = [d.name for d in u.dimensions.values() if not d.assessed]
    return {
        "unit": {
            "name": u.name, "category": u.category, "total": u.total, "rank": u.rank,
            "count": len(score.category(u.category)), "label": u.label, "list_name": names.get(u.label, ""),
            "leader": u.label == cfg.lists.leaders.label, "laggard": u.label == cfg.lists.laggards.label,
            "qualifying": [describe_record(c, r) for r in biggest(c, u.qualifying)],
            "unassessed": unassessed, "files": files,
            "lacks": [f"{d.name}{N.count(d.max - d.points)}分" for d in u.dimensions.values()
                      if d.assessed and d.points < d.max],
        },
        "rescale": bool(cfg.scoring.rescale and unassessed),
        "total_max": cfg.scoring.total,
    }


def items(c: Computed, month: str, info: dict, units: list[str] | None = None) -> list[Item]:
    """One sheet per unit of the month (or only `units`)."""
    score = c.scores[month]
    files = unique_stems([u.name for u in score.units])
    base = {**campaign_context(c), "month": month, "month_cn": N.month_cn(month),
            "month_full": N.month_full(month), "issue": info, **qualifying_context(c)}
    return [Item(files[u.name], {**base, **unit_context(c, month, u)}, {"scores": unit_table(c, u)}, {"单位": u.name})
            for u in score.units if units is None or u.name in units]


KIND = Kind("得分反馈单", "得分反馈单", "feedback", "得分反馈单.txt.j2", items, date=month_end_date,
            number_key=lambda month: f"{month}-feedback", folder=lambda month: f"{month}/{FOLDER}")


def build(c: Computed, month: str, templates: Templates, inputs: list[str],
          units: list[str] | None = None) -> list[Doc]:
    """The month's feedback sheets, for every unit or only `units`."""
    kind = KIND if units is None else replace(KIND, items=partial(items, units=units))
    return make_docs(kind, c, templates, month, inputs)
