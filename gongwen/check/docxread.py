"""Read a DOCX from any word processor (Word, WPS, LibreOffice, this project)
into paragraphs with their *effective* formatting: document defaults, then
the paragraph style chain (basedOn), the run's character style, then direct
formatting. Automatic numbering is turned back into the text it shows
(一、 （一） 1.), manual line breaks stay as "\n", tabs as "\t"."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from gongwen.errors import UserError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"w": W, "a": A, "mc": MC}
TWIP = 20.0  # twips per point


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _val(el, attr: str = "val"):
    return None if el is None else el.get(q(attr))


def _on(el) -> bool | None:
    """A toggle property (<w:b/>, <w:b w:val="0"/>)."""
    if el is None:
        return None
    v = el.get(q("val"))
    return v not in ("0", "false", "off")


@dataclass
class Run:
    text: str
    size: float  # pt
    font: str  # East Asian font
    latin: str
    bold: bool
    color: str  # RRGGBB or "auto"
    spacing: float = 0.0  # character spacing, pt


@dataclass
class Para:
    index: int  # 1-based among the document's paragraphs (tables' cells included)
    text: str
    runs: list[Run]
    style: str = ""
    align: str = "left"  # left, center, right, both, distribute
    first_line: float = 0.0  # pt (negative: hanging)
    left: float = 0.0
    right: float = 0.0
    line_rule: str = "auto"  # auto, exact, atLeast
    line: float = 240  # twips for exact/atLeast, 240ths for auto
    before: float = 0.0  # pt
    after: float = 0.0
    page_break_before: bool = False
    break_before: bool = False  # a page break run before the text
    break_after: bool = False  # a page break run after the text
    border_bottom: str | None = None  # colour of a bottom border (a rule)
    numbering: str = ""  # text shown by automatic numbering
    in_table: bool = False
    table: int | None = None
    section: int = 0
    has_drawing: bool = False
    in_textbox: bool = False  # typed in a text box (a masthead often is)

    # The formatting most of the visible characters have.
    def _major(self, attr: str):
        counts: dict = {}
        for r in self.runs:
            n = len(r.text.strip())
            if n:
                key = getattr(r, attr)
                counts[key] = counts.get(key, 0) + n
        if not counts:
            return getattr(self.runs[0], attr) if self.runs else None
        return max(counts, key=counts.get)

    @property
    def size(self) -> float:
        return self._major("size") or 0.0

    @property
    def font(self) -> str:
        return self._major("font") or ""

    @property
    def bold(self) -> bool:
        return bool(self._major("bold"))

    @property
    def color(self) -> str:
        return self._major("color") or "auto"

    @property
    def shown(self) -> str:
        """The text as a reader sees it: numbering first."""
        return self.numbering + self.text

    def leading_spaces(self) -> int:
        m = re.match(r"[ \u3000\u00a0\t]*", self.text)
        return len(m.group(0))


@dataclass
class Section:
    width: float  # pt
    height: float
    top: float
    bottom: float
    left: float
    right: float
    footer: float
    grid_type: str | None
    line_pitch: float | None  # pt
    char_space: int | None
    footers: dict[str, str]  # type -> part name
    title_page: bool = False


@dataclass
class TableInfo:
    index: int
    rows: list[list[str]]
    borders: bool
    first_para: int


@dataclass
class Docx:
    paras: list[Para]
    sections: list[Section]
    tables: list[TableInfo]
    footers: dict[str, list[Para]] = field(default_factory=dict)  # part name -> paragraphs
    even_odd: bool = False
    path: Path | None = None

    def body(self) -> list[Para]:
        return [p for p in self.paras if not p.in_table]


# -- styles -------------------------------------------------------------------------------


class Styles:
    def __init__(self, root, theme_fonts: dict[str, str]):
        self.theme = theme_fonts
        self.by_id: dict[str, etree._Element] = {}
        self.default_para: str | None = None
        self.default_char: str | None = None
        self.doc_rpr = None
        self.doc_ppr = None
        if root is None:
            return
        dd = root.find("w:docDefaults", NS)
        if dd is not None:
            self.doc_rpr = dd.find("w:rPrDefault/w:rPr", NS)
            self.doc_ppr = dd.find("w:pPrDefault/w:pPr", NS)
        for st in root.findall("w:style", NS):
            sid = st.get(q("styleId"))
            self.by_id[sid] = st
            if st.get(q("default")) in ("1", "true"):
                if st.get(q("type")) == "paragraph":
                    self.default_para = sid
                elif st.get(q("type")) == "character":
                    self.default_char = sid

    def chain(self, sid: str | None) -> list:
        """The style and the styles it is based on, base first."""
        out, seen = [], set()
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            st = self.by_id[sid]
            out.append(st)
            sid = _val(st.find("w:basedOn", NS))
        return list(reversed(out))

    def name(self, sid: str | None) -> str:
        st = self.by_id.get(sid or "")
        return _val(st.find("w:name", NS)) if st is not None and st.find("w:name", NS) is not None else (sid or "")


def _merge_rpr(props: dict, rpr, theme: dict[str, str]) -> None:
    if rpr is None:
        return
    f = rpr.find("w:rFonts", NS)
    if f is not None:
        for key, theme_key in (("eastAsia", "eastAsiaTheme"), ("ascii", "asciiTheme")):
            if f.get(q(key)):
                props[key] = f.get(q(key))
            elif f.get(q(theme_key)):
                props[key] = theme.get(f.get(q(theme_key)), props.get(key, ""))
        if f.get(q("hAnsi")) and "ascii" not in props:
            props["ascii"] = f.get(q("hAnsi"))
    for tag in ("sz",):
        el = rpr.find(f"w:{tag}", NS)
        if el is not None and _val(el):
            props["sz"] = float(_val(el)) / 2
    for tag in ("b",):
        on = _on(rpr.find(f"w:{tag}", NS))
        if on is not None:
            props["b"] = on
    c = rpr.find("w:color", NS)
    if c is not None and _val(c):
        props["color"] = _val(c).upper()
    sp = rpr.find("w:spacing", NS)
    if sp is not None and _val(sp):
        props["spacing"] = float(_val(sp)) / TWIP


def _merge_ppr(props: dict, ppr) -> None:
    if ppr is None:
        return
    jc = ppr.find("w:jc", NS)
    if jc is not None:
        props["jc"] = _val(jc)
    ind = ppr.find("w:ind", NS)
    if ind is not None:
        for attr in ("firstLine", "hanging", "left", "right", "start", "end", "firstLineChars", "hangingChars",
                     "leftChars", "rightChars", "startChars", "endChars"):
            v = ind.get(q(attr))
            if v is not None:
                key = {"start": "left", "end": "right", "startChars": "leftChars", "endChars": "rightChars"}.get(attr, attr)
                props["ind." + key] = float(v)
                if attr == "firstLine":
                    props.pop("ind.hanging", None)
                    props.pop("ind.hangingChars", None)
                if attr == "hanging":
                    props.pop("ind.firstLine", None)
                    props.pop("ind.firstLineChars", None)
    sp = ppr.find("w:spacing", NS)
    if sp is not None:
        for attr in ("line", "lineRule", "before", "after"):
            v = sp.get(q(attr))
            if v is not None:
                props["sp." + attr] = v
    pb = _on(ppr.find("w:pageBreakBefore", NS))
    if pb is not None:
        props["pageBreakBefore"] = pb
    num = ppr.find("w:numPr", NS)
    if num is not None:
        nid, lvl = _val(num.find("w:numId", NS)), _val(num.find("w:ilvl", NS))
        if nid is not None:
            props["numId"] = nid
        if lvl is not None:
            props["ilvl"] = lvl
    bdr = ppr.find("w:pBdr/w:bottom", NS)
    if bdr is not None and bdr.get(q("val")) not in (None, "nil", "none"):
        props["border"] = (bdr.get(q("color")) or "auto").upper()


# -- numbering -----------------------------------------------------------------------------

CN_DIGITS = "〇一二三四五六七八九"


def chinese_count(n: int) -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographTraditional",
               "taiwaneseCounting", "japaneseCounting"):
        return chinese_count(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


class Numbering:
    def __init__(self, root):
        self.abstract: dict[str, dict[int, dict]] = {}
        self.nums: dict[str, str] = {}
        self.counters: dict[str, list[int]] = {}
        if root is None:
            return
        for ab in root.findall("w:abstractNum", NS):
            levels = {}
            for lvl in ab.findall("w:lvl", NS):
                levels[int(lvl.get(q("ilvl")))] = {
                    "fmt": _val(lvl.find("w:numFmt", NS)) or "decimal",
                    "text": _val(lvl.find("w:lvlText", NS)) or "",
                    "start": int(_val(lvl.find("w:start", NS)) or 1),
                    "suff": _val(lvl.find("w:suff", NS)) or "tab",
                    "bullet": (_val(lvl.find("w:numFmt", NS)) == "bullet"),
                }
            self.abstract[ab.get(q("abstractNumId"))] = levels
        self.overrides: dict[str, dict[int, int]] = {}
        for num in root.findall("w:num", NS):
            nid = num.get(q("numId"))
            self.nums[nid] = _val(num.find("w:abstractNumId", NS))
            for ov in num.findall("w:lvlOverride", NS):
                start = ov.find("w:startOverride", NS)
                if start is not None:
                    self.overrides.setdefault(nid, {})[int(ov.get(q("ilvl")) or 0)] = int(_val(start) or 1)

    def text(self, num_id: str, ilvl: int) -> str:
        levels = self.abstract.get(self.nums.get(num_id, ""), {})
        if num_id == "0" or ilvl not in levels:
            return ""
        # lists sharing an abstract numbering continue one another, unless one restarts (startOverride)
        key = num_id if num_id in self.overrides else self.nums.get(num_id, num_id)
        counts = self.counters.setdefault(key, [0] * 10)
        lvl = levels[ilvl]
        if counts[ilvl] == 0:
            counts[ilvl] = self.overrides.get(num_id, {}).get(ilvl, lvl["start"])
        else:
            counts[ilvl] += 1
        for deeper in range(ilvl + 1, 10):
            counts[deeper] = 0
        if lvl["bullet"]:
            return ""

        def sub(m):
            k = int(m.group(1)) - 1
            fmt = levels.get(k, lvl)["fmt"]
            return _format_number(counts[k] or levels.get(k, lvl)["start"], fmt)

        shown = re.sub(r"%(\d)", sub, lvl["text"])
        # A tab or space after the number: staff typing it would write nothing (一、) or a space.
        return shown


# -- reading -------------------------------------------------------------------------------


def _theme_fonts(z: zipfile.ZipFile) -> dict[str, str]:
    fonts = {"minorEastAsia": "宋体", "majorEastAsia": "宋体", "minorHAnsi": "Calibri", "majorHAnsi": "Calibri Light",
             "minorAscii": "Calibri", "majorAscii": "Calibri Light"}
    names = [n for n in z.namelist() if n.startswith("word/theme/") and n.endswith(".xml")]
    if not names:
        return fonts
    root = etree.fromstring(z.read(names[0]))
    for kind in ("minor", "major"):
        font = root.find(f".//a:{kind}Font", NS)
        if font is None:
            continue
        latin = font.find("a:latin", NS)
        if latin is not None and latin.get("typeface"):
            fonts[f"{kind}HAnsi"] = fonts[f"{kind}Ascii"] = latin.get("typeface")
        ea = font.find("a:ea", NS)
        hans = [f.get("typeface") for f in font.findall("a:font", NS) if f.get("script") == "Hans"]
        if hans:
            fonts[f"{kind}EastAsia"] = hans[0]
        elif ea is not None and ea.get("typeface"):
            fonts[f"{kind}EastAsia"] = ea.get("typeface")
    return fonts


def _xml(z: zipfile.ZipFile, name: str):
    try:
        return etree.fromstring(z.read(name))
    except KeyError:
        return None


class _Reader:
    def __init__(self, z: zipfile.ZipFile):
        self.z = z
        self.theme = _theme_fonts(z)
        self.styles = Styles(_xml(z, "word/styles.xml"), self.theme)
        self.numbering = Numbering(_xml(z, "word/numbering.xml"))
        self.count = 0

    def para_props(self, p) -> tuple[dict, dict]:
        pprops: dict = {}
        rprops: dict = {"sz": 10.0, "eastAsia": "", "ascii": "", "b": False, "color": "AUTO", "spacing": 0.0}
        st = self.styles
        _merge_ppr(pprops, st.doc_ppr)
        _merge_rpr(rprops, st.doc_rpr, self.theme)
        ppr = p.find("w:pPr", NS)
        sid = _val(ppr.find("w:pStyle", NS)) if ppr is not None else None
        sid = sid or st.default_para
        for s in st.chain(sid):
            _merge_ppr(pprops, s.find("w:pPr", NS))
            _merge_rpr(rprops, s.find("w:rPr", NS), self.theme)
        _merge_ppr(pprops, ppr)
        pprops["style"] = st.name(sid)
        return pprops, rprops

    def run(self, r, base: dict) -> tuple[dict, str, bool]:
        props = dict(base)
        rpr = r.find("w:rPr", NS)
        if rpr is not None:
            cs = _val(rpr.find("w:rStyle", NS))
            for s in self.styles.chain(cs):
                _merge_rpr(props, s.find("w:rPr", NS), self.theme)
        _merge_rpr(props, rpr, self.theme)
        text, page_break = [], False
        for child in r:
            tag = etree.QName(child).localname
            if tag == "t":
                text.append(child.text or "")
            elif tag == "tab":
                text.append("\t")
            elif tag in ("br", "cr"):
                if child.get(q("type")) == "page":
                    page_break = True
                else:
                    text.append("\n")
            elif tag == "noBreakHyphen":
                text.append("-")
            elif tag == "sym":
                code = child.get(q("char"))
                try:
                    text.append(chr(int(code, 16)) if code else "")
                except ValueError:
                    pass
        return props, "".join(text), page_break

    def paragraph(self, p, in_table=False, table=None, section=0) -> Para:
        self.count += 1
        pprops, rprops = self.para_props(p)
        runs, break_before, break_after = [], False, False
        in_field = 0
        depth = len(p.xpath("ancestor::w:txbxContent", namespaces=NS))  # runs of text boxes inside are theirs
        for r in p.xpath(f".//w:r[count(ancestor::w:txbxContent) = {depth}]", namespaces=NS):
            fc = r.find("w:fldChar", NS)
            if fc is not None:
                t = fc.get(q("fldCharType"))
                in_field = 1 if t == "begin" else (2 if t == "separate" else 0)
                continue
            if in_field == 1:  # the field code, not its result
                continue
            props, text, pb = self.run(r, rprops)
            if pb and not "".join(x.text for x in runs).strip():
                break_before = True
            elif pb:
                break_after = True
            if text:
                runs.append(Run(text, props["sz"], props.get("eastAsia", ""), props.get("ascii", ""), bool(props["b"]),
                                props["color"], props.get("spacing", 0.0)))
        text = "".join(r.text for r in runs)
        size = max((r.size for r in runs if r.text.strip()), default=rprops["sz"])

        def ind(key: str) -> float:
            if f"ind.{key}Chars" in pprops and pprops[f"ind.{key}Chars"]:
                return pprops[f"ind.{key}Chars"] / 100 * size
            return pprops.get(f"ind.{key}", 0.0) / TWIP

        first = ind("firstLine") - ind("hanging")
        numbering = ""
        if pprops.get("numId") not in (None, "0"):
            numbering = self.numbering.text(pprops["numId"], int(pprops.get("ilvl", 0) or 0))
        rule = pprops.get("sp.lineRule", "auto")
        line = float(pprops.get("sp.line", 240))
        return Para(
            index=self.count, text=text, runs=runs, style=pprops.get("style", ""),
            align={"both": "both", "center": "center", "right": "right", "end": "right", "distribute": "both",
                   "start": "left", "left": "left"}.get(pprops.get("jc", "left"), "left"),
            first_line=first, left=ind("left"), right=ind("right"), line_rule=rule, line=line,
            before=float(pprops.get("sp.before", 0)) / TWIP, after=float(pprops.get("sp.after", 0)) / TWIP,
            page_break_before=bool(pprops.get("pageBreakBefore")), break_before=break_before, break_after=break_after,
            border_bottom=pprops.get("border"), numbering=numbering, in_table=in_table, table=table,
            section=section, has_drawing=bool(p.xpath(".//w:drawing|.//w:pict", namespaces=NS)),
        )


def _section(sect, rels: dict[str, str]) -> Section:
    def num(el, attr, default):
        v = el.get(q(attr)) if el is not None else None
        try:
            return float(v) / TWIP if v is not None else default
        except ValueError:
            return default

    sz, mar, grid = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS), sect.find("w:docGrid", NS)
    footers = {}
    for ref in sect.findall("w:footerReference", NS):
        target = rels.get(ref.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"))
        if target:
            footers[ref.get(q("type")) or "default"] = target
    pitch = grid.get(q("linePitch")) if grid is not None else None
    cs = grid.get(q("charSpace")) if grid is not None else None
    return Section(
        width=num(sz, "w", 612), height=num(sz, "h", 792),
        top=abs(num(mar, "top", 72)), bottom=abs(num(mar, "bottom", 72)), left=num(mar, "left", 90),
        right=num(mar, "right", 90), footer=num(mar, "footer", 36),
        grid_type=grid.get(q("type")) if grid is not None else None,
        line_pitch=float(pitch) / TWIP if pitch else None, char_space=int(cs) if cs and cs.lstrip("-").isdigit() else None,
        footers=footers, title_page=_on(sect.find("w:titlePg", NS)) or False,
    )


def read_docx(path: Path) -> Docx:
    path = Path(path)
    try:
        z = zipfile.ZipFile(path)
        doc = etree.fromstring(z.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as exc:
        raise UserError(f"{path.name} 无法读取：不是有效的 DOCX 文件（{type(exc).__name__}）") from None
    with z:
        rd = _Reader(z)
        rels = {}
        rel_root = _xml(z, "word/_rels/document.xml.rels")
        if rel_root is not None:
            for rel in rel_root:
                rels[rel.get("Id")] = "word/" + rel.get("Target", "").lstrip("/").removeprefix("word/")
        body = doc.find("w:body", NS)
        paras: list[Para] = []
        tables: list[TableInfo] = []
        sections: list[Section] = []
        section_paras: list[Para] = []

        def close_section(sect):
            sections.append(_section(sect, rels))
            for p in section_paras:
                p.section = len(sections) - 1
            section_paras.clear()

        for child in body:
            tag = etree.QName(child).localname
            if tag == "p":
                # text boxes anchored here come first (Word writes each twice: the Fallback copy is skipped)
                for tp in child.xpath(".//w:txbxContent[not(ancestor::mc:Fallback)]//w:p", namespaces=NS):
                    boxed = rd.paragraph(tp)
                    if boxed.text.strip():
                        boxed.in_textbox = True
                        paras.append(boxed)
                        section_paras.append(boxed)
                para = rd.paragraph(child)
                paras.append(para)
                section_paras.append(para)
                sect = child.find("w:pPr/w:sectPr", NS)
                if sect is not None:
                    close_section(sect)
            elif tag == "tbl":
                ti = len(tables)
                rows, first = [], rd.count + 1
                for tr in child.findall("w:tr", NS):
                    row = []
                    for tc in tr.findall("w:tc", NS):
                        cell = [rd.paragraph(p, True, ti) for p in tc.findall(".//w:p", NS)]
                        paras.extend(cell)
                        section_paras.extend(cell)
                        row.append("\n".join(c.shown for c in cell))
                    rows.append(row)
                borders = bool(child.xpath(".//w:tblBorders/*[@w:val!='nil' and @w:val!='none'] | "
                                           ".//w:tcBorders/*[@w:val!='nil' and @w:val!='none']", namespaces=NS))
                tstyle = _val(child.find("w:tblPr/w:tblStyle", NS))
                if not borders and tstyle:
                    for s in rd.styles.chain(tstyle):
                        if s.xpath(".//w:tblBorders/*[@w:val!='nil' and @w:val!='none']", namespaces=NS):
                            borders = True
                tables.append(TableInfo(ti, rows, borders, first))
            elif tag == "sectPr":
                close_section(child)
        if section_paras and sections:
            for p in section_paras:
                p.section = len(sections) - 1
        if not sections:
            sections.append(Section(612, 792, 72, 72, 90, 90, 36, None, None, None, {}))
        footers = {}
        for s in sections:
            for part in s.footers.values():
                if part not in footers:
                    root = _xml(z, part)
                    if root is not None:
                        footers[part] = [rd.paragraph(p) for p in root.iter(q("p"))]
                        rd.count -= len(footers[part])
        settings = _xml(z, "word/settings.xml")
        even_odd = bool(settings is not None and _on(settings.find("w:evenAndOddHeaders", NS)))
    return Docx(paras, sections, tables, footers, even_odd, path)


def footer_text(para_list: list[Para]) -> str:
    return "".join(p.text for p in para_list)
