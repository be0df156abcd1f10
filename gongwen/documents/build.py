"""The document kinds a build makes, in order: one line each (a Kind, see
gongwen.documents.kinds), and collect(), which asks every kind for its
documents. Typesetting and writing them is the build library's
(gongwen.build)."""

from __future__ import annotations

from pathlib import Path

from gongwen.campaign import Computed
from gongwen.campaign.build import Rendered
from gongwen.documents import annual, bulletin, feedback, final, honor, plan
from gongwen.documents.common import Doc
from gongwen.documents.kinds import Kind, build_kind
from gongwen.documents.templating import Templates

KINDS: list[Kind] = [
    plan.KIND,
    bulletin.KIND,
    honor.KIND,
    feedback.KIND,
    final.KIND,
    annual.KIND,
]


def collect(c: Computed, r: Rendered, bytecode: Path | None = None) -> list[Doc]:
    """Every document of the build, kind by kind (`bytecode`: where compiled templates are kept, see Templates)."""
    templates = Templates(c.campaign.folder, bytecode)
    return [d for kind in KINDS for d in build_kind(kind, c, templates, r.manifest)]


__all__ = ["KINDS", "collect"]
