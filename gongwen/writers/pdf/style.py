"""The PDF stylesheet: styles/notice.css.j2 filled from the layout numbers and
the fonts installed here, parsed once per process and per format."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import jinja2

from gongwen import STYLES_DIR
from gongwen.notice import fonts
from gongwen.notice.layout import load_layout


@dataclass(frozen=True)
class Face:
    alias: str
    url: str
    bold: bool


def _families() -> tuple[list[Face], dict[str, str], dict[str, bool]]:
    faces: dict[str, Face] = {}
    fam: dict[str, str] = {}
    bold: dict[str, bool] = {}
    for role in fonts.roles():
        chain = fonts.available_chain(role)
        names = []
        for f in chain:
            if f.file.lower().endswith((".otf", ".ttf")):
                # A face of its own: fontconfig's weight for some files (Fandol) is wrong.
                alias = f"gw {Path(f.file).stem}"
                faces[alias] = Face(alias, Path(f.file).as_uri(), chain[0].bold)
                names.append(alias)
            else:
                names.append(f.family)
        if not names:
            names = [s.family for s in fonts.roles()[role]]
        fam[role] = ", ".join(f'"{n}"' for n in dict.fromkeys(names))
        bold[role] = bool(chain and chain[0].bold)
    return list(faces.values()), fam, bold


@lru_cache(maxsize=None)
def css_text(letter: bool = False) -> str:
    layout = load_layout()
    faces, fam, bold = _families()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(STYLES_DIR), autoescape=False, undefined=jinja2.StrictUndefined)
    return env.get_template("notice.css.j2").render(
        L=layout.raw, faces=faces, fam=fam, bold=bold, letter=letter, pn_side=round(layout.char_pitch_pt, 3)
    )


@lru_cache(maxsize=None)
def font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=None)
def stylesheet(letter: bool = False):
    from weasyprint import CSS

    return CSS(string=css_text(letter), font_config=font_config())


@lru_cache(maxsize=None)
def _ua_stylesheet():
    from weasyprint import CSS

    return CSS(filename=str(STYLES_DIR / "ua.css"))


@lru_cache(maxsize=None)
def _html_class():
    import cssselect2
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NoticeHTML(HTML):
        """The writer's HTML is well-formed XML: the C XML parser reads it
        into the same element tree as WeasyPrint's HTML5 parser (written in
        Python) would, in a fraction of the time (tests/test_pdf_html.py);
        anything it cannot read goes to the HTML5 parser as before."""

        def __init__(self, string: str, base_url: str):
            try:
                root = ElementTree.fromstring(string)
            except ElementTree.ParseError:
                super().__init__(string=string, base_url=base_url)
                return
            self.base_url, self.url_fetcher, self.media_type = base_url, URLFetcher(), "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms=False):
            return [_ua_stylesheet()]

    return NoticeHTML


def html_document(html: str, base_url: str | None = None):
    """A WeasyPrint HTML document of the writer's HTML, with styles/ua.css as
    its browser defaults (parsed once per process)."""
    return _html_class()(html, base_url or ".")
