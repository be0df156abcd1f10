"""`draft-next`: next year's campaign folder and its 征求意见稿, typeset in every
chosen format (gongwen.documents.draft makes the folder and the document)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from gongwen.build.notices import typeset
from gongwen.writers import registry


def draft_next(source: str | Path, year: int, *, formats: tuple[str, ...] | None = None, **options):
    """See gongwen.documents.draft.draft_next for the options; returns its DraftResult."""
    from gongwen.documents.draft import draft_next as make

    return make(source, year, typeset_fn=partial(typeset, formats=formats or registry.default_formats()), **options)
