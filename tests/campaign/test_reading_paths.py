"""The fast ways of reading reports give what the plain ways give: a sheet's
first bytes read straight from the zip equal zipfile's, parsing by distinct
value equals parsing cell by cell (records and every problem), a True cell is
never taken for 1, and the paused cycle collector is restored."""

from __future__ import annotations

import datetime as dt
import gc
import io
import zipfile
import zlib

import pytest

from gongwen.campaign import intake, load_campaign
from gongwen.campaign.tables import Context, _map_header, _parse_by_cell, _parse_by_value, row_key
from gongwen.campaign.values import month_bounds, month_zh
from gongwen.campaign.workbook import HEAD_BYTES, _entry_head, read_xlsx
from gongwen.errors import UserError

from campaign_helpers import sign, write_xlsx

R = "reports/2023-06.xlsx"


def _zipfile_head(zf: zipfile.ZipFile, name: str) -> bytes:
    with zf.open(name) as fh:
        return fh.read(HEAD_BYTES)


def test_sheet_heads_from_the_zip_bytes_equal_zipfile(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", {
        "信息报送": [["甲镇", "2023-06-03"]],  # a sheet shorter than HEAD_BYTES
        "签约项目": [sign("甲镇", i, name=f"项目{i}") for i in range(300)],  # much longer
    })
    data = path.read_bytes()
    zf = zipfile.ZipFile(io.BytesIO(data))
    sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/")]
    sizes = sorted(zf.getinfo(n).file_size for n in sheets)
    assert sizes[0] < HEAD_BYTES < sizes[-1]
    for name in sheets:
        head = _entry_head(zf, name, data)
        assert head is not None and head == _zipfile_head(zf, name)
        assert head.startswith(b"<?xml") or head.startswith(b"<worksheet")

    # A stored entry and a damaged one are left to zipfile.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        out.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * 5000, compress_type=zipfile.ZIP_STORED)
        out.writestr("xl/worksheets/sheet2.xml", b"<worksheet><dimension ref=\"A1:B3\"/></worksheet>",
                     compress_type=zipfile.ZIP_DEFLATED)
    stored_and_small = buf.getvalue()
    zf = zipfile.ZipFile(io.BytesIO(stored_and_small))
    assert _entry_head(zf, "xl/worksheets/sheet1.xml", stored_and_small) is None
    assert _entry_head(zf, "xl/worksheets/sheet2.xml", stored_and_small) == _zipfile_head(zf, "xl/worksheets/sheet2.xml")
    info = zf.getinfo("xl/worksheets/sheet2.xml")
    damaged = bytearray(stored_and_small)
    start = info.header_offset + 30 + len(info.orig_filename)
    damaged[start + 2] ^= 0x55  # the deflate stream, not the headers
    zf = zipfile.ZipFile(io.BytesIO(bytes(damaged)))
    assert _entry_head(zf, "xl/worksheets/sheet2.xml", bytes(damaged)) is None
    with pytest.raises((zipfile.BadZipFile, zlib.error)):  # what zipfile makes of it
        _zipfile_head(zf, "xl/worksheets/sheet2.xml")


MESSY = [
    ["甲镇", "2023-06-02", " 书记 ", "是", "深圳", 3],
    ["甲镇", "2023/6/3", None, "是", None, None],  # optional cells blank
    ["甲队", "2023年6月4日", "NA", "否", "   ", "2"],  # a short name; NA and spaces are blank
    ["甲镇", "2023-07-01", "书记", "是", "深圳", 1],  # outside the month
    ["丙镇", "2023-06-05", "书记", "是", "深圳", 1],  # not in the roster
    ["甲镇", "6月3日", "书记", "Y", "深圳", "三家"],  # three bad cells
    ["甲镇", None, "书记", "是", "深圳", 2.5],  # a required cell blank, a fraction
    [None, None, None, None, None, None],  # blank
    ["乙镇", None, None, None, None, None],  # only the unit: skipped as blank
    ["乙镇", dt.datetime(2023, 6, 9), "镇长", "否", "厦门", 0],
    ["甲镇", "2023-06-02", " 书记 ", "是", "深圳", 3],  # a repeat
    ["乙镇", 45086, "镇长", "否", "厦门", -1],  # an Excel serial date; a negative count
    ["乙镇", "2023-06-06", "镇长", "NA", "厦门", 1],  # NA is a blank cell, as pandas reads it
]


def _both_ways(folder, month="2023-06"):
    """Records, problems and warnings of the 外出招商 sheet, parsed by value
    (cells as read) and cell by cell (cells converted first)."""
    campaign = load_campaign(folder)
    sheet = campaign.sheets["外出招商"]
    (table,) = [t for t in read_xlsx(folder / R, R) if t.title == "外出招商"]
    assert table.as_read
    converted = table.converted()
    out = []
    for parse in (_parse_by_value, _parse_by_cell):
        ctx = Context(month=month_bounds(month), month_label=month_zh(month), resolve_unit=campaign.roster.resolve)
        columns = _map_header(table, converted.rows[0], sheet, ctx)
        keys = []
        if parse is _parse_by_value:
            records = parse(table, sheet, columns, table.rows[1:], ctx, keys)
            assert keys == [row_key(r) for r in records]
        else:
            records = parse(converted, sheet, columns, ctx)
        out.append(([(r.sheet, r.unit, r.values, r.source) for r in records], ctx.problems, ctx.warnings))
    return out


def test_parsing_by_value_equals_parsing_cell_by_cell(mini):
    write_xlsx(mini / R, {"外出招商": MESSY})
    by_value, by_cell = _both_ways(mini)
    assert by_value == by_cell
    records, problems, _ = by_value
    assert [s.row for *_, s in records] == [2, 3, 4, 11, 12]
    assert records[1][2] == {"单位": "甲镇", "日期": dt.date(2023, 6, 3), "带队领导": None, "是否主要负责人": "是",
                             "目的地": None, "拜访企业数": None}
    assert records[2][1] == "甲小分队" and records[0][2]["带队领导"] == "书记"
    assert problems == [
        f'{R} 外出招商 第5行 日期: "2023-07-01" 不在2023年6月内',
        f'{R} 外出招商 第6行 单位: "丙镇" 不在参评单位名单中，是否为“甲镇”？',
        f'{R} 外出招商 第7行 日期: "6月3日" 不是日期（可写 2023-06-15、2023/6/15 或 2023年6月15日）',
        f'{R} 外出招商 第7行 是否主要负责人: "Y" 不是可选值（是、否）',
        f'{R} 外出招商 第7行 拜访企业数: "三家" 不是数字',
        f"{R} 外出招商 第8行 日期: 不能为空",
        f'{R} 外出招商 第8行 拜访企业数: "2.5" 应为整数',
        f'{R} 外出招商 第13行 拜访企业数: "-1" 不能为负数',
        f"{R} 外出招商 第14行 是否主要负责人: 不能为空",
    ]


def test_a_true_cell_is_not_read_as_1(mini):
    """True equals 1 in Python: a sheet holding a TRUE cell is read cell by cell."""
    rows = [sign("甲镇", 1, name="p1"), sign("乙镇", True, name="p2"), sign("甲镇", 1.0, name="p3")]
    write_xlsx(mini / R, {"签约项目": rows})
    with pytest.raises(UserError) as exc:
        intake(load_campaign(mini))
    assert exc.value.problems == [f'{R} 签约项目 第3行 投资额（亿元）: "True" 不是数字']


def test_the_cycle_collector_is_restored(mini):
    write_xlsx(mini / R, {"信息报送": [["甲镇", "2023-06-03"]]})
    campaign = load_campaign(mini)
    assert gc.isenabled()
    assert len(intake(campaign)["2023-06"].rows("信息报送")) == 1
    assert gc.isenabled()
    gc.disable()
    try:
        intake(campaign)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _folder_of_workbooks(mini, bad: bool):
    """reports/2023-06/: a workbook per unit and sheet kind, a CSV among them,
    and (bad) a broken workbook and rows with problems."""
    from campaign_helpers import ROSTER, report, start, trip

    month = mini / "reports" / "2023-06"
    for n, (unit, *_rest) in enumerate(ROSTER):
        write_xlsx(month / f"{unit}-外出.xlsx", {"外出招商": [trip(unit, day=d) for d in (2, 9, 9, 16)]})
        write_xlsx(month / f"{unit}-签约.xlsx", {"签约项目": [sign(unit, n + 1), sign(unit, "1.5", day=12)],
                                                "开工项目": [start(unit, amount=n + 2)]})
    (month / "乙镇-信息报送.csv").write_text("单位,报送日期\n乙镇,2023-06-03\n乙镇,2023/6/4\n", encoding="utf-8")
    if bad:
        (month / "旧格式.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
        write_xlsx(month / "县乙局-信息报送.xlsx", {"信息报送": [["县乙局", "2023-06-31"], report("县乙局", 4)]})


def _intake_both_ways(mini, monkeypatch):
    import subprocess

    import gongwen.campaign.workbook as W

    monkeypatch.setattr(W, "MIN_PER_READER", 2)
    monkeypatch.setattr(W, "CHUNK", 2)
    started = []
    popen = subprocess.Popen
    monkeypatch.setattr(W.subprocess, "Popen", lambda *a, **k: started.append(1) or popen(*a, **k))
    out = []
    for jobs in (1, 3):  # 3: two reader processes and this one
        campaign = load_campaign(mini)
        try:
            data = intake(campaign, jobs=jobs)["2023-06"]
            out.append({name: [(r.unit, r.values, r.source) for r in rows] for name, rows in data.records.items()}
                       | {"warnings": data.warnings})
        except UserError as exc:
            out.append(exc.problems)
    return out, len(started)


def test_reader_processes_give_what_reading_here_gives(mini, monkeypatch):
    _folder_of_workbooks(mini, bad=False)
    (here, readers), started = _intake_both_ways(mini, monkeypatch)
    assert started == 2  # two readers for 13 workbooks
    assert readers == here
    assert len(here["外出招商"]) == 18 and len(here["签约项目"]) == 12 and len(here["信息报送"]) == 2
    assert [w for w in here["warnings"] if "完全相同" in w][:1] == [
        "reports/2023-06/乙小分队-外出.xlsx 外出招商 第4行: 与第3行完全相同，按一条计"]


def test_reader_processes_report_the_same_problems(mini, monkeypatch):
    _folder_of_workbooks(mini, bad=True)
    (here, readers), started = _intake_both_ways(mini, monkeypatch)
    assert started == 2
    assert readers == here == [
        "reports/2023-06/县乙局-信息报送.xlsx 信息报送 第2行 报送日期: \"2023-06-31\" 不是有效日期",
        "reports/2023-06/旧格式.xls: 是旧版 .xls 格式，但无法读取（文件已损坏或设有密码）；"
        "请在 Excel 或 WPS 中打开，另存为 .xlsx（Excel 工作簿）格式后重试",
    ]


def test_readers_that_die_leave_the_reading_here(mini, monkeypatch):
    import gongwen.campaign.workbook as W

    _folder_of_workbooks(mini, bad=False)
    monkeypatch.setattr(W, "_BOOT", "import sys\nsys.stdin.buffer.read(1)\n")  # gone before answering
    (here, readers), started = _intake_both_ways(mini, monkeypatch)
    assert started == 2 and readers == here and len(here["签约项目"]) == 12


def test_compiled_filters_select_what_holds_selects(mini):
    from decimal import Decimal

    from gongwen.campaign.config import Condition
    from gongwen.campaign.filters import holds, select

    rows = [sign("甲镇", a, etype=e, kind=k, day=d, name=f"p{i}") for i, (a, e, k, d) in enumerate([
        (1, "上市公司", "实质性签约", 3), ("0.5", "其他", "意向性签约", 15), ("1.0", "世界500强", "实质性签约", 28),
        (2.25, "头部企业", "合同文本送签", 1), (0, "其他", "实质性签约", 30), ("3", "上市公司", "意向性签约", 10)])]
    write_xlsx(mini / R, {"签约项目": rows})
    campaign = load_campaign(mini)
    records = intake(campaign)["2023-06"].rows("签约项目")
    assert len(records) == 6 and records[2]["投资额（亿元）"] == Decimal("1.0")
    amount = "投资额（亿元）"
    conditions = [
        Condition(column="签约类型", equals="实质性签约"),
        Condition(column="企业类型", **{"in": ["上市公司", "世界500强"]}),
        Condition(column="企业类型", not_in=["其他"]),
        Condition(column=amount, min=Decimal(1)),
        Condition(column=amount, max=Decimal("1.0")),
        Condition(column=amount, below=Decimal("2.25")),
        Condition(column="签约日期", day_from=10, day_to=28),
        Condition(column=amount, min=Decimal("0.5"), max=Decimal(2)),
    ]
    chosen = []
    for where in [[c] for c in conditions[:7]] + [[conditions[0], conditions[3]], [conditions[7]], []]:
        expected = [r for r in records if all(holds(c, r) for c in where)]
        assert select(campaign.config, records, where) == expected
        chosen.append([r["项目名称"] for r in expected])
    assert chosen[3] == ["p0", "p2", "p3", "p5"] and chosen[4] == ["p0", "p1", "p2", "p4"]
    assert chosen[7] == ["p0", "p2"] and chosen[-1] == [f"p{i}" for i in range(6)]
