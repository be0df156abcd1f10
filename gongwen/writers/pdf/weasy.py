"""Every use of WeasyPrint beyond its public API, in this one module.

The rest of the PDF writer uses only what WeasyPrint documents (HTML, CSS,
Document and Page, FontConfiguration, write_pdf and its options). Five
changes to how WeasyPrint works, and one reading of its laid-out pages, live here, made for WeasyPrint 70 (pinned in
requirements.txt) and tested with the versions in TESTED_VERSIONS:

1. `html_document`: the writer's HTML is well-formed XML, so the C XML
   parser reads it into the element tree WeasyPrint's HTML5 parser (written
   in Python) would give, in a fraction of the time, and styles/ua.css (only
   the elements the writer emits) stands in for WeasyPrint's HTML5 browser
   stylesheet (tests/test_pdf_html.py). What the XML parser cannot read goes
   to the HTML5 parser.
2. `without_footnotes`: a laid-out page with its footnote area (where the
   版记 sits) emptied, so render.layout can keep the pages up to the text's
   end and lay out only the 版记 page instead of the whole notice again.
3. Collapsed table borders drawn as a few long strokes. WeasyPrint draws a
   collapsed border piece by piece: every side of every cell is its own
   q ... Q group (a 1,000-unit 通报 has 18,000). WeasyPrint still works out
   every piece (its draw_collapsed_borders runs, on a stand-in stream that
   keeps them); when they are all solid and of one width and colour (as every
   table of ours is), pieces continuing one another on the same line are
   joined and the table stroked at once. Anything else is drawn piece by
   piece as WeasyPrint draws it, in its order (tests/test_pdf_borders.py
   compares the pixels). `JOIN_BORDERS = False` draws WeasyPrint's way.
4. Fonts read once per process and subset once per document. WeasyPrint
   copies every font file out of HarfBuzz for every document (FandolFang is
   7 MB) and subsets it twice keeping the original glyph ids. Here a font
   file's bytes are read once (a reference to each face is kept, so its
   address never names another face), and inside `presubsetting(target)` a
   font is subset once, straight to the glyphs drawn and without retained
   ids (fontpack.subset_face, HarfBuzz as WeasyPrint uses it); its old -> new
   glyph ids go into `target` (a fontpack.Presubset, made by the caller)
   under the hash of the new program, and pdfa.finish -> fontpack.compact_fonts
   renumbers the PDF with them, taking out each map it used; a map left
   (a program fontpack gave up on) makes render.pdf_bytes write the PDF
   again outside presubsetting, so a renumbered program is never paired
   with old ids. The last SUBSETS_KEPT subsets are kept: a
   title, table header or page numbers drawing the same glyphs in the next
   document is not subset again. Fonts WeasyPrint has to patch (missing
   glyphs, variable fonts, colour glyphs) go through its own subsetting.
5. @font-face files linked, not copied: WeasyPrint copies each into a
   temporary folder of its own per process (30 MB for the Fandol fonts);
   here that folder holds a symbolic link under the copy's name, with
   WeasyPrint's Fontconfig rules, so the same bytes are read
   (tests/test_linked_fonts.py).

6. `page_flow`: where a laid-out page's typeset lines fall and where its
   text ends, read from the page's boxes, for render.layout's closing fit
   (GB/T 9704 7.3.5.5).

On import, the installed version is checked. On a version not in
TESTED_VERSIONS none of the five changes is made and page_flow gives None
(no closing fit): the writer gets WeasyPrint's own
behaviour (its HTML5 parser and stylesheet, the notice laid out again when
the 版记 needs a page of its own, borders piece by piece, its own font
subsetting), slower and larger files, and a warning says so, once per
process. `select(version)` does the check (tests pass another version).

What this module keeps (font bytes and subsets, the HTML class and its
browser stylesheet) is registered with gongwen.caches as
"writers.pdf.weasy.*"; letting go of the font bytes releases the faces and
the subsets keyed by their addresses.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree

from gongwen import STYLES_DIR, caches
from gongwen.writers.pdf import fontpack
from gongwen.writers.pdf.libload import import_weasyprint

weasyprint = import_weasyprint()  # without a process per library name it tries (libload)

__all__ = [
    "INSTALLED_VERSION", "JOIN_BORDERS", "TESTED_VERSIONS", "WeasyPrintVersionWarning",
    "html_document", "joined", "patched", "presubsetting", "select", "without_footnotes",
]

TESTED_VERSIONS = ("70.0",)
INSTALLED_VERSION: str = weasyprint.__version__


class WeasyPrintVersionWarning(UserWarning):
    """The installed WeasyPrint is not a version this module was tested with."""


class _State:
    def __init__(self) -> None:
        self.patched = False  # the five changes are made (a tested version)
        self.warned = False  # the version warning was given (once per process)
        self.installed: dict[tuple[object, str], object] = {}  # (module or class, attribute) -> WeasyPrint's own


_STATE = _State()


def patched() -> bool:
    """Whether WeasyPrint is used with this module's changes."""
    return _STATE.patched


def select(version: str) -> bool:
    """Make the changes when `version` is one tested, else use WeasyPrint's
    own behaviour and warn (once per process). Returns whether patched."""
    if version in TESTED_VERSIONS:
        _install()
        _STATE.patched = True
        return True
    _uninstall()
    _STATE.patched = False
    if not _STATE.warned:
        _STATE.warned = True
        warnings.warn(
            f"已安装的 WeasyPrint 版本为 {version}，本程序对 WeasyPrint 的改动只在 "
            f"{'、'.join(TESTED_VERSIONS)} 版上测试过，现已停用，改用 WeasyPrint 自身的做法生成 PDF"
            f"（内容不变，但较慢、文件较大）。请安装 requirements.txt 指定的版本。",
            WeasyPrintVersionWarning, stacklevel=2,
        )
    return False


def _replace(owner, name: str, new) -> None:
    _STATE.installed.setdefault((owner, name), getattr(owner, name))
    setattr(owner, name, new)


def _uninstall() -> None:
    for (owner, name), original in _STATE.installed.items():
        setattr(owner, name, original)
    _STATE.installed = {}


def _install() -> None:
    if _STATE.installed:
        return
    _install_borders()
    _install_fonts()
    _install_linked_fonts()


# -- 1. the writer's HTML ---------------------------------------------------------


@caches.lru("writers.pdf.weasy.ua_stylesheet")
def _ua_stylesheet():
    return weasyprint.CSS(filename=str(STYLES_DIR / "ua.css"))


@caches.lru("writers.pdf.weasy.html_class")
def _html_class():
    import cssselect2
    from weasyprint.urls import URLFetcher

    class NoticeHTML(weasyprint.HTML):
        """Read by the C XML parser; styles/ua.css as the browser stylesheet."""

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


def html_document(string: str, base_url: str) -> weasyprint.HTML:
    """A WeasyPrint HTML document of the writer's HTML (see 1 above)."""
    if not _STATE.patched:
        return weasyprint.HTML(string=string, base_url=base_url)
    return _html_class()(string, base_url)


# -- 2. a page without its footnotes ----------------------------------------------


def without_footnotes(page):
    """The page with its footnote area emptied, the text above it in its
    place; None when WeasyPrint is used as it is (the caller lays out again)."""
    if not _STATE.patched:
        return None
    from weasyprint.document import Page
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    box = page._page_box
    kids = [c.copy_with_children([]) if isinstance(c, FootnoteAreaBox) else c for c in box.children]
    return Page(box.copy_with_children(kids))


# -- 3. table borders as long strokes ---------------------------------------------

JOIN_BORDERS = True
JOIN_SLACK = 1e-6  # pieces this close (in CSS px) continue one another


class Piece(NamedTuple):
    x1: float
    y1: float
    x2: float
    y2: float
    thickness: float
    style: str
    color: object
    offset: float = 0


class _Pieces:
    """Stands in for the PDF stream while WeasyPrint works out the pieces."""

    def __init__(self):
        self.pieces: list[Piece] = []

    def artifact(self):
        return nullcontext()

    def stacked(self):
        return nullcontext()


def joined(pieces: list[Piece]) -> list[tuple[float, float, float, float]]:
    """The lines (x1, y1, x2, y2) the pieces make when the ones on the same
    vertical or horizontal line that touch or overlap are joined."""
    vertical: dict[float, list[tuple[float, float]]] = {}
    horizontal: dict[float, list[tuple[float, float]]] = {}
    for p in pieces:
        if p.x1 == p.x2:
            vertical.setdefault(p.x1, []).append((min(p.y1, p.y2), max(p.y1, p.y2)))
        else:
            horizontal.setdefault(p.y1, []).append((min(p.x1, p.x2), max(p.x1, p.x2)))
    lines = []
    for at, spans, is_vertical in [(x, s, True) for x, s in vertical.items()] + \
                                  [(y, s, False) for y, s in horizontal.items()]:
        spans.sort()
        start, end = spans[0]
        for a, b in spans[1:]:
            if a <= end + JOIN_SLACK:
                end = max(end, b)
                continue
            lines.append((at, start, at, end) if is_vertical else (start, at, end, at))
            start, end = a, b
        lines.append((at, start, at, end) if is_vertical else (start, at, end, at))
    return lines


def _uniform(pieces: list[Piece]) -> bool:
    first = pieces[0]
    return all(p.style == "solid" and p.offset == 0 and p.thickness == first.thickness and p.color == first.color
               for p in pieces)


def _install_borders() -> None:
    from weasyprint import draw

    original_borders, original_line = draw.draw_collapsed_borders, draw.draw_line

    def draw_line(stream, x1, y1, x2, y2, thickness, style, color, offset=0):
        if isinstance(stream, _Pieces):
            stream.pieces.append(Piece(x1, y1, x2, y2, thickness, style, color, offset))
        else:
            original_line(stream, x1, y1, x2, y2, thickness, style, color, offset)

    def draw_collapsed_borders(stream, table):
        if not JOIN_BORDERS:
            return original_borders(stream, table)
        recorded = _Pieces()
        original_borders(recorded, table)
        pieces = recorded.pieces
        if not pieces:
            return None
        if not _uniform(pieces):
            for p in pieces:  # as WeasyPrint draws them
                with stream.artifact(), stream.stacked():
                    original_line(stream, *p)
            return None
        with stream.artifact(), stream.stacked():
            stream.set_color(pieces[0].color, stroke=True)
            stream.set_line_width(pieces[0].thickness)
            for x1, y1, x2, y2 in joined(pieces):
                stream.move_to(x1, y1)
                stream.line_to(x2, y2)
            stream.stroke()
        return None

    _replace(draw, "draw_line", draw_line)
    _replace(draw, "draw_collapsed_borders", draw_collapsed_borders)


# -- 4. fonts read once, subset once ----------------------------------------------

# The tables WeasyPrint drops when it subsets (weasyprint/pdf/fonts.py).
WEASYPRINT_DROPS = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")
SUBSETS_KEPT = 64
PRESUBSET_LIMIT = 256  # maps never taken out (documents never finished): the target is emptied


class _Fonts:
    """What the font change keeps, and the map of the PDF being written."""

    def __init__(self) -> None:
        # face address -> [kept reference to the face, its file's bytes or None]
        self.files: dict[int, list] = {}
        # (face address, glyph ids) -> (program, old -> new id, program_key): only
        # for faces in `files`, kept alive, so the address names this face only
        self.subsets: dict[tuple[int, tuple[int, ...]], tuple[bytes, dict[int, int], bytes]] = {}
        self.target: fontpack.Presubset | None = None  # inside presubsetting()

    def clear_files(self) -> None:
        """Let go of the faces (their addresses may then name other faces:
        the subsets keyed by them go too)."""
        from weasyprint.text.ffi import harfbuzz

        self.subsets.clear()
        files, self.files = self.files, {}
        for reference, _ in files.values():
            harfbuzz.hb_face_destroy(reference)


_FONTS = _Fonts()
caches.register("writers.pdf.weasy.font_files", _FONTS.clear_files, lambda: len(_FONTS.files))
caches.register("writers.pdf.weasy.font_subsets", _FONTS.subsets.clear, lambda: len(_FONTS.subsets))


@contextmanager
def presubsetting(target: fontpack.Presubset):
    """Fonts of the PDFs written inside are subset once, their glyph maps put
    into `target` for fontpack.compact_fonts. Does nothing on a WeasyPrint
    not tested (its own subsetting, target left empty)."""
    if not _STATE.patched:
        yield target
        return
    _FONTS.target = target
    try:
        yield target
    finally:
        _FONTS.target = None


def _install_fonts() -> None:
    from weasyprint.pdf import fonts as wf
    from weasyprint.text.ffi import ffi, harfbuzz

    original_face, original_data, original_subset = wf.get_pango_font_hb_face, wf.get_hb_object_data, wf.Font.subset

    def address(cdata) -> int:
        return int(ffi.cast("uintptr_t", cdata))

    def pango_face(pango_font):
        face = original_face(pango_font)
        if address(face) not in _FONTS.files:
            _FONTS.files[address(face)] = [harfbuzz.hb_face_reference(face), None]
        return face

    def object_data(hb_object, ot_color=None, glyph=None):
        entry = _FONTS.files.get(address(hb_object)) if ot_color is None else None
        if entry is None:
            return original_data(hb_object, ot_color, glyph)
        if entry[1] is None:
            entry[1] = original_data(hb_object)
        return entry[1]

    def subset(self, to_unicode, hinting):
        target = _FONTS.target
        plain = not (self.missing or hinting or self.png or self.svg or self.colr or "fvar" in self.tables)
        if target is None or not (to_unicode and plain):
            return original_subset(self, to_unicode, hinting)
        face = address(self.hb_face)
        gids = tuple(sorted(to_unicode))
        done = _FONTS.subsets.pop((face, gids), None)
        if done is None:
            try:
                program, mapping = fontpack.subset_face(face, list(gids), WEASYPRINT_DROPS)
            except fontpack.Unsupported:
                return original_subset(self, to_unicode, hinting)
            done = (program, mapping, fontpack.program_key(program))
        if face in _FONTS.files:  # kept alive, so its address names this face only
            _FONTS.subsets[face, gids] = done  # the most recent last
            if len(_FONTS.subsets) > SUBSETS_KEPT:
                del _FONTS.subsets[next(iter(_FONTS.subsets))]
        program, mapping, key = done
        if len(target) > PRESUBSET_LIMIT:  # left by documents never finished: they are not coming back
            target.clear()
        target[key] = mapping
        self.file_content = program

    _replace(wf, "get_pango_font_hb_face", pango_face)
    _replace(wf, "get_hb_object_data", object_data)
    _replace(wf.Font, "subset", subset)


# -- 5. @font-face files linked, not copied ----------------------------------------

# The @font-face descriptors handled here (ours: styles/notice.css.j2); any other goes to WeasyPrint.
_LINKED_DESCRIPTORS = {"src", "font_family", "font_weight", "font_style"}


def _plain_font_file(rule_descriptors, url_fetcher) -> Path | None:
    """The local font file a @font-face rule names, if WeasyPrint would read it
    from disk as it is: the first source a file: URL of a regular file that is
    not WOFF, WeasyPrint's own fetcher allowing file: URLs, no descriptor but
    the family, weight and style."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    if type(url_fetcher) is not URLFetcher or set(rule_descriptors) - _LINKED_DESCRIPTORS:
        return None
    allowed = url_fetcher._allowed_protocols
    if allowed is not None and "file" not in allowed:
        return None
    sources = [(kind, url) for kind, url in rule_descriptors.get("src") or () if url is not None and kind != "internal"]
    if not sources or sources[0][0] != "external":
        return None
    url = urlsplit(sources[0][1])
    if url.scheme != "file" or url.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(url.path))
    try:
        if not path.is_absolute() or not path.is_file():
            return None
        with open(path, "rb") as fh:
            if fh.read(3) == b"wOF":
                return None
    except OSError:
        return None
    return path


def _install_linked_fonts() -> None:
    """WeasyPrint copies every @font-face file into a temporary folder of its
    own (some 30 MB for the Fandol fonts, read and written in every process
    that lays out a notice: 0.07 s) and points Fontconfig at the copy. Here the
    temporary folder holds a symbolic link to the file instead, under the name
    WeasyPrint gives the copy, with the same Fontconfig rules (the XML below is
    WeasyPrint's for these descriptors): Fontconfig and FreeType read the same
    bytes, so the faces and the PDF are the same. Rules this does not cover,
    or a link that cannot be made, go to WeasyPrint's own add_font_face."""
    from hashlib import md5
    from tempfile import mkdtemp
    from xml.etree.ElementTree import Element, SubElement, tostring

    from weasyprint.text import fonts as wt
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2

    original = wt.FontConfiguration.add_font_face

    def add_font_face(self, rule_descriptors, url_fetcher):
        source = _plain_font_file(rule_descriptors, url_fetcher)
        if source is None:
            return original(self, rule_descriptors, url_fetcher)
        digest = md5(str(rule_descriptors).encode(), usedforsecurity=False).hexdigest()
        if self._folder is None:
            self._folder = Path(mkdtemp(prefix="weasyprint-"))
        font_path = self._folder / digest
        if font_path.exists():
            return None
        try:
            font_path.symlink_to(source)
        except OSError:
            return original(self, rule_descriptors, url_fetcher)
        root = Element("fontconfig")
        match = SubElement(root, "match", target="scan")
        test = SubElement(match, "test", name="file", compare="eq")
        SubElement(test, "string").text = font_path.as_posix()
        edit = SubElement(match, "edit", name="family", mode="prepend")
        SubElement(edit, "string").text = rule_descriptors["font_family"]
        if "font_style" in rule_descriptors:
            edit = SubElement(match, "edit", name="slant", mode="assign_replace")
            SubElement(edit, "const").text = wt.FONTCONFIG_STYLE[rule_descriptors["font_style"]]
        if "font_weight" in rule_descriptors:
            edit = SubElement(match, "edit", name="weight", mode="assign_replace")
            SubElement(edit, "int").text = str(wt.FONTCONFIG_WEIGHT[rule_descriptors["font_weight"]])
        match = SubElement(root, "match", target="font")
        test = SubElement(match, "test", name="file", compare="eq")
        SubElement(test, "string").text = font_path.as_posix()
        features = wt.font_features(font_feature_settings="normal")
        if features:  # pragma: no cover - none for these descriptors
            edit = SubElement(match, "edit", name="fontfeatures", mode="assign_replace")
            for key, value in features.items():
                SubElement(edit, "string").text = f"{key} {value}"
        header = (b'<?xml version="1.0"?>', b'<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">')
        xml = b"\n".join((*header, tostring(root, encoding="utf-8")))
        fontconfig.FcConfigParseAndLoadFromMemory(self._config, xml, True)
        if fontconfig.FcConfigAppFontAddFile(self._config, font_path.as_posix().encode(wt.PREFERRED_ENCODING)):
            return pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", self.font_map))
        font_path.unlink()  # Fontconfig could not read it through the link: WeasyPrint's way
        return original(self, rule_descriptors, url_fetcher)

    _replace(wt.FontConfiguration, "add_font_face", add_font_face)


select(INSTALLED_VERSION)


def remove_font_folder(config) -> None:
    """Remove the temporary folder a FontConfiguration keeps its @font-face
    files (or links) in; WeasyPrint does so only when the configuration is
    collected (style.release_font_config calls this at a process's exit)."""
    import shutil

    folder = getattr(config, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        config._folder = None


# -- 6. where a page's lines fall -------------------------------------------------------

PX_PT = 0.75  # WeasyPrint lays out in CSS px


class FlowLine(NamedTuple):
    ordinal: int  # among the document's typeset lines (class token "ln"), in document order
    top: float  # pt below the text block's top
    height: float  # pt


class PageFlow(NamedTuple):
    lines: list[FlowLine]  # the typeset lines in the page's text flow, top to bottom
    bottom: float  # pt below the text block's top where the page's text ends
    height: float  # the text block's height, pt (without a footnote area)
    boxes: dict[str, tuple[float, float]]  # id -> (top, bottom) in pt of the elements with ids here


def line_ordinals(html) -> dict[int, int]:
    """id() of each typeset line's element -> its place among them (the order html.LINE_OPEN counts)."""
    out: dict[int, int] = {}
    for el in html.etree_element.iter():
        cls = el.get("class")
        if cls and "ln" in cls.split():
            out[id(el)] = len(out)
    return out


def page_flow(page, ordinals: dict[int, int]) -> PageFlow | None:
    """Where a laid-out page's lines and text end (render.layout's fitting of
    the closing block reads it); None when WeasyPrint is used as it is."""
    if not _STATE.patched:
        return None
    from weasyprint.formatting_structure.boxes import BlockLevelBox, FootnoteAreaBox, MarginBox

    page_box = page._page_box
    top = page_box.content_box_y()
    lines: list[FlowLine] = []
    boxes: dict[str, tuple[float, float]] = {}
    bottom = 0.0

    def walk(box) -> None:
        nonlocal bottom
        if isinstance(box, (FootnoteAreaBox, MarginBox)) or box.style["position"] in ("absolute", "fixed"):
            return
        el = box.element
        if isinstance(box, BlockLevelBox) and el is not None and box.element_tag not in ("html", "body"):
            y0 = (box.position_y - top) * PX_PT
            y1 = y0 + box.margin_height() * PX_PT
            if el.get("id"):
                boxes[el.get("id")] = (y0, y1)
            if y1 > y0:
                bottom = max(bottom, y1)
            ordinal = ordinals.get(id(el))
            if ordinal is not None:
                lines.append(FlowLine(ordinal, y0, y1 - y0))
                return
        for child in getattr(box, "children", ()):
            walk(child)

    walk(page_box)
    return PageFlow(lines, bottom, page_box.height * PX_PT, boxes)
