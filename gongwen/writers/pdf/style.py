"""The PDF stylesheet: styles/notice.css.j2 filled from the layout numbers and
the fonts installed here, parsed once per process and per format (caches
registered with gongwen.caches), and the one FontConfiguration (Pango's font
map) every document is laid out with."""

from __future__ import annotations

import atexit
import weakref
from dataclasses import dataclass
from pathlib import Path

import jinja2

from gongwen import STYLES_DIR, caches
from gongwen.notice import fonts
from gongwen.layout.spec import load_layout
from gongwen.writers.pdf.libload import import_weasyprint


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


@caches.lru("writers.pdf.style.css_text")
def css_text(letter: bool = False) -> str:
    layout = load_layout()
    faces, fam, bold = _families()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(STYLES_DIR), autoescape=False, undefined=jinja2.StrictUndefined)
    return env.get_template("notice.css.j2").render(
        L=layout.raw, faces=faces, fam=fam, bold=bold, letter=letter, pn_side=round(layout.char_pitch_pt, 3)
    )


@caches.lru("writers.pdf.style.font_config")
def font_config():
    import_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    from gongwen.writers.pdf import weasy  # noqa: F401 - its changes made before a @font-face is read

    if not _MADE:
        atexit.register(release_font_config)
    config = FontConfiguration()
    _MADE.append(weakref.ref(config))
    return config


_MADE: list[weakref.ref] = []  # every font configuration this process made


def release_font_config() -> None:
    """Let go of the font configuration (run at every process's exit):
    WeasyPrint keeps each @font-face file (a link to it, weasy.py part 5) in a
    temporary folder (/tmp/weasyprint-*) that it removes when the
    configuration is collected, which at interpreter teardown need not happen
    (nor at an exit without it, cli.quick_exit), and would then find the
    modules its clean-up uses gone. The folders are removed here."""
    from gongwen.writers.pdf import weasy

    font_config.cache_clear()
    for ref in _MADE:
        config = ref()
        if config is not None:
            weasy.remove_font_folder(config)
    _MADE[:] = [ref for ref in _MADE if ref() is not None]


@caches.lru("writers.pdf.style.stylesheet")
def stylesheet(letter: bool = False):
    import_weasyprint()
    from weasyprint import CSS

    return CSS(string=css_text(letter), font_config=font_config())


def html_document(html: str, base_url: str | None = None):
    """A WeasyPrint HTML document of the writer's HTML (read and styled as
    weasy.html_document says)."""
    from gongwen.writers.pdf import weasy

    return weasy.html_document(html, base_url or ".")
