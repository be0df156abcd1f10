"""Character widths and coverage come from HarfBuzz (gongwen/notice/harfbuzz.py),
read through the mapped font file as they are asked for. They must be what
the font's own tables say: checked here against fontTools, which parses the
cmap and hmtx tables itself, for every font of every role on this machine."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from gongwen.notice import fonts, harfbuzz
from gongwen.notice.metrics import role_widths, text_width

# ASCII, CJK punctuation and full-width forms, and every GB2312 hanzi
SAMPLE = [chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0x3000, 0x3040)] + \
    [chr(c) for c in range(0xFF01, 0xFF5F)] + \
    [bytes([hi, lo]).decode("gb2312") for hi in range(0xB0, 0xF8) for lo in range(0xA1, 0xFF)
     if (hi, lo) not in {(0xD7, x) for x in range(0xFA, 0xFF)}] + ["埇", "\U00020000", "\uE000"]


def _role_fonts() -> list[fonts.InstalledFont]:
    seen = {}
    for role in fonts.roles():
        for f in fonts.available_chain(role):
            seen[(f.file, f.index)] = f
    return list(seen.values())


@pytest.mark.parametrize("font", _role_fonts(), ids=lambda f: f"{f.family}-{f.index}")
def test_widths_and_coverage_match_the_font_tables(font):
    tt = TTFont(font.file, fontNumber=font.index, lazy=True)
    cmap, upem, hmtx = tt.getBestCmap(), tt["head"].unitsPerEm, tt["hmtx"]
    face = harfbuzz.face(font.file, font.index)
    assert face.upem == upem
    checked = 0
    for ch in SAMPLE:
        glyph = cmap.get(ord(ch))
        if glyph is None:
            assert face.advance_em(ch) is None and not fonts.covers(font, ch), ch
            continue
        assert face.glyph(ch) == tt.getGlyphID(glyph), ch
        assert face.advance_em(ch) == hmtx[glyph][0] / upem, ch
        assert fonts.covers(font, ch)
        checked += 1
    assert checked > 3000  # a CJK font: the GB2312 hanzi are there


def test_role_width_falls_back_along_the_chain():
    chain = fonts.available_chain("body")
    assert chain
    rw = role_widths("body")
    # a character the first font has, one only a later font has, one no font has
    assert rw.em("国") == harfbuzz.face(chain[0].file, chain[0].index).advance_em("国") == 1.0
    later = [f for f in chain[1:] if fonts.covers(f, "埇")]
    if not fonts.covers(chain[0], "埇") and later:
        assert rw.em("埇") == harfbuzz.face(later[0].file, later[0].index).advance_em("埇")
    assert rw.em("\uE000") == 1.0  # no glyph anywhere: a CJK-range character counts one em
    assert text_width("国国", "body", 16.0, 1.0) == pytest.approx(33.0)


def test_a_file_that_is_not_a_font_is_a_clear_error(tmp_path):
    from gongwen.errors import UserError

    empty = tmp_path / "empty.otf"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match="读不出字体文件"):
        harfbuzz.Face(str(empty))
