"""一键排版, first half: a notice typed in Word/WPS/LibreOffice (.docx, or .doc
through LibreOffice) read back into a notice source (front matter + body,
docs/源文件写法.md). The elements are recognised by gongwen.check.roles;
guesses staff should confirm are written as # comments in the front matter.
The text of every paragraph is kept character for character (only the
spacing used for indents and the manual line breaks inside a paragraph go)."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gongwen.check.docxread import Docx, Para, TableInfo, read_docx
from gongwen.check.docx_rules import is_red, items_of
from gongwen.check.roles import DATE_LOOSE, MASK, NUMBER_LOOSE, PRINTED, Item, classify, clean, flat
from gongwen.errors import UserError

CN_NUMS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
CN_NUMS.update({"○": 0, "零": 0})


@dataclass
class Imported:
    source: str  # the notice source text
    doubts: list[str] = field(default_factory=list)


def _cn_int(s: str) -> int:
    if s.isdigit():
        return int(s)
    if all(c in CN_NUMS for c in s) and len(s) >= 2 and "十" not in s:
        return int("".join(str(CN_NUMS[c]) for c in s))
    total = 0
    if "十" in s:
        a, _, b = s.partition("十")
        total = (CN_NUMS.get(a, 1) if a else 1) * 10 + (CN_NUMS.get(b, 0) if b else 0)
        return total
    return CN_NUMS.get(s, 0)


def normal_date(text: str) -> str | None:
    m = DATE_LOOSE.match(flat(text))
    if not m:
        return None
    if any(c in MASK for c in m.group(0)):
        return flat(text)  # a sample's placeholder date (**年**月**日): kept as written
    y, mo, d = _cn_int(m.group("y")), _cn_int(m.group("m")), _cn_int(m.group("d"))
    if y < 100:
        y += 2000
    return f"{y}年{mo}月{d}日"


def normal_number(text: str) -> str:
    m = NUMBER_LOOSE.match(flat(text))
    if not m:
        return clean(text)
    if not (m.group("year").isdigit() and m.group("seq").isdigit()):
        return flat(text)  # a sample's placeholder number (×发〔××××〕××号)
    year = m.group("year")
    year = year if len(year) == 4 else "20" + year[-2:]
    return f"{m.group('code')}〔{year}〕{int(m.group('seq'))}号"


def _para_lines(p: Para) -> list[str]:
    """A paragraph's text as source lines: spacing in front goes; a manual line
    break ends a line only where a sentence or a heading ends, else it is joined."""
    text = p.shown.replace("\r", "")
    parts = text.split("\n")
    out = [parts[0]]
    for part in parts[1:]:
        prev = out[-1].rstrip(" \u3000\t")
        nxt = part.lstrip(" \u3000\t")
        from gongwen.notice.body import heading_kind

        if prev.endswith(("。", "；", "：", "！", "？", ";", ":")) or heading_kind(nxt) != "body":
            out.append(part)
        else:
            out[-1] = prev + nxt
    lines = []
    for ln in out:
        ln = ln.strip(" \u3000\u00a0\t")
        ln = re.sub(r"\t+", "\u3000", ln)
        if ln:
            lines.append(ln)
    return lines


def _table_block(t: TableInfo, title: str | None) -> list[str]:
    ncols = max((len(r) for r in t.rows), default=0)
    opts = []
    if title:
        opts.append('标题="' + title.replace('"', "“") + '"')
    lines = ["::: 表格" + (" " + " ".join(opts) if opts else "")]
    for row in t.rows:
        cells = [re.sub(r"\s*\n\s*", "", c).replace("|", "｜").strip() for c in row]
        cells += [""] * (ncols - len(cells))
        if cells and cells[-1] == "":
            cells[-1] = "—"
        lines.append(" | ".join(c if c else " " for c in cells).replace("|  |", "| |"))
    lines.append(":::")
    return lines


def _blocks(doc: Docx, items: list[Item], tables: list[TableInfo], start: int, end: int) -> list[str]:
    """Source lines for the body paragraphs in items and the tables whose
    first paragraph lies in [start, end) (paragraph indexes)."""
    out: list[str] = []
    pending = sorted((t for t in tables if start <= t.first_para < end), key=lambda t: t.first_para)
    for n, it in enumerate(items):
        p: Para = it.ref
        while pending and pending[0].first_para < p.index:
            out.extend(_table_block(pending.pop(0), None))
        next_table = pending[0] if pending else None
        is_table_title = (next_table is not None and p.align == "center" and len(clean(it.text)) <= 40
                          and (n + 1 == len(items) or items[n + 1].ref.index > next_table.first_para))
        if is_table_title:
            out.extend(_table_block(pending.pop(0), clean(it.text)))
            continue
        lines = _para_lines(p)
        if p.align == "center" and len(lines) == 1:
            out.append(f"::: 居中 {lines[0]}")
        elif p.align == "right" and len(lines) == 1:
            out.append(f"::: 居右 {lines[0]}")
        else:
            out.extend(lines)
    for t in pending:
        out.extend(_table_block(t, None))
    return out


def _dump(key: str, value) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10000)
    text = re.sub(r"\n(\.\.\.\n)?$", "", text)
    return f"{key}: {text}"


def import_docx(path: Path) -> Imported:
    doc = read_docx(path)
    parsed = classify(items_of(doc))
    items = parsed.items
    doubts: list[str] = []
    front: list[tuple[str, object]] = []

    def role(r: str) -> list[Item]:
        return [i for i in items if i.role == r]

    masthead = [flat(i.text) for i in role("masthead")]
    number_item = (role("number") or role("signer") or [None])[0]
    number = None
    signers: list[str] = []
    if number_item is not None:
        raw = flat(number_item.text)
        if "签发人" in raw:
            raw, _, names = raw.partition("签发人")
            for s in role("signer"):
                names = clean(s.text.partition("签发人")[2]).lstrip("：:")
                signers += [n for n in re.split(r"[\u3000\s、，,]+", names) if n]
        if raw:
            number = normal_number(raw)
            if number != raw:
                doubts.append(f"发文字号原稿写作“{raw}”，已按标准改为“{number}”")
    signatures = [clean(i.text) for i in role("signature")]
    if not masthead:  # a joint masthead typed as a table of red organ names
        title_at = next((i.ref.index for i in items if i.role == "title"), 0)
        for t in doc.tables:
            cells = [p for p in doc.paras if p.table == t.index and p.text.strip()]
            if t.first_para < title_at and cells and all(is_red(p.color) for p in cells):
                masthead = [flat(p.text) for p in cells]
                if len(masthead) > 1 and masthead[-1] == "文件":
                    masthead = [m + "文件" if k == 0 else m for k, m in enumerate(masthead[:-1])]
    if any(p.has_drawing for p in doc.paras):
        doubts.append("原稿里有图片或图形（如印章、图表），导入时没有带上，需要的请用“::: 图片”补上")
    organs: list[str] = []
    suffix = None
    if masthead and parsed.form in ("命令", "纪要"):
        # 命令 / 纪要: the masthead is the organ with 令 / 纪要, kept as typed
        organs = [re.sub(r"(令|纪要|紀要)$", "", masthead[-1]) or masthead[-1]]
    elif masthead:
        names = []
        for m in masthead:
            if m.endswith("文件") and len(m) > 2:
                suffix = True
                m = m[:-2]
            names.append(m)
        organs = names
    elif signatures:
        organs = signatures[:]
        suffix = False
        doubts.append("原稿没有版头（发文机关标志），发文机关取自落款；是否加“文件”二字、是否正式行文请核对")
    title_items = role("title")
    order_no = role("order_no")
    if parsed.form == "命令" and not title_items:
        # a 命令 prints no title: the regulation it promulgates names it
        title_items = [i for i in items if i.role == "attach_title"][:1]
    title = "".join(flat(i.text) for i in title_items) if title_items else ""
    if title_items and not title_items[0].center:
        doubts.append("标题是按位置猜的（原稿标题没有居中），请核对")
    if not title:
        title = Path(path).stem
        doubts.append("没有找到标题，暂用文件名，请改成公文标题")
    date_item = (role("date") or [None])[0]
    date = normal_date(date_item.text) if date_item is not None else None
    if date_item is not None and date != flat(date_item.text):
        doubts.append(f"成文日期原稿写作“{flat(date_item.text)}”，已改为“{date}”")
    notes = [clean(i.text) for i in role("note")]
    cc_items = role("cc")
    cc = None
    if cc_items:
        cc = re.sub(r"^(抄\s*送|分\s*送|发\s*送)\s*[:：]\s*", "", "".join(clean(i.text) for i in cc_items)).rstrip("。")
    printer = print_date = None
    for it in role("printer"):
        t = flat(it.text)
        m = PRINTED.search(t)
        if m:
            printer = t[: m.start()].strip() or None
            print_date = normal_date(m.group(1))
    # 附件说明 and attachment pages
    note_lines = [clean(i.text) for i in role("attach_note")]
    listed: list[str] = []
    if note_lines:
        body = re.sub(r"^附\s*件\s*[:：]\s*", "", "\n".join(note_lines))
        numbered = len(re.findall(r"(?m)^\s*\d+\s*[.．、]", body)) > 1
        for ln in body.splitlines():
            ln = ln.strip()
            if not ln:
                continue
            starts = bool(re.match(r"^\d+\s*[.．、]", ln)) if numbered else not listed
            name = re.sub(r"^\d+\s*[.．、]\s*", "", ln).strip() if numbered else ln
            if starts or not listed:
                listed.append(name)
            else:  # a name wrapped by hand onto the next line
                listed[-1] += name
        listed = [n.rstrip("。；;，,") for n in listed]
    labels = [n for n, i in enumerate(items) if i.role == "attach_label"]
    if not labels and parsed.form == "命令":
        # the regulation a 命令 promulgates: on its own page, under its title, with no 附件 label
        labels = [n for n, i in enumerate(items) if i.role == "attach_title"][:1]
    pages = []
    for k, at in enumerate(labels):
        stop = labels[k + 1] if k + 1 < len(labels) else len(items)
        chunk = items[at + (items[at].role == "attach_label"): stop]
        title_parts = [flat(i.text) for i in chunk if i.role == "attach_title"]
        subtitle = next((clean(i.text) for i in chunk if i.role == "attach_subtitle"), None)
        body_items = [i for i in chunk if i.role not in ("attach_title", "attach_subtitle", "cc", "printer", "rule")]
        first_index = items[at].ref.index + (items[at].role == "attach_label")
        last_index = items[stop].ref.index if stop < len(items) else 10 ** 9
        pages.append(("".join(title_parts), subtitle, body_items, first_index, last_index))
    attachments: list[object] = []
    n_att = max(len(listed), len(pages))
    for k in range(n_att):
        name = listed[k] if k < len(listed) else (pages[k][0] if k < len(pages) else "")
        sub = pages[k][1] if k < len(pages) else None
        if k < len(pages) and pages[k][0] and listed and k < len(listed) and pages[k][0] != listed[k]:
            doubts.append(f"附件{k + 1}的标题“{pages[k][0]}”与附件说明“{listed[k]}”不一致，已用附件说明的写法")
        if not name:
            name = f"附件{k + 1}"
            doubts.append(f"附件{k + 1}没有标题，请补上")
        attachments.append({"标题": name, "副标题": sub} if sub else name)
    # the body: after 主送 (or the title) up to 附件说明 / 署名
    body_roles = ("body", "h1", "h2", "h3", "h4", "other")
    first_att = items[labels[0]].ref.index if labels else 10 ** 9
    main_items = [i for i in items if i.role in body_roles and i.ref.index < first_att]
    closing_start = min([i.ref.index for i in items if i.role in ("attach_note", "signature", "date")] + [first_att])
    body_start = max([i.ref.index for i in items if i.role in ("title", "addressee", "title_note", "rule", "number",
                                                               "masthead", "signer", "order_no")
                      and i.ref.index < first_att] + [0])
    main_items = [i for i in main_items if body_start < i.ref.index < closing_start]
    trailing = [i for i in items if i.role == "body" and date_item is not None and i.ref.index > date_item.ref.index
                and i.ref.index < first_att]
    body_lines = _blocks(doc, main_items, doc.tables, body_start + 1, closing_start)
    if trailing:
        doubts.append("成文日期之后还有文字，已放进正文末尾，请核对")
        body_lines += [ln for i in trailing for ln in _para_lines(i.ref)]

    # front matter
    if parsed.form in ("命令", "纪要") and masthead:
        front.append(("格式", parsed.form))
    if organs:
        front.append(("发文机关", organs[0] if len(organs) == 1 else organs))
    if parsed.form in ("命令", "纪要") and masthead:
        front.append(("发文机关标志", masthead[-1]))
    if order_no:
        front.append(("发文字号", flat(order_no[0].text)))  # a 令号, kept as written (第 belongs)
    if suffix is not None and masthead:
        front.append(("文件字样", "是" if suffix else "否"))
    elif suffix is False:
        front.append(("文件字样", "否"))
    if number:
        front.append(("发文字号", number))
    if signers:
        front.append(("签发人", signers[0] if len(signers) == 1 else signers))
    for r, key in (("copy_no", "份号"), ("secrecy", "密级"), ("urgency", "紧急程度")):
        for it in role(r):
            val = flat(it.text)
            if key == "密级" and "★" in val:
                val, _, term = val.partition("★")
                front.append(("密级", val))
                if term:
                    front.append(("保密期限", term))
                continue
            front.append((key, val))
    front.append(("标题", title))
    for it in role("title_note"):
        front.append(("标题注", clean(it.text)))
    addressee = role("addressee")
    if addressee:
        a = clean(addressee[0].text)
        front.append(("主送", a[:-1] + "：" if a.endswith(":") else a))
    if signatures and signatures != organs:
        front.append(("署名", signatures[0] if len(signatures) == 1 else signatures))
    if date:
        front.append(("成文日期", date))
    if signatures or date:
        front.append(("印章", "否"))
        doubts.append("看不出原稿是否盖章，按不盖章排；盖章的请把“印章”改为“是”")
    if notes:
        front.append(("附注", notes[0]))
    if attachments:
        front.append(("附件", attachments))
    if cc:
        front.append(("抄送", cc))
    if printer:
        front.append(("印发机关", printer))
    if print_date:
        front.append(("印发日期", print_date))

    lines = ["---", f"# 由 {Path(path).name} 导入（python pipeline.py import）。"]
    lines += [f"# 请核对：{d}" for d in doubts]
    lines += [_dump(k, v) for k, v in front]
    lines.append("---")
    lines.extend(body_lines)
    for k, page in enumerate(pages):
        _, _, body_items, first_index, last_index = page
        lines.append(f"=== 附件{k + 1} ===")
        lines.extend(_blocks(doc, body_items, doc.tables, first_index, last_index))
    return Imported("\n".join(lines) + "\n", doubts)


def import_file(path: Path) -> Imported:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return import_docx(path)
    if suffix in (".doc", ".wps"):
        from gongwen.check import convert

        with tempfile.TemporaryDirectory(prefix="gongwen-doc-") as tmp:
            return import_docx(convert.doc_to_docx(path, Path(tmp)))
    raise UserError(f"{path.name}：只能导入 .docx（装有 LibreOffice 时也可以是 .doc）")


def import_notice(path: Path):
    """The notice tree of a Word draft (for render FILE.docx)."""
    from gongwen.notice.source import notice_from_source

    result = import_file(path)
    notice = notice_from_source(result.source, base=Path(path).parent, where=str(path))
    if notice.name == "notice":
        notice.name = Path(path).stem
    return notice, result
