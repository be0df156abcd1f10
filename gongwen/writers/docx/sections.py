"""Page set-up: A4 with the GB/T 9704 margins and line grid, odd/even page
numbers (— n —), landscape sections for wide tables and the 版记's own page."""

from __future__ import annotations

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.section import Section
from docx.shared import Mm, Pt

from gongwen.writers.docx import oxml
from gongwen.writers.docx.styles import Metrics, add_text, run_style, set_style

SECTION_TYPES = {"nextPage": WD_SECTION.NEW_PAGE, "evenPage": WD_SECTION.EVEN_PAGE}


def body_section(document) -> Section:
    """The section the next content belongs to (the body-level sectPr)."""
    return document.sections[-1]


def page_number_footer_distance(m: Metrics) -> float:
    """Footer distance (paper bottom to footer bottom) that puts the top of
    the page number page_number.below_block_mm under the text block."""
    lay = m.layout
    line = m.size("si_hao") * m.glyph_line_factor
    return oxml.mm_to_pt(lay.page.margin_bottom_mm - lay.page_number.below_block_mm) - line


def setup_page(section: Section, m: Metrics, landscape: bool = False, keep_distances: bool = False) -> None:
    """A4, the standard margins, the 22-line grid. A landscape page is the
    portrait one turned a quarter clockwise, so the binding (left) edge
    becomes the top and the text block keeps its size."""
    p = m.layout.page
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(p.height_mm), Mm(p.width_mm)
        section.top_margin, section.bottom_margin = Mm(p.margin_left_mm), Mm(p.margin_right_mm)
        section.left_margin, section.right_margin = Mm(p.margin_bottom_mm), Mm(p.margin_top_mm)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(p.width_mm), Mm(p.height_mm)
        section.top_margin, section.bottom_margin = Mm(p.margin_top_mm), Mm(p.margin_bottom_mm)
        section.left_margin, section.right_margin = Mm(p.margin_left_mm), Mm(p.margin_right_mm)
    section.gutter = Mm(0)
    if not keep_distances:
        section.header_distance = Mm(p.margin_top_mm / 2)
        section.footer_distance = Pt(page_number_footer_distance(m))
    oxml.set_doc_grid(section._sectPr, m.pitch)


def _clear(story) -> object:
    """The first paragraph of a header/footer, emptied; extra ones removed."""
    paragraphs = story.paragraphs
    for extra in paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    p = paragraphs[0]
    for child in list(p._p):
        if child.tag != oxml.qn("w:pPr"):
            p._p.remove(child)
    return p


def _page_number(p, m: Metrics, side: str, lift_pt: float) -> None:
    set_style(p, "页码")
    pPr = p._p.get_or_add_pPr()
    zi = m.zi * m.layout.page_number.side_chars
    height, after = footer_line(m, lift_pt)
    oxml.set_line_exact(pPr, height, after_pt=after)
    if side == "right":
        oxml.set_jc(pPr, "right")
        oxml.set_indent(pPr, right_pt=zi)
    else:
        oxml.set_jc(pPr, "left")
        oxml.set_indent(pPr, left_pt=zi)
    rs = run_style("gwPageNumber", m)
    dash = m.layout.page_number.dash
    add_text(p, f"{dash} ", rs)
    rPr = p.runs[-1]._r.rPr
    oxml.add_field(p._p, "PAGE", "1", rPr)
    add_text(p, f" {dash}", rs)


def footer_line(m: Metrics, lift_pt: float = 0.0) -> tuple[float, float]:
    """Height and spacing-after of the page-number paragraph. Blank footers
    use the same, or LibreOffice (whose footers grow with their content)
    would move the bottom of the text block on those pages."""
    return m.size("si_hao") * m.glyph_line_factor, lift_pt


def _blank(p, m: Metrics, lift_pt: float) -> None:
    set_style(p, "页码")
    height, after = footer_line(m, lift_pt)
    oxml.set_line_exact(p._p.get_or_add_pPr(), height, after_pt=after)


def number_lift(m: Metrics, section: Section) -> float:
    return max(page_number_footer_distance(m) - section.footer_distance.pt, 0.0)


def page_numbers(document, section: Section, m: Metrics, first_page_blank: bool) -> None:
    """Odd pages: number at the right; even pages: at the left; one 字 in.
    When the section's footer distance is smaller than the page number needs
    (信函: the lower double line sits lower), the number is lifted."""
    document.settings.odd_and_even_pages_header_footer = True
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False
    lift = number_lift(m, section)
    _page_number(_clear(section.footer), m, "right", lift)
    _page_number(_clear(section.even_page_footer), m, "left", lift)
    section.different_first_page_header_footer = first_page_blank
    if first_page_blank:
        section.first_page_footer.is_linked_to_previous = False


def new_section(document, last_paragraph, m: Metrics, *, landscape: bool = False,
                kind: str = "nextPage") -> Section:
    """End the current section at last_paragraph (None: an empty paragraph) and
    start a new one; page numbering continues."""
    body = document.element.body
    if last_paragraph is None:
        last_paragraph = document.add_paragraph()
        set_style(last_paragraph, "版头分隔线")
        oxml.set_line_exact(last_paragraph._p.get_or_add_pPr(), float(m.layout.docx.spacer_pt))
    oxml.close_section_at(last_paragraph._p, body.sectPr)
    section = body_section(document)
    oxml.set_section_type(section._sectPr, kind)
    oxml.set_title_page(section._sectPr, False)
    setup_page(section, m, landscape=landscape, keep_distances=True)
    return section


def empty_footers(section: Section, m: Metrics) -> None:
    """The 版记 page carries no page number: own, empty footers."""
    oxml.strip_footer_refs(section._sectPr)
    lift = number_lift(m, section)
    for footer in (section.footer, section.even_page_footer, section.first_page_footer):
        footer.is_linked_to_previous = False
        _blank(_clear(footer), m, lift)
