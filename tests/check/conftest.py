"""A compliant notice written by the project's writers, and helpers that seed
one defect into its DOCX XML."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from gongwen import ROOT

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

FULL = """---
发文机关: 信丰县商务局
发文字号: 信商字〔2023〕18号
标题: 关于开展6月招商引资信息报送工作的通知
主送: 各乡（镇）人民政府，县直各有关单位：
成文日期: 2023年6月5日
附注: （联系人：刘翔，电话：0797-3381234）
附件:
  - 6月招商引资信息报送表
  - 报送单位联系人名单
抄送: 县委办公室，县政府办公室。
印发机关: 信丰县商务局办公室
印发日期: 2023年6月5日
---
为及时掌握全县招商引资工作进展，现就6月信息报送工作通知如下。
一、报送内容
（一）外出招商情况。包括外出时间、带队领导、拜访企业等。
1.签约项目情况。投资额按亿元填写，保留两位小数，如12.50亿元。
二、报送时间
请于6月15日、30日前报送，逾期未报的予以通报。请各单位高度重视，指定专人负责，按时准确报送相关信息，确保数据真实完整。
=== 附件1 ===
::: 表格 列宽=1,3,2
序号 | 单位 | 签约额（亿元）
1 | 县工信局 | 2.50
2 | 县商务局 | 3.10
:::
=== 附件2 ===
请各单位填写联系人姓名和电话。
"""


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def typeset_source(text: str) -> tuple[bytes, bytes]:
    from gongwen.build.notices import typeset
    from gongwen.notice.source import notice_from_source

    t = typeset(notice_from_source(text, base=ROOT), formats=["docx", "pdf"])
    return t.docx, t.pdf


@pytest.fixture(scope="session")
def full_notice() -> tuple[bytes, bytes]:
    return typeset_source(FULL)


@pytest.fixture(scope="session")
def upward_notice() -> tuple[bytes, bytes]:
    return typeset_source((ROOT / "tests" / "fixtures" / "notices" / "upward.txt").read_text(encoding="utf-8"))


def mutate(docx: bytes, fn: Callable[[dict[str, etree._Element]], None]) -> bytes:
    """The DOCX with fn applied to its XML parts (name -> root), rewritten."""
    src = zipfile.ZipFile(io.BytesIO(docx))
    parts = {n: etree.fromstring(src.read(n)) for n in src.namelist()
             if n.startswith("word/") and n.endswith(".xml")}
    fn(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = etree.tostring(parts[item.filename], xml_declaration=True, encoding="UTF-8", standalone=True) \
                if item.filename in parts else src.read(item.filename)
            z.writestr(item, data)
    return out.getvalue()


def para(root, text: str):
    """The first paragraph whose text starts with `text`."""
    for p in root.iter(q("p")):
        if "".join(t.text or "" for t in p.iter(q("t"))).startswith(text):
            return p
    raise AssertionError(f"no paragraph starting {text!r}")


def set_run(p, tag: str, **attrs):
    """Set an rPr property on every run of paragraph p."""
    for r in p.iter(q("r")):
        rpr = r.find(q("rPr"))
        if rpr is None:
            rpr = etree.SubElement(r, q("rPr"))
            r.insert(0, rpr)
        el = rpr.find(q(tag))
        if el is None:
            el = etree.SubElement(rpr, q(tag))
        for k, v in attrs.items():
            el.set(q(k), v)


def replace_text(p, old: str, new: str):
    for t in p.iter(q("t")):
        if t.text and old in t.text:
            t.text = t.text.replace(old, new)
            return
    raise AssertionError(f"{old!r} not in paragraph")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path
