"""YAML the way staff files should be read: plain data only. No tags that
construct objects, no anchors and aliases (a few lines of them can expand to
billions of nodes), a size limit, and Chinese messages that say what to fix."""

from __future__ import annotations

import re

import yaml

from gongwen.errors import UserError

MAX_BYTES = 1_000_000


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
        return yaml.load(text, Loader=Loader)
    except yaml.constructor.ConstructorError as exc:
        line = f"第{exc.problem_mark.line + 1}行" if exc.problem_mark else ""
        raise UserError(f"{where} {line}用了不允许的标签（{exc.problem}）：只能写普通的文字、数字、列表和键值") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"第{mark.line + 1}行第{mark.column + 1}列 " if mark else ""
        raise UserError(f"{where} {at}不是合法的 YAML：{exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{where} 格式有误：{exc}") from None
