"""Document kinds as data, and the one builder they share.

A kind says where its settings live in campaign.yaml (documents.<key>: its
template, Word template and issuing details), its default template, its
文种, which periods it is made for, where its files go, which
documents.numbers key numbers it and what its 成文日期 defaults to; its
`items` function gives, for one period, the file name, template context and
table data of each document (one 通报 a month, one 得分反馈单 per unit).
make_docs does the rest the same way for every kind: issuing details,
template, name, metadata, the Doc.

A new kind (say a 季度通报) is one module defining a Kind, one template in
templates/, and one line in gongwen.documents.build.KINDS; see the docs'
架构 page for what else a quarter's aggregate needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from gongwen.campaign import Computed, Manifest
from gongwen.campaign.build import month_inputs
from gongwen.documents.common import Doc, issue, settings
from gongwen.documents.templating import Templates, authored
from gongwen.errors import UserError, excerpt
from gongwen.filenames import safe_stem


@dataclass
class Item:
    """One document of a period: its file name (None: its title; either goes
    through gongwen.filenames.safe_stem), the
    template context, the tables and charts the template refers to, and
    metadata beyond the kind's (单位 of a 得分反馈单)."""

    name: str | None
    context: dict
    data: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)


def scored_months(c: Computed) -> list[str]:
    return list(c.scores)


def month_folder(period: str) -> str:
    return period


def month_meta(period: str) -> dict:
    return {"月份": period}


def no_meta(period: str) -> dict:
    return {}


@dataclass(frozen=True)
class Kind:
    name: str  # Doc.kind, the register's and manifest's word for it
    genre: str  # 文种 in the PDF's metadata
    settings_key: str  # documents.<key> in campaign.yaml (an Issue: template, word_template, number, date…)
    template: str  # default template in templates/
    # (c, period, issuing details) -> documents; None for a kind that collects itself
    items: Callable[[Computed, str, dict], list[Item]] | None
    date: Callable[[Computed, str], dt.date | None] | None  # default 成文日期 of a period's documents
    number_key: Callable[[str], str]  # period -> documents.numbers key
    periods: Callable[[Computed], list[str]] = scored_months
    folder: Callable[[str], str] = month_folder  # period -> folder under the output folder
    meta: Callable[[str], dict] = month_meta  # period -> metadata (月份)
    inputs: Callable[[Computed, Manifest, str], list[str]] = month_inputs  # recorded in manifest.json
    # A kind whose documents need more than one campaign (年终考评) collects them itself.
    collect: Callable[[Kind, Computed, Templates, Manifest], list[Doc]] | None = None


MAX_TITLE_CHARS = 120  # a notice title; document properties hold 255 characters at most


def _check_title(kind: Kind, title: str) -> None:
    title = title.replace("\n", "")
    if len(title) > MAX_TITLE_CHARS:
        raise UserError(f"{kind.name}的标题有 {len(title)} 字，超过 {MAX_TITLE_CHARS} 字的上限（“{excerpt(title)}”）："
                        f"请缩短 campaign.yaml 的活动名称 name，或 documents.{kind.settings_key} 里设置的标题")


def make_docs(kind: Kind, c: Computed, templates: Templates, period: str, inputs: list[str]) -> list[Doc]:
    """The kind's documents of one period."""
    which = getattr(settings(c), kind.settings_key)
    # 发文信息 is written by the office in campaign.yaml (documents.*): source text, ** placeholders and all.
    info = authored(issue(c, which, kind.date(c, period), kind.number_key(period)))
    docs = []
    for item in kind.items(c, period, info):
        notice = templates.notice(which.template or kind.template, item.context, item.data or None)
        _check_title(kind, notice.title)
        notice.name = safe_stem(item.name or notice.title.replace("\n", ""))  # data never becomes a path
        notice.meta.update({"活动": c.campaign.name, **kind.meta(period), "文种": kind.genre, **item.meta})
        docs.append(Doc(f"{kind.folder(period)}/{notice.name}", notice, kind.name, period, inputs,
                        word_template=which.word_template, context=item.context))
    return docs


def build_kind(kind: Kind, c: Computed, templates: Templates, manifest: Manifest) -> list[Doc]:
    """Every document of the kind in the build."""
    if kind.collect is not None:
        return kind.collect(kind, c, templates, manifest)
    return [d for p in kind.periods(c) for d in make_docs(kind, c, templates, p, kind.inputs(c, manifest, p))]
