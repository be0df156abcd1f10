"""YAML the way staff files should be read: plain data only. No tags that
construct objects, no anchors and aliases (a few lines of them can expand to
billions of nodes), a size limit, and Chinese messages that say what to fix."""

from __future__ import annotations

import re

import yaml

from gongwen.errors import UserError, excerpt

MAX_BYTES = 1_000_000
MAX_DEPTH = 40  # lists and mappings inside each other; hand-written files need a handful


class Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, and keeps 000123 as text (a 份号), not octal."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "不支持锚点引用（*别名），请把内容直接写出来", event.start_mark)
        return super().compose_node(parent, index)


Loader.yaml_implicit_resolvers = {k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
for _first, _resolvers in Loader.yaml_implicit_resolvers.items():
    _resolvers[:] = [(tag, rx) for tag, rx in _resolvers if tag != "tag:yaml.org,2002:int"]
Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?(?:0|[1-9][0-9_]*))$"), list("-+0123456789"))


def load(text: str, where: str):
    """Parse YAML text; any problem becomes a UserError naming `where` and the line."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise UserError(f"{where} 超过 {MAX_BYTES // 1000} KB，不像是手写的配置，已拒绝读取")
    try:
        _check_depth(text, where)
        return yaml.load(text, Loader=Loader)
    except yaml.reader.ReaderError as exc:
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else excerpt(exc.character)
        raise UserError(f"{where} 有不能出现的字符（{code}，第{exc.position + 1}个字符处），请删去后重试") from None
    except RecursionError:
        raise UserError(f"{where} 嵌套太深，已拒绝读取：列表和键值最多套 {MAX_DEPTH} 层") from None
    except yaml.constructor.ConstructorError as exc:
        line = f"第{exc.problem_mark.line + 1}行" if exc.problem_mark else ""
        raise UserError(f"{where} {line}用了不允许的标签（{exc.problem}）：只能写普通的文字、数字、列表和键值") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"第{mark.line + 1}行第{mark.column + 1}列 " if mark else ""
        raise UserError(f"{where} {at}不是合法的 YAML：{_zh(exc.problem or exc.context)}") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{where} 格式有误：{_zh(str(exc))}") from None


def _check_depth(text: str, where: str) -> None:
    """Refuse deep nesting before building anything: the event parser does not
    recurse, the composer does (and would end in a RecursionError)."""
    depth = 0
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line = f"第{event.start_mark.line + 1}行" if event.start_mark else ""
                raise UserError(f"{where} {line}嵌套太深，已拒绝读取：列表和键值最多套 {MAX_DEPTH} 层")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


# PyYAML's problems in words for office staff; anything not listed is named generally.
_PROBLEMS = [
    (re.compile(r"expected ',' or '\]', but got (.*)"), "方括号 [ ] 里的列表缺少逗号或右方括号 ]"),
    (re.compile(r"expected ',' or '}', but got (.*)"), "花括号 { } 里缺少逗号或右花括号 }"),
    (re.compile(r"mapping values are not allowed here"), "这里不能再写“键: 值”（冒号后的内容含有冒号时请用引号括起来）"),
    (re.compile(r"found character '\\t' that cannot start any token"), "用了 Tab 缩进，请改用空格"),
    (re.compile(r"found character .* that cannot start any token"), "有不能出现在这里的字符"),
    (re.compile(r"could not find expected ':'"), "缺少冒号“:”（每行应为“键: 值”）"),
    (re.compile(r"found unexpected end of stream"), "文件没有写完（引号或括号没有配对）"),
    (re.compile(r"found undefined alias"), "不支持锚点引用（*别名），请把内容直接写出来"),
    (re.compile(r"did not find expected key"), "缩进不一致，或缺少“键:”"),
    (re.compile(r"did not find expected node content"), "这里缺少内容"),
    (re.compile(r"did not find expected '-' indicator"), "列表项应以“- ”开头，缩进要一致"),
    (re.compile(r"found duplicate anchor"), "不支持锚点（&名称）"),
    (re.compile(r"found unknown escape character"), "双引号里有不认识的反斜杠转义（路径请用单引号或 /）"),
    (re.compile(r"found unacceptable character"), "有不可见的控制字符，请删去"),
    (re.compile(r"expected alphabetic or numeric character"), "& 或 * 后面应是名称（作文字用请加引号）"),
    (re.compile(r"expected <block end>, but found"), "缩进不一致"),
    (re.compile(r"expected a single document"), "文件里有多份文档（--- 分隔），只能有一份"),
    (re.compile(r"found a tab character"), "用了 Tab 缩进，请改用空格"),
]


def _zh(problem: str | None) -> str:
    if not problem:
        return "格式有误"
    if any("\u4e00" <= ch <= "\u9fff" for ch in problem):
        return problem  # already ours
    for pattern, words in _PROBLEMS:
        if pattern.search(problem):
            return words
    return "格式有误（请检查缩进、冒号、引号和括号）"
