"""Issuing: a build makes drafts (numbers reserved in the 发文登记, files free
to change on every rebuild); issuing locks them. The `issue` command calls
issue_documents, and so will the web page's button."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gongwen.archive.register import IssuedDoc, IssueResult, issue, register_path

__all__ = ["issue_documents", "IssueResult", "IssuedDoc"]


def issue_documents(folder: str | Path, out: str | Path | None = None, chosen: Iterable[str] = (),
                    register_file: Path | None = None) -> IssueResult:
    """Issue the drafts of the campaign in `folder`: those `chosen` (periods
    such as 2023-06 or final, 发文字号, files under the output folder with or
    without extension; all drafts when none is chosen). With `out`, the files
    there must be what the last build wrote. Returns the documents issued now
    (`.issued`) and those chosen but issued before (`.already`); raises
    UserError, issuing nothing, on any problem."""
    from gongwen.campaign import load_campaign

    camp = load_campaign(folder)
    return issue(register_path(camp.folder, register_file), camp.id, tuple(chosen),
                 Path(out) if out is not None else None)
