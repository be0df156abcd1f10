"""A campaign's reports as the page sees them: uploads checked in a staged
copy of the campaign folder before anything is stored, replaced files kept in
报表历史/ beside reports/, the month's 报送情况 (who sent what), the month's
paragraphs (reports/YYYY-MM.yaml) read and written.

The intake developer is adding structured problems and a `check()`; until
then problems are the intake's strings, split into fields by parse_problem()
(the one place that knows their shape)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from gongwen.campaign.folder import REPORTS_DIR
from gongwen.campaign.intake import MONTH_NAME
from gongwen.errors import UserError
from gongwen.web.settings import HISTORY_DIR

UNIT_EXT = (".xlsx", ".xlsm", ".xls", ".csv")
CONSOLIDATED_EXT = (".xlsx", ".xlsm", ".xls")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls and encrypted workbooks: the intake says what is wrong with them
BAD_NAME = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")

# "reports/2023-06.xlsx 签约项目 第4行 单位: \"不存在的单位\" 不在参评单位名单中"
PROBLEM = re.compile(
    r"^(?P<file>\S+?\.(?:xlsx|xlsm|xls|csv|yaml|yml))"
    r"(?:[ ](?P<sheet>(?!第\d+行)[^ :：]+))?"
    r"(?:[ ]第(?P<row>\d+)行)?"
    r"(?:[ ]?(?P<column>[^:：\"“]{1,40}?)?[:：])?"
    r"[ ]?(?:\"(?P<value>[^\"]*)\"[ ]?)?"
    r"(?P<message>.*)$", re.S)


def parse_problem(text: str) -> dict:
    """An intake problem as fields: file, sheet, row, column, value, message
    (None where the text does not say)."""
    m = PROBLEM.match(text.strip())
    if not m:
        return {"file": None, "sheet": None, "row": None, "column": None, "value": None, "message": text}
    d = m.groupdict()
    column = (d["column"] or "").strip() or None
    return {"file": d["file"], "sheet": d["sheet"], "row": int(d["row"]) if d["row"] else None,
            "column": column, "value": d["value"], "message": (d["message"] or "").strip() or text}


def problem(message: str, file: str | None = None) -> dict:
    return {"file": file, "sheet": None, "row": None, "column": None, "value": None, "message": message}


@dataclass
class Upload:
    name: str
    data: bytes


@dataclass
class Checked:
    problems: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    targets: dict[str, bytes] = field(default_factory=dict)  # path under the campaign folder -> bytes

    @property
    def ok(self) -> bool:
        return not self.problems


def target_of(name: str, month: str) -> tuple[str | None, str | None]:
    """(path under the campaign folder, None) or (None, what is wrong)."""
    if not name or BAD_NAME.search(name) or name.startswith(".") or ".." in name or len(name) > 120:
        return None, "文件名不合适：不能含路径、以点开头或含 \\ / : * ? \" < > |"
    stem, ext = os.path.splitext(name)
    ext = ext.lower()
    if MONTH_NAME.match(stem):
        if stem != month:
            return None, f"文件名是 {stem}，但上传到的是 {month}：请改名或选对月份"
        if ext not in CONSOLIDATED_EXT:
            return None, "月度汇总表应为 Excel 工作簿（.xlsx）"
        return f"{REPORTS_DIR}/{month}{ext}", None
    if ext not in UNIT_EXT:
        return None, "只接受 Excel 工作簿（.xlsx）或 CSV"
    return f"{REPORTS_DIR}/{month}/{name}", None


def _looks_right(name: str, data: bytes) -> str | None:
    ext = os.path.splitext(name)[1].lower()
    if not data:
        return "文件是空的"
    if ext in (".xlsx", ".xlsm") and not (data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC)):
        return "不是 Excel 工作簿（内容不是 .xlsx 格式），请在 Excel/WPS 里另存为 .xlsx"
    if ext == ".csv" and b"\x00" in data[:4096]:
        return "不是文本格式的 CSV"
    return None


def _stage(folder: Path, into: Path) -> Path:
    """A copy of the campaign's inputs (not its history or register) to check in."""
    stage = into / folder.name
    stage.mkdir()
    for p in folder.iterdir():
        if p.is_file() and (p.name == "campaign.yaml" or p.stem == "units" or p.suffix in (".j2", ".docx")):
            shutil.copy2(p, stage / p.name)
        elif p.is_dir() and p.name == REPORTS_DIR:
            shutil.copytree(p, stage / p.name, ignore=shutil.ignore_patterns("~$*"))
        elif p.is_dir() and not p.name.startswith(".") and p.name != HISTORY_DIR:
            shutil.copytree(p, stage / p.name, symlinks=True)
    return stage


def check_upload(folder: Path, month: str, uploads: list[Upload]) -> Checked:
    """Check `uploads` as if stored in reports/ for `month`: the campaign
    (all months, as a build reads them) is read in a temporary copy. Nothing
    in `folder` changes."""
    from gongwen.campaign import compute, load_campaign

    out = Checked()
    if not MONTH_NAME.match(month or ""):
        out.problems.append(problem("请选择月份（YYYY-MM）"))
        return out
    if not uploads:
        out.problems.append(problem("没有收到文件：请把 Excel 文件拖到框里"))
        return out
    seen: set[str] = set()
    for u in uploads:
        rel, why = target_of(u.name, month)
        why = why or _looks_right(u.name, u.data)
        if rel in seen:
            why = "同一个文件上传了两次"
        if why:
            out.problems.append(problem(why, u.name))
            continue
        seen.add(rel)
        out.targets[rel] = u.data
    if out.problems:
        return out
    try:
        camp = load_campaign(folder)
    except UserError as exc:
        out.problems += [parse_problem(p) for p in exc.problems] or [problem(exc.message)]
        return out
    if month not in camp.months:
        out.problems.append(problem(f"{month} 不在活动月份（{'、'.join(camp.months)}）之内"))
        return out
    with tempfile.TemporaryDirectory(prefix="gw-upload-") as tmp:
        stage = _stage(folder, Path(tmp))
        for rel, data in out.targets.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            computed = compute(load_campaign(stage))
            out.warnings = list(computed.warnings)
        except UserError as exc:
            out.problems += [parse_problem(p) for p in exc.problems] or [problem(exc.message)]
        except Exception as exc:  # a workbook the readers choke on: say so, store nothing
            out.problems.append(problem(f"无法读取：{exc.__class__.__name__}"))
    return out


def history_dir(folder: Path) -> Path:
    return folder / HISTORY_DIR


def keep_old(folder: Path, rel: str, stamp: str) -> Path | None:
    """Move the file at `rel` (if any) into 报表历史/<stamp>/<rel under reports>."""
    path = folder / rel
    if not path.is_file():
        return None
    kept = history_dir(folder) / stamp / Path(rel).relative_to(REPORTS_DIR)
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, kept)
    return kept


def store(folder: Path, targets: dict[str, bytes]) -> list[str]:
    """Write checked files into the campaign; a file replaced is kept in the history first."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    written = []
    for rel, data in targets.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        keep_old(folder, rel, stamp)
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        written.append(rel)
    return written


def history(folder: Path) -> list[dict]:
    """Files kept when replaced, newest first."""
    root = history_dir(folder)
    if not root.is_dir():
        return []
    items = []
    for p in sorted(root.rglob("*"), reverse=True):
        if p.is_file():
            rel = p.relative_to(root)
            items.append({"when": rel.parts[0], "file": "/".join(rel.parts[1:]), "bytes": p.stat().st_size})
    return items


# ---------------------------------------------------------------------------
# 报送情况


def submissions(folder: Path, month: str) -> dict:
    """Who sent what for `month` (gongwen.campaign.submissions): per unit of
    the roster, its files and rows per sheet; problems and warnings of reading it."""
    from gongwen.campaign import intake, load_campaign
    from gongwen.campaign.submissions import submissions as count

    camp = load_campaign(folder)
    result = {"month": month, "sheets": [s.name for s in camp.sheets], "units": [], "problems": [], "warnings": []}
    try:
        data = intake(camp, months=[month], jobs=1)
    except UserError as exc:
        result["problems"] = [parse_problem(p) for p in exc.problems] or [problem(exc.message)]
        data = {}
    if month in data:
        result["warnings"] = list(data[month].warnings)
    subs = count(camp, data)
    result["sheets"] = list(subs.sheets)
    if month in subs.reported:
        result["units"] = [u.as_dict() for u in subs.reported[month]]
    else:  # nothing readable for the month yet: every unit, none sent
        result["units"] = [{"unit": u.name, "category": u.category, "rows": {}, "files": [], "total": 0,
                            "sent_nothing": True} for u in camp.roster]
    result["sent"] = sum(1 for u in result["units"] if u["total"])
    return result


# ---------------------------------------------------------------------------
# the month's paragraphs: reports/YYYY-MM.yaml

NOTE_KEYS = ("存在问题", "下步工作", "工作亮点")
NOTES_HEADER = "# 本月通报中由办公室撰写的段落（网页上编辑；程序照原样排入通报）。\n"


def notes_path(folder: Path, month: str) -> Path:
    return folder / REPORTS_DIR / f"{month}.yaml"


def read_notes(folder: Path, month: str) -> dict:
    from gongwen import safeyaml

    path = notes_path(folder, month)
    raw = {}
    if path.is_file():
        raw = safeyaml.load(path.read_text(encoding="utf-8"), f"reports/{path.name}") or {}
    return {k: [str(x) for x in (raw.get(k) or [])] for k in NOTE_KEYS}


def write_notes(folder: Path, month: str, notes: dict) -> None:
    """Set the three lists (one paragraph per item), keep any other key (成文日期, 发文字号)."""
    import yaml

    from gongwen import safeyaml
    from gongwen.documents.settings import MonthNotes

    path = notes_path(folder, month)
    raw = {}
    if path.is_file():
        raw = safeyaml.load(path.read_text(encoding="utf-8"), f"reports/{path.name}") or {}
    for k in NOTE_KEYS:
        items = notes.get(k)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            raise UserError(f"{k} 应为若干段文字")
        items = [x.strip() for x in items if x.strip()]
        if items:
            raw[k] = items
        else:
            raw.pop(k, None)
    try:
        MonthNotes.model_validate(raw)
    except Exception as exc:
        raise UserError(f"{path.name} 有误：{exc}") from None
    text = NOTES_HEADER + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1000)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    keep_old(folder, f"{REPORTS_DIR}/{path.name}", stamp)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
