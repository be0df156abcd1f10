"""Wide tables on landscape sheets. The page stays portrait, so its page
number sits where every other page has it (GB/T 9704 7.5); the table is
laid out across the block's height and turned a quarter left, its header
toward the binding edge. A measuring layout on a landscape-sized page tells
which rows fit on each sheet; rows are never split."""

from __future__ import annotations

from gongwen.layout.spec import Layout


def row_chunks(table_html_for, nrows: int, layout: Layout) -> list[tuple[int, int]]:
    """[(first_row, end_row)] per sheet. `table_html_for(rows, ids)` gives the
    table's HTML for the row range, with ids r0, r1, … on its body rows."""
    from gongwen.writers.pdf.libload import import_weasyprint

    import_weasyprint()
    from weasyprint import CSS

    from gongwen.writers.pdf.style import css_text, font_config, html_document

    if nrows == 0:
        return [(0, 0)]
    width, height = layout.block_height_pt, layout.block_width_pt
    page = CSS(string=f"@page {{ size: {width}pt {height}pt; margin: 0; }}", font_config=font_config())
    html = html_document(f"<html><body>{table_html_for(range(nrows), True)}</body></html>")
    doc = html.render(stylesheets=[CSS(string=css_text(), font_config=font_config()), page], font_config=font_config())
    chunks = []
    for p in doc.pages:
        rows = sorted(int(a[1:]) for a in p.anchors if a.startswith("r") and a[1:].isdigit())
        if rows:
            chunks.append((rows[0], rows[-1] + 1))
    return chunks or [(0, nrows)]


def sheet(inner_html: str, layout: Layout) -> str:
    """One portrait page holding `inner_html` turned a quarter to the left."""
    w, h = layout.block_height_pt, layout.block_width_pt
    return (
        f'<div class="landscape-sheet"><div style="width:{w:.3f}pt;height:{h:.3f}pt;overflow:hidden;'
        f'transform-origin:0 0;transform:translateY({w:.3f}pt) rotate(-90deg)">{inner_html}</div></div>'
    )
