"""Which GB/T 9704 element each paragraph of a document is, read from its
text, its place and (where the text is not enough) its formatting. Used on
DOCX paragraphs by the checker and by the importer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gongwen.notice.body import heading_kind

SPACES = " \u3000\u00a0\t"
# Public format samples (范例) write organ names, years and numbers as ×, ＊, *, ○ or X:
# those count as characters of a name and as digits wherever names and numbers are matched.
MASK = "×＊*○ＸXx"
NAME = "\u4e00-\u9fa5A-Za-z" + MASK  # inside a character class
DIGIT = r"[\d" + MASK + "]"
OPEN, CLOSE = "[〔\\[［(（【]", "[〕\\]］)）】]"
# 发文字号 as typed: any bracket, with or without 第, any digits.
NUMBER_LOOSE = re.compile(rf"^(?P<code>[{NAME}]{{1,16}}?)\s*{OPEN}\s*(?P<year>{DIGIT}{{2,4}})\s*{CLOSE}"
                          rf"\s*(?P<di>第?)\s*(?P<seq>{DIGIT}+)\s*号$")
NUMBER_STRICT = re.compile(r"^[\u4e00-\u9fa5A-Za-z]{1,16}〔\d{4}〕[1-9]\d*号$")
# 令号 of a 命令 (GB/T 9704 10.2): 第227号, or 政府令〔2010〕第15号 as real orders write it.
ORDER_NO = re.compile(rf"^([{NAME}]{{0,16}}?{OPEN}{DIGIT}{{4}}{CLOSE})?第?{DIGIT}+号$")
# 份号 (7.2.1): 6 digits as a rule; samples print fewer (00001).
COPY_NO = re.compile(r"^\d{1,8}$")
# 密级和保密期限 (7.2.2): 机密★1年, 秘密★×年; 紧急程度 (7.2.3).
SECRECY = re.compile(r"^(绝密|机密|秘密)(★.*)?$")
URGENCY = re.compile(r"^(特急|加急|特提|平急)$")
SIGNER = re.compile(r"签发人[:：]")
DATE_LOOSE = re.compile(rf"^(?P<y>{DIGIT}{{2,4}}|[〇○零一二三四五六七八九]{{4}})\s*年\s*(?P<m>{DIGIT}{{1,2}}|[一二三四五六七八九十]{{1,2}})\s*月"
                        rf"\s*(?P<d>{DIGIT}{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*日$")
DATE_STRICT = re.compile(r"^\d{4}年[1-9]\d?月[1-9]\d?日$")
ATTACH_NOTE = re.compile(r"^附\s*件\s*[:：]")
ATTACH_LABEL = re.compile(r"^附\s*件\s*(\d*)\s*[:：]?$")
CC = re.compile(r"^(抄\s*送|分\s*送|发\s*送)\s*[:：]")
PRINTED = re.compile(r"(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*印\s*发\s*$")
NOTE = re.compile(r"^[（(].*[）)]$")
TITLE_WORDS = re.compile(r"(通知|通报|意见|决定|报告|请示|批复|函|纪要|方案|办法|规定|公告|通告|决议|命令|议案|细则|规则|要点|计划)$")


def clean(text: str) -> str:
    return text.strip(SPACES + "\n")


def flat(text: str) -> str:
    """Text without any spacing: what the checker compares."""
    return re.sub(r"[\s\u3000\u00a0]+", "", text)


@dataclass
class Item:
    """One paragraph: its text and the formatting the classifier may use."""

    text: str
    size: float = 16.0
    bold: bool = False
    red: bool = False
    center: bool = False
    right: bool = False
    rule: bool = False  # an empty paragraph drawn as a (red) rule
    page_break: bool = False
    indent: float = 0.0  # pt from the left edge to the first character
    after_table: bool = False  # a table stands between this item and the one before
    ref: object = None  # the source paragraph
    role: str = ""


@dataclass
class Parsed:
    items: list[Item]
    roles: dict[str, list[Item]] = field(default_factory=dict)
    # 文件 (and 信函), or the formats the masthead names: 命令 (organ + 令, GB/T 9704 10.2),
    # 纪要 (10.3)
    form: str = "文件"

    def of(self, role: str) -> list[Item]:
        return [i for i in self.items if i.role == role]

    def first(self, role: str) -> Item | None:
        found = self.of(role)
        return found[0] if found else None


def is_date(text: str) -> bool:
    return bool(DATE_LOOSE.match(flat(text)))


DATE_OPEN = re.compile(r"^[\d*＊]{2,4}年[\d*＊]{1,2}月[\d*＊]{1,2}日$")  # 20**年**月**日: a date still to be given


def is_closing_date(text: str) -> bool:
    """A 成文日期, given or still open (20**年**月**日)."""
    return is_date(text) or bool(DATE_OPEN.match(flat(text)))


def masthead_form(text: str) -> str:
    """命令 / 纪要 / 文件, from the text of the masthead (its last line)."""
    t = flat(text)
    if t.endswith("令"):
        return "命令"
    if t.endswith(("纪要", "紀要")):
        return "纪要"
    return "文件"


def _signature_like(text: str) -> bool:
    t = flat(text)
    return 2 <= len(t) <= 40 and not re.search(r"[，。；：:,;！？]", t) and heading_kind(t) == "body" \
        and not re.match(r"^\d+[.．、]", t) and not ATTACH_NOTE.match(t)


def classify(items: list[Item]) -> Parsed:
    """Give each item a role: copy_no, secrecy, urgency, masthead, number, signer,
    rule, title, title_note, addressee, body, h1..h4, attach_note, signature, date,
    note, attach_label, attach_title, attach_body, cc, printer, other."""
    items = [i for i in items if clean(i.text) or i.rule]
    n = len(items)
    k = 0
    # -- 版头 ------------------------------------------------------------------------------
    seen_number = False
    form = "文件"
    while k < n and k < 12:
        it, t = items[k], flat(items[k].text)
        if it.rule:
            it.role = "rule"
        elif COPY_NO.match(t) and not seen_number and not any(i.role == "masthead" for i in items[:k]):
            it.role = "copy_no"
        elif SECRECY.match(t):
            it.role = "secrecy"
        elif URGENCY.match(t):
            it.role = "urgency"
        elif form == "命令" and not seen_number and ORDER_NO.match(t):
            it.role = "order_no"  # 令号: not a 发文字号 (第 belongs), not a title
            seen_number = True
        elif SIGNER.search(t):
            it.role = "signer"
            seen_number = seen_number or bool(re.search(r"号", t.split("签发人")[0]))
        elif NUMBER_LOOSE.match(t):
            it.role = "number"
            seen_number = True
        elif not seen_number and (it.red or (it.size >= 26 and not TITLE_WORDS.search(t))):
            it.role = "masthead"
            form = masthead_form(t)
        else:
            break
        k += 1
    # -- 标题 (a 命令 has none) -------------------------------------------------------------
    if k < n and form != "命令":
        first = items[k]
        title_size = first.size
        first.role = "title"
        k += 1
        if first.center and not TITLE_WORDS.search(flat(first.text)):
            while k < n and items[k].center and abs(items[k].size - title_size) < 0.6 and not NOTE.match(flat(items[k].text)) \
                    and not clean(items[k].text).endswith(("：", ":")) and len(flat(items[k].text)) <= 40:
                items[k].role = "title"
                k += 1
                if TITLE_WORDS.search(flat(items[k - 1].text)):
                    break
        if k < n and items[k].center and NOTE.match(flat(items[k].text)):
            items[k].role = "title_note"
            k += 1
    # -- 主送 (a 纪要 and a 命令 have none: a first paragraph ending in ： is text) ------------------
    if k < n and form == "文件":
        t = clean(items[k].text)
        if t.endswith(("：", ":")) and len(t) <= 120 and heading_kind(flat(t)) == "body" and not ATTACH_NOTE.match(t):
            items[k].role = "addressee"
            k += 1
    # -- 版记 (from the end) ----------------------------------------------------------------
    end = n
    while end > k:
        t = flat(items[end - 1].text)
        if items[end - 1].rule:
            items[end - 1].role = "rule"
        elif CC.match(t):
            items[end - 1].role = "cc"
        elif PRINTED.search(t):
            items[end - 1].role = "printer"
        else:
            break
        end -= 1
    # -- attachments: a line 附件 / 附件1 alone (after the body started) --------------------
    candidates = [j for j in range(k + 1, end) if ATTACH_LABEL.match(flat(items[j].text))
                  and not items[j].center and items[j].indent < 8]
    # an attachment with its own 附件说明 has nested attachments: those are its text
    kept = []
    for j in candidates:
        if kept and any(ATTACH_NOTE.match(clean(items[m].text)) for m in range(kept[-1] + 1, j)):
            continue
        kept.append(j)
    candidates = kept
    labels = set(candidates)
    attach_at = candidates[0] if candidates else end
    unlabelled = None
    if form == "命令" and not candidates:
        # a 命令 promulgates what follows it on a new page, under its own title and no 附件 label
        unlabelled = next((j for j in range(k + 1, end) if items[j].page_break), None)
        if unlabelled is not None:
            attach_at = unlabelled
    # -- signature, date, note: the last date before the attachments -------------------------
    body_end = attach_at
    date_at = None
    for j in range(attach_at - 1, max(k, attach_at - 6) - 1, -1):
        if is_date(items[j].text):
            date_at = j
            break
    if date_at is not None:
        for j in range(date_at + 1, attach_at):
            if NOTE.match(flat(items[j].text)):
                items[j].role = "note"
            else:
                items[j].role = "body"  # text after the date: left for the rules to see
        items[date_at].role = "date"
        s = date_at
        while s > k and not items[s].after_table and _signature_like(items[s - 1].text) and (items[s - 1].right or items[s - 1].center
                                                                 or items[s - 1].text[:1] in SPACES
                                                                 or items[s - 1].indent > 100
                                                                 or date_at - s < 1):
            if date_at - s >= 3:
                break
            items[s - 1].role = "signature"
            s -= 1
        body_end = s
    # 附件说明: 附件： and the numbered lines after it, just before the signature.
    for j in range(k, body_end):
        if ATTACH_NOTE.match(clean(items[j].text)):
            items[j].role = "attach_note"
            for m in range(j + 1, body_end):
                if re.match(r"^\d+\s*[.．、]", clean(items[m].text)) and items[m].role == "":
                    items[m].role = "attach_note"
                else:
                    break
            break
    for j in range(k, body_end):
        if items[j].role == "":
            items[j].role = _body_role(items[j])
    # -- attachment pages ---------------------------------------------------------------------
    j = attach_at
    while j < end:
        it = items[j]
        if (j in labels or j == unlabelled) and not it.role:
            start = j
            if j in labels:
                it.role = "attach_label"
                j += 1
            title_size = items[j].size if j < end else 0
            while j < end and (items[j].center or items[j].bold) and j not in labels \
                    and (abs(items[j].size - title_size) < 0.6 or NOTE.match(flat(items[j].text))) \
                    and len(flat(items[j].text)) <= 60:
                items[j].role = "attach_subtitle" if NOTE.match(flat(items[j].text)) else "attach_title"
                j += 1
                if not items[j - 1].center:
                    break
            if j > start:
                continue
        if not it.role:
            kind = _body_role(it)
            it.role = "attach_body" if kind == "body" else kind
        j += 1
    for it in items:
        if not it.role:
            it.role = "other"
    return Parsed(items, form=form)


def _body_role(it: Item) -> str:
    kind = heading_kind(clean(it.text))
    return kind if kind != "body" else "body"
