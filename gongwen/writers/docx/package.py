"""Saving: fixed metadata and a zip with fixed entry times, so the same
notice always gives byte-identical files (archives and diffs rely on it)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from lxml import etree

from gongwen.notice.tree import Notice
from gongwen.stablezip import stable_zip
from gongwen.writers.docx import oxml

XML_TYPES = ("xml",)


def _fixed_time(notice: Notice) -> dt.datetime:
    day = notice.date or dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def finish(document, notice: Notice) -> None:
    """Core properties, settings and theme-font clean-up on every part."""
    props = document.core_properties
    when = _fixed_time(notice)
    props.created = when
    props.modified = when
    props.last_printed = when
    props.revision = 1
    props.author = notice.organs[0] if notice.organs else ""
    props.last_modified_by = props.author
    props.title = notice.title.replace("\n", "")
    props.language = "zh-CN"
    props.subject = ""
    props.keywords = ""
    props.comments = ""
    props.category = ""
    settings = document.settings.element
    oxml.remove_rsids(settings)
    oxml.strip_theme_fonts(document.element)
    for part in document.part.package.iter_parts():
        element = getattr(part, "_element", None)
        if element is not None:
            oxml.strip_theme_fonts(element)
        elif str(part.partname).endswith(".xml") and b"Theme=" in (part.blob or b""):
            # e.g. stylesWithEffects.xml, which python-docx keeps as bytes
            root = etree.fromstring(part.blob)
            oxml.strip_theme_fonts(root)
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def save(document, path: Path) -> None:
    Path(path).write_bytes(to_bytes(document))


def to_bytes(document) -> bytes:
    """The .docx bytes with fixed entry times, so the same document gives the same bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue())
