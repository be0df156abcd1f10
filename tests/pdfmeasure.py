"""The project's PDF ruler, kept here for the tests; the functions live in
gongwen.check.measure (the format checker measures with them too)."""

from gongwen.check.measure import (  # noqa: F401
    BOTTOM, CHAR, LEFT, PAGE_H, PAGE_W, PT_PER_MM, RIGHT, TOP, Line, baseline, body_lines, embedded_fonts, mm,
    open_pdf, page_lines, page_number_line, page_pixels, pitches, red_rects,
)
