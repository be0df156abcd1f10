"""Next year's campaign: `draft-next` copies a campaign folder to a new one with
every date moved on (months and their weights, targets' periods, plan and
document dates; document numbers become visible placeholders such as
信办字〔2024〕**号), targets grown by a rate (counts rounded up) or left to be
decided, and writes the plan as a 征求意见稿 for the units' comments.

Targets without a value are kept in campaign.yaml (so the folder loads and can
be scored) and listed under documents.draft.pending; every document prints them
as ** until staff delete the entry."""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import yaml

from gongwen import safeyaml

from gongwen.campaign import Computed, load_campaign
from gongwen.campaign.config import CAMPAIGN_FILE
from gongwen.campaign.folder import REPORTS_DIR, Campaign
from gongwen.campaign.xlsxio import write_atomic
from gongwen.documents import plan as plan_doc
from gongwen.documents.common import Doc
from gongwen.documents.settings import load_documents
from gongwen.documents.templating import Templates
from gongwen.errors import UserError

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DOC_NUMBER = re.compile(r"〔(\d{4})〕\s*\d+\s*号")
YEAR_WORD = re.compile(r"(?<!\d)(\d{4})(?=年)")
PLACEHOLDER = "**"
DRAFT_DIR = "征求意见稿"
COPIED = ("templates",)  # folders copied along (reports/ never is)


def parse_growth(text: str | None) -> Decimal | None:
    """'10%', '10', '0.1' -> 0.1; None stays None."""
    if text is None or str(text).strip() == "":
        return None
    raw = str(text).strip().replace("％", "%")
    try:
        if raw.endswith("%"):
            return Decimal(raw[:-1]) / 100
        value = Decimal(raw)
    except InvalidOperation:
        raise UserError(f"--growth “{text}” 不是增长率，应写成 10% 或 0.1") from None
    return value / 100 if value >= 1 else value


def shift_month(month: str, years: int) -> str:
    m = MONTH.match(month)
    return f"{int(m.group(1)) + years}-{m.group(2)}" if m else month


def shift_date(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Shifter:
    """Moves dates, months and years in free values; document numbers of the
    campaign's own years become 〔new〕**号."""

    def __init__(self, old_year: int, years: int, last_year: int):
        self.years = years
        self.own = set(range(old_year, last_year + 2))  # the campaign's years and the year after (总结)

    def text(self, s: str) -> str:
        if MONTH.match(s) and int(s[:4]) in self.own:
            return shift_month(s, self.years)
        s = DOC_NUMBER.sub(lambda m: f"〔{int(m.group(1)) + self.years}〕{PLACEHOLDER}号"
                           if int(m.group(1)) in self.own else m.group(0), s)
        return YEAR_WORD.sub(lambda m: str(int(m.group(1)) + self.years) if int(m.group(1)) in self.own else m.group(1), s)

    def value(self, v):
        if isinstance(v, dict):
            return {self.value(k) if isinstance(k, str) else k: self.value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, dt.datetime):
            return v
        if isinstance(v, dt.date):
            return shift_date(v, self.years)
        return v


@dataclass
class TargetChange:
    key: str  # targets[2] / scoring.dimensions[2].parts[1].target
    label: str  # what staff read: the target's name and period
    old: str
    new: str  # a value, or ** (to be decided)
    pending: bool


@dataclass
class DraftResult:
    folder: Path
    doc: Doc
    files: list[Path]  # the 征求意见稿, one file per format
    changes: list[TargetChange] = field(default_factory=list)
    shifted: list[str] = field(default_factory=list)  # months old -> new


def _num(v) -> str:
    d = Decimal(str(v))
    return f"{d.normalize():f}"


def _plain(d: Decimal):
    """A YAML-friendly number: int when whole."""
    return int(d) if d == d.to_integral_value() else float(d)


class _Targets:
    def __init__(self, growth: Decimal | None, fixed: set[str]):
        self.growth, self.fixed = growth, fixed
        self.changes: list[TargetChange] = []

    def grow(self, value, amount: bool) -> Decimal:
        d = Decimal(str(value)) * (1 + self.growth)
        if amount:
            return d.quantize(Decimal("0.01"), ROUND_HALF_UP)
        return Decimal(math.ceil(d - Decimal("1e-9")))  # counts: round up

    def one(self, key: str, label: str, name: str, target, amount: bool, word: str):
        """The new value (number or per-category dict); records the change."""
        def show(v):
            if isinstance(v, dict):
                return "、".join(f"{c}{_num(x)}{word}" for c, x in v.items())
            return f"{_num(v)}{word}"
        if name in self.fixed:
            self.changes.append(TargetChange(key, label, show(target), show(target) + "（不变）", False))
            return target
        if self.growth is None:
            self.changes.append(TargetChange(key, label, show(target), PLACEHOLDER, True))
            return target
        if isinstance(target, dict):
            new = {c: _plain(self.grow(v, amount)) for c, v in target.items()}
        else:
            new = _plain(self.grow(target, amount))
        self.changes.append(TargetChange(key, label, show(target), show(new), False))
        return new


def _parts(dim: dict) -> list[dict]:
    """A dimension's parts; a one-part dimension written inline is its own part."""
    return dim["parts"] if "parts" in dim else [dim]


def next_config(campaign: Campaign, raw: dict, year: int, growth: Decimal | None, fixed: set[str],
                draft: dict) -> tuple[dict, list[TargetChange], list[str]]:
    """The new campaign.yaml data, the target changes, and 'old -> new' month lines."""
    months = list(campaign.months)
    old_year = int(months[0][:4])
    years = year - old_year
    if years == 0:
        raise UserError(f"--year {year} 与原活动同一年份，无需生成下一年方案")
    last_year = int(months[-1][:4])
    sh = Shifter(old_year, years, last_year)
    new = dict(raw)
    old_id = str(raw["id"])
    new["id"] = old_id.replace(str(old_year), str(year)) if str(old_year) in old_id else f"{old_id}-{year}"
    for key in ("name", "issuer", "plan_document", "plan_text"):
        if isinstance(new.get(key), str):
            new[key] = sh.text(new[key])
    new["months"] = {shift_month(str(m), years): w for m, w in raw["months"].items()}
    shifted = [f"{m} → {shift_month(m, years)}" for m in months]

    t = _Targets(growth, fixed)
    targets = []
    for i, tgt in enumerate(raw.get("targets") or [], start=1):
        tgt = dict(tgt)
        period = str(tgt.get("period", "campaign"))
        if period != "campaign":
            tgt["period"] = shift_month(period, years)
        label = f"{tgt['name']}（{'活动期间' if period == 'campaign' else tgt['period']}）"
        amount = bool((tgt.get("metric") or {}).get("sum"))
        tgt["target"] = t.one(f"targets[{i}]", label, tgt["name"], tgt["target"], amount, tgt.get("measure_word", "个"))
        targets.append(tgt)
    if "targets" in raw:
        new["targets"] = targets

    scoring = dict(raw["scoring"])
    dims = []
    for i, dim in enumerate(scoring["dimensions"], start=1):
        dim = dict(dim)
        inline = "parts" not in dim
        parts = []
        for j, part in enumerate(_parts(dim), start=1):
            part = dict(part)
            if part.get("rule") == "completion" and isinstance(part.get("target"), dict):
                name = part.get("name") or dim["name"]
                key = f"scoring.dimensions[{i}].parts[{j}].target"
                part["target"] = t.one(key, f"评分目标：{name}", name, part["target"], bool(part.get("sum")), "")
            parts.append(part)
        if inline:
            dim = parts[0]
        else:
            dim["parts"] = parts
        dims.append(dim)
    scoring["dimensions"] = dims
    new["scoring"] = scoring

    docs = sh.value(dict(raw.get("documents") or {}))
    if isinstance((docs.get("annual") or {}).get("year"), int):
        docs["annual"] = {**docs["annual"], "year": docs["annual"]["year"] + years}
    pending = [c.key for c in t.changes if c.pending]
    old_draft = dict(docs.get("draft") or {})
    old_draft.pop("pending", None)
    docs["draft"] = {**old_draft, **{k: v for k, v in draft.items() if v not in (None, "", [])}}
    docs["draft"]["pending"] = pending
    if fixed:
        docs["draft"]["fixed"] = sorted(fixed)
    new["documents"] = docs
    return new, t.changes, shifted


def _header(src: Campaign, year: int, growth: Decimal | None) -> str:
    grow = f"目标按增长{_num(growth * 100)}%计算（个数向上取整）" if growth is not None else "目标未给增长率，均待定"
    return (
        f"# 由 draft-next 根据 {src.folder.as_posix()} 生成的{year}年活动配置（征求意见稿阶段）。\n"
        f"# 月份、日期已顺延，文号改为 〔{year}〕**号 待编；{grow}。\n"
        "# documents.draft.pending 列出的目标还没有定：它们在方案里印作 **，定下数值后改好并从 pending 删去。\n"
        f"# 原文件里的注释没有保留，键的含义见 docs/活动配置.md 或 {src.folder.as_posix()}/{CAMPAIGN_FILE}。\n\n"
    )


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)


def default_folder(src: Campaign, year: int) -> Path:
    old_year = src.months[0][:4]
    name = src.folder.name
    return src.folder.parent / (name.replace(old_year, str(year)) if old_year in name else f"{name}-{year}")


def draft_next(source: str | Path, year: int, growth: str | None = None, out: str | Path | None = None,
               force: bool = False, deadline: dt.date | None = None, contact: str | None = None,
               date: dt.date | None = None, fixed: list[str] | None = None, docs: str | Path | None = None,
               *, typeset_fn) -> DraftResult:
    """Write next year's campaign folder and its 征求意见稿; `typeset_fn(notice)`
    typesets it (gongwen.build.draft_next passes the build library's, in the
    chosen formats)."""
    src = load_campaign(source)
    target = Path(out) if out else default_folder(src, year)
    if target.resolve() == src.folder.resolve():
        raise UserError("新活动文件夹不能与原活动文件夹相同，请用 --out 另指定")
    if target.exists() and not force:
        raise UserError(f"{target} 已存在，未做任何改动。要覆盖其中的 campaign.yaml、units.xlsx 和征求意见稿，请加 --force")
    settings = load_documents(src.config.documents)
    raw = safeyaml.load((src.folder / CAMPAIGN_FILE).read_text(encoding="utf-8"), CAMPAIGN_FILE)
    growth_d = parse_growth(growth if growth is not None else settings.draft.growth)
    fixed_names = set(fixed or settings.draft.fixed)
    known = {t.name for t in src.config.targets} | {p.name or d.name for d in src.config.scoring.dimensions for p in d.parts}
    unknown = sorted(n for n in fixed_names if n not in known)
    if unknown:
        raise UserError(f"--fixed 写的目标不存在：{'、'.join(unknown)}（现有目标：{'、'.join(sorted(known))}）")
    draft = {
        "date": date or dt.date.today(),
        "deadline": deadline or (shift_date(settings.draft.deadline, year - int(src.months[0][:4]))
                                 if settings.draft.deadline else None),
        "contact": contact or settings.draft.contact,
        "source": src.folder.as_posix(),
        "growth": f"{_num(growth_d * 100)}%" if growth_d is not None else None,
    }
    data, changes, shifted = next_config(src, raw, year, growth_d, fixed_names, draft)
    text = _header(src, year, growth_d) + dump(data)

    # Everything is made in a scratch folder beside the target and checked by
    # loading it; only then does it move into place.
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (scratch / CAMPAIGN_FILE).write_text(text, encoding="utf-8")
        units = src.inputs[1]
        shutil.copyfile(units, scratch / units.name)
        for name in COPIED:
            if (src.folder / name).is_dir():
                shutil.copytree(src.folder / name, scratch / name)
        (scratch / REPORTS_DIR).mkdir()
        try:
            camp = load_campaign(scratch)
        except UserError as exc:
            raise UserError(f"生成的 {CAMPAIGN_FILE} 载入失败（请报告这个问题）：{exc}") from None
        c = Computed(camp, {}, {}, None, {}, [])
        doc = plan_doc.draft_notice(c, Templates(scratch), [f"{src.folder.as_posix()}/{CAMPAIGN_FILE}"])
        t = typeset_fn(doc.notice)
        docs_dir = Path(docs) if docs else target / DRAFT_DIR
        stem = doc.notice.name
        if target.exists():
            for name in (CAMPAIGN_FILE, units.name):
                write_atomic(target / name, (scratch / name).read_bytes())
            for name in COPIED:
                if (scratch / name).is_dir():
                    shutil.copytree(scratch / name, target / name, dirs_exist_ok=True)
            (target / REPORTS_DIR).mkdir(exist_ok=True)
        else:
            scratch.rename(target)
        for ext, data in t.files.items():
            write_atomic(docs_dir / f"{stem}.{ext}", data)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch)
    doc.rel = f"{DRAFT_DIR}/{stem}"
    return DraftResult(target, doc, [docs_dir / f"{stem}.{ext}" for ext in t.files], changes, shifted)


__all__ = ["DraftResult", "TargetChange", "default_folder", "draft_next", "next_config", "parse_growth", "shift_month"]
