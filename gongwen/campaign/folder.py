"""A campaign folder: campaign.yaml, units.xlsx (the roster) and reports/."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rapidfuzz import fuzz, process

from gongwen.campaign import sheets as S
from gongwen.campaign.config import CampaignConfig, read_config
from gongwen.campaign.tables import Context, parse_table
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


def read_roster(folder: Path, categories: list[str]) -> Roster:
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
        S.Column("单位"), S.Column("类别", S.ENUM, tuple(categories)), S.Column("简称", required=False),
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
    for cat in categories:
        if not any(u.category == cat for u in units) and not problems:
            problems.append(f"{shown} {S.ROSTER_SHEET}: 类别“{cat}”没有参评单位")
    if problems:
        raise UserError(f"{shown} 有 {len(problems)} 处问题：", problems)
    return Roster(units)


def load_campaign(folder: str | Path) -> Campaign:
    """Read and check campaign.yaml and units.xlsx; reports are read by intake()."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"活动文件夹 {folder} 不存在")
    cfg, sheets = read_config(folder)
    roster = read_roster(folder, cfg.categories)
    units_path = folder / UNITS_FILE if (folder / UNITS_FILE).is_file() else folder / "units.csv"
    return Campaign(folder, cfg, sheets, roster, [folder / "campaign.yaml", units_path])
