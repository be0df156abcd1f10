"""Progress of long work, for whoever shows it: the command line draws a bar,
the web page polls a build's state. A callback gets an Event each time a
stage starts or a piece of it is done; it must be cheap and never raise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    stage: str  # what is being done, in words for office staff (读取并检查各月报表, 排版 2023-06/通报, …)
    done: int = 0  # pieces finished in this stage
    total: int = 0  # pieces in this stage (0: not counted)


Progress = Callable[[Event], None]


def report(progress: Progress | None, stage: str, done: int = 0, total: int = 0) -> None:
    if progress is not None:
        progress(Event(stage, done, total))
