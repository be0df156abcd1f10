"""A campaign folder: campaign.yaml, units.xlsx (the roster) and reports/."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rapidfuzz import fuzz, process

from gongwen.campaign import sheets as S
from gongwen.campaign.config import CampaignConfig, read_config
from gongwen.campaign.tables import Context, parse_table, text_problem
from gongwen.campaign.workbook import Unreadable, read_csv, read_xlsx
from gongwen.errors import UserError, excerpt

UNITS_FILE = "units.xlsx"
NORMALISED = "单位“{text}”与参评单位名单中的“{name}”只差全角/半角或空格，按“{name}”计"
REPORTS_DIR = "reports"


@dataclass(frozen=True)
class Unit:
    name: str
    category: str
    short: str = ""
    order: int = 0  # roster position, the tie-break and listing order


@dataclass
class Roster:
    units: list[Unit]

    def __iter__(self):
        return iter(self.units)

    def __len__(self):
        return len(self.units)

    def by_name(self, name: str) -> Unit:
        return self._index[name]

    def in_category(self, category: str) -> list[Unit]:
        return [u for u in self.units if u.category == category]

    def __post_init__(self):
        self._index = {u.name: u for u in self.units}
        self._keys: dict[str, str] = {}
        for u in self.units:
            self._keys.setdefault(S.value_key(u.short), u.name) if u.short else None
        for u in self.units:
            self._keys[S.value_key(u.name)] = u.name

    def resolve(self, text: str) -> tuple[str | None, str]:
        """Roster name for a name or short name as typed; else the nearest suggestion.
        Names compare after NFKC (full-width to half-width) with spaces removed;
        a name that matches only so comes back with a note saying so."""
        name = self._keys.get(S.value_key(text))
        if name:
            unit = self._index[name]
            if text in (unit.name, unit.short):
                return name, ""
            return name, NORMALISED.format(text=text, name=name)
        names = [u.name for u in self.units]
        best = process.extractOne(text, names, scorer=fuzz.WRatio)
        hint = f"，是否为“{best[0]}”？" if best and best[1] >= 50 else ""
        return None, f"不在参评单位名单中{hint}"


@dataclass
class Campaign:
    folder: Path
    config: CampaignConfig
    sheets: S.SheetSet
    roster: Roster
    inputs: list[Path] = field(default_factory=list)  # campaign.yaml, units.xlsx

    @property
    def id(self) -> str:
        return self.config.id

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def months(self) -> list[str]:
        return list(self.config.months)

    @property
    def weights(self) -> dict[str, Decimal]:
        return dict(self.config.months)

    @property
    def categories(self) -> list[str]:
        return list(self.config.categories)

    @property
    def dimensions(self) -> list[str]:
        return [d.name for d in self.config.scoring.dimensions]

    def rel(self, path: Path) -> str:
        try:
            return Path(path).relative_to(self.folder).as_posix()
        except ValueError:
            return str(path)


def read_roster(folder: Path, categories: list[str] | None) -> Roster:
    """units.xlsx (or units.csv) checked; `categories` None when campaign.yaml
    could not be read (the 类别 column is then not checked against it)."""
    path = folder / UNITS_FILE
    if not path.is_file():
        csv = folder / "units.csv"
        if not csv.is_file():
            raise UserError(f"{folder} 里没有 {UNITS_FILE}（参评单位名单，工作表“{S.ROSTER_SHEET}”）")
        path = csv
    shown = path.name
    try:
        tables = read_xlsx(path, shown) if path.suffix == ".xlsx" else [read_csv(path, shown, S.ROSTER_SHEET)]
    except Unreadable as exc:
        raise UserError(f"{shown} {exc}") from None
    table = next((t for t in tables if S.header_key(t.title) == S.header_key(S.ROSTER_SHEET)), None)
    if table is None:
        raise UserError(f"{shown} 没有工作表“{S.ROSTER_SHEET}”（现有：{'、'.join(t.title for t in tables)}）")
    sheet = S.Sheet(S.ROSTER_SHEET, (
        S.Column("单位"), S.Column("类别", S.ENUM, tuple(categories)) if categories is not None else S.Column("类别"),
        S.Column("简称", required=False),
    ))
    ctx = Context(optional_headers=frozenset({"简称"}))
    records = parse_table(table, sheet, ctx)
    problems = ctx.problems
    if not records and not problems:
        problems.append(f"{shown} {S.ROSTER_SHEET} 是空表：请每行填一个参评单位（单位、类别、简称）")
    units: list[Unit] = []
    seen: dict[str, int] = {}
    shorts: dict[str, int] = {}
    seen_names: dict[str, str] = {}
    for rec in records:
        name = rec["单位"]
        key = S.value_key(name)
        if key in seen:
            if seen_names[key] == name:
                problems.append(f"{rec.source} 单位: \"{excerpt(name)}\" 与第{seen[key]}行重复")
            else:
                problems.append(f"{rec.source} 单位: \"{excerpt(name)}\" 与第{seen[key]}行“{excerpt(seen_names[key])}”"
                                "只差全角/半角或空格，会被当成同一个单位：请删去一行，或把名称改得能区分")
            continue
        seen[key], seen_names[key] = rec.source.row, name
        short = rec.get("简称", "")
        short_key = S.value_key(short) if short else ""
        if short and short_key in shorts:
            problems.append(f"{rec.source} 简称: \"{excerpt(short)}\" 与第{shorts[short_key]}行重复"
                            "（全角/半角、空格不算区别）")
            short = ""
        elif short:
            shorts[short_key] = rec.source.row
        units.append(Unit(name, rec["类别"], short, len(units)))
    for cat in categories or []:
        if not any(u.category == cat for u in units) and not problems:
            problems.append(f"{shown} {S.ROSTER_SHEET}: 类别“{cat}”没有参评单位")
    if problems:
        raise UserError(f"{shown} 有 {len(problems)} 处问题：", problems)
    return Roster(units)


LINK = ("是符号链接（快捷方式），已拒绝读取：报表只从 reports/ 里真正的文件读，"
        "请把要用的文件复制进来，并删去这个链接")
NOTES_EXT = (".yaml", ".yml")  # reports/YYYY-MM.yaml: staff's paragraphs for the month's 通报


def check_notes(path: Path, shown: str) -> list[str]:
    """A notes file (reports/YYYY-MM.yaml) as far as the campaign layer can
    tell: readable, plain YAML, a mapping of short texts. What its keys mean
    is checked where the 通报 is made (gongwen.documents.settings)."""
    from gongwen import safeyaml

    try:
        data = safeyaml.load(path.read_text(encoding="utf-8"), shown)
    except UnicodeDecodeError:
        return [f"{shown}: 应以 UTF-8 编码保存"]
    except UserError as exc:
        return [str(exc)]
    if data is None:
        return []
    if not isinstance(data, dict):
        return [f"{shown}: 应为“键: 内容”的形式（存在问题、下步工作、工作亮点……）"]
    problems = []
    for key, value in data.items():
        for n, text in enumerate(value if isinstance(value, list) else [value], start=1):
            bad = text_problem(text) if isinstance(text, str) else ""
            if bad:
                problems.append(f"{shown} {excerpt(key)} 第{n}段: \"{excerpt(text)}\" {bad}")
    return problems


def precheck_reports(folder: Path) -> list[str]:
    """What can be told about reports/ without campaign.yaml and the roster:
    links (refused, never followed) and notes files that cannot be read."""
    reports = folder / REPORTS_DIR
    if reports.is_symlink():
        return [f"{REPORTS_DIR}/: {LINK}"]
    if not reports.is_dir():
        return []
    problems = []
    for top, dirs, files in os.walk(reports, followlinks=False):
        for name in sorted(dirs + files):
            p = Path(top) / name
            rel = p.relative_to(folder).as_posix()
            if p.is_symlink():
                problems.append(f"{rel}: {LINK}")
            elif p.parent == reports and p.suffix.lower() in NOTES_EXT and p.is_file():
                problems.extend(check_notes(p, rel))
    return problems


def _lines(exc: UserError) -> list[str]:
    if not exc.problems:
        return [exc.message]
    return [exc.message] + [f"  {p}" for p in exc.problems]


def load_campaign(folder: str | Path) -> Campaign:
    """Read and check campaign.yaml and units.xlsx; reports are read by intake().
    When both files, or one of them and reports/, have problems, they are
    listed together (one run shows them all)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"活动文件夹 {folder} 不存在")
    failed: list[UserError] = []
    cfg = sheets = roster = None
    try:
        cfg, sheets = read_config(folder)
    except UserError as exc:
        failed.append(exc)
    try:
        roster = read_roster(folder, cfg.categories if cfg is not None else None)
    except UserError as exc:
        failed.append(exc)
    if failed:
        later = precheck_reports(folder)
        if len(failed) == 1 and not later:
            raise failed[0]
        problems = [line for exc in failed for line in _lines(exc)]
        if later:
            problems += ["reports/ 有问题："] + [f"  {p}" for p in later]
        raise UserError("活动文件夹有几处问题（改好后再运行，其余报表才会逐项检查），未生成任何文件：", problems)
    units_path = folder / UNITS_FILE if (folder / UNITS_FILE).is_file() else folder / "units.csv"
    return Campaign(folder, cfg, sheets, roster, [folder / "campaign.yaml", units_path])
