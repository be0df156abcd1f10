"""The build library: the one place that orchestrates. The command line and
the web page call these and only show progress and results.

    render(sources, out, formats, progress)          notice sources -> files
    typeset(notice, base_url, formats)               one notice -> bytes per format
    build_campaign(folder, out, ..., progress)       a campaign's whole build
    build_annual(folders, out, year, ..., progress)  the 年终考评 of a year
    draft_next(folder, year, ...)                    next year's folder and 征求意见稿
    issue_documents(folder, out, chosen, ...)        drafts in the 发文登记 -> issued (locked)

Each takes a progress callback (gongwen.build.progress) and returns what it
wrote. Typesetting goes through the writer registry (gongwen.writers.registry),
on worker processes for a build (gongwen.build.typesetters).

Names are imported on first use: a typesetting worker imports
gongwen.build.typesetters without the campaign modules (pandas)."""

from __future__ import annotations

import importlib

_WHERE = {
    "AnnualBuild": "annual", "build_annual": "annual",
    "BuildResult": "campaign", "build_campaign": "campaign",
    "RenderResult": "notices", "Typeset": "notices", "render": "notices", "typeset": "notices",
    "Event": "progress", "Progress": "progress",
    "draft_next": "draft",
    "issue_documents": "issue", "IssueResult": "issue",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"gongwen.build.{_WHERE[name]}"), name)
    raise AttributeError(name)
