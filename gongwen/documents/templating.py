"""Templates are data: staff edit the wording in templates/ (or a campaign's
own templates/ folder) without touching Python. A template renders to a
notice source (front matter + body, the format `render` reads); tables and
charts are passed as data blocks it places by name (::: 表格 数据=名称).
Templates run in Jinja2's sandbox.

Data is data. The template text (and wording staff write in campaign.yaml,
passed in as `Source`) is read as source syntax; every other value a template
prints -- unit names from a workbook, paragraphs from a notes file -- is
typeset literally. A printed value that could read as syntax (a heading
number, ::: or ===, a quote, =, |, a placeholder) is put into the source as
one private-use character; the source is read with those characters in place,
so they start no heading, block or option; then the real text is put back into
the notice tree (character ranges such as placeholders and run-in headings are
moved to match). A paragraph staff numbered themselves (（一）紧盯签约目标。
各单位……) keeps its run-in heading, set in the heading face as in any notice;
the rest of it is data. Values that cannot read as syntax go in directly, so a
template may still build syntax from computed pieces ({{ cn[n] }}、标题).
The output is capped (MAX_OUTPUT characters) and the sandbox refuses huge
string and list products."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import hashlib
import json
import re
import time
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from gongwen import TEMPLATES_DIR
from gongwen.documents import numbers
from gongwen.errors import UserError, excerpt
from gongwen.notice.source import notice_from_source
from gongwen.notice.tree import Notice, Paragraph, Table

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_OUTPUT = 5_000_000  # characters of notice source one template may produce
MAX_SECONDS = 30.0  # one template's rendering (ours take milliseconds; a loop gone wrong is stopped)
# Values that could read as source syntax anywhere on a line.
SYNTAX = re.compile(r":::|===|---|\*\*|[【】\"=|｜]|^[\s\u3000\u00a0]*(?:[一二三四五六七八九十百零〇]+、|[（(]|\d+[.．、])")
TOKEN_BASE = 0xF0000  # Supplementary Private Use Area-A: one character per value
TOKEN = re.compile("[\U000F0000-\U000FFFFD]")
# A paragraph value opening with a 层次序数 and a run-in phrase ending in 。, then more text.
RUNIN = re.compile(r"(?P<number>[\s\u3000]*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．]|[（(]\d+[）)]))"
                   r"(?P<phrase>[^。]{1,40}。)(?P<rest>.*\S.*)\Z", re.S)
FRONT = re.compile(r"\A---\s*\n.*?\n---\s*(\n|\Z)", re.S)


class Source(str):
    """Text meant as source syntax (wording staff wrote in campaign.yaml or the
    program composed from it): a template prints it as it is."""


def authored(value):
    """Every string in a structure marked as Source."""
    if isinstance(value, str):
        return Source(value)
    if isinstance(value, dict):
        return {k: authored(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [authored(v) for v in value]
    return value


def _finalize(value):
    """Every value a template prints: control characters dropped and line breaks
    folded, so data can never start a new paragraph, heading or table."""
    if value is None:
        return ""
    if isinstance(value, str):
        return CONTROL.sub("", value.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    return value


def _yaml(value) -> str:
    """A value placed in the front matter, quoted so data cannot break the YAML."""
    if isinstance(value, (list, tuple)):
        return json.dumps([_finalize(str(v)) for v in value], ensure_ascii=False)
    return json.dumps(_finalize(str(value)), ensure_ascii=False)


class _Literals:
    """The values one rendering set aside as private-use characters."""

    def __init__(self):
        self.values: list[str] = []

    def finalize(self, value):
        trusted = isinstance(value, Source)
        value = _finalize(value)
        if trusted or not isinstance(value, str) or not SYNTAX.search(value):
            return value
        m = RUNIN.match(value)
        if m and not SYNTAX.search(m["phrase"]):
            # a numbered paragraph staff wrote (（一）紧盯签约目标。各单位……): its
            # run-in heading takes the heading face as in any notice; what follows
            # is data, and the run-in alone never makes a heading line
            return m["number"] + m["phrase"] + self.literal(m["rest"])
        return self.literal(value)

    def literal(self, value: str) -> str:
        if not SYNTAX.search(value):
            return value
        if len(self.values) >= 0xFFFD:
            raise UserError("模板打印的数据项太多（超过 65533 个），请拆分公文")
        self.values.append(value)
        return chr(TOKEN_BASE + len(self.values) - 1)

    def put_back(self, text: str) -> str:
        return TOKEN.sub(lambda m: self.values[ord(m.group()) - TOKEN_BASE], text)

    def moved(self, text: str):
        """(text with values put back, old offset -> new offset)."""
        out, starts = [], []
        shift = 0
        last = 0
        for m in TOKEN.finditer(text):
            value = self.values[ord(m.group()) - TOKEN_BASE]
            out.append(text[last:m.start()])
            out.append(value)
            starts.append((m.start(), len(value) - 1))
            last = m.end()
        out.append(text[last:])

        def at(pos: int) -> int:
            return pos + sum(extra for start, extra in starts if start < pos)
        return "".join(out), at

    def tree(self, obj):
        """Put the values back everywhere in a notice tree."""
        if isinstance(obj, str):
            return self.put_back(obj) if TOKEN.search(obj) else obj
        if isinstance(obj, list):
            return [self.tree(v) for v in obj]
        if isinstance(obj, tuple):
            return tuple(self.tree(v) for v in obj)
        if isinstance(obj, dict):
            return {self.tree(k): self.tree(v) for k, v in obj.items()}
        if isinstance(obj, Paragraph):
            text, at = self.moved(obj.text)
            spans = tuple((at(a), at(b)) for a, b in obj.placeholders or ())
            return dataclasses.replace(obj, text=text, runin=at(obj.runin), placeholders=spans)
        if isinstance(obj, Table):
            header, rows = self.tree(obj.header), self.tree(obj.rows)
            return dataclasses.replace(obj, header=header, rows=rows, title=self.tree(obj.title),
                                       note=self.tree(obj.note), placeholders=None)
        if isinstance(obj, Notice):
            changes = {f.name: self.tree(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                       if f.name != "placeholders"}
            marks = {}
            for name, spans in obj.placeholders.items():
                _, at = self.moved(getattr(obj, name) or "")
                marks[name] = tuple((at(a), at(b)) for a, b in spans)
            return dataclasses.replace(obj, **changes, placeholders=marks)
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return dataclasses.replace(obj, **{f.name: self.tree(getattr(obj, f.name))
                                               for f in dataclasses.fields(obj) if f.init})
        return obj


_LITERALS: contextvars.ContextVar[_Literals | None] = contextvars.ContextVar("literals", default=None)


def _env_finalize(value):
    literals = _LITERALS.get()
    return literals.finalize(value) if literals is not None else _finalize(value)


_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("template_deadline", default=None)


class _TooSlow(Exception):
    pass


def _on_time() -> None:
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise _TooSlow


@contextlib.contextmanager
def time_limit(name: str):
    """Stop the template `name` rendering inside this block past MAX_SECONDS, with a message."""
    token = _DEADLINE.set(time.monotonic() + MAX_SECONDS)
    try:
        yield
    except _TooSlow:
        raise UserError(f"模板 {name} 运行超过 {MAX_SECONDS:g} 秒，已停止。请检查模板里的循环（如套在一起的 range）") from None
    finally:
        _DEADLINE.reset(token)


class _Range:
    """range() for templates: the sandbox's bounded range, and the clock looked at as it is walked,
    so nested loops that print nothing still stop at MAX_SECONDS."""

    def __init__(self, *args):
        from jinja2.sandbox import safe_range

        self.inner = safe_range(*args)

    def __iter__(self):
        for i, value in enumerate(self.inner):
            if not i & 1023:
                _on_time()
            yield value

    def __len__(self):
        return len(self.inner)

    def __getitem__(self, index):
        return self.inner[index]


class _Sandbox(SandboxedEnvironment):
    """The sandbox, also refusing string and list products past the output cap,
    and stopping a rendering past MAX_SECONDS (checked at each call, attribute
    lookup, range step and printed piece)."""

    intercepted_binops = frozenset({"*", "**"})

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        _on_time()
        return super().call(__context, __obj, *args, **kwargs)

    def is_safe_attribute(self, obj, attr, value):
        _on_time()
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(left, (int, float)) and isinstance(right, (int, float)):
            if abs(left) > 1 and right > 64 and right * max(abs(left), 2).bit_length() > 4096:
                raise jinja2.exceptions.SecurityError("too long")
        if operator == "*" and isinstance(left, (str, list, tuple)) and isinstance(right, int) \
                or operator == "*" and isinstance(right, (str, list, tuple)) and isinstance(left, int):
            seq, n = (left, right) if isinstance(right, int) else (right, left)
            if len(seq) * n > MAX_OUTPUT:
                raise jinja2.exceptions.SecurityError("too long")
        return super().call_binop(context, operator, left, right)


def sandbox(**options) -> SandboxedEnvironment:
    """Jinja's sandbox with the output and time limits (also for Word templates)."""
    env = _Sandbox(**options)
    env.globals["range"] = _Range
    return env


class _Bytecode(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk between runs (Jinja's own file cache:
    one file per template file, checked against the template's text, written
    to a temporary file and renamed). Never fails a build: a file that cannot
    be read or written is compiled as if there were no cache."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a file cut short or damaged (pickle, marshal): compile instead
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


@functools.lru_cache(maxsize=None)
def _compiler_digest() -> str:
    """What decides the compiled code besides a template's text, which Jinja
    does not key on: this module (the environment's options, the sandbox's
    intercepted operators) and Jinja's version (Python's is in its own check)."""
    return hashlib.sha256(Path(__file__).read_bytes() + jinja2.__version__.encode()).hexdigest()[:16]


def bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    """A bytecode cache in `folder` (made if missing; files compiled by another
    version of this module removed), or None: no folder, or one that cannot be made."""
    if folder is None:
        return None
    digest = _compiler_digest()
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for old in Path(folder).glob("*.cache"):
            if not old.name.startswith(f"{digest}-"):
                old.unlink(missing_ok=True)
    except OSError:
        return None
    return _Bytecode(str(folder), f"{digest}-%s.cache")


def environment(search: list[Path], bytecode: Path | None = None) -> SandboxedEnvironment:
    """The templates' sandbox; `bytecode`: a folder to keep compiled templates in between runs."""
    env = sandbox(
        bytecode_cache=bytecode_cache(bytecode),
        loader=jinja2.FileSystemLoader([str(p) for p in search]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_env_finalize,
    )
    env.filters.update(
        yi=numbers.yi, pct=numbers.pct, score=numbers.score, count=numbers.count,
        date=numbers.cn_date, month=numbers.month_cn, month_full=numbers.month_full, yaml=_yaml,
        join_cn=lambda items, sep="、": sep.join(str(i) for i in items),
    )
    return env


class Templates:
    """Template lookup: the campaign's own templates/ first, then the project's.
    `bytecode`: a folder keeping compiled templates between runs (the
    typesetting cache's, gongwen.build.cache), None for none."""

    def __init__(self, campaign_folder: Path | None = None, bytecode: Path | None = None):
        search = []
        if campaign_folder is not None and (Path(campaign_folder) / "templates").is_dir():
            search.append(Path(campaign_folder) / "templates")
        search.append(TEMPLATES_DIR)
        self.search = search
        self.env = environment(search, bytecode)

    def source(self, name: str, context: dict) -> str:
        """The notice source a template renders (values put in as they are)."""
        return self._render(name, context)

    def _render(self, name: str, context: dict) -> str:
        with time_limit(name):
            return self._generate(name, context)

    def _generate(self, name: str, context: dict) -> str:
        try:
            template = self.env.get_template(name)
            out, size = [], 0
            for piece in template.generate(**context):
                _on_time()
                size += len(piece)
                if size > MAX_OUTPUT:
                    raise UserError(f"模板 {name} 生成的文字超过 {MAX_OUTPUT // 10000} 万字，已停止。"
                                    "请检查模板里的循环和重复（如 \"字\"*次数）")
                out.append(piece)
            return "".join(out)
        except jinja2.TemplateNotFound:
            raise UserError(f"找不到模板 {name}（查找位置：{'、'.join(str(p) for p in self.search)}）") from None
        except jinja2.TemplateSyntaxError as exc:
            raise UserError(f"模板 {exc.filename or name} 第{exc.lineno}行语法有误：{exc.message}") from None
        except jinja2.exceptions.SecurityError as exc:
            if str(exc) == "too long":
                raise UserError(f"模板 {name} 要生成的文字超过 {MAX_OUTPUT // 10000} 万字，已拒绝。"
                                "请检查模板里的重复（如 \"字\"*次数）") from None
            raise UserError(f"模板 {name} 试图访问程序内部，已拒绝（{excerpt(str(exc))}）。模板只能使用提供给它的数据。") from None
        except OverflowError:
            raise UserError(f"模板 {name} 里的数字太大，已拒绝。") from None
        except jinja2.UndefinedError as exc:
            raise UserError(f"模板 {name} 用到了不存在的数据：{exc.message}") from None

    def notice(self, name: str, context: dict, data: dict | None = None) -> Notice:
        """Render a template and read the result as a notice."""
        literals = _Literals()
        token = _LITERALS.set(literals)
        try:
            text = self._render(name, context)
        finally:
            _LITERALS.reset(token)
        if not literals.values:
            return notice_from_source(text, where=f"模板 {name}", data=data)
        # The front matter is YAML read by its own rules: values go back in as before.
        front = FRONT.match(text)
        if front:
            text = literals.put_back(front.group()) + text[front.end():]
        if data:
            data = dict(data)  # ::: 表格 数据={{ name }}: the name as the reader sees it
            for i, value in enumerate(literals.values):
                if value in data:
                    data[chr(TOKEN_BASE + i)] = data[value]
        try:
            notice = notice_from_source(text, where=f"模板 {name}", data=data)
        except UserError as exc:
            raise UserError(literals.put_back(exc.message), [literals.put_back(p) for p in exc.problems]) from None
        return literals.tree(notice)
