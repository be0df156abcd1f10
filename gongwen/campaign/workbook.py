"""Opening the files staff send: .xlsx through pandas (openpyxl engine), a sheet
given as .csv, and clear words for what cannot be read (.xls, a password)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# Limits well above any month's report, so a hostile or broken file fails fast
# with a clear message instead of exhausting memory.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per workbook
MAX_ROWS_PER_SHEET = 50_000
FIX_FORMAT = "请在 Excel 中打开，取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码），再另存为 .xlsx 格式"


class Unreadable(Exception):
    """The file as a whole cannot be read; the message is the Chinese reason."""


@dataclass
class RawTable:
    """One sheet as read: rows[i] is Excel row i + 1."""

    file: str  # as shown to the user (relative to the campaign folder)
    title: str
    rows: list[list[object]]
    merged_header: list[str] = field(default_factory=list)  # merged ranges touching row 1


def _check_format(path: Path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(8)
        fh.seek(0)
        blob = fh.read(1 << 20) if head == OLE2_MAGIC else b""
    if head == OLE2_MAGIC:
        if "EncryptedPackage".encode("utf-16-le") in blob or path.suffix.lower() in (".xlsx", ".xlsm"):
            raise Unreadable(f"是带密码的加密文件，无法读取；{FIX_FORMAT}")
        raise Unreadable(f"是旧版 .xls 格式，无法读取；{FIX_FORMAT}")
    if path.suffix.lower() == ".xls":
        raise Unreadable(f"是旧版 .xls 格式，无法读取；{FIX_FORMAT}")
    if not head.startswith(b"PK"):
        raise Unreadable("不是有效的 .xlsx 文件（文件已损坏或并非 Excel 工作簿），请重新另存为 .xlsx")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise Unreadable(f"文件有 {size / 1048576:.1f} MB，超过 {MAX_FILE_BYTES // 1048576} MB 的上限；"
                         "月报表不应这么大，请检查是否粘贴了图片或大量空行，删去后另存")
    try:
        with zipfile.ZipFile(path) as zf:
            unzipped = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        raise Unreadable("不是有效的 .xlsx 文件（压缩包已损坏），请重新另存为 .xlsx") from None
    if unzipped > MAX_UNZIPPED_BYTES or unzipped > MAX_RATIO * max(size, 1):
        raise Unreadable(f"解压后有 {unzipped / 1048576:.0f} MB（压缩前 {size / 1048576:.1f} MB），"
                         "疑似“压缩炸弹”或已损坏，已拒绝读取；请重新另存为 .xlsx")


def _check_rows(path: Path) -> None:
    """Refuse a sheet with more rows than any report has, before reading it all."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        for ws in wb.worksheets:
            rows = ws.max_row or 0
            if rows > MAX_ROWS_PER_SHEET:
                raise Unreadable(f"工作表“{ws.title}”有 {rows} 行，超过每表 {MAX_ROWS_PER_SHEET} 行的上限；"
                                 "请检查是否误填或拆成多个文件")
    finally:
        wb.close()


def read_xlsx(path: Path, shown: str) -> list[RawTable]:
    _check_format(path)
    _check_rows(path)
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise Unreadable(f"无法打开（{type(exc).__name__}），请在 Excel 中另存为 .xlsx 后重试") from None
    merged = {
        ws.title: [str(r) for r in ws.merged_cells.ranges if r.min_row <= 1]
        for ws in wb.worksheets
    }
    wb.close()
    try:
        frames = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # pandas raises many kinds for a broken workbook
        raise Unreadable(f"无法读取（{type(exc).__name__}），请在 Excel 中另存为 .xlsx 后重试") from None
    tables = []
    for title, df in frames.items():
        rows = [list(r) for r in df.itertuples(index=False, name=None)]
        tables.append(RawTable(shown, str(title), rows, merged.get(title, [])))
    return tables


def read_csv(path: Path, shown: str, title: str) -> RawTable:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            df = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding=enc, skip_blank_lines=False)
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            return RawTable(shown, title, [])
        except pd.errors.ParserError as exc:
            raise Unreadable(f"不是规整的 CSV 表格（{exc}）") from None
    else:
        raise Unreadable("编码无法识别，请以 UTF-8 或 GBK 编码保存 CSV")
    rows = [[None if v == "" else v for v in r] for r in df.itertuples(index=False, name=None)]
    return RawTable(shown, title, rows)
