"""The bad-input suite: each case writes one broken report (or roster) into a
fresh campaign folder and names the exact messages intake must give.
Run directly to write every case under a folder for a look:
    .venv/bin/python tests/campaign/bad_inputs.py /tmp/bad"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from campaign_helpers import HEADERS, XINFENG, sign, write_roster, write_xlsx  # noqa: E402

R = "reports/2023-06.xlsx"
FIX = "请在 Excel 中打开，取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码），再另存为 .xlsx 格式"
SAVE_AS = "请在 Excel 或 WPS 中打开，另存为 .xlsx（Excel 工作簿）格式后重试"
YI = "（请填以亿元为单位的数字，如 7.2；5000万元 请写 0.5）"


def good_rows(n=12):
    return [sign("甲镇" if i % 2 else "乙镇", 2, name=f"项目{i}") for i in range(n)]


def non_numeric_amount(f):
    bad = sign("甲镇", "十亿")
    write_xlsx(f / R, {"签约项目": good_rows() + [bad]})
    return [f'{R} 签约项目 第14行 投资额（亿元）: "十亿" 不是数字{YI}']


def negative_amount(f):
    write_xlsx(f / R, {"开工项目": [["甲镇", "p", -2, "稳步推进", "2023-06-03"]]})
    return [f'{R} 开工项目 第2行 投资额（亿元）: "-2" 不能为负数']


def unknown_unit(f):
    write_xlsx(f / R, {"信息报送": [["甲小分对", "2023-06-03"], ["甲队", "2023-06-04"]]})  # 甲队 is a short name: fine
    return [f'{R} 信息报送 第2行 单位: "甲小分对" 不在参评单位名单中，是否为“甲小分队”？']


def unknown_enum(f):
    write_xlsx(f / R, {"签约项目": [sign("甲镇", 2, kind="正式签约")]})
    return [f'{R} 签约项目 第2行 签约类型: "正式签约" 不是可选值（实质性签约、意向性签约、合同文本送签）']


def date_outside_month(f):
    write_xlsx(f / R, {"信息报送": [["甲镇", dt.datetime(2023, 7, 1)], ["乙镇", "2023年5月31日"], ["甲镇", "6月3日"]]})
    return [
        f'{R} 信息报送 第2行 报送日期: "2023-07-01" 不在2023年6月内',
        f'{R} 信息报送 第3行 报送日期: "2023年5月31日" 不在2023年6月内',
        f'{R} 信息报送 第4行 报送日期: "6月3日" 不是日期（可写 2023-06-15、2023/6/15 或 2023年6月15日）',
    ]


def missing_column(f):
    head = [h for h in HEADERS["签约项目"] if h != "签约类型"]
    write_xlsx(f / R, {"签约项目": [["甲镇", "p", "e", "其他", "文旅", 2, "2023-06-05"]]}, {"签约项目": head})
    return [f"{R} 签约项目 第1行 缺少列“签约类型”"]


def blank_required_cell(f):
    write_xlsx(f / R, {"开工项目": [["甲镇", None, 2, "稳步推进", "2023-06-03"]]})
    return [f"{R} 开工项目 第2行 项目名称: 不能为空"]


def merged_header(f):
    wb = Workbook()
    ws = wb.active
    ws.title = "签约项目"
    ws.append(HEADERS["签约项目"])
    ws.append(sign("甲镇", 2))
    ws.merge_cells("A1:B1")
    (f / "reports").mkdir(exist_ok=True)
    wb.save(f / R)
    return [f"{R} 签约项目 第1行 表头有合并单元格 A1:B1：请取消合并，每列一个表头"]


def old_xls(f):
    """An OLE2 file that is no readable .xls (a real .xls is read: calamine reads them)."""
    (f / "reports" / "2023-06.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + "Workbook".encode("utf-16-le"))
    return [f"reports/2023-06.xls: 是旧版 .xls 格式，但无法读取（文件已损坏或设有密码）；{SAVE_AS}"]


def password_protected(f):
    # What Excel writes for a password: an OLE2 compound file holding EncryptionInfo and EncryptedPackage.
    body = b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 50 + "EncryptedPackage".encode("utf-16-le")
    (f / R).write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + body)
    return [f"{R}: 是带密码的加密文件，无法读取；{FIX}"]


def empty_roster(f):
    write_xlsx(f / "units.xlsx", {"参评单位": []}, {"参评单位": ["单位", "类别", "简称"]})
    write_xlsx(f / R, {"信息报送": [["甲镇", "2023-06-03"]]})
    return ["units.xlsx 参评单位 是空表：请每行填一个参评单位（单位、类别、简称）"]


def no_known_sheet(f):
    write_xlsx(f / R, {"Sheet1": [["甲镇", "2023-06-03"]]}, {"Sheet1": ["单位", "报送日期"]})
    return [f"{R} 工作表“Sheet1”不是本活动的报表：请把工作表改名为 外出招商、签约项目、开工项目、在谈项目、信息报送 之一，"
            "或在 campaign.yaml 的 sheets.aliases 里声明这个名称"]


def many_at_once(f):
    """Problems in two files of a month folder and in another month, all reported together."""
    write_xlsx(f / "reports" / "2023-07" / "甲镇.xlsx", {"签约项目": [sign("甲镇", "1个亿", month=7)]})
    write_xlsx(f / "reports" / "2023-07" / "乙镇.xlsx", {"信息报送": [["乙镇", "2023/7/32"]]})
    write_xlsx(f / R, {"外出招商": [["甲镇", "2023-06-02", "书记", "Y", "深圳", "三家"]]})
    return [
        f'{R} 外出招商 第2行 是否主要负责人: "Y" 不是可选值（是、否）',
        f'{R} 外出招商 第2行 拜访企业数: "三家" 不是数字',
        'reports/2023-07/乙镇.xlsx 信息报送 第2行 报送日期: "2023/7/32" 不是有效日期',
        f'reports/2023-07/甲镇.xlsx 签约项目 第2行 投资额（亿元）: "1个亿" 不是数字{YI}',
    ]


def month_not_in_campaign(f):
    write_xlsx(f / "reports" / "2023-09.xlsx", {"信息报送": [["甲镇", "2023-09-03"]]})
    write_xlsx(f / "reports" / "六月.xlsx", {"信息报送": [["甲镇", "2023-06-03"]]})
    return [
        "reports/2023-09.xlsx: 2023-09 不在活动月份（2023-06、2023-07、2023-08）之内",
        "reports/六月.xlsx: 文件名应为月份 YYYY-MM（如 2023-06.xlsx 或文件夹 2023-06/）",
    ]


CASES = [
    non_numeric_amount, negative_amount, unknown_unit, unknown_enum, date_outside_month, missing_column,
    blank_required_cell, merged_header, old_xls, password_protected, empty_roster, no_known_sheet,
    many_at_once, month_not_in_campaign,
]


def make_case(root: Path, case) -> tuple[Path, list[str]]:
    f = root / case.__name__
    (f / "reports").mkdir(parents=True, exist_ok=True)
    shutil.copy(XINFENG / "campaign.yaml", f / "campaign.yaml")
    write_roster(f)
    return f, case(f)


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs")
    for c in CASES:
        folder, expected = make_case(root, c)
        print(folder, *expected, sep="\n  ")
