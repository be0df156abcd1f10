"""gongwen.caches: every process-wide cache of the notice and the writers is
registered; emptying them all between two builds changes no byte of what
the next build writes; and no cache can answer for an object that has died
with an entry made for it (ids are reused)."""

from __future__ import annotations

import copy
import weakref

import pytest

from gongwen import ROOT, caches
from gongwen.notice.source import read_source

SOURCE = ROOT / "tests" / "fixtures" / "notices" / "tables.txt"

EXPECTED = {
    "notice.fonts.roles", "notice.fonts.installed", "notice.metrics.font_widths", "notice.metrics.role_widths",
    "notice.harfbuzz.face", "notice.titles.words",
    "writers.pdf.style.css_text", "writers.pdf.style.font_config", "writers.pdf.style.stylesheet",
    "writers.pdf.weasy.ua_stylesheet", "writers.pdf.weasy.font_files", "writers.pdf.weasy.font_subsets",
    "writers.pdf.fontpack.bare_cff", "writers.pdf.fontpack.deflated",
    "writers.pdf.icc.srgb_profile", "writers.pdf.pdfa.metadata",
    "writers.docx.package.bases",
}


def _build():
    from gongwen.writers.docx import docx_bytes
    from gongwen.writers.pdf import pdf_bytes

    notice = read_source(SOURCE)
    return pdf_bytes(notice, base_url=str(SOURCE.parent))[0], docx_bytes(notice)


def test_clearing_the_caches_gives_the_same_bytes():
    first = _build()
    assert EXPECTED <= set(caches.names())
    sizes = caches.sizes()
    assert all(sizes[name] for name in ("writers.pdf.weasy.font_files", "writers.pdf.style.font_config",
                                        "writers.docx.package.bases", "notice.harfbuzz.face"))
    caches.clear()
    assert not any(caches.sizes().values())  # every one that can tell is empty
    assert _build() == first
    assert caches.sizes()["writers.pdf.weasy.font_files"]  # filled again


def test_clear_by_name_and_registry_of_its_own():
    registry = caches.Caches()
    kept = {"a": 1}

    @registry.lru("squares", maxsize=8)
    def square(n):
        return n * n

    registry.register("kept", kept.clear, lambda: len(kept))
    square(3)
    assert registry.sizes() == {"squares": 1, "kept": 1}
    registry.clear("squares")
    assert registry.sizes() == {"squares": 0, "kept": 1}
    registry.clear()
    assert registry.sizes() == {"squares": 0, "kept": 0}
    with pytest.raises(KeyError):
        registry.clear("nothing")


def test_font_subsets_go_with_the_faces_they_are_keyed_by():
    """The kept subsets are keyed by a HarfBuzz face's address: letting go of
    the faces lets go of the subsets, so an address reused by another face
    finds nothing."""
    from gongwen.writers.pdf import weasy

    _build()
    assert weasy._FONTS.files and weasy._FONTS.subsets
    caches.clear("writers.pdf.weasy.font_files")
    assert not weasy._FONTS.files and not weasy._FONTS.subsets


def test_a_dead_layout_cannot_get_the_base_made_for_it():
    """The DOCX base was cached under id(layout). The cache now holds the
    layout it was made for and finds it by identity: while the entry lives
    the layout cannot die (so its id names no other object), and once the
    cache is cleared a new layout at the same address gets a base of its own."""
    from gongwen.layout.spec import Layout, load_layout
    from gongwen.writers.docx import package
    from gongwen.writers.docx.styles import Metrics

    raw = copy.deepcopy(load_layout().raw)
    other = copy.deepcopy(raw)  # an equal but distinct layout: the cache matches by identity
    caches.clear("writers.docx.package.bases")
    first = Layout(raw)
    made = package.base(Metrics(first))
    alive, first_id = weakref.ref(first), id(first)
    del first
    assert alive() is not None  # kept by the cache: its id cannot be reused while the entry lives
    living = Layout(other)
    assert id(living) != first_id and package.base(Metrics(living)) is not made
    del living
    caches.clear("writers.docx.package.bases")
    assert alive() is None  # let go
    second = Layout(other)
    if id(second) == first_id:  # CPython gave the new layout the dead one's address:
        assert {first_id: made}.get(id(second)) is made  # an id-keyed cache would answer with the dead one's base
    assert package.base(Metrics(second)) is not made
    assert [layout for layout, _ in package._BASES] == [second]
