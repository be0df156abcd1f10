"""The 评比细则 written from the scoring rules themselves (config.scoring,
config.lists, config.targets, config.months), so the published rules and the
computed scores can never disagree. The wording comes from
templates/评比细则用语.yaml (a campaign may override single phrases in its own
templates/ folder); only the facts come from here.

    r = rules.describe(config)        # Rules: base sentence, dimensions, ranking, lists, targets
    r.paragraphs()                    # the 细则's generated paragraphs, in order
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from gongwen import TEMPLATES_DIR
from gongwen.campaign.config import CampaignConfig, Condition, Metric, Part
from gongwen.documents import numbers as N
from gongwen.errors import UserError

PHRASES_FILE = "评比细则用语.yaml"
CN = "一二三四五六七八九十"
UNIT_IN_HEADER = re.compile(r"^(?P<base>.*?)[（(](?P<unit>亿元|万元|元|万美元|亿美元|亩|人|家|个|次)[）)]$")


def cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二 (section numbers)."""
    if n <= 10:
        return CN[n - 1]
    if n < 20:
        return "十" + CN[n - 11]
    return CN[n // 10 - 1] + "十" + (CN[n % 10 - 1] if n % 10 else "")


def load_phrases(campaign_folder: Path | None = None) -> dict:
    """The project's phrases, with the campaign's own templates/评比细则用语.yaml on top."""
    phrases: dict = {}
    paths = [TEMPLATES_DIR / PHRASES_FILE]
    if campaign_folder is not None:
        paths.append(Path(campaign_folder) / "templates" / PHRASES_FILE)
    for path in paths:
        if not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise UserError(f"{path.name} 格式有误：{exc}") from None
        if not isinstance(data, dict):
            raise UserError(f"{path.name} 应为“键: 措辞”的形式")
        phrases.update(data)
    return phrases


class Phrases:
    def __init__(self, data: dict):
        self.data = data

    def __call__(self, key: str, **values) -> str:
        try:
            pattern = self.data[key]
        except KeyError:
            raise UserError(f"{PHRASES_FILE} 缺少措辞“{key}”") from None
        try:
            return str(pattern).format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            raise UserError(f"{PHRASES_FILE} 的“{key}”里有不认识的名称 {exc}（可用：{'、'.join(values)}）") from None

    def noun(self, sheet: str) -> str:
        return (self.data.get("nouns") or {}).get(sheet) or self.data.get("noun", "记录")

    def unit(self, sheet: str) -> str:
        return (self.data.get("units") or {}).get(sheet) or self.data.get("unit", "条")


def num(value) -> str:
    """20 -> 20, 2.5 -> 2.5 (points, counts)."""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{d.normalize():f}" if d == d.to_integral_value() else f"{d.normalize():f}"


def share(weight: Decimal) -> str:
    """A month weight 0.6 -> 60%."""
    return num(weight * 100) + "%"


def amount(column: str, value: Decimal) -> tuple[str, str]:
    """(column label, value with unit): 投资额（亿元）, 1 -> (投资额, 1亿元); 0.5亿元 -> 5000万元."""
    m = UNIT_IN_HEADER.match(column)
    if not m:
        return column, num(value)
    base, unit = m.group("base"), m.group("unit")
    if unit == "亿元" and 0 < value < 1:
        return base, num(value * 10000) + "万元"
    return base, num(value) + unit


@dataclass
class DimensionRule:
    name: str
    max: Decimal
    heading: str  # （一）比签约速度（20分）
    lines: list[str]  # how it is scored, one paragraph each


@dataclass
class TargetGroup:
    period: str  # YYYY-MM or campaign
    items: list[str]


@dataclass
class Rules:
    base: str
    dimensions: list[DimensionRule]
    rescale: str | None
    ranking: list[str]
    lists: list[str]
    targets: list[TargetGroup] = field(default_factory=list)

    def paragraphs(self) -> list[str]:
        out = [self.base]
        for d in self.dimensions:
            out.append(d.heading)
            out.extend(d.lines)
        if self.rescale:
            out.append(self.rescale)
        return out + self.ranking + self.lists


class _Writer:
    def __init__(self, cfg: CampaignConfig, phrases: Phrases, pending: set[str]):
        self.cfg, self.p, self.pending = cfg, phrases, pending

    # -------------------------------------------------------------- conditions
    def values(self, values: list[str]) -> str:
        quoted = [self.p("value_quote", value=v) for v in values]
        if len(quoted) == 1:
            return quoted[0]
        return "、".join(quoted[:-1]) + self.p("values_or") + quoted[-1]

    def condition(self, c: Condition) -> str:
        parts = []
        col = c.column
        if c.equals is not None:
            parts.append(self.p("cond_equals", column=col, value=c.equals))
        if c.in_:
            parts.append(self.p("cond_in", column=col, values=self.values(c.in_)))
        if c.not_in:
            parts.append(self.p("cond_not_in", column=col, values=self.values(c.not_in)))
        for key, bound in (("cond_min", c.min), ("cond_max", c.max), ("cond_below", c.below)):
            if bound is not None:
                label, value = amount(col, bound)
                parts.append(self.p(key, column=label, value=value))
        if c.day_from is not None:
            parts.append(self.p("cond_day_from", column=col, day=c.day_from))
        if c.day_to is not None:
            parts.append(self.p("cond_day_to", column=col, day=c.day_to))
        return self.p("cond_and").join(parts)

    def where(self, where) -> str:
        parts = []
        for item in where:
            if isinstance(item, str):
                inner = self.p("cond_and").join(self.condition(c) for c in self.cfg.filters[item])
                parts.append(self.p("named_filter", name=item, conditions=inner))
            else:
                parts.append(self.condition(item))
        return self.p("cond_and").join(parts)

    # -------------------------------------------------------------- parts
    def value(self, key: str, v) -> str:
        return self.p("placeholder") if key in self.pending else num(v)

    def table(self, part: Part) -> str:
        return "、".join(f"{k}{num(v)}分" for k, v in part.table.items())

    def part(self, part: Part, key: str) -> str:
        sheet, unit = part.sheet, self.p.unit(part.sheet)
        cond = self.where(part.where)
        if part.period == "to_date":
            scope = self.p("scope_to_date", sheet=sheet, conditions=cond, noun=self.p.noun(sheet)) if cond \
                else self.p("scope_to_date_all", sheet=sheet)
        else:
            scope = self.p("scope", sheet=sheet, conditions=cond, noun=self.p.noun(sheet)) if cond \
                else self.p("scope_all", sheet=sheet)
        clauses = [scope]
        other = self.p("other", points=num(part.other)) if part.other else ""
        if part.rule == "best":
            which = "best_contains" if part.match == "contains" else "best"
            clauses.append(self.p(which, column=part.column, table=self.table(part), other=other, unit=unit))
        elif part.rule == "sum":
            limit = self.p("sum_limit", n=part.max_count, unit=unit) if part.max_count is not None else ""
            clauses.append(self.p("sum", column=part.column, table=self.table(part), other=other, unit=unit, limit=limit))
        elif part.rule == "count":
            limit = self.p("count_limit", n=part.max_count, unit=unit) if part.max_count is not None else ""
            clauses.append(self.p("count", each=num(part.each), unit=unit, limit=limit))
        elif part.rule == "completion":
            tkey = f"{key}.target"
            items = [self.p("target_item", category=cat, value=self.value(tkey, v), unit=unit)
                     for cat, v in part.target.items()]
            missing = [c for c in self.cfg.categories if c not in part.target]
            unassessed = self.p("unassessed", categories="、".join(missing)) if missing else ""
            clauses.append(self.p("completion", full=num(part.full), targets="、".join(items), unassessed=unassessed))
            if part.sum:
                clauses.append(self.p("completion_sum", column=part.sum))
            if part.distinct:
                clauses.append(self.p("completion_distinct", column=part.distinct))
        if part.cap is not None:
            clauses.append(self.p("cap", cap=num(part.cap)))
        if part.required:
            clauses.append(self.p("required", required=part.required, unit=unit, deduct=num(part.deduct_per_missing))
                           if part.deduct_per_missing else "")
        return "；".join(c for c in clauses if c)

    def dimensions(self) -> list[DimensionRule]:
        out = []
        for i, d in enumerate(self.cfg.scoring.dimensions, start=1):
            heading = self.p("dimension_heading", n=cn_number(i), name=d.name, max=num(d.max))
            key = f"scoring.dimensions[{i}]"
            if len(d.parts) == 1:
                lines = [self.p("single", text=self.part(d.parts[0], f"{key}.parts[1]"))]
            else:
                lines = [self.p("parts_intro", max=num(d.max))]
                for j, part in enumerate(d.parts, start=1):
                    lines.append(self.p("part_line", n=j, name=part.name or part.sheet,
                                        text=self.part(part, f"{key}.parts[{j}]")))
            out.append(DimensionRule(d.name, d.max, heading, lines))
        return out

    # -------------------------------------------------------------- weights, ranking, lists
    def weights(self) -> str:
        groups: list[tuple[Decimal, list[str]]] = []
        for month, w in self.cfg.months.items():
            if groups and groups[-1][0] == w:
                groups[-1][1].append(month)
            else:
                groups.append((w, [month]))
        parts = []
        for w, months in groups:
            names = "、".join(N.month_cn(m) for m in months)
            parts.append(self.p("weight_one" if len(months) == 1 else "weight_many", months=names, share=share(w)))
        return self.p("base", total=num(self.cfg.scoring.total), weights=self.p("weights_sep").join(parts))

    def qualifying(self, m: Metric, negative: bool = False) -> str:
        cond = self.where(m.where)
        suffix = "_not" if negative else ""
        if cond:
            return self.p("qualifying" + suffix, sheet=m.sheet, conditions=cond)
        return self.p("qualifying_all" + suffix, sheet=m.sheet)

    def lists(self) -> list[str]:
        lists = self.cfg.lists
        out = [self.p("leaders", has=self.qualifying(lists.qualifying), has_not=self.qualifying(lists.qualifying, True),
                      sheet=lists.qualifying.sheet,
                      places=lists.leaders.places, name=lists.leaders.name, laggards=lists.laggards.name)]
        if lists.leaders.rewards:
            items = "，".join(self.p("reward_item", place=k, reward=v) for k, v in sorted(lists.leaders.rewards.items()))
            out.append(self.p("rewards", name=lists.leaders.name, items=items))
        return out

    def ranking(self) -> list[str]:
        return [self.p("ranking", categories="、".join(self.cfg.categories)) + self.p("final_ranking")]

    # -------------------------------------------------------------- targets
    def targets(self) -> list[TargetGroup]:
        groups: dict[str, list[str]] = {}
        for i, t in enumerate(self.cfg.targets, start=1):
            key = f"targets[{i}]"
            word = t.measure_word
            if isinstance(t.target, dict):
                vals = "、".join(self.p("target_unit_item", category=c, value=self.value(key, v), unit=word)
                                for c, v in t.target.items())
                text = self.p("target_unit_by_category", name=t.name, values=vals)
            elif t.scope == "unit":
                text = self.p("target_unit", name=t.name, value=self.value(key, t.target), unit=word)
            else:
                text = self.p("target_campaign", name=t.name, value=self.value(key, t.target), unit=word)
            groups.setdefault(t.period, []).append(text)
        order = ["campaign", *self.cfg.months]
        return [TargetGroup(p, groups[p]) for p in order if p in groups]


def describe(cfg: CampaignConfig, campaign_folder: Path | None = None, pending: list[str] | set[str] = ()) -> Rules:
    """The 评比细则 of a campaign, from its configuration. `pending` lists config
    keys (targets[2], scoring.dimensions[1].parts[1].target) whose values are
    still to be decided: they are printed as ** placeholders."""
    w = _Writer(cfg, Phrases(load_phrases(campaign_folder)), set(pending))
    rescale = w.p("rescale", total=num(cfg.scoring.total)) if cfg.scoring.rescale else None
    return Rules(base=w.weights(), dimensions=w.dimensions(), rescale=rescale,
                 ranking=w.ranking(), lists=w.lists(), targets=w.targets())


__all__ = ["DimensionRule", "Rules", "TargetGroup", "cn_number", "describe", "load_phrases"]
