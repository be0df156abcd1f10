"""Templates are data: staff edit the wording in templates/ (or a campaign's
own templates/ folder) without touching Python. A template renders to a
notice source (front matter + body, the format `render` reads); tables and
charts are passed as data blocks it places by name (::: 表格 数据=名称).
Templates run in Jinja2's sandbox."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from gongwen import TEMPLATES_DIR
from gongwen.documents import numbers
from gongwen.errors import UserError
from gongwen.notice.source import notice_from_source
from gongwen.notice.tree import Notice

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


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


def environment(search: list[Path]) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(p) for p in search]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(
        yi=numbers.yi, pct=numbers.pct, score=numbers.score, count=numbers.count,
        date=numbers.cn_date, month=numbers.month_cn, month_full=numbers.month_full, yaml=_yaml,
        join_cn=lambda items, sep="、": sep.join(str(i) for i in items),
    )
    return env


class Templates:
    """Template lookup: the campaign's own templates/ first, then the project's."""

    def __init__(self, campaign_folder: Path | None = None):
        search = []
        if campaign_folder is not None and (Path(campaign_folder) / "templates").is_dir():
            search.append(Path(campaign_folder) / "templates")
        search.append(TEMPLATES_DIR)
        self.search = search
        self.env = environment(search)

    def source(self, name: str, context: dict) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateNotFound:
            raise UserError(f"找不到模板 {name}（查找位置：{'、'.join(str(p) for p in self.search)}）") from None
        except jinja2.TemplateSyntaxError as exc:
            raise UserError(f"模板 {exc.filename or name} 第{exc.lineno}行语法有误：{exc.message}") from None
        except jinja2.exceptions.SecurityError as exc:
            raise UserError(f"模板 {name} 试图访问程序内部，已拒绝（{exc}）。模板只能使用提供给它的数据。") from None
        except jinja2.UndefinedError as exc:
            raise UserError(f"模板 {name} 用到了不存在的数据：{exc.message}") from None

    def notice(self, name: str, context: dict, data: dict | None = None) -> Notice:
        """Render a template and read the result as a notice."""
        text = self.source(name, context)
        return notice_from_source(text, where=f"模板 {name}", data=data)
