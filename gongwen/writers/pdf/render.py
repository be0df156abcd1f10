"""Render a notice to PDF with WeasyPrint. The 版记 must end on an even page
at the bottom of the text block: a first layout shows where the text ends;
when the 版记 cannot stay there, a second layout puts it alone on the next
even page (blank page and 版记-only page carry no page number). Before that,
when the closing block (附件说明, signature, date) was pushed to a page of its
own and setting the lines of the text's last page closer (GB/T 9704 7.3.5.5,
bounded by styles/layout.yaml) keeps it there, the notice is laid out again
that way (_Layouts.fit_closing); the DOCX writer gets the same pitch.

Whatever goes beyond WeasyPrint's public API (the XML-read HTML, the page
without its footnotes, joined table borders, fonts subset once) is in
weasy.py; the PDF/A finishing (fonts re-packed, output intent, XMP) in
pdfa.py."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from gongwen.layout.model import ClosingFit
from gongwen.layout.spec import load_layout
from gongwen.notice.tree import Notice
from gongwen.writers.pdf.html import HtmlBuilder, Tighten, banji_pages_html
from gongwen.writers.pdf.style import font_config, html_document, stylesheet


@dataclass
class PdfResult:
    path: Path
    pages: int
    banji_own_page: bool
    closing_fit: ClosingFit | None = None


def _page_of(document, anchor: str) -> int | None:
    for i, page in enumerate(document.pages):
        if anchor in page.anchors:
            return i + 1
    return None


SLACK_PT = 2.0  # room left under the closing block when its page's lines are set closer


class _Layouts:
    """One notice laid out, possibly more than once (版记 placement, closing fit)."""

    def __init__(self, notice: Notice, base_url: str | None):
        self.notice, self.base_url = notice, base_url
        self.css = [stylesheet(notice.format == "letter")]
        self.tighten: Tighten | None = None
        self.fit_block: int | None = None
        self.html = None

    def render(self, mode: str, tighten: Tighten | None = None):
        builder = HtmlBuilder(self.notice, banji=mode, tighten=tighten)
        self.html = html_document(builder.build(), self.base_url)
        self.text_line0 = builder.text_line0
        css = self.css
        if tighten is not None:
            from weasyprint import CSS

            p = f"{tighten.pitch:.2f}pt"
            css = css + [CSS(string=f".ln.t {{ height: {p}; line-height: {p}; }}", font_config=font_config())]
        doc = self.html.render(stylesheets=css, font_config=font_config())
        if tighten is not None:
            self.tighten, self.fit_block = tighten, builder.fit_block
        return doc

    def fit_closing(self, doc):
        """GB/T 9704 7.3.5.5: when the closing block (the body's last lines,
        附件说明, signature, date) went to a new page and would fit on the page
        the text ends on with its lines set closer, no closer than
        signature.fit_extra_lines more lines a page allow, lay the notice out
        again with the lines from that page's first body line through the date
        that much closer. Returns the new layout, or None."""
        from gongwen.writers.pdf import weasy

        L = load_layout()
        closing = _page_of(doc, "gw-closing")
        if not L.signature.fit_extra_lines or closing is None or closing < 2:
            return None
        ordinals = weasy.line_ordinals(self.html)
        before = weasy.page_flow(doc.pages[closing - 2], ordinals)
        after = weasy.page_flow(doc.pages[closing - 1], ordinals)
        if before is None or after is None or "gw-closing" not in after.boxes:
            return None
        pitch = L.line_pitch_pt
        c_top, c_bottom = after.boxes["gw-closing"]
        if any(ln.top < c_top - 0.5 for ln in after.lines) or not before.lines:
            return None  # something came before the closing block on its page: not a pushed block
        body = [ln for ln in before.lines if ln.ordinal >= self.text_line0]
        if not body or any(abs(ln.height - pitch) >= 0.01 for ln in body):
            return None  # no body line on the page, or one of another size among them
        first, n = body[0].ordinal, len(body)
        m = len([ln for ln in after.lines if c_top - 0.5 <= ln.top < c_bottom and abs(ln.height - pitch) < 0.01])
        short = before.bottom + (c_bottom - c_top) - before.height
        lowest = L.closing_min_pitch_pt
        if short <= 0 or n + m == 0 or short > (n + m) * (pitch - lowest):
            return None
        # Whole twips (as the DOCX gets them), with SLACK_PT to spare: a word processor
        # places the lines within a point or so of where WeasyPrint does.
        wanted = math.floor((pitch - (short + SLACK_PT) / (n + m)) * 20) / 20
        lowest = math.ceil(lowest * 20) / 20
        for tight in dict.fromkeys((max(wanted, lowest), max(math.floor((wanted + lowest) * 10) / 20, lowest), lowest)):
            if tight < lowest or tight >= pitch:
                continue
            tighten = Tighten(first, tight)
            trial = self.render("footnote", tighten)
            if _page_of(trial, "gw-closing") == closing - 1 and len(trial.pages) <= len(doc.pages):
                return trial
        self.tighten = self.fit_block = None
        return None


def layout(notice: Notice, base_url: str | None = None):
    """Lay the notice out; returns (WeasyPrint document, banji_own_page, closing_fit)."""
    from gongwen.writers.pdf import weasy

    lay = _Layouts(notice, base_url)
    doc = lay.render("footnote")
    doc = lay.fit_closing(doc) or doc
    fit = ClosingFit(lay.tighten.pitch, lay.fit_block) if lay.tighten else None
    if not notice.has_banji:
        return doc, False, fit
    end, banji, total = _page_of(doc, "gw-end"), _page_of(doc, "gw-banji"), len(doc.pages)
    if banji == end == total and total % 2 == 0:
        return doc, False, fit
    if (banji == end + 1 == total or banji == end == total) and weasy.patched():
        # The 版记 did not fit under the text, or fitted on an odd page: the
        # pages up to the text's end are final (the 版记 taken off the last of
        # them); add a blank page when needed and the 版记 page, laid out on
        # their own, instead of laying the whole notice out again. (On a
        # WeasyPrint weasy.py was not tested with, the whole notice again.)
        tail = html_document(banji_pages_html(notice, blank=end % 2 == 0), base_url)
        tail_doc = tail.render(stylesheets=lay.css, font_config=font_config())
        text_pages = doc.pages[:end - 1] + [weasy.without_footnotes(doc.pages[end - 1])]
        return doc.copy(text_pages + tail_doc.pages), True, fit
    return lay.render("own-page", lay.tighten), True, fit


PDF_VARIANT = "pdf/a-2b"


def write_pdf(notice: Notice, path: Path, base_url: str | None = None, **options) -> PdfResult:
    path = Path(path)
    data, result = pdf_bytes(notice, base_url, **options)
    path.write_bytes(data)
    return PdfResult(path, result.pages, result.banji_own_page, result.closing_fit)


def pdf_bytes(notice: Notice, base_url: str | None = None, **options) -> tuple[bytes, PdfResult]:
    """PDF/A-2b by default (PDF/A-3b when sources are attached), with the 公文's metadata."""
    from gongwen.writers.pdf import weasy
    from gongwen.writers.pdf.pdfa import finish

    doc, own, fit = layout(notice, base_url)
    options.setdefault("pdf_variant", "pdf/a-3b" if options.get("attachments") else PDF_VARIANT)
    options.setdefault("uncompressed_pdf", True)  # finish() compresses every stream once
    presubset: dict[bytes, dict[int, int]] = {}  # fonts subset once; finish() renumbers (see weasy.py)
    with weasy.presubsetting(presubset):
        data = finish(doc.write_pdf(**options), notice, presubset)
    if presubset:  # a font the re-packing could not renumber: WeasyPrint's own subsetting
        data = finish(doc.write_pdf(**options), notice)
    return data, PdfResult(Path(""), len(doc.pages), own, fit)
