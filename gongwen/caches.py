"""The process's caches, in one registry that can empty them all.

Fonts, metrics, stylesheets, kept font subsets, the DOCX base document …
are made once and kept for the life of the process: right for a one-shot
command, and for a long-running server only if something can let go of
them. Every such cache registers here with how to empty it and, where it
can tell, how many entries it holds; an owner of many builds (a typesetting
worker, a server) calls `clear()` between them. Emptying a cache never
changes what the next build writes, only how long it takes
(tests/test_caches.py).

    from gongwen import caches

    @caches.lru("notice.fonts.roles")          # functools.lru_cache, registered
    def roles(): ...

    caches.register("writers.docx.bases", _BASES.clear, lambda: len(_BASES))
    caches.clear()                             # all of them
    caches.sizes()                             # name -> entries (None: cannot tell)

No cache may be keyed by id() of an object it does not keep alive: ids are
reused once the object is gone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Caches", "CACHES", "register", "lru", "clear", "sizes", "names"]

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class _Entry:
    clear: Callable[[], object]
    size: Callable[[], int] | None


class Caches:
    """A registry of caches: name -> how to empty it, how big it is."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def register(self, name: str, clear: Callable[[], object], size: Callable[[], int] | None = None) -> None:
        """Register a cache under a unique name (registering a name again
        replaces it: a module reloaded in tests registers anew)."""
        self._entries[name] = _Entry(clear, size)

    def lru(self, name: str, maxsize: int | None = None) -> Callable[[F], F]:
        """functools.lru_cache(maxsize), registered under name."""

        def decorate(fn: F) -> F:
            cached = functools.lru_cache(maxsize=maxsize)(fn)
            self.register(name, cached.cache_clear, lambda: cached.cache_info().currsize)
            return cached  # type: ignore[return-value]

        return decorate

    def clear(self, *names: str) -> None:
        """Empty the named caches, or all of them."""
        for name in names or tuple(self._entries):
            self._entries[name].clear()

    def sizes(self) -> dict[str, int | None]:
        """Entries held by each cache (None where it cannot tell)."""
        return {name: (e.size() if e.size is not None else None) for name, e in self._entries.items()}

    def names(self) -> list[str]:
        return sorted(self._entries)


CACHES = Caches()  # the process's registry
register = CACHES.register
lru = CACHES.lru
clear = CACHES.clear
sizes = CACHES.sizes
names = CACHES.names
