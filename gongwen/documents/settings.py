"""The `documents:` section of campaign.yaml: who issues the documents, to
whom, their numbers and dates, and the free text of the plan. Validated with
pydantic; errors name the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from gongwen import safeyaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gongwen.errors import UserError
from gongwen.notice.source import parse_date
from gongwen.schema_errors import describe


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Issue(Strict):
    """Who issues a document and how it is addressed (each key optional: the
    section's defaults fill what is left out)."""

    organs: list[str] | None = None  # 发文机关 (several: joint issuance)
    number: str | None = None  # 发文字号, e.g. 信开放办〔2023〕12号
    date: dt.date | None = None  # 成文日期
    addressee: str | None = None  # 主送
    cc: list[str] | None = None  # 抄送
    printer: str | None = None  # 印发机关
    seal: bool | None = None
    template: str | None = None  # a Jinja template (templates/ or the campaign's templates/)
    word_template: str | None = None  # a .docx with Jinja tags (docxtpl), instead of the built-in layout

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        return parse_date(v)


class PlanText(Strict):
    """The plan's prose (实施方案): each a list of paragraphs as staff write them
    (headings like （一）…。 are recognised as in any notice)."""

    purpose: list[str] = Field(default_factory=list)  # 总体要求/指导思想
    tasks: list[str] = Field(default_factory=list)  # 目标任务 (besides the generated targets)
    steps: list[str] = Field(default_factory=list)  # 实施步骤
    measures: list[str] = Field(default_factory=list)  # 工作重点/主要措施
    requirements: list[str] = Field(default_factory=list)  # 保障措施/有关要求
    rules_intro: list[str] = Field(default_factory=list)  # 评比细则 opening
    results_use: list[str] = Field(default_factory=list)  # 结果运用
    # Added for the plan builder (gongwen/documents/plan.py):
    intro: list[str] = Field(default_factory=list)  # the opening paragraph(s) before 一、
    headings: dict[str, str] = Field(default_factory=dict)  # section key -> heading, e.g. purpose: 指导思想
    month_notes: dict[str, str] = Field(default_factory=dict)  # YYYY-MM -> what the month is, e.g. 招大引强攻坚月
    month_extra: dict[str, str] = Field(default_factory=dict)  # YYYY-MM -> a sentence after the month's targets
    dimension_notes: dict[str, str] = Field(default_factory=dict)  # 评比细则: dimension -> 主要评比… sentence
    rules_process: list[str] = Field(default_factory=list)  # 评比细则: 评比流程

    @field_validator("month_notes", "month_extra", mode="before")
    @classmethod
    def _month_keys(cls, v: Any) -> Any:
        return {str(k): val for k, val in v.items()} if isinstance(v, dict) else v


class Plan(Issue):
    title: str | None = None  # the plan's title, e.g. 全县招大引强“百日攻坚”工作方案
    notice_text: list[str] = Field(default_factory=list)  # the 印发通知's paragraph(s)
    text: PlanText = Field(default_factory=PlanText)
    rules_title: str | None = None  # 评比细则 title (default: <campaign name>工作评比细则)
    rules_as: str = Field(default="inside", pattern="^(inside|attachment)$")  # 细则 inside the plan, or 附件2
    basis: str | None = None  # who agreed: 经县委、县政府研究同意 (used by the default notice text)


class Draft(Issue):
    """documents.draft: next year's 征求意见稿 (written by draft-next)."""

    title: str | None = None  # the notice title (default: 关于征求《…（征求意见稿）》意见的通知)
    text: list[str] = Field(default_factory=list)  # the notice's paragraphs, instead of the template's
    deadline: dt.date | None = None  # feedback deadline
    receiver: str | None = None  # feedback goes to, e.g. 县商务局
    contact: str | None = None  # 联系人 and phone, e.g. "王邦力 18720888958"
    email: str | None = None
    source: str | None = None  # the folder this draft was made from
    growth: str | None = None  # the growth rate applied to targets, e.g. 10%
    fixed: list[str] = Field(default_factory=list)  # targets (by name) kept unchanged by draft-next
    pending: list[str] = Field(default_factory=list)  # config keys whose values are still to be decided (printed **)

    @field_validator("deadline", mode="before")
    @classmethod
    def _deadline(cls, v: Any) -> Any:
        return parse_date(v)


class Level(Strict):
    name: str  # 一等 / 优秀 …
    top: int | None = None  # the first N of the category
    min_score: float | None = None  # or a score threshold
    reward: str | None = None  # e.g. 100亩用地指标
    categories: list[str] | None = None  # only these categories (default: every category)


class Annual(Issue):
    year: int | None = None
    title: str | None = None
    levels: list[Level] = Field(default_factory=list)
    campaigns: list[str] = Field(default_factory=list)  # other campaign folders of the same year
    closing: list[str] = Field(default_factory=list)  # the closing paragraphs (要求), as staff write them


class Documents(Strict):
    organ: str | None = None  # the office that issues bulletins (default: campaign issuer)
    masthead: str | None = None
    number_pattern: str | None = None  # e.g. 信开放办〔{year}〕{n}号
    addressee: str | None = None
    cc: list[str] = Field(default_factory=list)
    printer: str | None = None
    seal: bool = True
    bulletin_day: int = Field(default=2, ge=1, le=28)  # 成文日期 of a month's 通报: this day of the next month
    chart: bool = False  # a bar chart of totals per category in the monthly 通报
    bulletin: Issue = Field(default_factory=Issue)
    lists: Issue = Field(default_factory=Issue)
    final: Issue = Field(default_factory=Issue)
    feedback: Issue = Field(default_factory=Issue)
    plan: Plan = Field(default_factory=Plan)
    draft: Draft = Field(default_factory=Draft)
    annual: Annual = Field(default_factory=Annual)
    numbers: dict[str, str] = Field(default_factory=dict)  # period or kind -> 发文字号
    commend: list[str] = Field(default_factory=list)  # campaign-end commendation paragraphs
    criticise: list[str] = Field(default_factory=list)
    qualifying: str | None = None  # the lists' condition in words, e.g. 重大项目（投资额1亿元及以上）签约


KNOWN = list(Documents.model_fields) + list(Issue.model_fields) + list(Plan.model_fields) + list(Annual.model_fields)
KNOWN += list(Level.model_fields)
KNOWN += list(PlanText.model_fields) + list(Draft.model_fields)


def load_documents(raw: dict | None) -> Documents:
    try:
        return Documents.model_validate(raw or {})
    except ValidationError as exc:
        problems = [p.replace("键 ", "键 documents.", 1) for p in describe(exc, KNOWN)]
        raise UserError("campaign.yaml 的 documents 部分有误：", problems) from None


class MonthNotes(Strict):
    """reports/YYYY-MM.yaml: what staff add to the month's 通报."""

    problems: list[str] = Field(default_factory=list, alias="存在问题")
    next_steps: list[str] = Field(default_factory=list, alias="下步工作")
    highlights: list[str] = Field(default_factory=list, alias="工作亮点")
    date: dt.date | None = Field(default=None, alias="成文日期")
    number: str | None = Field(default=None, alias="发文字号")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        return parse_date(v)


def load_month_notes(path: Path) -> MonthNotes | None:
    if not path.exists():
        return None
    try:
        raw = safeyaml.load(path.read_text(encoding="utf-8"), f"reports/{path.name}") or {}
        return MonthNotes.model_validate(raw)
    except ValidationError as exc:
        raise UserError(f"{path.name} 有误：", describe(exc, ["存在问题", "下步工作", "工作亮点", "成文日期", "发文字号"])) from None
