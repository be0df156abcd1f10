"""--embed-sources: every PDF of a build becomes PDF/A-3b and carries the data
it was computed from as associated files: the exact input files of that
document (workbooks, CSV, campaign.yaml; relationship Source) and the
period's 得分明细.xlsx (relationship Data). Each file specification has its
/AFRelationship and the catalog lists them all in /AF, as PDF/A-3 asks.

Done after typesetting, on the PDF bytes (pikepdf), so typesetting itself is
unchanged; dates come from the document (see pdfa.fixed_time), so the same
inputs still give the same bytes."""

from __future__ import annotations

import io
import mimetypes
from pathlib import Path

import pikepdf
from pikepdf import Name

from gongwen.writers.pdf.pdfa import fixed_time
from gongwen.campaign.manifest import sha256
from gongwen.errors import UserError

SCORE_FILE = "得分明细.xlsx"
MIME = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
}


def mime_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return MIME.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _pdf_date(notice) -> str:
    t = fixed_time(notice)
    return t.strftime("D:%Y%m%d%H%M%S+08'00'")


def attach(data: bytes, notice, files: list[tuple[str, bytes, str, str]]) -> bytes:
    """PDF bytes with `files` (name, bytes, relationship, description) embedded
    as associated files; identification switched to PDF/A-3B."""
    when = _pdf_date(notice)
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        specs = []
        for name, blob, relationship, description in files:
            spec = pikepdf.AttachedFileSpec(
                pdf, blob, description=description, filename=name, mime_type=mime_type(name),
                creation_date=when, mod_date=when, relationship=Name("/" + relationship))
            pdf.attachments[name] = spec
            specs.append(pdf.attachments[name].obj)
        # the catalog's /AF lists every associated file once (pikepdf may have added them already)
        af = pdf.Root.get("/AF")
        listed = {o.objgen for o in af} if af is not None else set()
        if af is None:
            af = pdf.Root.AF = pdf.make_indirect(pikepdf.Array())
        for spec in specs:
            if spec.objgen not in listed:
                af.append(spec)
                listed.add(spec.objgen)
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["pdfaid:part"] = "3"
        pdf.save(out, deterministic_id=True, preserve_pdfa=True, fix_metadata_version=False)
    return out.getvalue()


def sources(campaign, manifest, doc, rendered, out: Path) -> list[tuple[str, bytes, str, str]]:
    """The files to embed in one document's PDF: its inputs exactly as hashed
    into manifest.json, then its period's 得分明细.xlsx."""
    files = []
    for shown in doc.inputs:
        path = Path(campaign.folder) / shown
        blob = path.read_bytes()
        known = manifest.inputs.get(shown)
        if known is not None and sha256(blob) != known:
            raise UserError(f"{shown} 在生成过程中被改动了，嵌入的数据将与计分所用的不一致；请等报表不再改动后重新运行 build")
        files.append((shown, blob, "Source", f"输入文件 {shown}"))
    score = Path(out) / doc.period / SCORE_FILE
    if score in rendered.files:
        files.append((f"{doc.period}/{SCORE_FILE}", rendered.files[score], "Data", f"{doc.period} 得分明细"))
    return files


def embed_sources(campaign, docs, rendered, out: Path) -> int:
    """Rewrite every PDF of `docs` in `rendered` as PDF/A-3b with its sources;
    the manifest entries follow. Returns how many PDFs carry sources."""
    count = 0
    for doc in docs:
        rel = f"{doc.rel}.pdf"
        key = Path(out) / rel
        if key not in rendered.files or doc.word_template:  # a Word template's PDF comes from LibreOffice, not PDF/A
            continue
        files = sources(campaign, rendered.manifest, doc, rendered, out)
        if not files:
            continue
        data = attach(rendered.files[key], doc.notice, files)
        rendered.files[key] = data
        entry = rendered.manifest.files.get(rel)
        if entry is None:
            rendered.manifest.add(rel, data, doc.inputs, kind=doc.kind, period=doc.period)
        else:
            entry.update(sha256=sha256(data), bytes=len(data))
        count += 1
    return count
