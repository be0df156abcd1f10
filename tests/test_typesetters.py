"""The build starts its typesetting processes before it reads the reports
(gongwen/build/typesetters.py, Typesetters), so they load fonts while the main
process works. A mistake in the reports must still be reported at once: the
workers are stopped, not waited for, and nothing is left running."""

from __future__ import annotations

import signal

import pytest

from gongwen.build import typesetters as pool
from gongwen.errors import UserError


def test_workers_start_before_any_document_and_are_stopped_on_an_error():
    with pytest.raises(UserError):
        with pool.Typesetters(2) as workers:
            processes = list(workers.executor._processes.values())
            assert len(processes) == 2  # both spawned before a document was submitted
            raise UserError("报表有误")
    for p in processes:
        assert not p.is_alive()
        assert p.exitcode == -signal.SIGTERM  # stopped, not waited for


def test_early_workers_typeset_like_a_pool_started_for_the_documents():
    from gongwen.notice.source import notice_from_source

    class Doc:
        def __init__(self, i):
            self.rel = f"d{i}"
            self.notice = notice_from_source(pool.WARM_SOURCE.replace("预热", f"文档{i}"), None, f"d{i}")
            self.base_url = None
            self.word_template = None
            self.context = None

    docs = [Doc(i) for i in range(3)]
    with pool.Typesetters(2) as workers:
        early = [r for _, r in pool.typeset_all(docs, None, 2, typesetters=workers)]
    late = [r for _, r in pool.typeset_all(docs, None, 2)]
    alone = [pool.typeset_doc(d) for d in docs]
    assert early == late == alone
    assert all(r.files["pdf"].startswith(b"%PDF") and r.pages == 1 for r in early)
