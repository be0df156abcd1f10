"""Read a notice source: YAML front matter between --- lines, then the body,
then optional attachment texts each opened by a line === 附件N ===."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gongwen import safeyaml
from gongwen.errors import UserError
from gongwen.notice.body import parse_body
from gongwen.notice.spans import placeholder_spans
from gongwen.notice.tree import Attachment, Notice
from gongwen.schema_errors import describe

FORMATS = {"文件": "file", "信函": "letter", "纪要": "minutes", "命令": "order", "令": "order"}
ATTACHMENT_MARK = re.compile(r"^\s*={3,}\s*附件\s*(?P<n>\d*)\s*={3,}\s*$")
CN_DATE = re.compile(r"^\s*(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?\s*$")
FRONT = re.compile(r"\A---\s*\n(?P<yaml>.*?)\n---\s*(\n|\Z)", re.S)


# A date still to be filled in: 20**年**月**日, 2024年【】月【】日
OPEN_DATE = re.compile(r"^\s*(\d{2,4}|\d{0,2}\*+|【[^】]*】)\s*年\s*(\d{1,2}|\*+|【[^】]*】)\s*月"
                       r"\s*(\d{1,2}|\*+|【[^】]*】)\s*日\s*$")


def parse_date(value: Any, open_ok: bool = False) -> dt.date | str | None:
    """A date; with `open_ok`, a date with placeholders (20**年**月**日) is
    kept as written, to be filled in."""
    if value in (None, ""):
        return None
    if open_ok and isinstance(value, str) and OPEN_DATE.match(value) and placeholder_spans(value):
        return value.strip()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = CN_DATE.match(str(value))
    if not m:
        raise ValueError(f"“{value}”不是日期，应写成 2023年5月30日 或 2023-05-30")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise ValueError(f"“{value}”不是有效日期") from exc


StrList = Union[str, list[str]]


def as_list(value: StrList | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.splitlines() if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


class AttachmentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    title: str = Field(alias="标题")
    subtitle: str | None = Field(default=None, alias="副标题")


class FrontMatter(BaseModel):
    """The keys a notice source may carry (Chinese names, as staff write them)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    format: Literal["文件", "信函", "纪要", "命令", "令"] = Field(default="文件", alias="格式")
    organs: StrList = Field(default_factory=list, alias="发文机关")
    masthead: StrList | None = Field(default=None, alias="发文机关标志")
    masthead_suffix: bool | None = Field(default=None, alias="文件字样")
    number: str | None = Field(default=None, alias="发文字号")
    issue: str | None = Field(default=None, alias="期数")  # 纪要: 第21次, printed where a 发文字号 stands
    signers: StrList | None = Field(default=None, alias="签发人")
    copy_no: str | int | None = Field(default=None, alias="份号")
    secrecy: str | None = Field(default=None, alias="密级")
    secrecy_term: str | None = Field(default=None, alias="保密期限")
    urgency: str | None = Field(default=None, alias="紧急程度")
    title: str = Field(alias="标题", min_length=1)
    title_note: str | None = Field(default=None, alias="标题注")
    draft: bool = Field(default=False, alias="征求意见稿")
    addressee: str | None = Field(default=None, alias="主送")
    signatures: StrList | None = Field(default=None, alias="署名")
    date: Any = Field(default=None, alias="成文日期")
    seal: bool = Field(default=False, alias="印章")
    note: str | None = Field(default=None, alias="附注")
    attachments: list[Union[str, AttachmentSpec]] = Field(default_factory=list, alias="附件")
    cc: StrList | None = Field(default=None, alias="抄送")
    printer: str | None = Field(default=None, alias="印发机关")
    print_date: Any = Field(default=None, alias="印发日期")
    attend: StrList | None = Field(default=None, alias="出席")
    absent: StrList | None = Field(default=None, alias="请假")
    observe: StrList | None = Field(default=None, alias="列席")
    name: str | None = Field(default=None, alias="文件名")
    meta: dict[str, str] = Field(default_factory=dict, alias="元数据")

    @field_validator("meta", mode="before")
    @classmethod
    def _meta_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        return value

    @field_validator("date", "print_date")
    @classmethod
    def _date(cls, value: Any) -> dt.date | str | None:
        return parse_date(value, open_ok=True)

    @field_validator("seal", "draft", "masthead_suffix", mode="before")
    @classmethod
    def _yes_no(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip() in ("是", "有", "盖", "yes", "true"):
                return True
            if value.strip() in ("否", "无", "不盖", "no", "false", ""):
                return False
        return value


KNOWN_KEYS = [f.alias for f in FrontMatter.model_fields.values() if f.alias]


def split_source(text: str) -> tuple[dict, str, int]:
    """Front matter mapping, body text, and the line number where the body starts."""
    text = text.lstrip("\ufeff")
    m = FRONT.match(text)
    if not m:
        raise UserError("文件开头缺少以 --- 包围的文头信息（YAML），至少要写 标题：")
    data = safeyaml.load(m.group("yaml"), "文头信息（YAML）") or {}
    if not isinstance(data, dict):
        raise UserError("文头信息应为“键: 值”的形式")
    first_line = m.group(0).count("\n") + 1
    return data, text[m.end():], first_line


def _cc_text(value: StrList | None) -> str | None:
    items = as_list(value)
    if not items:
        return None
    if len(items) == 1:
        text = items[0]
    else:
        text = "，".join(i.rstrip("，,。") for i in items)
    return text if text.endswith("。") else text + "。"


def notice_from_source(text: str, base: Path | None = None, where: str = "", data: dict | None = None) -> Notice:
    """A notice from source text; `data` maps names to Table/Image blocks that
    the text places with ::: 表格 数据=名称 (used by the document templates)."""
    front, body_text, first_line = split_source(text)
    try:
        fm = FrontMatter.model_validate(front)
    except ValidationError as exc:
        raise UserError(f"{where} 文头信息有误：", describe(exc, KNOWN_KEYS)) from None

    # Split the body from attachment texts.
    chunks: list[tuple[int, list[str]]] = [(first_line, [])]
    for offset, line in enumerate(body_text.splitlines()):
        if ATTACHMENT_MARK.match(line):
            chunks.append((first_line + offset + 1, []))
        else:
            chunks[-1][1].append(line)
    body = parse_body("\n".join(chunks[0][1]), base, f"{where} 正文", chunks[0][0], data)

    specs = [AttachmentSpec(标题=a) if isinstance(a, str) else a for a in fm.attachments]
    texts = chunks[1:]
    if len(texts) > len(specs):
        raise UserError(f"{where}：正文后有 {len(texts)} 段附件文字，但文头的 附件 只列了 {len(specs)} 个")
    attachments = []
    for n, spec in enumerate(specs, start=1):
        blocks = []
        subtitle = spec.subtitle
        if n <= len(texts):
            start, lines = texts[n - 1]
            # Staff often paste the title (and a subtitle) again at the top: drop them.
            content = [ln for ln in lines]
            while content and not content[0].strip():
                content.pop(0)
            if content and content[0].strip() == spec.title.replace("\n", ""):
                content.pop(0)
                while content and not content[0].strip():
                    content.pop(0)
                if content and re.fullmatch(r"[（(][^）)]{1,12}[）)]", content[0].strip()):
                    subtitle = subtitle or content.pop(0).strip()
            blocks = parse_body("\n".join(content), base, f"{where} 附件{n}", start, data)
        attachments.append(Attachment(number=n, title=spec.title, subtitle=subtitle, body=blocks, note_only=n > len(texts)))

    organs = as_list(fm.organs)
    fmt = FORMATS[fm.format]
    masthead = as_list(fm.masthead) if fm.masthead is not None else list(organs)
    suffix_on = fm.masthead_suffix if fm.masthead_suffix is not None else (fmt == "file")
    attendance = {k: "、".join(as_list(v)) for k, v in (("出席", fm.attend), ("请假", fm.absent), ("列席", fm.observe)) if v}
    title_note = fm.title_note or ("（征求意见稿）" if fm.draft else None)
    return Notice(
        title=fm.title.strip(),
        body=body,
        format=fmt,
        organs=organs,
        masthead=masthead,
        masthead_suffix="文件" if suffix_on else "",
        number=fm.number or fm.issue,
        signers=as_list(fm.signers),
        copy_no=str(fm.copy_no) if fm.copy_no is not None else None,
        secrecy=fm.secrecy,
        secrecy_term=fm.secrecy_term,
        urgency=fm.urgency,
        title_note=title_note,
        addressee=fm.addressee,
        signatures=as_list(fm.signatures) if fm.signatures is not None else list(organs),
        date=fm.date if isinstance(fm.date, dt.date) else None,
        date_text=fm.date if isinstance(fm.date, str) else None,
        seal=fm.seal,
        note=fm.note,
        attachments=attachments,
        cc=_cc_text(fm.cc),
        printer=fm.printer,
        print_date=fm.print_date if isinstance(fm.print_date, dt.date) else None,
        print_date_text=fm.print_date if isinstance(fm.print_date, str) else None,
        attendance=attendance,
        meta=dict(fm.meta),
        name=fm.name or "notice",
        placeholders={k: placeholder_spans(v) for k, v in (("number", fm.number or fm.issue), ("addressee", fm.addressee)) if v},
    )


def read_source(path: Path) -> Notice:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"找不到文件：{path}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path} 不是 UTF-8 编码的文本文件，请用“另存为 UTF-8”保存后再试") from None
    notice = notice_from_source(text, base=path.parent, where=str(path))
    if notice.name == "notice":
        notice.name = path.stem
    return notice
