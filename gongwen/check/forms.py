"""The written forms the standard fixes, checked on plain text (shared by the
DOCX and the PDF checks): 发文字号, dates, 附件说明."""

from __future__ import annotations

import re

from gongwen.check.roles import DATE_LOOSE, MASK, NUMBER_LOOSE


def number_problems(text: str) -> list[tuple[str, str]]:
    """(measured, expected) for each way a 发文字号 breaks 7.2.5."""
    t = re.sub(r"\s+", "", text)
    m = NUMBER_LOOSE.match(t)
    if not m:
        return [(f"“{t}”不是“机关代字〔年份〕序号号”的形式", "机关代字〔2023〕5号")]
    out = []
    brackets = re.search(r"[〔\[［(（【]", t).group(0) + re.search(r"[〕\]］)）】]", t).group(0)
    if brackets != "〔〕":
        out.append((f"年份用“{brackets}”括入", "六角括号“〔〕”"))
    if len(m.group("year")) != 4 and m.group("year").isdigit():
        out.append((f"年份写作“{m.group('year')}”", "年份写全称（如2023）"))
    if m.group("di"):
        out.append(("序号前加了“第”", "序号前不加“第”"))
    if m.group("seq").startswith("0") and m.group("seq").isdigit():
        out.append((f"序号“{m.group('seq')}”编了虚位", f"不编虚位（{int(m.group('seq'))}号）"))
    return out


def date_problems(text: str) -> list[tuple[str, str]]:
    t = re.sub(r"\s+", "", text)
    m = DATE_LOOSE.match(t)
    if not m:
        return []
    y, mo, d = m.group("y"), m.group("m"), m.group("d")
    if any(c in MASK for c in y + mo + d):
        # a sample's placeholders (**年**月**日): only the digits actually written are checked
        if any(c not in MASK and not c.isdigit() for c in y + mo + d):
            return [(f"日期“{t}”用汉字数字", "阿拉伯数字，如2023年6月5日")]
        if any(part.isdigit() and part.startswith("0") for part in (mo, d)):
            return [(f"日期“{t}”编了虚位", "月、日不编虚位")]
        return []
    out = []
    if not (y.isdigit() and mo.isdigit() and d.isdigit()):
        out.append((f"日期“{t}”用汉字数字", "阿拉伯数字，如2023年6月5日"))
    else:
        if len(y) != 4:
            out.append((f"年份“{y}”未写全", "年份写全称"))
        if mo.startswith("0") or d.startswith("0"):
            out.append((f"日期“{t}”编了虚位", f"月、日不编虚位（{int(y)}年{int(mo)}月{int(d)}日）" if len(y) == 4 else "月、日不编虚位"))
    return out


ITEM = re.compile(r"^(\d+)\s*([.．、]?)\s*(.*)$")


def attach_note_count(text: str) -> int:
    body = re.sub(r"^附\s*件\s*[:：]\s*", "", text.strip())
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    numbered = [ln for ln in lines if ITEM.match(ln) and ITEM.match(ln).group(2)]
    return max(len(numbered), 1 if lines else 0)


def attach_note_problems(text: str) -> list[tuple[str, str]]:
    out = []
    t = text.strip()
    head = re.match(r"^附\s*件\s*([:：])", t)
    if head and head.group(1) != "：":
        out.append(("“附件”后用半角冒号", "全角冒号“附件：”"))
    if re.match(r"^附\s+件", t):
        out.append(("“附件”二字间有空格", "“附件：”"))
    body = re.sub(r"^附\s*件\s*[:：]\s*", "", t)
    lines = [re.sub(r"\s+", "", ln) for ln in body.splitlines() if ln.strip()]
    numbered = [ITEM.match(ln) for ln in lines if ITEM.match(ln) and ITEM.match(ln).group(2)]
    if len(numbered) > 1:
        for m in numbered:
            if m.group(2) != ".":
                out.append((f"顺序号写作“{m.group(1)}{m.group(2)}”", f"阿拉伯数字加下脚点“{m.group(1)}.”"))
                break
        names = [m.group(3) for m in numbered]
    else:
        names = ["".join(lines)]
    for name in names:
        if name and name[-1] in "。，；、,.;":
            out.append((f"附件名称“{name[-8:]}”后有标点", "附件名称后不加标点符号"))
            break
    return out
