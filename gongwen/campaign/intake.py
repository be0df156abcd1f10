"""Reading a campaign's monthly reports: a consolidated workbook per month
(reports/YYYY-MM.xlsx), a folder of per-unit workbooks (reports/YYYY-MM/*.xlsx),
sheets given as .csv in that folder; everything found is merged. Problems in
every file of every month are collected and raised together."""

from __future__ import annotations

import gc
import os
import re
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gongwen.campaign import sheets as S
from gongwen.campaign import values as V
from gongwen.campaign.folder import LINK, NOTES_EXT, REPORTS_DIR, Campaign, check_notes
from gongwen.campaign.tables import Context, Notice, Record, parse_table, row_key
from gongwen.campaign.workbook import SAVE_AS, Unreadable, read_csv, read_many, sniff
from gongwen.errors import UserError

MONTH_NAME = re.compile(r"^(\d{4})-(\d{2})$")
HELPER_SHEETS = {"填报说明", "选项"}  # written by `forms`, not data
WORKBOOK_EXT = (".xlsx", ".xlsm", ".xls", ".et", ".ett")  # read by their bytes: .xlsx or .xls inside
JUNK = ("Thumbs.db", "desktop.ini", ".DS_Store")  # what systems leave in folders; ~$ lock files and ._ copies too


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
    """Known junk: Office and WPS lock files (~$), LibreOffice's (.~lock.), macOS ._ copies,
    .DS_Store, Thumbs.db, desktop.ini."""
    return p.name.startswith(("~$", "._", ".~lock.")) or p.name in JUNK


def _is_csv(p: Path) -> bool:
    """A .csv that is text (a workbook saved with a .csv name is read as the workbook it is)."""
    return p.suffix.lower() == ".csv" and sniff(p) == "other"


def _walk(folder: Path) -> list[Path]:
    """Everything under folder, sorted; links are listed, never followed."""
    out = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        out.extend(Path(top) / d for d in dirs if os.path.islink(os.path.join(top, d)))
        out.extend(Path(top) / f for f in files)
    return sorted(out)


def month_sources(campaign: Campaign, problems: list[str], warnings: list[str]) -> dict[str, list[Path]]:
    """Which files make up each month, in a stable order (consolidated workbook first)."""
    reports = campaign.folder / REPORTS_DIR
    found: dict[str, list[Path]] = {}
    if reports.is_symlink():
        problems.append(f"{REPORTS_DIR}/: {LINK}")
        return found
    if not reports.is_dir():
        return found
    for entry in sorted(reports.iterdir()):
        if _skip(entry):
            continue
        if entry.is_symlink():
            problems.append(f"{campaign.rel(entry)}: {LINK}")
            continue
        stem = entry.name if entry.is_dir() else entry.stem
        rel = campaign.rel(entry)
        m = MONTH_NAME.match(stem)
        if entry.is_file() and m and entry.suffix.lower() in NOTES_EXT:
            problems.extend(check_notes(entry, rel))  # the month's 存在问题/下步工作 paragraphs, read by the documents
            continue
        if entry.is_file() and entry.suffix.lower() not in WORKBOOK_EXT:
            problems.append(f"{rel}: 不是 Excel 工作簿，无法使用；月报表{SAVE_AS}，与本活动无关的文件请移出 reports/")
            continue
        if not m:
            problems.append(f"{rel}: 文件名应为月份 YYYY-MM（如 {campaign.months[0]}.xlsx 或文件夹 {campaign.months[0]}/）")
            continue
        if stem not in campaign.config.months:
            problems.append(f"{rel}: {stem} 不在活动月份（{'、'.join(campaign.months)}）之内")
            continue
        if entry.is_dir():
            files = []
            for p in _walk(entry):
                if p.is_symlink():
                    problems.append(f"{campaign.rel(p)}: {LINK}")
                elif p.is_file() and not _skip(p):
                    files.append(p)
            for p in files:
                if p.suffix.lower() not in WORKBOOK_EXT + (".csv",):
                    problems.append(f"{campaign.rel(p)}: 不是 Excel 工作簿或 CSV，无法使用；报表{SAVE_AS}，"
                                    "与本活动无关的文件请移出 reports/")
            files = [p for p in files if p.suffix.lower() in WORKBOOK_EXT + (".csv",)]
            if not files:
                warnings.append(Notice(f"{rel}/: 文件夹是空的，本月按未报送处理", rel + "/",
                                       message="文件夹是空的，本月按未报送处理"))
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
    with closing(read_many([(p, campaign.rel(p)) for p in files if not _is_csv(p)], jobs)) as workbooks:
        return _read_month(campaign, month, files, problems, workbooks)


_MONTH_IN_NAME = re.compile(r"\d{4}\s*[-年._]?\s*\d{1,2}\s*月?(份)?")


def file_unit(campaign: Campaign, month: str, path: Path) -> str | None:
    """The roster unit a per-unit workbook's file name names (reports/2023-07/甲镇.xlsx,
    甲镇2023年7月.xlsx, 2023-07_甲镇.xlsx, 甲镇-签约.xlsx), else None; a consolidated
    workbook names none."""
    reports = campaign.folder / REPORTS_DIR
    if path.parent == reports:
        return None
    stem = path.stem
    bare = _MONTH_IN_NAME.sub("", stem).strip(" _-—－·.（）()")
    for text in (stem, bare, *re.split(r"[ _\-—－·.（）()]+", bare)):
        if text:
            name, _ = campaign.roster.resolve(text)
            if name:
                return name
    return None


def _read_month(campaign: Campaign, month: str, files: list[Path], problems: list[str], workbooks) -> MonthData:
    ctx = Context(
        month=V.month_bounds(month),
        month_label=V.month_zh(month),
        resolve_unit=campaign.roster.resolve,
        amount_max=campaign.sheets.amount_max,
    )
    records: dict[str, list[Record]] = {s.name: [] for s in campaign.sheets}
    keys: dict[str, list[tuple]] = {s.name: [] for s in campaign.sheets}  # row_key of each record
    names = campaign.sheets.names()
    for path in files:
        shown = campaign.rel(path)
        try:
            if _is_csv(path):
                sheet = _csv_sheet(campaign, path)
                if sheet is None:
                    ctx.problems.append(
                        f"{shown}: CSV 文件名应为工作表名（{'、'.join(names)}），如 信息报送.csv"
                    )
                    continue
                tables = [(read_csv(path, shown, sheet.name), sheet)]
            else:
                raw = next(workbooks)  # read_xlsx(path, shown), maybe read ahead by a reader process
                if isinstance(raw, Unreadable):
                    raise raw
                tables = []
                unknown = []
                for t in raw:
                    sheet = campaign.sheets.match(t.title)
                    if sheet is None:
                        if t.title.strip() not in HELPER_SHEETS and _has_data(t):
                            unknown.append(t)
                        continue
                    tables.append((t, sheet))
                for t in unknown:
                    near = _nearest(t.title, names)
                    ctx.problems.append(
                        f"{shown} 工作表“{t.title}”不是本活动的报表{near}：请把工作表改名为 {'、'.join(names)} 之一，"
                        f"或在 campaign.yaml 的 sheets.aliases 里声明这个名称"
                    )
                if not tables and not unknown:
                    ctx.problems.append(
                        f"{shown}: 没有可识别的工作表（应为 {'、'.join(names)} 中的一个或几个）"
                    )
        except Unreadable as exc:
            ctx.problems.append(f"{shown}: {exc}")
            continue
        unit = file_unit(campaign, month, path)
        ctx.filled_units = []
        for table, sheet in tables:
            records[sheet.name].extend(parse_table(table, sheet, ctx, keys[sheet.name], file_unit=unit))
        if ctx.filled_units:
            where = "；".join(f"{sh} 第{'、'.join(str(r) for sh2, r in ctx.filled_units if sh2 == sh)}行"
                             for sh in dict.fromkeys(sh for sh, _ in ctx.filled_units))
            n = len(ctx.filled_units)
            ctx.warnings.append(Notice(f"{shown}: {n} 行的“单位”为空，按文件名记为“{unit}”（{where}）", shown, "",
                                       ctx.filled_units[0][1], S.UNIT_COLUMN, unit, f"{n} 行的单位按文件名记为“{unit}”"))
    for name, rows in records.items():
        records[name] = _drop_duplicates(rows, ctx.warnings, keys[name])
    problems.extend(ctx.problems)
    return MonthData(month, list(files), records, ctx.warnings)


def _has_data(table) -> bool:
    from gongwen.campaign.workbook import cell

    return any(not V.is_blank(cell(v) if table.as_read else v) for row in table.rows for v in row)


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
            warnings.append(Notice(f"{rec.source}: 与{same}完全相同，按一条计", rec.source.file, rec.source.sheet,
                                   rec.source.row, "", "", f"与{same}完全相同，按一条计"))
            continue
        kept.append(rec)
    return kept


def intake(campaign: Campaign, months: list[str] | None = None, jobs: int | None = None,
           strict: bool = False) -> dict[str, MonthData]:
    """Every month that has reports (or just `months`), validated; any problem anywhere
    raises one UserError listing all of them. `jobs`: processes at work (default:
    the CPUs this process may use): this one parses, the others read workbooks
    ahead when a month has many (workbook.read_many); 1 reads all here.
    `strict`: every warning (MonthData.warnings) counts as a problem too."""
    problems: list[str] = []
    warnings: list[str] = []
    sources = month_sources(campaign, problems, warnings)
    data: dict[str, MonthData] = {}
    with collector_paused():
        for month, files in sources.items():
            if months is not None and month not in months:
                continue
            data[month] = read_month(campaign, month, files, problems, jobs)
    strict_ones = [*warnings, *(w for md in data.values() for w in md.warnings)] if strict else []
    if problems or strict_ones:
        note = f"（其中 {len(strict_ones)} 处是提示，严格模式下按错误处理）" if strict_ones else ""
        raise UserError(f"报表有 {len(problems) + len(strict_ones)} 处问题{note}，未生成任何文件：",
                        problems + strict_ones)
    if data:
        first = data[next(iter(data))]
        first.warnings[:0] = warnings
    return data
