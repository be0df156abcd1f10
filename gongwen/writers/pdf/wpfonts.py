"""Font embedding in WeasyPrint made cheap for many small documents.

WeasyPrint 70 (pinned in requirements.txt) handles fonts per document: for
every font a document uses it copies the whole font file out of HarfBuzz
(FandolFang is 7 MB), then subsets it twice keeping the original glyph ids,
and fontpack.py subsets the result once more without them. For a one-page
得分反馈单 with four fonts that was about a third of the time of its PDF.

Two changes, installed once per process:

- The bytes of a font file are read out of HarfBuzz once per process, not
  once per document. Fonts come from Pango's font map, which lives as long as
  the process (one FontConfiguration, style.font_config); a reference to each
  face is kept, so its address is never reused by another face.
- A font is subset once, straight to the glyphs drawn and without retained
  ids (HarfBuzz, as WeasyPrint itself does it); the last 64 subsets are kept,
  so a font drawing the same glyphs in the next document (a title, a table
  header, page numbers) is not subset again. The old -> new glyph ids are
  left in PRESUBSET under the hash of the new program; fontpack.compact_fonts
  renumbers the page content, /W and ToUnicode with them when it meets that
  program, instead of subsetting again. Only PDFs written inside
  `presubsetting()` are made so (render.pdf_bytes, which runs fontpack right
  after); one whose programs were not all renumbered (fontpack gave up on
  something) is written again WeasyPrint's way, so a PDF never pairs a
  renumbered program with old ids. Fonts WeasyPrint has to patch (missing
  glyphs, variable fonts, colour glyphs) always go through its own subsetting.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager

PRESUBSET: dict[bytes, dict[int, int]] = {}  # sha1 of a program -> old -> new glyph id
_face_bytes: dict[int, list] = {}  # face address -> [kept reference, file bytes or None]
# (face address, glyph ids) -> (program, old -> new id, program_key): documents of
# one kind draw their title, headings, table header and page numbers with the
# same glyphs, so most of their fonts are subset once per batch, not per document
_subsets: dict[tuple[int, tuple[int, ...]], tuple[bytes, dict[int, int], bytes]] = {}
SUBSETS_KEPT = 64
_state = {"installed": False, "enabled": False}


def program_key(program: bytes) -> bytes:
    return hashlib.sha1(program).digest()


@contextmanager
def presubsetting():
    """Fonts of the PDFs written inside are subset once, their old -> new ids
    left in PRESUBSET (emptied first) for fontpack.compact_fonts."""
    install()
    PRESUBSET.clear()
    _state["enabled"] = True
    try:
        yield
    finally:
        _state["enabled"] = False


def install() -> None:
    if _state["installed"]:
        return
    _state["installed"] = True
    from weasyprint.pdf import fonts as wf
    from weasyprint.text.ffi import ffi, harfbuzz

    from gongwen.writers.pdf import fontpack

    original_face, original_data, original_subset = wf.get_pango_font_hb_face, wf.get_hb_object_data, wf.Font.subset

    def address(cdata) -> int:
        return int(ffi.cast("uintptr_t", cdata))

    def pango_face(pango_font):
        face = original_face(pango_font)
        if address(face) not in _face_bytes:
            _face_bytes[address(face)] = [harfbuzz.hb_face_reference(face), None]
        return face

    def object_data(hb_object, ot_color=None, glyph=None):
        entry = _face_bytes.get(address(hb_object)) if ot_color is None else None
        if entry is None:
            return original_data(hb_object, ot_color, glyph)
        if entry[1] is None:
            entry[1] = original_data(hb_object)
        return entry[1]

    def subset(self, to_unicode, hinting):
        plain = not (self.missing or hinting or self.png or self.svg or self.colr or "fvar" in self.tables)
        if not (_state["enabled"] and to_unicode and plain):
            return original_subset(self, to_unicode, hinting)
        face = address(self.hb_face)
        gids = tuple(sorted(to_unicode))
        done = _subsets.pop((face, gids), None)
        if done is None:
            try:
                program, mapping = fontpack.subset_face(face, list(gids))
            except fontpack.Unsupported:
                return original_subset(self, to_unicode, hinting)
            done = (program, mapping, program_key(program))
        if face in _face_bytes:  # kept alive, so its address names this face only
            _subsets[face, gids] = done  # the most recent last
            if len(_subsets) > SUBSETS_KEPT:
                del _subsets[next(iter(_subsets))]
        program, mapping, key = done
        if len(PRESUBSET) > 256:  # left by documents never finished: they are not coming back
            PRESUBSET.clear()
        PRESUBSET[key] = mapping
        self.file_content = program

    wf.get_pango_font_hb_face = pango_face
    wf.get_hb_object_data = object_data
    wf.Font.subset = subset
