"""Reading a campaign's monthly reports: a consolidated workbook per month
(reports/YYYY-MM.xlsx), a folder of per-unit workbooks (reports/YYYY-MM/*.xlsx),
sheets given as .csv in that folder; everything found is merged. Problems in
every file of every month are collected and raised together."""

from __future__ import annotations

import gc
import re
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gongwen.campaign import sheets as S
from gongwen.campaign import values as V
from gongwen.campaign.folder import REPORTS_DIR, Campaign
from gongwen.campaign.tables import Context, Record, parse_table, row_key
from gongwen.campaign.workbook import Unreadable, read_csv, read_many
from gongwen.errors import UserError

MONTH_NAME = re.compile(r"^(\d{4})-(\d{2})$")
HELPER_SHEETS = {"填报说明", "选项"}  # written by `forms`, not data
WORKBOOK_EXT = (".xlsx", ".xlsm", ".xls")
NOTES_EXT = (".yaml", ".yml")  # reports/YYYY-MM.yaml: staff's paragraphs for the month's 通报


@dataclass
class MonthData:
    month: str
    files: list[Path]
    records: dict[str, list[Record]]  # sheet name -> rows, every campaign sheet present
    warnings: list[str] = field(default_factory=list)
    _by_unit: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def rows(self, sheet: str, unit: str | None = None) -> list[Record]:
        rows = self.records.get(sheet, [])
        if unit is None:
            return rows
        # Scoring asks for every unit's rows of every sheet: index them once per
        # sheet (rebuilt if the sheet's list was replaced or grew).
        cached = self._by_unit.get(sheet)
        if cached is None or cached[0] is not rows or cached[1] != len(rows):
            index: dict[str, list[Record]] = {}
            for r in rows:
                index.setdefault(r.unit, []).append(r)
            cached = self._by_unit[sheet] = (rows, len(rows), index)
        return list(cached[2].get(unit, ()))


@contextmanager
def collector_paused():
    """Hold back Python's cycle collector while a month's reports are read and
    scored: those make hundreds of thousands of objects (rows, records, scores)
    and no reference cycles, and each collection would walk all of them again
    (a third of the time for 100,000 rows). Restored as it was on the way out."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _skip(p: Path) -> bool:
    return p.name.startswith(("~$", ".")) or p.name in ("Thumbs.db", "desktop.ini")


def month_sources(campaign: Campaign, problems: list[str], warnings: list[str]) -> dict[str, list[Path]]:
    """Which files make up each month, in a stable order (consolidated workbook first)."""
    reports = campaign.folder / REPORTS_DIR
    found: dict[str, list[Path]] = {}
    if not reports.is_dir():
        return found
    for entry in sorted(reports.iterdir()):
        if _skip(entry):
            continue
        stem = entry.name if entry.is_dir() else entry.stem
        rel = campaign.rel(entry)
        m = MONTH_NAME.match(stem)
        if entry.is_file() and m and entry.suffix.lower() in NOTES_EXT:
            continue  # the month's 存在问题/下步工作 paragraphs, read by the documents
        if entry.is_file() and entry.suffix.lower() not in WORKBOOK_EXT:
            warnings.append(f"{rel}: 不是 Excel 工作簿，已忽略")
            continue
        if not m:
            problems.append(f"{rel}: 文件名应为月份 YYYY-MM（如 {campaign.months[0]}.xlsx 或文件夹 {campaign.months[0]}/）")
            continue
        if stem not in campaign.config.months:
            problems.append(f"{rel}: {stem} 不在活动月份（{'、'.join(campaign.months)}）之内")
            continue
        if entry.is_dir():
            files = [p for p in sorted(entry.rglob("*")) if p.is_file() and not _skip(p)]
            for p in files:
                if p.suffix.lower() not in WORKBOOK_EXT + (".csv",):
                    warnings.append(f"{campaign.rel(p)}: 不是 Excel 工作簿或 CSV，已忽略")
            files = [p for p in files if p.suffix.lower() in WORKBOOK_EXT + (".csv",)]
            if not files:
                warnings.append(f"{rel}/: 文件夹是空的，本月按未报送处理")
                continue
            found.setdefault(stem, []).extend(files)
        else:
            found.setdefault(stem, []).insert(0, entry)
    return {m: found[m] for m in campaign.months if m in found}


def _csv_sheet(campaign: Campaign, path: Path) -> S.Sheet | None:
    stem = path.stem
    candidates = [stem] + [re.split(r"[_\-.－—·]", stem)[-1]]
    for c in candidates:
        sh = campaign.sheets.match(c)
        if sh:
            return sh
    return None


def read_month(campaign: Campaign, month: str, files: list[Path], problems: list[str],
               jobs: int | None = None) -> MonthData:
    with closing(read_many([(p, campaign.rel(p)) for p in files if p.suffix.lower() != ".csv"], jobs)) as workbooks:
        return _read_month(campaign, month, files, problems, workbooks)


def _read_month(campaign: Campaign, month: str, files: list[Path], problems: list[str], workbooks) -> MonthData:
    ctx = Context(
        month=V.month_bounds(month),
        month_label=V.month_zh(month),
        resolve_unit=campaign.roster.resolve,
    )
    records: dict[str, list[Record]] = {s.name: [] for s in campaign.sheets}
    keys: dict[str, list[tuple]] = {s.name: [] for s in campaign.sheets}  # row_key of each record
    for path in files:
        shown = campaign.rel(path)
        try:
            if path.suffix.lower() == ".csv":
                sheet = _csv_sheet(campaign, path)
                if sheet is None:
                    ctx.problems.append(
                        f"{shown}: CSV 文件名应为工作表名（{'、'.join(campaign.sheets.names())}），如 信息报送.csv"
                    )
                    continue
                tables = [(read_csv(path, shown, sheet.name), sheet)]
            else:
                raw = next(workbooks)  # read_xlsx(path, shown), maybe read ahead by a reader process
                if isinstance(raw, Unreadable):
                    raise raw
                tables = []
                for t in raw:
                    sheet = campaign.sheets.match(t.title)
                    if sheet is None:
                        if t.title.strip() not in HELPER_SHEETS:
                            near = _nearest(t.title, campaign.sheets.names())
                            ctx.warnings.append(f"{shown} 工作表“{t.title}”不是本活动的报表，已忽略{near}")
                        continue
                    tables.append((t, sheet))
                if not tables:
                    ctx.problems.append(
                        f"{shown}: 没有可识别的工作表（应为 {'、'.join(campaign.sheets.names())} 中的一个或几个）"
                    )
        except Unreadable as exc:
            ctx.problems.append(f"{shown}: {exc}")
            continue
        for table, sheet in tables:
            records[sheet.name].extend(parse_table(table, sheet, ctx, keys[sheet.name]))
    for name, rows in records.items():
        records[name] = _drop_duplicates(rows, ctx.warnings, keys[name])
    problems.extend(ctx.problems)
    return MonthData(month, list(files), records, ctx.warnings)


def _nearest(word: str, names: list[str]) -> str:
    import difflib

    near = difflib.get_close_matches(word, names, n=1, cutoff=0.4)
    return f"（是否应为“{near[0]}”？）" if near else ""


def _drop_duplicates(rows: list[Record], warnings: list[str], keys: list[tuple] | None = None) -> list[Record]:
    """Rows equal in every column (compared as text: row_key, given or worked
    out here) count once; each repeat is a warning."""
    seen: dict[tuple, Record] = {}
    kept = []
    for rec, key in zip(rows, map(row_key, rows) if keys is None else keys):
        first = seen.setdefault(key, rec)
        if first is not rec:
            first = first.source
            same = f"第{first.row}行" if first.file == rec.source.file else f"{first.file} 第{first.row}行"
            warnings.append(f"{rec.source}: 与{same}完全相同，按一条计")
            continue
        kept.append(rec)
    return kept


def intake(campaign: Campaign, months: list[str] | None = None, jobs: int | None = None) -> dict[str, MonthData]:
    """Every month that has reports (or just `months`), validated; any problem anywhere
    raises one UserError listing all of them. `jobs`: processes at work (default:
    the CPUs this process may use): this one parses, the others read workbooks
    ahead when a month has many (workbook.read_many); 1 reads all here."""
    problems: list[str] = []
    warnings: list[str] = []
    sources = month_sources(campaign, problems, warnings)
    data: dict[str, MonthData] = {}
    with collector_paused():
        for month, files in sources.items():
            if months is not None and month not in months:
                continue
            data[month] = read_month(campaign, month, files, problems, jobs)
    if problems:
        raise UserError(f"报表有 {len(problems)} 处问题，未生成任何文件：", problems)
    if data:
        first = data[next(iter(data))]
        first.warnings[:0] = warnings
    return data
