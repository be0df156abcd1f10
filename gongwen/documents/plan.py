"""The 实施方案 with its 印发通知: the notice (masthead, number, 主送, one short
paragraph, signature, date) and the plan as its attachment — 总体要求,
目标任务 (the campaign's targets written out), 实施步骤 (dated from the
months), 工作重点, 保障措施 — with the 评比细则 generated from the scoring
rules (gongwen.documents.rules) inside the plan after a page break, or as
附件2. The prose is staff's, in campaign.yaml documents.plan.text; the
wording around it is in templates/实施方案.txt.j2 and 实施方案正文.txt.j2.

The same plan body is the attachment of next year's 征求意见稿 (draft_notice)."""

from __future__ import annotations

import calendar
import datetime as dt

from gongwen.campaign import Computed
from gongwen.documents import numbers as N
from gongwen.documents import rules as R
from gongwen.documents.common import Doc, campaign_context, month_end_date, settings
from gongwen.documents.kinds import Item, Kind, make_docs, no_meta
from gongwen.documents.settings import Documents
from gongwen.documents.templating import Source, Templates, authored

PERIOD = "plan"
DRAFT_PERIOD = "draft"


def _title(c: Computed, s: Documents) -> str:
    return s.plan.title or f"{c.campaign.name}实施方案"


def _rules_title(c: Computed, s: Documents) -> str:
    return s.plan.rules_title or f"{c.campaign.name}工作评比细则"


def steps(c: Computed) -> list[dict]:
    """One step per campaign month: its dates, weight and when it is scored."""
    s = settings(c)
    out = []
    for m in c.campaign.months:
        y, mo = int(m[:4]), int(m[5:7])
        out.append({
            "month": m, "month_cn": N.month_cn(m), "month_full": N.month_full(m),
            "start": dt.date(y, mo, 1), "end": dt.date(y, mo, calendar.monthrange(y, mo)[1]),
            "share": R.share(c.campaign.weights[m]), "report": month_end_date(c, m),
            "note": s.plan.text.month_notes.get(m, ""),
        })
    return out


def plan_context(c: Computed) -> dict:
    """Everything the plan body template uses (shared by the plan and the draft)."""
    s = settings(c)
    cfg = c.campaign.config
    text = s.plan.text
    rules = R.describe(cfg, c.campaign.folder, s.draft.pending)
    notes = text.month_notes
    target_groups = []
    for g in rules.targets:
        if g.period == "campaign":
            target_groups.append({"period": g.period, "label": "", "note": "", "extra": "", "items": g.items})
        else:
            target_groups.append({"period": g.period, "label": N.month_cn(g.period), "note": notes.get(g.period, ""),
                                  "extra": text.month_extra.get(g.period, ""), "items": g.items})
    # Wording from campaign.yaml and the rules composed from it is source text (headings and all).
    dims = authored([{"name": d.name, "heading": d.heading, "note": text.dimension_notes.get(d.name, ""),
                      "lines": d.lines} for d in rules.dimensions])
    target_groups = authored(target_groups)
    return {
        **campaign_context(c),
        "plan": {
            "title": _title(c, s), "rules_title": _rules_title(c, s), "rules_as": s.plan.rules_as,
            "basis": authored(s.plan.basis or ""), "notice_text": authored(list(s.plan.notice_text)),
        },
        "text": authored({k: list(v) for k, v in text.model_dump().items() if isinstance(v, list)}),
        "headings": authored(dict(text.headings)),
        "targets": target_groups,
        "steps": steps(c),
        "final_report": month_end_date(c, c.campaign.months[-1]),
        "rules": {
            "base": authored(rules.base), "dimensions": dims, "rescale": authored(rules.rescale or ""),
            "ranking": authored(rules.ranking), "lists": authored(rules.lists),
        },
    }


def plan_items(c: Computed, period: str, info: dict) -> list[Item]:
    """The 印发通知 with the plan (and its 评比细则) attached."""
    context = {**plan_context(c), "issue": info}
    return [Item(context["plan"]["title"], context)]


def inputs(c: Computed, manifest, period: str = PERIOD) -> list[str]:
    """The plan is made from campaign.yaml alone (no reports)."""
    folder = c.campaign.folder
    return [manifest.add_input(c.campaign.rel(folder / "campaign.yaml"), folder / "campaign.yaml")]


KIND = Kind("实施方案", "实施方案", "plan", "实施方案.txt.j2", plan_items,
            date=lambda c, period: settings(c).plan.date, number_key=lambda period: "plan",
            periods=lambda c: [PERIOD], folder=lambda period: PERIOD, meta=no_meta, inputs=inputs)


def build(c: Computed, templates: Templates, inputs: list[str]) -> Doc:
    """The 印发通知 with the plan (and its 评比细则) attached."""
    return make_docs(KIND, c, templates, PERIOD, inputs)[0]


def contact_lines(contact: str | None) -> tuple[str, str]:
    """"王邦力 18720888958" -> (王邦力, 18720888958); missing parts stay ** placeholders."""
    parts = (contact or "").replace("，", " ").replace(",", " ").split()
    name = " ".join(p for p in parts if not any(ch.isdigit() for ch in p)) or Source("**")
    phone = " ".join(p for p in parts if any(ch.isdigit() for ch in p)) or Source("**")
    return name, phone


def draft_items(c: Computed, period: str, info: dict) -> list[Item]:
    """关于征求《…（征求意见稿）》意见的通知, the plan attached with the （征求意见稿） subtitle."""
    d = settings(c).draft
    name, phone = contact_lines(d.contact)
    context = {
        **plan_context(c), "issue": info,
        "draft": authored({  # campaign.yaml's documents.draft: the office's wording
            "title": d.title or "", "text": list(d.text), "deadline": d.deadline, "receiver": d.receiver or "",
            "contact": name, "phone": phone, "email": d.email or "", "source": d.source or "",
        }),
    }
    return [Item(f"{context['plan']['title']}（征求意见稿）", context)]


DRAFT_KIND = Kind("征求意见稿", "征求意见稿", "draft", "征求意见.txt.j2", draft_items,
                  date=lambda c, period: settings(c).draft.date, number_key=lambda period: "draft",
                  periods=lambda c: [DRAFT_PERIOD], folder=lambda period: DRAFT_PERIOD, meta=no_meta)


def draft_notice(c: Computed, templates: Templates, inputs: list[str]) -> Doc:
    """关于征求《…（征求意见稿）》意见的通知 (made by draft-next, not by a build)."""
    return make_docs(DRAFT_KIND, c, templates, DRAFT_PERIOD, inputs)[0]


__all__ = ["DRAFT_KIND", "KIND", "build", "inputs", "contact_lines", "draft_notice", "plan_context", "steps"]
