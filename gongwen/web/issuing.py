"""Issue and reissue from the page: the one place that calls the build
library for them. The drafts/issue developer is adding
gongwen.build.issue_documents(...); point issue_documents() here at it when it
lands. Until then a build records numbered documents in the 发文登记 as it
writes them, so issuing is a build, and reissuing a build with reissue=True
(changed documents get a new version, the old files kept as ……（第N版）)."""

from __future__ import annotations

from pathlib import Path


def issue_documents(folder: Path, out: Path, *, reissue: bool = False, progress=None, on_warnings=None,
                    workers=None, jobs=None):
    from gongwen.build import build_campaign

    return build_campaign(folder, out, reissue=reissue, progress=progress, on_warnings=on_warnings,
                          workers=workers, jobs=jobs)
