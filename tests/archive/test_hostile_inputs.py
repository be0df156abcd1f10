"""Oversized and hostile inputs fail fast: exit 2, the exact Chinese message,
nothing written, bounded memory (the build runs in a child process whose peak
resident memory is measured). Each case is made in seconds without holding the
big content in memory. Run directly to write every case for a look:
    .venv/bin/python tests/archive/test_hostile_inputs.py /tmp/hostile"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from archive_helpers import ROOT, make_campaign  # noqa: E402

R = "reports/2023-06.xlsx"
MAX_RSS_KB = 300 * 1024  # the interpreter with pandas/openpyxl/WeasyPrint imported is ~110 MB

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                 '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="信息报送" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                 'Target="worksheets/sheet1.xml"/></Relationships>')


def _sheet_rows(n: int, dimension: bool):
    head = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    if dimension:
        head += f'<dimension ref="A1:B{n}"/>'
    yield head + "<sheetData>"
    yield '<row r="1"><c r="A1" t="inlineStr"><is><t>单位</t></is></c><c r="B1" t="inlineStr"><is><t>报送日期</t></is></c></row>'
    for i in range(2, n + 1):
        yield (f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>甲镇</t></is></c>'
               f'<c r="B{i}" t="inlineStr"><is><t>2023-06-03</t></is></c></row>')
    yield "</sheetData></worksheet>"


def many_rows_workbook(path: Path, rows: int, dimension: bool = True) -> None:
    """A real one-sheet workbook (信息报送) with `rows` rows, the sheet XML streamed into the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            for part in _sheet_rows(rows, dimension):
                fh.write(part.encode())


def workbook_50mb(f: Path):
    with zipfile.ZipFile(f / R, "w", zipfile.ZIP_STORED) as z:  # random bytes do not compress: the file is 50 MB
        z.writestr("xl/media/image1.bin", os.urandom(50 * 1024 * 1024))
    return f"{R}: 文件有 50.0 MB，超过 20 MB 的上限；月报表不应这么大，请检查是否粘贴了图片或大量空行，删去后另存"


def rows_100000(f: Path):
    many_rows_workbook(f / R, 100_001)  # header + 100,000 rows, as Excel writes it (with <dimension>)
    return f"{R}: 工作表“信息报送”有 100001 行，超过每表 50000 行的上限；请检查是否误填或拆成多个文件"


def zip_bomb(f: Path):
    with zipfile.ZipFile(f / R, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b" " * (1 << 20)
            for _ in range(300):  # 300 MB of spaces, about 0.3 MB compressed, never all in memory
                fh.write(chunk)
    return f"{R}: 解压后有 300 MB（压缩前 0.3 MB），疑似“压缩炸弹”或已损坏，已拒绝读取；请重新另存为 .xlsx"


def yaml_billion_laughs(f: Path):
    levels = ['lol0: &a0 ["哈哈哈哈哈哈哈哈哈哈"]\n'] + [
        f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10)]  # 10^9 strings if expanded
    path = f / "campaign.yaml"
    path.write_text("".join(levels) + path.read_text(encoding="utf-8"), encoding="utf-8")
    return "campaign.yaml 第2行第12列 不是合法的 YAML：不支持锚点引用（*别名），请把内容直接写出来"


def yaml_python_tag(f: Path):
    path = f / "campaign.yaml"
    marker = f / "pwned"
    path.write_text(f'name: !!python/object/apply:os.system ["touch {marker}"]\n' + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    return ("campaign.yaml 第1行用了不允许的标签（could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'）：只能写普通的文字、数字、列表和键值")


def month_notes_python_tag(f: Path):
    (f / "reports" / "2023-06.yaml").write_text("存在问题: !!python/object/new:os.system [id]\n", encoding="utf-8")
    return ("reports/2023-06.yaml 第1行用了不允许的标签（could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/new:os.system'）：只能写普通的文字、数字、列表和键值")


CASES = [workbook_50mb, rows_100000, zip_bomb, yaml_billion_laughs, yaml_python_tag, month_notes_python_tag]


def make_case(root: Path, case) -> tuple[Path, str]:
    folder = make_campaign(root, name=case.__name__)
    return folder, case(folder)


# The child reports its own peak (VmHWM of its process after exec) as it exits: the
# ru_maxrss that wait4 reports also counts the parent's memory when the child was
# started by vfork (Linux keeps the larger high-water mark across exec).
_PEAK_AT_EXIT = """
import atexit, runpy, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("\\nGW_PEAK_KB " + line.split()[1] + "\\n")
atexit.register(peak)
sys.argv = sys.argv[1:]
runpy.run_path("pipeline.py", run_name="__main__")
"""


def run_build(folder: Path, out: Path, timeout: float = 120) -> tuple[int, str, int]:
    """pipeline.py build in a child process: exit code, stderr, peak RSS in KB
    (killed after `timeout` seconds: "fast" has a limit)."""
    import threading

    proc = subprocess.Popen([sys.executable, "-c", _PEAK_AT_EXIT, "pipeline.py", "build", str(folder), "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    err = proc.stderr.read().decode("utf-8")
    proc.wait()
    timer.cancel()
    peaks = re.findall(r"^GW_PEAK_KB (\d+)$", err, re.M)
    assert peaks, err
    return proc.returncode, err, int(peaks[-1])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_hostile_input_fails_fast_and_writes_nothing(tmp_path, case):
    folder, message = make_case(tmp_path, case)
    before = sorted(p for p in folder.rglob("*"))
    out = tmp_path / "out"
    code, err, rss = run_build(folder, out)
    assert code == 2, err
    assert message in err.replace("\n  ", "\n").replace("错误：报表有 1 处问题，未生成任何文件：\n- ", "")
    assert not out.exists()
    assert sorted(p for p in folder.rglob("*")) == before  # not even a register in the campaign folder
    assert not (folder / "pwned").exists()
    assert rss < MAX_RSS_KB, f"peak memory {rss // 1024} MB"


def test_100000_rows_without_a_dimension_element_fail_fast(tmp_path):
    """A hostile sheet that does not declare its extent (no <dimension>) is still
    refused fast, not read in full (that took 45 s and 340 MB before intake counted rows)."""
    folder = make_campaign(tmp_path)
    many_rows_workbook(folder / R, 100_001, dimension=False)
    code, err, rss = run_build(folder, tmp_path / "out", timeout=15)
    assert code == 2 and "超过每表 50000 行的上限" in err and rss < MAX_RSS_KB


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile_inputs")
    for c in CASES:
        folder, expected = make_case(root, c)
        print(folder, expected, sep="\n  ")
